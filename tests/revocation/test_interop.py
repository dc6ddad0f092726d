"""Interoperability: openssl verifies our responder; we verify responses built by pyca/cryptography."""

from __future__ import annotations

import shutil
import subprocess
from datetime import timedelta

import pytest
from cryptography import x509 as cx
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.x509 import ocsp as cocsp

from tests.revocation.revocation_fixtures import NOW
from trustsvc.demo.revocation import Revoked, _pem
from trustsvc.revocation.ocsp import check_ocsp_response


@pytest.mark.openssl
@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl CLI")
def test_openssl_ocsp_client_accepts_our_responder(lab, server, tmp_path):
    j = lab.j["hk"]
    server.knobs.revoked[j.leaf.serial_number] = Revoked(j.leaf.serial_number, NOW - timedelta(hours=1))
    (tmp_path / "ca.pem").write_bytes(_pem(j.ca.der))
    (tmp_path / "leaf.pem").write_bytes(_pem(j.leaf.der))
    out = subprocess.run(["openssl", "ocsp", "-issuer", tmp_path / "ca.pem", "-cert", tmp_path / "leaf.pem",
                          "-url", server.ocsp_url(), "-CAfile", tmp_path / "ca.pem"],
                         capture_output=True, text=True, timeout=20)
    assert "Response verify OK" in out.stderr + out.stdout
    assert "revoked" in out.stdout and "keyCompromise" in out.stdout


@pytest.mark.parametrize("tag", ["hk", "mo"])
def test_response_built_by_cryptography_is_accepted(lab, tag):
    j = lab.j[tag]
    load = lambda c: cx.load_der_x509_certificate(c.der)  # noqa: E731
    builder = (cocsp.OCSPResponseBuilder()
               .add_response(cert=load(j.leaf), issuer=load(j.ca), algorithm=hashes.SHA256(),
                             cert_status=cocsp.OCSPCertStatus.REVOKED, this_update=NOW - timedelta(minutes=1),
                             next_update=NOW + timedelta(hours=1), revocation_time=NOW - timedelta(days=1),
                             revocation_reason=cx.ReasonFlags.cessation_of_operation)
               .responder_id(cocsp.OCSPResponderEncoding.HASH, load(j.responder))
               .certificates([load(j.responder)]))
    der = builder.sign(j.responder_key, hashes.SHA256()).public_bytes(serialization.Encoding.DER)
    result = check_ocsp_response(j.leaf, j.ca, der, at=NOW)
    assert (result.status, result.reason) == ("revoked", "cessation_of_operation")
