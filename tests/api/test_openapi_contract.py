"""The OpenAPI document as a contract: operation ids, problem+json on every error answer (and the codes the app
really gives documented), the bearer schemes, and typed report schemas that the real answers satisfy."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from pathlib import Path

import orjson
import pytest
from fastapi.testclient import TestClient

from trustsvc.api.app import create_app
from trustsvc.api.openapi import OPERATION_PROBLEMS
from trustsvc.api.report_models import CertificateVerification, SignatureVerification, TimestampVerification
from trustsvc.api.settings import Settings
from trustsvc.demo.init import init_demo

PROBLEM = "application/problem+json"
REPORTS = {"/v1/verify/certificate": "CertificateVerification", "/v1/verify/signature": "SignatureVerification",
           "/v1/verify/timestamp": "TimestampVerification"}


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("demo")
    init_demo(d)
    return d


@pytest.fixture(scope="module")
def client(demo, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("openapi")
    settings = Settings(database_url=f"sqlite:///{tmp / 'db.sqlite'}", demo_dir=demo, data_dir=tmp / "data",
                        poll_interval=60.0, batch_concurrency=2, api_keys=(("platform-a", "k" * 32),))
    with TestClient(create_app(settings), raise_server_exceptions=False) as c:
        yield c


@pytest.fixture(scope="module")
def spec(client) -> dict:
    return client.get("/openapi.json").json()


def _operations(spec: dict):
    for path, ops in spec["paths"].items():
        for method, op in ops.items():
            yield path, method, op


def test_every_operation_has_a_stable_unique_operation_id(spec):
    ids = [op.get("operationId") for _, _, op in _operations(spec)]
    assert all(i and re.fullmatch(r"[a-z][A-Za-z]+", i) for i in ids), ids
    assert len(ids) == len(set(ids))
    by_path = {(p, m): op["operationId"] for p, m, op in _operations(spec)}
    assert by_path[("/v1/verify/certificate", "post")] == "verifyCertificate"
    assert by_path[("/v1/trust-lists/{territory}", "put")] == "uploadTrustList"
    assert by_path[("/v1/trust-lists/{territory}/versions/{sha256}", "get")] == "getTrustListVersion"


def test_every_operation_declares_its_problems_and_every_error_is_problem_json(spec):
    for path, method, op in _operations(spec):
        assert op["operationId"] in OPERATION_PROBLEMS, f"{method} {path}: add it to api/openapi.OPERATION_PROBLEMS"
        errors = {code: r for code, r in op["responses"].items() if code[0] in "45"}
        assert "500" in errors, (method, path)
        for code in OPERATION_PROBLEMS[op["operationId"]]:
            assert str(code) in errors, (method, path, code)
        for code, answer in errors.items():
            assert list(answer["content"]) == [PROBLEM], (method, path, code)
            assert answer["content"][PROBLEM]["schema"] == {"$ref": "#/components/schemas/Problem"}
            assert answer["description"]
    problem = spec["components"]["schemas"]["Problem"]
    assert {"type", "title", "status", "detail"} <= set(problem["required"])
    # FastAPI's own validation-error schema is gone: the app never answers with it.
    assert "HTTPValidationError" not in spec["components"]["schemas"]


def test_error_answers_the_app_gives_are_documented_for_their_operation(client, spec):
    ops = {op["operationId"]: op for _, _, op in _operations(spec)}
    cases = [
        ("verifyCertificate", client.post("/v1/verify/certificate", content=b"{not json",
                                          headers={"content-type": "application/json"})),
        ("verifyCertificate", client.post("/v1/verify/certificate", json={"certificate": "bm90IGEgY2VydA=="})),
        ("verifyCertificate", client.post("/v1/verify/certificate?archive=true", json={"certificate": "x"})),
        ("verifySignature", client.post("/v1/verify/signature", json={"signature": "%%%"})),
        ("verifyTimestamp", client.post("/v1/verify/timestamp", json={"token": "AAAA", "digest": "zz"})),
        ("getTrustList", client.get("/v1/trust-lists/XX")),
        ("getTrustList", client.get("/v1/trust-lists/HK", headers={"accept": "text/html"})),
        ("getTrustListVersion", client.get("/v1/trust-lists/HK/versions/00")),
        ("uploadTrustList", client.put("/v1/trust-lists/HK", content=b"{}")),
        ("getArchivedReport", client.get("/v1/reports/00")),
        ("extendSignature", client.post("/v1/extend", content=b"[")),
    ]
    for op_id, r in cases:
        assert 400 <= r.status_code < 600 and r.headers["content-type"] == PROBLEM, (op_id, r.status_code)
        assert str(r.status_code) in ops[op_id]["responses"], (op_id, r.status_code, r.text[:200])
        body = r.json()
        assert body["status"] == r.status_code and body["type"].startswith("https://")


def test_bearer_schemes_declared_without_changing_who_may_call(client, spec):
    schemes = spec["components"]["securitySchemes"]
    assert schemes["operatorBearer"] == {"type": "http", "scheme": "bearer",
                                         "description": schemes["operatorBearer"]["description"]}
    assert schemes["platformBearer"]["scheme"] == "bearer"
    assert schemes["platformApiKey"] == {**schemes["platformApiKey"], "type": "apiKey", "in": "header",
                                         "name": "X-API-Key"}
    upload = spec["paths"]["/v1/trust-lists/{territory}"]["put"]
    assert upload["security"] == [{"operatorBearer": []}]
    verify = spec["paths"]["/v1/verify/certificate"]["post"]
    assert {} in verify["security"] and {"platformBearer": []} in verify["security"]  # optional: archive only
    assert "security" not in spec["paths"]["/v1/trust-lists/{territory}"]["get"]
    # Behaviour unchanged: uploads still need a token, verification still does not.
    assert client.put("/v1/trust-lists/HK", content=b"{}").status_code == 401
    assert client.get("/v1/trust-lists/HK").status_code == 200


def test_report_schemas_are_typed_objects(spec):
    schemas = spec["components"]["schemas"]
    for path, name in REPORTS.items():
        ok = spec["paths"][path]["post"]["responses"]["200"]["content"]
        assert ok["application/json"]["schema"] == {"$ref": f"#/components/schemas/{name}"}
        assert {"application/jose", "application/vnd.etsi.validationreport+xml"} <= set(ok)
        envelope = schemas[name]
        assert {"kind", "indication", "snapshot_id", "checked_at", "report"} <= set(envelope["properties"])
        report = envelope["properties"]["report"]["$ref"].rsplit("/", 1)[1]
        assert len(schemas[report]["properties"]) >= 10, report
    cert = schemas["CertificateReportModel"]["properties"]
    assert cert["path"]["items"] == {"$ref": "#/components/schemas/CertificateSummary"}
    assert "$ref" in str(cert["recognition"]) and "RecognitionModel" in str(cert["recognition"])
    signer = schemas["SignerReportModel"]["properties"]
    assert "TimestampReportModel" in str(signer["timestamps"])
    assert set(schemas["SubIndication"]["enum"]) >= {"REVOKED_NO_POE", "NO_CERTIFICATE_CHAIN_FOUND"}


def _answers(client, demo: Path):
    from trustsvc.cms.builder import LocalTSA

    pem = lambda ident: (demo / "certs" / f"{ident}.pem").read_text()  # noqa: E731
    yield "/v1/verify/certificate", client.post("/v1/verify/certificate", json={
        "certificate": pem("hk-leaf"), "intermediates": [pem("hk-ca")], "usage": "e-tendering"})
    yield "/v1/verify/certificate", client.post("/v1/verify/certificate", json={
        "certificate": pem("hk-leaf"), "usage": "e-guarantee", "lang": "zh-Hant"})
    index = json.loads((demo / "pki.json").read_text())["bids"]
    for bid in ("hk", "mo-guarantee"):
        entry = index[bid]
        body = {"signature": base64.b64encode((demo / entry["signature"]).read_bytes()).decode(),
                "usage": entry["usage"]}
        if entry["detached"]:
            body["content"] = base64.b64encode((demo / entry["content"]).read_bytes()).decode()
        if entry.get("expected"):
            body["expected"] = json.loads((demo / entry["expected"]).read_text())
        yield "/v1/verify/signature", client.post("/v1/verify/signature", json=body)
    tsa = LocalTSA.from_files(demo / "certs" / "hk-tsa.pem", demo / "keys" / "hk-tsa.key.pem")
    digest = hashlib.sha256(b"bid").digest()
    yield "/v1/verify/timestamp", client.post("/v1/verify/timestamp", json={
        "token": base64.b64encode(tsa.timestamp(digest, "sha256")).decode(), "digest": digest.hex()})


def test_real_reports_satisfy_the_typed_schema_and_keep_their_bytes(client, demo, spec):
    models = {"/v1/verify/certificate": CertificateVerification, "/v1/verify/signature": SignatureVerification,
              "/v1/verify/timestamp": TimestampVerification}
    jsonschema_rs = pytest.importorskip("jsonschema_rs")
    for path, r in _answers(client, demo):
        assert r.status_code == 200, r.text[:300]
        models[path].model_validate_json(r.content, strict=False)
        validator = jsonschema_rs.validator_for({"$ref": f"#/components/schemas/{REPORTS[path]}",
                                                 "components": spec["components"]}, validate_formats=True)
        validator.validate(r.json())
        # The bytes are the fast path's (orjson, the core's key order), not a re-serialised model: no field
        # the model declares is added, none reordered.
        assert r.content == orjson.dumps(orjson.loads(r.content))
        assert list(r.json()) == ["kind", "indication", "sub_indication", "snapshot_id", "checked_at", "report"]
