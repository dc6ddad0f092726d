"""Service endpoints, problem+json for hostile input, body limits, signed-report keys, the report CLI."""

from __future__ import annotations

import json
import os

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from trustsvc.api.app import create_app
from trustsvc.jose import ReportKey, verify_report
from trustsvc.cli import _register
from trustsvc.cli import app as cli_app
from trustsvc.errors import InvalidSignatureError

PROBLEM = "application/problem+json"
GARBAGE = [b"", b"null", b"[]", b"{}", b"\x00\xff\xfe", b'{"certificate": 5}', b'{"certificate": "%%%"}',
           b'{"certificate": "MIIB"}', b'{"signature": "AAAA", "content": "***"}', b'{"token": "////"}',
           b'{"token": "AAAA", "digest": "zz"}', b"[" * 5000 + b"]" * 5000, b'{"a":' * 3000,
           json.dumps({"certificate": "A" * 100_000}).encode(), b'{"certificate": "x", "extra": 1}']


def test_healthz_and_readyz(client):
    assert client.get("/healthz").json() == {"status": "ok"}
    r = client.get("/readyz")
    assert r.status_code == 200, r.text
    assert r.json()["checks"] == {"database": "ok", "trust_list:GBA": "ok", "trust_list:HK": "ok"}


def test_readyz_without_lists_is_503_problem(make_settings):
    with TestClient(create_app(make_settings(trust_lists_dir=None))) as c:
        r = c.get("/readyz")
    assert r.status_code == 503 and r.headers["content-type"] == PROBLEM
    assert r.json()["checks"]["trust_list:GBA"] == "missing"


def test_readyz_fails_once_a_list_is_past_next_update(make_settings, ops, operator_token):
    settings = make_settings()
    with TestClient(create_app(settings)) as c:
        token = operator_token(settings, "HK")
        # Accepted (within the loader's grace period) but overdue: the service is up, not ready.
        r = c.put("/v1/trust-lists/HK", content=ops.hk(2, next_update_days=-1 / 24),
                  headers={"authorization": f"Bearer {token}"})
        assert r.status_code == 201, r.text
        ready = c.get("/readyz")
        assert ready.status_code == 503 and ready.json()["checks"]["trust_list:HK"].startswith("due")
        assert c.get("/healthz").status_code == 200


def test_metrics_prometheus_text(client):
    client.get("/healthz")
    r = client.get("/metrics")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/plain; version=0.0.4")
    assert 'trustsvc_http_requests_total{method="GET",route="/healthz",status="200"} 1' in r.text
    assert "# TYPE trustsvc_http_request_duration_seconds histogram" in r.text


def test_openapi_and_docs(client):
    spec = client.get("/openapi.json").json()
    for path in ("/v1/verify/certificate", "/v1/verify/signature", "/v1/verify/timestamp", "/v1/verify/batch",
                 "/v1/trust-lists", "/v1/trust-lists/{territory}", "/v1/trust-lists/{territory}/versions",
                 "/healthz", "/readyz", "/metrics", "/v1/keys"):
        assert path in spec["paths"], path
    assert "multipart/form-data" in spec["paths"]["/v1/verify/signature"]["post"]["requestBody"]["content"]
    assert client.get("/docs").status_code == 200


@pytest.mark.parametrize("path", ["/v1/verify/certificate", "/v1/verify/signature", "/v1/verify/timestamp",
                                  "/v1/verify/batch"])
def test_hostile_bodies_never_500(client, path):
    for body in GARBAGE:
        for ctype in ("application/json", "multipart/form-data; boundary=x", "text/plain"):
            r = client.post(path, content=body, headers={"content-type": ctype})
            assert r.status_code < 500 or r.status_code == 503, (path, body[:40], r.status_code, r.text[:200])
            if r.status_code >= 400:
                assert r.headers["content-type"] == PROBLEM
                p = r.json()
                assert p["type"].startswith("https://trustsvc.example/problems/") and p["status"] == r.status_code


def test_garbage_certificate_is_a_format_problem(client):
    r = client.post("/v1/verify/certificate", json={"certificate": "bm90IGEgY2VydGlmaWNhdGU="})
    assert r.status_code == 422
    assert r.json()["type"] == "https://trustsvc.example/problems/invalid-certificate"
    assert r.json()["sub_indication"] == "FORMAT_FAILURE"


def test_body_limit_413(make_settings):
    with TestClient(create_app(make_settings(max_body_bytes=1000))) as c:
        r = c.post("/v1/verify/certificate", content=b"{" + b" " * 2000 + b"}",
                   headers={"content-type": "application/json"})
        assert r.status_code == 413 and r.json()["type"].endswith("/body-too-large")

        def chunks():  # no Content-Length: counted while read
            for _ in range(10):
                yield b" " * 500

        r = c.post("/v1/verify/certificate", content=chunks(), headers={"content-type": "application/json"})
        assert r.status_code == 413


def test_keys_and_report_signature_roundtrip(client, tmp_path):
    jwks = client.get("/v1/keys").json()
    assert jwks["keys"][0]["kty"] == "EC" and jwks["keys"][0]["alg"] == "ES256"
    key: ReportKey = client.app.state.svc.report_key
    jws = key.sign({"kind": "certificate", "indication": "PASSED", "sub_indication": None})
    assert verify_report(jws, jwks["keys"])["indication"] == "PASSED"
    with pytest.raises(InvalidSignatureError):
        verify_report(jws[:-4] + ("AAAA" if not jws.endswith("AAAA") else "BBBB"), jwks["keys"])
    # Offline: trustsvc report verify --key jwks.json
    _register()
    (tmp_path / "jwks.json").write_text(json.dumps(jwks))
    (tmp_path / "r.jws").write_text(jws)
    runner = CliRunner()
    res = runner.invoke(cli_app, ["report", "verify", str(tmp_path / "r.jws"), "--key", str(tmp_path / "jwks.json")])
    assert res.exit_code == 0 and "valid signature" in res.output and "PASSED" in res.output
    forged = jws.split(".")
    payload = json.loads(__import__("base64").urlsafe_b64decode(forged[1] + "=="))
    payload["indication"] = "FAILED"
    forged[1] = __import__("base64").urlsafe_b64encode(json.dumps(payload).encode()).rstrip(b"=").decode()
    (tmp_path / "f.jws").write_text(".".join(forged))
    res = runner.invoke(cli_app, ["report", "verify", str(tmp_path / "f.jws"), "--key", str(tmp_path / "jwks.json")])
    assert res.exit_code == 1
    (tmp_path / "g.jws").write_text("garbage")
    res = runner.invoke(cli_app, ["report", "verify", str(tmp_path / "g.jws"), "--key", str(tmp_path / "jwks.json")])
    assert res.exit_code == 2


def test_report_key_persists_and_is_private(make_settings):
    s = make_settings()
    with TestClient(create_app(s)) as c:
        kid = c.get("/v1/keys").json()["keys"][0]["kid"]
    assert oct(os.stat(s.report_key).st_mode & 0o777) == "0o600"
    with TestClient(create_app(s)) as c:
        assert c.get("/v1/keys").json()["keys"][0]["kid"] == kid


def test_batch_garbage_lines_keep_order(client):
    lines = [b"not json", b"[1,2]", b'{"type":"nope"}', b'{"id":"x","certificate":"%%%"}', b"\xff\xfe"]
    r = client.post("/v1/verify/batch", content=b"\n".join(lines) + b"\n")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/x-ndjson")
    out = [json.loads(x) for x in r.text.splitlines()]
    assert [o["index"] for o in out] == list(range(5))
    assert all(o["sub_indication"] == "FORMAT_FAILURE" for o in out)
    assert out[3]["id"] == "x"


def test_database_down_is_503_problem(make_settings, operator_token):
    from sqlalchemy.exc import OperationalError

    settings = make_settings()
    with TestClient(create_app(settings), raise_server_exceptions=False) as c:
        token = operator_token(settings, "HK")

        def down(*_a, **_k):
            raise OperationalError("SELECT 1", {}, Exception("connection refused"))

        c.app.state.svc.sessions = down  # every database access now fails like a dropped connection
        r = c.put("/v1/trust-lists/HK", content=b"{}", headers={"authorization": f"Bearer {token}"})
        assert r.status_code == 503 and r.headers["content-type"] == PROBLEM
        assert r.json()["type"].endswith("/database-unavailable") and r.headers["retry-after"] == "5"


def test_keys_media_type_is_documented(client):
    spec = client.get("/openapi.json").json()
    assert "application/jwk-set+json" in spec["paths"]["/v1/keys"]["get"]["responses"]["200"]["content"]
    assert client.get("/v1/keys").headers["content-type"] == "application/jwk-set+json"
