"""Loading certificates and CRLs from DER, PEM and base64, and clear errors on anything else."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from trustsvc.errors import InputFormatError
from trustsvc.x509 import load_certificate, load_certificates, load_crl

PKITS = Path(__file__).parents[1] / "data" / "pkits"
DER = (PKITS / "certs" / "GoodCACert.crt").read_bytes()
CRL_DER = (PKITS / "crls" / "GoodCACRL.crl").read_bytes()


def _pem(der: bytes, label: str) -> bytes:
    b64 = base64.encodebytes(der).decode().replace("\n", "")
    lines = "\n".join(b64[i : i + 64] for i in range(0, len(b64), 64))
    return f"-----BEGIN {label}-----\n{lines}\n-----END {label}-----\n".encode()


def test_der_pem_and_base64_give_the_same_certificate():
    a = load_certificate(DER)
    assert load_certificate(_pem(DER, "CERTIFICATE")) == a
    assert load_certificate(base64.b64encode(DER)) == a
    assert load_certificate(base64.b64encode(DER).decode()) == a
    assert "Good CA" in a.subject_str


def test_pem_bundle():
    ee = (PKITS / "certs" / "ValidCertificatePathTest1EE.crt").read_bytes()
    certs = load_certificates(_pem(DER, "CERTIFICATE") + _pem(ee, "CERTIFICATE"))
    assert [c.der for c in certs] == [DER, ee]


@pytest.mark.parametrize(
    "data,needle",
    [
        (b"", "empty"),
        (b"hello world, not a certificate", "not DER, PEM or base64"),
        (DER[:100], "malformed"),
        (b"\x30\x03\x02\x01\x01", "malformed"),
        (_pem(DER, "PRIVATE KEY"), "labelled"),
        (b"\x30\x84\xff\xff\xff\xff" + b"\x00" * 10, "malformed"),
        (b"\x30\x82\x01\x00" + b"\x00" * 300_000, "exceeds"),
    ],
)
def test_garbage_gives_a_clear_error(data, needle):
    with pytest.raises(InputFormatError) as excinfo:
        load_certificate(data)
    assert needle in str(excinfo.value)


def test_crl_loading():
    crl = load_crl(CRL_DER)
    assert crl.issuer.native["common_name"] == "Good CA"
    assert load_crl(_pem(CRL_DER, "X509 CRL")).dump() == CRL_DER
    with pytest.raises(InputFormatError):
        load_crl(DER[:50])
    with pytest.raises(InputFormatError):
        load_crl(_pem(DER, "CERTIFICATE"))
