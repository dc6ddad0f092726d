"""`trustsvc tsa serve`: a real RFC 3161 TSA over HTTP, checked by OpenSSL's client and by trustsvc's own."""

from __future__ import annotations

import shutil
import subprocess
from datetime import datetime, timezone
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from tests.tsa.conftest import start_tsa
from trustsvc.cli import _register, app
from trustsvc.cms.builder import load_private_key
from trustsvc.cms.signed_data import compute_digest
from trustsvc.store import db
from trustsvc.trustlist import load_trust_store
from trustsvc.tsa.authority import TimeStampAuthority, database_serials
from trustsvc.tsa.protocol import QUERY_MEDIA_TYPE, REPLY_MEDIA_TYPE, TimeStampResp, build_request, read_response
from trustsvc.validation.timestamp import validate_timestamp
from trustsvc.x509 import load_certificate

_register()
runner = CliRunner()
needs_openssl = pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl CLI")


def _openssl(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(["openssl", *args], cwd=cwd, capture_output=True, text=True, timeout=60)


@needs_openssl
@pytest.mark.parametrize("ident,root,ca", [("hk-tsa", "hk-root", "hk-ca"), ("mo-tsa", "mo-root", "mo-ca")])
def test_openssl_ts_query_post_verify_round_trip(demo, tmp_path, ident, root, ca):
    # RSA (HK) and ECDSA (MO): `openssl ts -query | curl --data-binary | openssl ts -verify`, as the README says.
    proc, url = start_tsa(demo, ident, tmp_path / "tsa.db")
    try:
        (tmp_path / "bid.txt").write_bytes(b"Tender GD-2026-0001: our bid\n")
        q = _openssl("ts", "-query", "-data", "bid.txt", "-sha256", "-cert", "-out", "bid.tsq", cwd=tmp_path)
        assert q.returncode == 0, q.stderr
        r = httpx.post(url, content=(tmp_path / "bid.tsq").read_bytes(), headers={"Content-Type": QUERY_MEDIA_TYPE})
        assert r.status_code == 200 and r.headers["content-type"] == REPLY_MEDIA_TYPE
        (tmp_path / "bid.tsr").write_bytes(r.content)
        text = _openssl("ts", "-reply", "-in", "bid.tsr", "-text", cwd=tmp_path).stdout
        assert "Status: Granted." in text and "Nonce: 0x" in text and "Accuracy: 0x01 seconds" in text
        assert "Policy OID: 1.3.6.1.4.1.55555.1.1" in text
        v = _openssl("ts", "-verify", "-in", "bid.tsr", "-queryfile", "bid.tsq", "-CAfile", str(demo / f"certs/{root}.pem"),
                     "-untrusted", str(demo / f"certs/{ca}.pem"), cwd=tmp_path)
        assert v.returncode == 0 and "Verification: OK" in v.stdout, v.stdout + v.stderr
        # ... and against the data itself, and trustsvc's own validation with the demo trust lists.
        v = _openssl("ts", "-verify", "-in", "bid.tsr", "-data", "bid.txt", "-CAfile", str(demo / f"certs/{root}.pem"),
                     "-untrusted", str(demo / f"certs/{ca}.pem"), cwd=tmp_path)
        assert v.returncode == 0, v.stderr
        report = validate_timestamp(r.content, content=(tmp_path / "bid.txt").read_bytes(),
                                    trust=load_trust_store(demo / "trust_lists"))
        assert report.indication.value == "TOTAL-PASSED", report.reasons
    finally:
        proc.terminate()
        proc.wait(timeout=15)


def _tsa(demo: Path, ident: str, **kw) -> TimeStampAuthority:
    return TimeStampAuthority.from_files(demo / f"certs/{ident}.pem", demo / f"keys/{ident}.key.pem", **kw)


def _status(reply: bytes) -> tuple[str, set]:
    resp = TimeStampResp.load(reply)
    return resp["status"]["status"].native, set(resp["status"]["fail_info"].native or ())


def test_serials_increase_across_restarts_in_the_database(demo, tmp_path):
    engine = db.make_engine(f"sqlite:///{tmp_path / 'serials.db'}")
    db.upgrade(engine)
    digest = compute_digest("sha256", b"x")
    serials = []
    for _restart in range(2):
        tsa = _tsa(demo, "hk-tsa", serials=database_serials(engine))
        for _ in range(3):
            serials.append(read_response(tsa.respond(build_request(digest, "sha256", nonce=7)), digest=digest,
                                         hash_name="sha256", nonce=7).serial_number)
    assert serials == sorted(serials) and len(set(serials)) == 6


def test_sm2_tsa_answers_an_sm3_request_and_the_token_validates(demo):
    tsa = _tsa(demo, "gd-tsa", chain=[demo / "certs/gd-ca.pem"])
    data = b"a Guangdong bid"
    digest = compute_digest("sm3", data)
    reply = tsa.respond(build_request(digest, "sm3", nonce=12345))
    token = read_response(reply, digest=digest, hash_name="sm3", nonce=12345)
    assert token.nonce == 12345 and token.accuracy["seconds"] == 1
    report = validate_timestamp(reply, content=data, trust=load_trust_store(demo / "trust_lists"))
    assert report.indication.value == "TOTAL-PASSED", report.reasons


@pytest.mark.parametrize("request_der,fail", [
    (b"garbage", "bad_data_format"),
    (b"", "bad_data_format"),
    (build_request(compute_digest("sha1", b"x"), "sha1"), "bad_alg"),
    (build_request(b"\0" * 20, "sha256"), "bad_data_format"),  # a SHA-256 imprint of 20 bytes
    (build_request(compute_digest("sha256", b"x"), "sha256", policy="1.2.3.4"), "unaccepted_policy"),
])
def test_bad_requests_are_rejections_naming_the_failure(demo, request_der, fail):
    status, info = _status(_tsa(demo, "mo-tsa").respond(request_der))
    assert status == "rejection" and info == {fail}


def test_policy_oid_and_certreq(demo):
    tsa = _tsa(demo, "mo-tsa", policy="1.3.6.1.4.1.55555.9.9", accuracy_seconds=2)
    digest = compute_digest("sha256", b"x")
    reply = tsa.respond(build_request(digest, "sha256", policy="1.3.6.1.4.1.55555.9.9", cert_req=False))
    token = read_response(reply, digest=digest, hash_name="sha256", nonce=None)
    assert token.policy == "1.3.6.1.4.1.55555.9.9" and token.accuracy["seconds"] == 2
    assert token.signed_data.certificates == []  # RFC 3161 2.4.1: no certReq, no certificates


def test_a_leaf_certificate_cannot_be_a_tsa(demo):
    with pytest.raises(ValueError, match="TSA certificate"):
        _tsa(demo, "hk-leaf")


def test_wrong_media_type_is_415(hk_tsa):
    url, _ = hk_tsa
    assert httpx.post(url, content=b"x", headers={"Content-Type": "application/json"}).status_code == 415


def test_trustsvc_timestamp_client_then_verify(demo, hk_tsa, tmp_path):
    url, _ = hk_tsa
    f = tmp_path / "bid.pdf"
    f.write_bytes(b"%PDF- a bid")
    r = runner.invoke(app, ["timestamp", str(f), "--tsa-url", url])
    assert r.exit_code == 0, r.output
    assert (tmp_path / "bid.pdf.tsr").exists() and "genTime" in r.output
    r = runner.invoke(app, ["verify", "timestamp", str(tmp_path / "bid.pdf.tsr"), "--content", str(f),
                            "--trust-list", str(demo / "trust_lists")])
    assert r.exit_code == 0, r.output
    assert "TOTAL-PASSED" in r.output


def test_timestamp_client_unreachable_tsa_exits_2(tmp_path):
    f = tmp_path / "x"
    f.write_bytes(b"x")
    r = runner.invoke(app, ["timestamp", str(f), "--tsa-url", "http://127.0.0.1:9/"])
    assert r.exit_code == 2


def test_sign_with_tsa_url_verifies_without_extra_flags(demo, hk_tsa, tmp_path):
    url, _ = hk_tsa
    f = tmp_path / "bid.txt"
    f.write_bytes(b"Tender GD-2026-0001: bid\n")
    r = runner.invoke(app, ["sign", str(f), "--demo", str(demo), "--as", "gd-leaf", "--tsa-url", url])
    assert r.exit_code == 0, r.output
    deadline = datetime.now(timezone.utc).replace(microsecond=0).isoformat()
    r = runner.invoke(app, ["verify", "signature", str(tmp_path / "bid.txt.p7s"), "--content", str(f),
                            "--trust-list", str(demo / "trust_lists"), "--usage", "e-tendering",
                            "--deadline", deadline.replace("+00:00", "Z")])
    assert r.exit_code == 0, r.output
    assert r.output.startswith("TOTAL-PASSED")
