"""Trust-list endpoints and the operator upload: 401, 403, wrong signer, rollback, 201 then visible; two workers."""

from __future__ import annotations

import hashlib
import time

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from trustsvc.api.app import create_app
from trustsvc.cli import _register
from trustsvc.cli import app as cli_app

PROBLEM = "application/problem+json"


def _put(c, doc: bytes, token: str | None, territory: str = "HK"):
    headers = {"content-type": "application/json"}
    if token:
        headers["authorization"] = f"Bearer {token}"
    return c.put(f"/v1/trust-lists/{territory}", content=doc, headers=headers)


def test_list_get_and_versions(client, lists_dir):
    r = client.get("/v1/trust-lists")
    assert r.status_code == 200
    body = r.json()
    assert {x["territory"] for x in body["lists"]} == {"GBA", "HK"}
    assert all(x["status"] == "ok" for x in body["lists"])
    r = client.get("/v1/trust-lists/HK")
    assert r.status_code == 200 and r.content == (lists_dir / "hk.json").read_bytes()
    assert r.headers["etag"].strip('"') == hashlib.sha256(r.content).hexdigest()
    x = client.get("/v1/trust-lists/HK", headers={"accept": "application/vnd.etsi.tsl+xml"})
    assert x.status_code == 200 and x.headers["content-type"].startswith("application/vnd.etsi.tsl+xml")
    assert b"TrustServiceStatusList" in x.content
    v = client.get("/v1/trust-lists/HK/versions").json()
    assert [e["sequence_number"] for e in v] == [1]
    one = client.get(f"/v1/trust-lists/HK/versions/{v[0]['sha256']}")
    assert one.content == r.content
    missing = client.get("/v1/trust-lists/XX")
    assert missing.status_code == 404 and missing.headers["content-type"] == PROBLEM


def test_upload_rules(make_settings, db_url, ops, operator_token, tmp_path):
    settings = make_settings(database_url=db_url)
    with TestClient(create_app(settings)) as c:
        hk_token = operator_token(settings, "HK", "HK operator")
        mo_token = operator_token(settings, "MO", "MO operator")
        # No token, bad token -> 401 with a challenge.
        for token in (None, "tsv_not-a-real-token"):
            r = _put(c, ops.hk(2), token)
            assert r.status_code == 401 and r.headers["www-authenticate"].startswith("Bearer")
            assert r.json()["type"].endswith("/unauthorized")
        # Operator of another territory -> 403.
        assert _put(c, ops.hk(2), mo_token).status_code == 403
        # Right token, but signed by a key the GBA list of lists does not pin for HK -> 403 unpinned-signer.
        r = _put(c, ops.hk(2, signer="ROGUE"), hk_token)
        assert r.status_code == 403 and r.json()["code"] == "unpinned_signer"
        # Replaying the current sequence number -> 409 rollback.
        r = _put(c, ops.hk(1), hk_token)
        assert r.status_code == 409 and r.json()["type"].endswith("/rollback")
        # Garbage -> 422, never 500.
        assert _put(c, b"\x00\xff{not json", hk_token).status_code == 422
        assert _put(c, b'{"jws": 1, "trust_list": []}', hk_token).status_code == 422
        # A good upload -> 201, then served and used.
        before = c.get("/v1/trust-lists").json()["snapshot_id"]
        good = ops.hk(2)
        r = _put(c, good, hk_token)
        assert r.status_code == 201, r.text
        assert r.json()["sequence_number"] == 2 and r.headers["location"].endswith(r.json()["sha256"])
        assert c.get("/v1/trust-lists/HK").content == good
        assert [v["sequence_number"] for v in c.get("/v1/trust-lists/HK/versions").json()] == [2, 1]
        assert c.get("/v1/trust-lists").json()["snapshot_id"] == r.json()["snapshot_id"] != before
        # Now #2 is current, so #2 again is a rollback too.
        assert _put(c, good, hk_token).status_code == 409
        metrics = c.get("/metrics").text
        # Prometheus text: label order and number formatting are the exposition library's; compare values.
        from prometheus_client.parser import text_string_to_metric_families

        samples = {(s.name, tuple(sorted(s.labels.items()))): s.value
                   for family in text_string_to_metric_families(metrics) for s in family.samples}
        assert samples[("trustsvc_trust_list_uploads_total", (("outcome", "accepted"), ("territory", "HK")))] == 1
        assert samples[("trustsvc_trust_list_sequence_number", (("territory", "HK"),))] == 2

    # Every rejection and the acceptance are in the audit log, and the chain verifies.
    _register()
    runner = CliRunner()
    env = {"TRUSTSVC_DATABASE_URL": settings.database_url, "TRUSTSVC_DATA_DIR": str(settings.data_dir)}
    res = runner.invoke(cli_app, ["audit", "show", "--limit", "50"], env=env)
    outcomes = [line for line in res.output.splitlines() if '"trust-list.upload"' in line]
    assert sum('"rejected"' in line for line in outcomes) == 5  # rogue, rollback x2, garbage x2
    assert sum('"unauthorized"' in line for line in outcomes) == 2
    assert sum('"forbidden"' in line for line in outcomes) == 1
    assert sum('"forbidden"' in line for line in outcomes) == 1
    assert sum('"accepted"' in line for line in outcomes) == 1
    res = runner.invoke(cli_app, ["audit", "verify"], env=env)
    assert res.exit_code == 0 and "intact" in res.output

    # Tamper with one row: `audit verify` fails and names it.
    from sqlalchemy import create_engine, text
    engine = create_engine(settings.database_url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE audit_log SET outcome = 'accepted' WHERE id = 4"))
    engine.dispose()
    res = runner.invoke(cli_app, ["audit", "verify"], env=env)
    assert res.exit_code == 1 and "entry 4" in res.output


def test_upload_reaches_a_second_worker_within_seconds(make_settings, db_url, ops, operator_token):
    settings = make_settings(poll_interval=0.2, database_url=db_url)
    with TestClient(create_app(settings)) as a, TestClient(create_app(settings)) as b:
        token = operator_token(settings, "HK")
        assert b.get("/v1/trust-lists/HK/versions").json()[0]["sequence_number"] == 1
        seq_b = lambda: next(x["sequence_number"] for x in b.get("/v1/trust-lists").json()["lists"]  # noqa: E731
                             if x["territory"] == "HK")
        assert seq_b() == 1
        r = _put(a, ops.hk(2), token)
        assert r.status_code == 201
        deadline = time.monotonic() + 10
        while seq_b() != 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert seq_b() == 2
        assert b.get("/v1/trust-lists").json()["snapshot_id"] == a.get("/v1/trust-lists").json()["snapshot_id"]


def test_postgres_notify_beats_the_poll(make_settings, db_url, ops, operator_token):
    if not db_url.startswith("postgresql"):
        import pytest
        pytest.skip("LISTEN/NOTIFY is PostgreSQL only")
    settings = make_settings(poll_interval=30, database_url=db_url)  # polling alone would take 30 s
    with TestClient(create_app(settings)) as a, TestClient(create_app(settings)) as b:
        token = operator_token(settings, "HK")
        time.sleep(0.3)  # let b's listener connect
        assert _put(a, ops.hk(2), token).status_code == 201
        deadline = time.monotonic() + 10
        seq = lambda: b.get("/v1/trust-lists/HK").json()["trust_list"]["sequence_number"]  # noqa: E731
        while seq() != 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert seq() == 2
