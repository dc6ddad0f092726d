"""The demo step (responder certs, CRLs, revocation.json) and the demo responder over a demo directory."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone

import httpx
import pytest

from tests.revocation.revocation_fixtures import NOW
from trustsvc.demo.ocsp_responder import OCSPResponderServer, demo_revocation_source, load_demo_cas
from trustsvc.demo.revocation import _pem, generate_key, issue_certificate, key_to_pem, write
from trustsvc.revocation.modes import RevocationMode, judge
from trustsvc.revocation.ocsp import check_ocsp_response
from trustsvc.reports import Indication, SubIndication
from trustsvc.x509.certificate import Certificate
from trustsvc.x509.load import load_crl


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory):
    """A minimal stand-in for `trustsvc demo init`: roots, issuing CAs and leaves per territory."""
    d = tmp_path_factory.mktemp("demo")
    (d / "certs").mkdir()
    (d / "keys").mkdir()
    entities = {}

    def add(eid, cert, key, alg, territory, role, issuer):
        (d / f"certs/{eid}.der").write_bytes(cert.der)
        (d / f"certs/{eid}.pem").write_bytes(_pem(cert.der))
        (d / f"keys/{eid}.key.pem").write_bytes(key_to_pem(key))
        entities[eid] = {"cert": f"certs/{eid}.pem", "cert_der": f"certs/{eid}.der", "key": f"keys/{eid}.key.pem",
                         "algorithm": alg, "territory": territory, "role": role, "issuer": issuer,
                         "subject": cert.subject_str}

    for t, alg in (("gd", "sm2"), ("hk", "rsa"), ("mo", "ecdsa")):
        rk, ck, lk = generate_key(alg), generate_key(alg), generate_key(alg)
        root = issue_certificate(f"{t} root", rk, None, rk, ca=True, not_before=NOW - timedelta(days=9),
                                 not_after=NOW + timedelta(days=900))
        ca = issue_certificate(f"{t} ca", ck, root, rk, ca=True, not_before=NOW - timedelta(days=9),
                               not_after=NOW + timedelta(days=900))
        leaf = issue_certificate(f"{t} leaf", lk, ca, ck, not_before=NOW - timedelta(days=9),
                                 not_after=NOW + timedelta(days=900))
        add(f"{t}-root", root, rk, alg, t.upper(), "root", f"{t}-root")
        add(f"{t}-ca", ca, ck, alg, t.upper(), "ca", f"{t}-root")
        add(f"{t}-leaf", leaf, lk, alg, t.upper(), "leaf", f"{t}-ca")
    index = {"version": 1, "entities": entities}
    write(d, index)
    (d / "pki.json").write_text(json.dumps(index))
    return d


def _cert(d, eid):
    return Certificate.from_der((d / f"certs/{eid}.der").read_bytes())


def test_write_adds_responders_crls_and_revocation_json(demo_dir):
    index = json.loads((demo_dir / "pki.json").read_text())
    for rid, ca_id, alg in (("gd-ocsp", "gd-ca", "sm2"), ("hk-ocsp", "hk-ca", "rsa"), ("mo-ocsp", "mo-ca", "ecdsa")):
        e = index["entities"][rid]
        assert (e["role"], e["issuer"], e["algorithm"]) == ("ocsp", ca_id, alg)
        cert = _cert(demo_dir, rid)
        assert cert.issuer == _cert(demo_dir, ca_id).subject
        assert [p.dotted for p in cert.asn1.extended_key_usage_value] == ["1.3.6.1.5.5.7.3.9"]
        assert "1.3.6.1.5.5.7.48.1.5" in [x["extn_id"].dotted for x in cert.asn1["tbs_certificate"]["extensions"]]
    for ca_id in ("gd-root", "gd-ca", "hk-ca", "mo-ca"):
        crl = load_crl((demo_dir / f"crl/{ca_id}.crl").read_bytes())
        assert crl["tbs_cert_list"]["issuer"] == _cert(demo_dir, ca_id).subject
    assert json.loads((demo_dir / "revocation.json").read_text())["revoked"] == []


def test_demo_responder_answers_with_the_delegated_responders(demo_dir):
    cas, knobs = load_demo_cas(demo_dir)
    with OCSPResponderServer(cas, knobs=knobs) as server:
        source = demo_revocation_source(demo_dir, server.url, timeout=3.0)
        for t in ("gd", "hk", "mo"):
            leaf, ca = _cert(demo_dir, f"{t}-leaf"), _cert(demo_dir, f"{t}-ca")
            [der] = source.ocsp_for(leaf, ca)
            result = check_ocsp_response(leaf, ca, der, at=datetime.now(timezone.utc))
            assert result.status == "good" and result.responder == _cert(demo_dir, f"{t}-ocsp")
            assert source.crls_for(leaf, ca)


def test_cli_serves_the_demo_directory(demo_dir):
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    proc = subprocess.Popen([sys.executable, "-c", "from trustsvc.cli import main; main()", "demo", "ocsp-responder",
                             "--dir", str(demo_dir), "--port", str(port)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    try:
        for _ in range(100):
            try:
                r = httpx.get(f"http://127.0.0.1:{port}/crl/hk-ca.crl", timeout=0.5)
                break
            except httpx.TransportError:
                time.sleep(0.05)
        assert r.status_code == 200 and r.headers["content-type"] == "application/pkix-crl"
        assert load_crl(r.content)["tbs_cert_list"]["issuer"] == _cert(demo_dir, "hk-ca").subject
    finally:
        proc.terminate()
        proc.wait(timeout=5)


@pytest.mark.parametrize("mode,has_pointers,expected", [
    ("off", True, None),
    ("soft-fail", True, None),
    ("hard-fail", False, None),
    ("hard-fail", True, SubIndication.TRY_LATER),
    ("require", False, SubIndication.TRY_LATER),
])
def test_modes_when_the_responder_is_down(mode, has_pointers, expected):
    out = judge(mode, status=None, at=NOW, has_pointers=has_pointers, problems=["OCSP http://x/: connection refused"])
    assert out.sub_indication == expected
    assert (out.indication is Indication.INDETERMINATE) == (expected is not None)
    if mode == "soft-fail":
        assert "connection refused" in out.warning


def test_modes_revoked_and_stale():
    assert judge(RevocationMode.SOFT_FAIL, status="revoked", at=NOW, revocation_time=NOW).sub_indication is \
        SubIndication.REVOKED
    assert judge("require", status="revoked", at=NOW, revocation_time=NOW + timedelta(days=1)).indication is None
    # EN 319 102-1 5.2.5: evidence that is not fresh at the validation time -> re-check later.
    assert judge("require", status=None, at=NOW, only_stale=True).sub_indication is SubIndication.TRY_LATER
    assert judge("soft-fail", status=None, at=NOW, only_stale=True).warning
    hold = judge("soft-fail", status="revoked", at=NOW, revocation_time=NOW, reason="certificate_hold")
    assert (hold.indication, hold.sub_indication) == (Indication.INDETERMINATE, SubIndication.TRY_LATER)
