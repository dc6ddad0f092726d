"""POST /v1/extend: B-T -> B-LT -> B-LTA through the API; the result validates offline years later."""

from __future__ import annotations

import base64
from datetime import datetime, timedelta, timezone

import pytest

from tests.longterm.conftest import CONTENT, Demo
from trustsvc.demo.init import init_demo
from trustsvc.reports import SignatureIndication
from trustsvc.validation.signature import validate_signature


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Demo:
    out = tmp_path_factory.mktemp("api-extend-demo")
    return Demo(out, init_demo(out, now=datetime.now(timezone.utc) - timedelta(minutes=5)))


def _b64(b: bytes) -> str:
    return base64.b64encode(b).decode("ascii")


def test_extend_to_lta_then_validate_offline(client, demo, monkeypatch):
    ent = demo.index["entities"]["mo-tsa"]
    monkeypatch.setenv("TRUSTSVC_TSA_CERT", str(demo.dir / ent["cert"]))
    monkeypatch.setenv("TRUSTSVC_TSA_KEY", str(demo.dir / ent["key"]))
    root = demo.cert("mo-root")
    body = {"signature": _b64(demo.sign_bt("ecdsa")), "content": _b64(CONTENT), "level": "B-LT",
            "crls": [_b64(c) for c in demo.crls("ecdsa")], "trust_anchors": [_b64(root.der)]}
    r = client.post("/v1/extend", json=body)
    assert r.status_code == 200, r.text
    assert r.json()["level"] == "CAdES-BASELINE-LT"
    body["signature"], body["level"] = r.json()["signature"], "B-LTA"
    r = client.post("/v1/extend", json=body, headers={"Accept": "application/pkcs7-signature"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/pkcs7-signature")
    assert r.headers["x-signature-level"] == "CAdES-BASELINE-LTA"
    report = validate_signature(r.content, content=CONTENT, trust_anchors=[root], revocation="require",
                                at=demo.after_everything_expired())
    assert report.indication is SignatureIndication.TOTAL_PASSED, report.reasons


def test_extend_bad_input_is_a_problem(client, monkeypatch):
    monkeypatch.delenv("TRUSTSVC_TSA_URL", raising=False)
    r = client.post("/v1/extend", json={"signature": _b64(b"garbage"), "level": "B-LT"})
    assert r.status_code == 422 and r.headers["content-type"].startswith("application/problem+json")
    r = client.post("/v1/extend", json={"signature": "AAAA", "level": "B-XX"})
    assert r.status_code == 422
    r = client.post("/v1/extend", content=b"{not json")
    assert r.status_code == 400


def test_verify_signature_answers_the_etsi_xml_report_when_asked(client, demo):
    root = demo.cert("mo-root")
    body = {"signature": _b64(demo.sign_bt("ecdsa")), "content": _b64(CONTENT), "trust_anchors": [_b64(root.der)]}
    r = client.post("/v1/verify/signature", json=body, headers={"Accept": "application/vnd.etsi.validationreport+xml"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/vnd.etsi.validationreport+xml")
    xml = r.content
    r = client.post("/v1/verify/signature", json=body)
    main = r.json()["indication"].lower()
    assert f"<vr:MainIndication>urn:etsi:019102:mainindication:{main}</vr:MainIndication>".encode() in xml


def test_extend_fetch_uses_the_service_revocation_source(make_settings, tmp_path, monkeypatch):
    """`fetch: true` goes through the service's guarded fetcher (here allowed onto loopback, where the demo
    responder runs): the fetched status is embedded and the result validates offline years later."""
    from fastapi.testclient import TestClient

    from tests.faults.server import free_port
    from trustsvc.api.app import create_app
    from trustsvc.demo.ocsp_responder import OCSPResponderServer, load_demo_cas

    port = free_port()
    out = tmp_path / "demo"
    demo = Demo(out, init_demo(out, now=datetime.now(timezone.utc) - timedelta(minutes=5),
                               base_url=f"http://127.0.0.1:{port}"))
    ent = demo.index["entities"]["mo-tsa"]
    monkeypatch.setenv("TRUSTSVC_TSA_CERT", str(demo.dir / ent["cert"]))
    monkeypatch.setenv("TRUSTSVC_TSA_KEY", str(demo.dir / ent["key"]))
    root = demo.cert("mo-root")
    body = {"signature": _b64(demo.sign_bt("ecdsa")), "content": _b64(CONTENT), "level": "B-LTA", "fetch": True,
            "trust_anchors": [_b64(root.der)]}
    cas, knobs = load_demo_cas(out)
    settings = make_settings(revocation_allow_networks=("127.0.0.0/8",))
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        with OCSPResponderServer(cas, port=port, knobs=knobs) as responder:
            r = client.post("/v1/extend", json=body)
        assert r.status_code == 200, r.text
        assert responder.requests
    assert r.json()["level"] == "CAdES-BASELINE-LTA"
    report = validate_signature(base64.b64decode(r.json()["signature"]), content=CONTENT, trust_anchors=[root],
                                revocation="require", at=demo.after_everything_expired())
    assert report.indication is SignatureIndication.TOTAL_PASSED, report.reasons
