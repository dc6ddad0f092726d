"""Issue 14 against the store (SQLite and, with TRUSTSVC_TEST_DATABASE_URL, PostgreSQL): uploads under an anonymous
flood are committed with their audit row or not at all, the audit chain is keyed, anonymous refusals are
aggregated, the GBA list of lists is authoritative, racing uploads keep /readyz ready."""

from __future__ import annotations

import json
import random
import threading
import time
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, select, text

from trustsvc.api.app import create_app
from trustsvc.store import audit, db
from trustsvc.store.models import AuditEntry, TrustListVersion
from trustsvc.trustlist.jws import sign_list
from trustsvc.trustlist.model import Pointer, TrustList
from trustsvc.trustlist.operator_keys import generate_operator_key, issue_operator_certificate


def _put(c, doc: bytes, token: str | None, territory: str = "HK"):
    headers = {"content-type": "application/json"}
    if token:
        headers["authorization"] = f"Bearer {token}"
    return c.put(f"/v1/trust-lists/{territory}", content=doc, headers=headers)


def _lotl(ops, seq: int, hk_certs) -> bytes:
    pointers = [Pointer("GBA", "https://tl.example/gba-lotl.json", "GBA op", (ops.keys["GBA"][1],))]
    if hk_certs:
        pointers.append(Pointer("HK", "https://tl.example/hk.json", "HK op", tuple(hk_certs)))
    tl = TrustList("GBA", "GBA list of lists", "GBA op", seq, ops.now - timedelta(minutes=30),
                   ops.now + timedelta(days=30), pointers=tuple(pointers))
    return sign_list(tl, *ops.keys["GBA"])


def _audited_shas(database_url: str) -> tuple[set[str], set[str]]:
    engine = create_engine(database_url)
    with db.session_factory(engine)() as s:
        versions = {v.sha256 for v in s.execute(select(TrustListVersion)).scalars()}
        accepted = {json.loads(e.detail).get("sha256") for e in s.execute(select(AuditEntry)).scalars()
                    if e.action == "trust-list.upload" and e.outcome == "accepted"}
        imported = {v["sha256"] for e in s.execute(select(AuditEntry)).scalars() if e.action == "trust-list.import"
                    for v in json.loads(e.detail)["versions"]}
    engine.dispose()
    return versions, accepted | imported


def test_upload_under_anonymous_flood_is_committed_with_its_audit_row(make_settings, db_url, ops, operator_token):
    # The issue's run: 32 threads for 30 s (done by hand, docs/reliability.md); CI floods for a few seconds.
    seconds = float(__import__("os").environ.get("TRUSTSVC_FLOOD_SECONDS", "4"))
    settings = make_settings(database_url=db_url)  # default: refusals past a few a minute are counted, not rows
    with TestClient(create_app(settings), raise_server_exceptions=False) as c:
        token = operator_token(settings, "HK")
        stop = threading.Event()
        statuses: list[int] = []

        def flood() -> None:
            while not stop.is_set():
                statuses.append(_put(c, b"{}", None, territory=f"X{random.randrange(10**6)}").status_code)

        threads = [threading.Thread(target=flood) for _ in range(32)]
        for t in threads:
            t.start()
        answers = []
        started, seq = time.monotonic(), 2
        while time.monotonic() - started < seconds:
            r = _put(c, ops.hk(seq), token)
            answers.append(r.status_code)
            seq += r.status_code == 201
        stop.set()
        for t in threads:
            t.join()
    from collections import Counter

    print(f"\nflood {seconds:g}s on {db_url.split(':')[0]}: {len(statuses)} anonymous PUTs {dict(Counter(statuses))}, "
          f"operator uploads {dict(Counter(answers))}")
    assert 500 not in answers and 500 not in statuses, (answers, set(statuses))
    assert answers.count(201) >= 1
    assert set(statuses) == {401}
    versions, audited = _audited_shas(settings.database_url)
    print(f"stored versions {len(versions)}, all with an audit entry: {versions <= audited}")
    assert versions <= audited, "a stored version has no audit entry"


def test_upload_is_one_transaction_with_its_audit_entry(make_settings, db_url, ops, operator_token, monkeypatch):
    settings = make_settings(database_url=db_url)
    with TestClient(create_app(settings), raise_server_exceptions=False) as c:
        token = operator_token(settings, "HK")
        real = audit.add_entry

        def failing(session, **kw):
            if kw.get("outcome") == "accepted":
                raise audit.OperationalError("INSERT", {}, Exception("audit table unavailable"))
            return real(session, **kw)

        monkeypatch.setattr(audit, "add_entry", failing)
        r = _put(c, ops.hk(2), token)
        assert r.status_code == 503, r.text  # not stored: the operator retries
        assert [v["sequence_number"] for v in c.get("/v1/trust-lists/HK/versions").json()] == [1]
        monkeypatch.setattr(audit, "add_entry", real)
        assert _put(c, ops.hk(2), token).status_code == 201
    versions, audited = _audited_shas(settings.database_url)
    assert versions <= audited


def test_rehashed_audit_chain_fails_verify(db_url, tmp_path, monkeypatch):
    monkeypatch.setenv("TRUSTSVC_AUDIT_KEY", str(tmp_path / "audit-key"))
    engine = db.make_engine(db_url)
    db.upgrade(engine)
    sessions = db.session_factory(engine)
    for i in range(5):
        audit.append(sessions, actor="t", action="a", outcome="ok", detail={"i": i})
    with sessions() as s:
        assert audit.verify_chain(s).ok
        # An attacker with write access edits row 2 and re-hashes every entry after it (unkeyed sha256).
        rows = s.execute(select(AuditEntry).order_by(AuditEntry.id)).scalars().all()
        prev = rows[0].hash
        for row in rows[1:]:
            if row.id == rows[1].id:
                row.outcome = "forged"
            row.prev_hash = prev
            row.hash = audit.entry_hash(at=row.at, actor=row.actor, action=row.action, outcome=row.outcome,
                                        detail=row.detail, prev_hash=prev)
            prev = row.hash
        # Unique prev_hash/hash: write in place row by row.
        for row in rows[1:]:
            s.execute(text("UPDATE audit_log SET outcome=:o, prev_hash=:p, hash=:h WHERE id=:i"),
                      {"o": row.outcome, "p": "x" + str(row.id), "h": "y" + str(row.id), "i": row.id})
        for row in rows[1:]:
            s.execute(text("UPDATE audit_log SET prev_hash=:p, hash=:h WHERE id=:i"),
                      {"p": row.prev_hash, "h": row.hash, "i": row.id})
        s.commit()
    with sessions() as s:
        result = audit.verify_chain(s)
    assert not result.ok and result.first_bad_id == rows[1].id and "MAC" in result.reason
    engine.dispose()


def test_anonymous_flood_is_aggregated_and_metrics_stay_bounded(make_settings, db_url):
    settings = make_settings(database_url=db_url, anonymous_audit_per_minute=5)
    with TestClient(create_app(settings), raise_server_exceptions=False) as c:
        for i in range(300):
            assert _put(c, b"{}", None, territory=f"RANDOM{i}").status_code == 401
        metrics = c.get("/metrics").text
    upload_series = [x for x in metrics.splitlines() if x.startswith("trustsvc_trust_list_uploads_total{")]
    assert len(upload_series) <= 3 and not any("RANDOM" in x for x in upload_series), upload_series
    engine = create_engine(settings.database_url)
    with db.session_factory(engine)() as s:
        rows = [e for e in s.execute(select(AuditEntry)).scalars() if e.actor == "anonymous"]
    engine.dispose()
    individual = [e for e in rows if e.outcome == "unauthorized"]
    summaries = [json.loads(e.detail) for e in rows if e.outcome == "unauthorized-summary"]
    assert len(individual) == 5  # the rest counted, written as one summary row at shutdown
    assert sum(x["suppressed"] for x in summaries) == 295


def test_pin_swap_and_delisting_take_effect_for_the_next_upload_and_reload(make_settings, db_url, ops,
                                                                           operator_token):
    settings = make_settings(database_url=db_url)
    with TestClient(create_app(settings), raise_server_exceptions=False) as c:
        gba, hk = operator_token(settings, "GBA"), operator_token(settings, "HK")
        new_key = ops.keys["ROGUE"][1]  # the GBA list now pins this key for HK instead of the old one
        assert _put(c, _lotl(ops, 2, [new_key]), gba, territory="GBA").status_code == 201
        r = _put(c, ops.hk(2), hk)  # signed with the old key
        assert r.status_code == 403 and r.json()["code"] == "unpinned_signer"
        # The list signed by the old key no longer confers trust either.
        assert "HK" not in {x["territory"] for x in c.get("/v1/trust-lists").json()["lists"]}
        assert _put(c, ops.hk(2, signer="ROGUE"), hk).status_code == 201
        assert c.get("/readyz").status_code == 200
        # Delisting: the GBA list drops HK; HK is gone for recognition at once and cannot upload.
        assert _put(c, _lotl(ops, 3, []), gba, territory="GBA").status_code == 201
        assert "HK" not in {x["territory"] for x in c.get("/v1/trust-lists").json()["lists"]}
        assert _put(c, ops.hk(3, signer="ROGUE"), hk).status_code == 403
        assert c.get("/readyz").status_code == 200
    # ...and after a restart (the state replayed from the store).
    with TestClient(create_app(settings), raise_server_exceptions=False) as c:
        assert "HK" not in {x["territory"] for x in c.get("/v1/trust-lists").json()["lists"]}
        assert c.get("/readyz").status_code == 200


def test_expired_operator_certificate_cannot_sign_a_backdated_list(make_settings, db_url, ops, operator_token):
    settings = make_settings(database_url=db_url)
    expired_key = generate_operator_key("ES256")
    expired = issue_operator_certificate(expired_key, name="HK op (expired)", territory="HK",
                                         not_before=ops.now - timedelta(days=60), not_after=ops.now - timedelta(days=1))
    with TestClient(create_app(settings), raise_server_exceptions=False) as c:
        gba, hk = operator_token(settings, "GBA"), operator_token(settings, "HK")
        assert _put(c, _lotl(ops, 2, [ops.keys["HK"][1], expired]), gba, territory="GBA").status_code == 201
        tl = TrustList("HK", "HK", "HK op", 5, ops.now - timedelta(days=10), ops.now + timedelta(days=30))
        r = _put(c, sign_list(tl, expired_key, expired), hk)  # issued_at backdated into the validity
        assert r.status_code == 422 and r.json()["code"] == "signer_not_valid", r.text


def test_concurrent_uploads_are_ordered_and_readyz_stays_ready(make_settings, db_url, ops, operator_token):
    settings = make_settings(database_url=db_url)
    for _round in range(3):
        with TestClient(create_app(settings), raise_server_exceptions=False) as a, \
                TestClient(create_app(settings), raise_server_exceptions=False) as b:
            token = operator_token(settings, "HK")
            base = max(v["sequence_number"] for v in a.get("/v1/trust-lists/HK/versions").json())
            docs = [ops.hk(base + 1), ops.hk(base + 2)]
            results: dict[int, int] = {}
            barrier = threading.Barrier(2)

            def go(i: int, client) -> None:
                barrier.wait()
                results[i] = _put(client, docs[i], token).status_code

            threads = [threading.Thread(target=go, args=(i, cl)) for i, cl in enumerate((a, b))]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            assert results[1] == 201 and results[0] in (201, 409), results
            versions = a.get("/v1/trust-lists/HK/versions").json()
            by_seq = sorted(versions, key=lambda v: v["sequence_number"])
            assert [v["accepted_at"] for v in by_seq] == sorted(v["accepted_at"] for v in by_seq)
            a.get("/readyz")
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline and (a.get("/readyz").status_code != 200
                                                   or b.get("/readyz").status_code != 200):
                time.sleep(0.1)
            assert a.get("/readyz").status_code == 200 and b.get("/readyz").status_code == 200
    with TestClient(create_app(settings), raise_server_exceptions=False) as c:  # after a restart too
        assert c.get("/readyz").status_code == 200


def _signed_with_number(ops, seq: int) -> bytes:
    """A list signed by the HK operator whose sequence number is `seq`, written by plain `json.dumps`: our own
    signer refuses integers beyond 2^53 (RFC 8785), but a hostile client is free to send them, correctly signed."""
    import base64

    doc = json.loads(ops.hk(2))
    protected = doc["jws"].split(".")[0]
    body = dict(doc["trust_list"], sequence_number=seq)
    payload = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    key, _ = ops.keys["HK"]
    signature = base64.urlsafe_b64encode(key.sign(protected.encode() + b"." + payload)).rstrip(b"=").decode()
    return json.dumps({"jws": f"{protected}..{signature}", "trust_list": body}).encode()


@pytest.mark.parametrize("seq", [2**31, 2**63, 2**64 + 5])
def test_huge_sequence_number_is_a_4xx(make_settings, db_url, ops, operator_token, seq):
    settings = make_settings(database_url=db_url)
    document = ops.hk(seq) if seq < 2**53 else _signed_with_number(ops, seq)
    with TestClient(create_app(settings), raise_server_exceptions=False) as c:
        r = _put(c, document, operator_token(settings, "HK"))
        assert r.status_code == 422 and r.json()["code"] == "malformed", r.text


def test_duplicate_json_key_in_a_signed_list_is_rejected(make_settings, db_url, ops, operator_token):
    settings = make_settings(database_url=db_url)
    doc = ops.hk(2)
    dup = doc.replace(b'{"jws":', b'{"jws": "x", "jws":', 1)
    assert dup != doc
    with TestClient(create_app(settings), raise_server_exceptions=False) as c:
        r = _put(c, dup, operator_token(settings, "HK"))
        assert r.status_code == 422 and r.json()["code"] == "malformed", r.text
