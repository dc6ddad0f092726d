"""Verification endpoints over the demo GBA PKI: trust lists, bridge, batch, signed reports, an upload used by verify."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from trustsvc.api.app import create_app
from trustsvc.jose import verify_report
from trustsvc.api.settings import Settings

pytest.importorskip("trustsvc.validation.certificate", reason="validate_certificate not landed yet")
init_mod = pytest.importorskip("trustsvc.demo.init", reason="demo init not landed yet")


@pytest.fixture(scope="session")
def demo(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("demo")
    init_mod.init_demo(d)
    return d


@pytest.fixture
def demo_settings(demo, tmp_path) -> Settings:
    return Settings(database_url=f"sqlite:///{tmp_path / 'db.sqlite'}", demo_dir=demo, data_dir=tmp_path / "data",
                    poll_interval=0.2, batch_concurrency=4)


@pytest.fixture
def demo_client(demo_settings):
    with TestClient(create_app(demo_settings), raise_server_exceptions=False) as c:
        yield c


def pem(demo: Path, ident: str) -> str:
    return (demo / "certs" / f"{ident}.pem").read_text()


def cert_request(demo: Path, leaf: str, cas: list[str], usage: str | None = "e-tendering", **kw) -> dict:
    return {"certificate": pem(demo, leaf), "intermediates": [pem(demo, c) for c in cas], "usage": usage, **kw}


def test_demo_lists_are_served_and_ready(demo_client):
    lists = {x["territory"]: x for x in demo_client.get("/v1/trust-lists").json()["lists"]}
    assert set(lists) == {"GBA", "CN-GD", "HK", "MO"}
    assert demo_client.get("/readyz").status_code == 200


@pytest.mark.parametrize("leaf,ca,territory", [("hk-leaf", "hk-ca", "HK"), ("gd-leaf", "gd-ca", "CN-GD"),
                                               ("mo-leaf", "mo-ca", "MO")])
def test_foreign_bidder_accepted_for_e_tendering_via_trust_list(demo, demo_client, leaf, ca, territory):
    r = demo_client.post("/v1/verify/certificate", json=cert_request(demo, leaf, [ca]))
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["indication"] == "PASSED", body["report"].get("reasons")
    assert body["report"]["recognition"]["territory"] == territory


def test_hk_certificate_not_recognised_for_e_guarantee(demo, demo_client):
    body = demo_client.post("/v1/verify/certificate", json=cert_request(demo, "hk-leaf", ["hk-ca"],
                                                                        usage="e-guarantee")).json()
    assert body["indication"] != "PASSED"


def test_foreign_bidder_accepted_via_bridge(demo, demo_client):
    # A Hong Kong relying party that trusts only its own root validates a Guangdong SM2 bidder
    # through the cross-certificates with the GBA bridge CA.
    req = cert_request(demo, "gd-leaf", ["gd-ca", "gd-root-by-bridge", "bridge-by-hk-root"], usage=None,
                       trust_anchors=[pem(demo, "hk-root")], use_trust_lists=False)
    body = demo_client.post("/v1/verify/certificate", json=req).json()
    assert body["indication"] == "PASSED", body["report"].get("reasons")
    # Without the cross-certificates there is no path to the HK root.
    req["intermediates"] = [pem(demo, "gd-ca")]
    body = demo_client.post("/v1/verify/certificate", json=req).json()
    assert body["indication"] == "INDETERMINATE" and body["sub_indication"] == "NO_CERTIFICATE_CHAIN_FOUND"


def test_multipart_certificate(demo, demo_client):
    files = [("certificate", ("leaf.pem", pem(demo, "mo-leaf"))), ("intermediates", ("ca.pem", pem(demo, "mo-ca")))]
    r = demo_client.post("/v1/verify/certificate", files=files, data={"usage": "e-tendering"})
    assert r.status_code == 200 and r.json()["indication"] == "PASSED"


def test_signed_report_verifies_with_published_key(demo, demo_client):
    r = demo_client.post("/v1/verify/certificate?signed=true", json=cert_request(demo, "hk-leaf", ["hk-ca"]))
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/jose")
    payload = verify_report(r.text, demo_client.get("/v1/keys").json()["keys"])
    assert payload["indication"] == "PASSED" and payload["kind"] == "certificate"
    r2 = demo_client.post("/v1/verify/certificate", json=cert_request(demo, "hk-leaf", ["hk-ca"]),
                          headers={"accept": "application/jose"})
    assert r2.headers["content-type"].startswith("application/jose")


def test_archive_needs_a_platform_api_key(demo, demo_settings):
    settings = demo_settings.model_copy(update={"api_keys": (("platform-a", "k-platform-a-0123456789"),)})
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        # Without a key, ?archive=true is refused before any work or storage (issue 14: anonymous amplification).
        r = client.post("/v1/verify/certificate?archive=true", json=cert_request(demo, "hk-leaf", ["hk-ca"]))
        assert r.status_code == 401 and r.headers["content-type"].startswith("application/problem+json")
        r = client.post("/v1/verify/certificate?archive=true", json=cert_request(demo, "hk-leaf", ["hk-ca"]),
                        headers={"X-API-Key": "wrong"})
        assert r.status_code == 401
        # With one, the signed report is kept server-side.
        r3 = client.post("/v1/verify/certificate?archive=true", json=cert_request(demo, "hk-leaf", ["hk-ca"]),
                         headers={"Authorization": "Bearer k-platform-a-0123456789"})
        assert r3.json()["indication"] == "PASSED"
        archived = client.get(r3.headers["location"])
        assert archived.status_code == 200 and verify_report(archived.text, client.get("/v1/keys").json()["keys"])


def test_batch_of_200_mixed_items_in_order(demo, demo_client):
    good = [json.dumps({"type": "certificate", **cert_request(demo, leaf, [ca])})
            for leaf, ca in (("hk-leaf", "hk-ca"), ("gd-leaf", "gd-ca"), ("mo-leaf", "mo-ca"))]
    garbage = ["not json at all", '{"type": "certificate", "certificate": "AAAA"}', "[1, 2, 3]",
               '{"type": "signature", "signature": "%%%"}', '{"type": "timestamp"}', '{"certificate": 42}']
    lines, expect_garbage = [], []
    for i in range(200):
        if i % 5 == 3:
            lines.append(json.dumps({"id": f"item-{i}", "type": "certificate", "certificate": "bm9wZQ=="})
                         if i % 2 else garbage[i % len(garbage)])
            expect_garbage.append(True)
        else:
            item = json.loads(good[i % 3])
            item["id"] = f"item-{i}"
            lines.append(json.dumps(item))
            expect_garbage.append(False)
    r = demo_client.post("/v1/verify/batch", content="\n".join(lines).encode(),
                         headers={"content-type": "application/x-ndjson"})
    assert r.status_code == 200
    out = [json.loads(x) for x in r.text.splitlines()]
    assert len(out) == 200 and [o["index"] for o in out] == list(range(200))
    for i, (o, bad) in enumerate(zip(out, expect_garbage)):
        if bad:
            assert o["sub_indication"] == "FORMAT_FAILURE", o
        else:
            assert o["id"] == f"item-{i}" and o["indication"] == "PASSED", o


def test_good_upload_is_used_by_verify(demo, demo_settings):
    from trustsvc.store import db, operators
    from trustsvc.trustlist.jws import SigningKey, parse_signed, sign_list
    from trustsvc.trustlist.model import StatusChange, status_uri
    from trustsvc.x509.load import load_certificate

    with TestClient(create_app(demo_settings)) as c:
        ok = c.post("/v1/verify/certificate", json=cert_request(demo, "hk-leaf", ["hk-ca"])).json()
        assert ok["indication"] == "PASSED"
        engine = db.make_engine(demo_settings.database_url)
        with db.session_factory(engine)() as s:
            _, token = operators.add_operator(s, "HK", "HK operator")
        engine.dispose()
        current = parse_signed((demo / "trust_lists" / "hk.json").read_bytes()).trust_list
        now = datetime.now(timezone.utc).replace(microsecond=0)
        services = tuple(replace(svc, history=svc.history + (StatusChange(status_uri("withdrawn"),
                                                                          now - timedelta(minutes=1)),))
                         for svc in current.services)
        nxt = replace(current, sequence_number=current.sequence_number + 1, issued_at=now,
                      next_update=now + timedelta(days=30), services=services)
        key = SigningKey.from_pem((demo / "keys" / "hk-operator.key.pem").read_bytes())
        doc = sign_list(nxt, key, load_certificate((demo / "certs" / "hk-operator.pem").read_bytes()))
        r = c.put("/v1/trust-lists/HK", content=doc, headers={"authorization": f"Bearer {token}"})
        assert r.status_code == 201, r.text
        after = c.post("/v1/verify/certificate", json=cert_request(demo, "hk-leaf", ["hk-ca"])).json()
        assert after["indication"] != "PASSED" and after["snapshot_id"] == r.json()["snapshot_id"]


def _chain(demo: Path, ident: str) -> list:
    """The entity's issuing CAs (not the self-signed root), from pki.json."""
    from trustsvc.x509.load import load_certificate

    index = json.loads((demo / "pki.json").read_text())["entities"]
    out, cur = [], index[ident].get("issuer")
    while cur and index[cur]["role"] != "root" and cur != ident:
        out.append(load_certificate((demo / index[cur]["cert"]).read_bytes()))
        cur = index[cur].get("issuer")
    return out


@pytest.fixture(scope="session")
def signed_bid(demo):
    """A detached CAdES-T bid by the Hong Kong bidder, timestamped now by the Hong Kong TSA."""
    from trustsvc.cms.builder import LocalTSA, load_private_key, sign_cms
    from trustsvc.x509.load import load_certificate

    bid = b"%PDF-1.7 demo bid for tender GD-2026-001\n" * 100
    tsa = LocalTSA.from_files(demo / "certs" / "hk-tsa.pem", demo / "keys" / "hk-tsa.key.pem",
                              chain=_chain(demo, "hk-tsa"))
    sig = sign_cms(bid, load_certificate((demo / "certs" / "hk-leaf.pem").read_bytes()),
                   load_private_key((demo / "keys" / "hk-leaf.key.pem").read_bytes()),
                   extra_certs=_chain(demo, "hk-leaf"), timestamper=tsa)
    return bid, sig, tsa


def test_signed_bid_with_timestamp_before_and_after_deadline(demo_client, signed_bid):
    import base64

    bid, sig, _ = signed_bid
    now = datetime.now(timezone.utc)
    base = {"signature": base64.b64encode(sig).decode(), "content": base64.b64encode(bid).decode(),
            "usage": "e-tendering"}
    before = demo_client.post("/v1/verify/signature", json={**base, "deadline": (now + timedelta(hours=1)).isoformat()})
    assert before.status_code == 200 and before.json()["indication"] == "TOTAL-PASSED", before.json()["report"]
    after = demo_client.post("/v1/verify/signature", json={**base, "deadline": (now - timedelta(hours=1)).isoformat()})
    assert after.json()["indication"] == "TOTAL-FAILED"
    # The same bid as multipart (large files travel unencoded).
    mp = demo_client.post("/v1/verify/signature", files={"signature": ("bid.p7s", sig), "content": ("bid.pdf", bid)},
                          data={"usage": "e-tendering", "deadline": (now + timedelta(hours=1)).isoformat()})
    assert mp.status_code == 200 and mp.json()["indication"] == "TOTAL-PASSED"
    # A tampered bid is a hash failure.
    bad = demo_client.post("/v1/verify/signature", json={**base, "content": base64.b64encode(bid + b"x").decode()})
    assert bad.json()["indication"] == "TOTAL-FAILED" and bad.json()["sub_indication"] == "HASH_FAILURE"


def test_timestamp_endpoint_with_deadline(demo_client, signed_bid):
    import base64
    import hashlib

    bid, _, tsa = signed_bid
    token = tsa.timestamp(hashlib.sha256(bid).digest(), "sha256")
    now = datetime.now(timezone.utc)
    ok = demo_client.post("/v1/verify/timestamp", json={"token": base64.b64encode(token).decode(),
                                                        "digest": hashlib.sha256(bid).hexdigest(),
                                                        "deadline": (now + timedelta(hours=1)).isoformat()})
    assert ok.status_code == 200 and ok.json()["indication"] == "TOTAL-PASSED", ok.json()["report"]
    late = demo_client.post("/v1/verify/timestamp", json={"token": base64.b64encode(token).decode(),
                                                          "content": base64.b64encode(bid).decode(),
                                                          "deadline": (now - timedelta(hours=1)).isoformat()})
    assert late.json()["indication"] == "TOTAL-FAILED"


@pytest.mark.parametrize("bid", ["cn-gd", "hk", "mo", "mo-guarantee"])
def test_demo_bids_and_e_guarantee(demo, demo_client, bid):
    entry = json.loads((demo / "pki.json").read_text())["bids"][bid]
    files = {"signature": ("s.p7s", (demo / entry["signature"]).read_bytes())}
    if entry["detached"]:
        files["content"] = ("bid", (demo / entry["content"]).read_bytes())
    data = {"usage": entry["usage"]}
    if entry.get("deadline"):
        data["deadline"] = entry["deadline"]
    if entry.get("expected"):
        import base64
        payload = {"signature": base64.b64encode(files["signature"][1]).decode(), "usage": entry["usage"],
                   "expected": json.loads((demo / entry["expected"]).read_text())}
        r = demo_client.post("/v1/verify/signature", json=payload)
    else:
        r = demo_client.post("/v1/verify/signature", files=files, data=data)
    assert r.status_code == 200 and r.json()["indication"] == "TOTAL-PASSED", r.json()["report"]


def test_mutated_inputs_never_500(demo, demo_client):
    import base64
    import random

    rng = random.Random(8)
    cert = (demo / "certs" / "gd-leaf.der").read_bytes()
    entry = json.loads((demo / "pki.json").read_text())["bids"]["hk"]
    sig = (demo / entry["signature"]).read_bytes()
    content = (demo / entry["content"]).read_bytes()
    for i in range(40):
        for original, make in (
            (cert, lambda b: ("/v1/verify/certificate", {"certificate": base64.b64encode(b).decode(),
                                                        "usage": "e-tendering"})),
            (sig, lambda b: ("/v1/verify/signature", {"signature": base64.b64encode(b).decode(),
                                                      "content": base64.b64encode(content).decode()})),
            (sig, lambda b: ("/v1/verify/timestamp", {"token": base64.b64encode(b).decode(),
                                                      "content": base64.b64encode(content).decode()})),
        ):
            data = bytearray(original)
            for _ in range(rng.randint(1, 4)):
                pos = rng.randrange(len(data))
                data[pos] = rng.randrange(256)
            if i % 5 == 0:
                data = data[: rng.randrange(len(data))]
            path, body = make(bytes(data))
            r = demo_client.post(path, json=body)
            assert r.status_code in (200, 422), (path, i, r.status_code, r.text[:300])


def test_signed_batch_lines_carry_a_verifiable_jws(demo, demo_client):
    items = [json.dumps({"id": n, **cert_request(demo, f"{n}-leaf", [f"{n}-ca"])}) for n in ("hk", "mo")]
    r = demo_client.post("/v1/verify/batch?signed=true", content="\n".join(items + ["garbage"]).encode())
    out = [json.loads(x) for x in r.text.splitlines()]
    keys = demo_client.get("/v1/keys").json()["keys"]
    for o in out[:2]:
        payload = verify_report(o["jws"], keys)
        assert payload["indication"] == "PASSED" and payload["id"] == o["id"]
    assert "jws" not in out[2] and out[2]["sub_indication"] == "FORMAT_FAILURE"
