"""RFC 5280 5.1 / 5.2 CRL profile: a CRL that breaks it is no usable evidence, so `require` gives INDETERMINATE.
One conforming and one breaking CRL per rule, built here."""

from __future__ import annotations

from datetime import timedelta

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization

from tests.path.rawpki import NOW, leaf, root
from trustsvc import validate_certificate
from trustsvc.reports import Indication
from trustsvc.revocation.crl import ParsedCRL, crl_profile_problem
from trustsvc.x509.certificate import Certificate


def make_crl(issuer, *, number=(1, False), idp=None, delta=None, revoked=()) -> bytes:
    cert = x509.load_der_x509_certificate(issuer.der)
    b = (x509.CertificateRevocationListBuilder().issuer_name(cert.subject)
         .last_update(NOW - timedelta(days=1)).next_update(NOW + timedelta(days=7))
         .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer.key.public_key()), critical=False))
    if number is not None:
        b = b.add_extension(x509.CRLNumber(number[0]), critical=number[1])
    if idp is not None:
        b = b.add_extension(x509.IssuingDistributionPoint(None, None, True, False, None, False, False), critical=idp)
    if delta is not None:
        b = b.add_extension(x509.DeltaCRLIndicator(1), critical=delta)
    for serial in revoked:
        b = b.add_revoked_certificate(x509.RevokedCertificateBuilder().serial_number(serial)
                                      .revocation_date(NOW - timedelta(days=2)).build())
    return b.sign(issuer.key, hashes.SHA256()).public_bytes(serialization.Encoding.DER)


def check(r, lf, crl: bytes):
    return validate_certificate(lf.der, trust_anchors=[r.der], crls=[crl], at=NOW, revocation="require")


@pytest.mark.parametrize(("kw", "passes"), [
    (dict(), True),
    (dict(number=None), False),  # RFC 5280 5.2.3: cRLNumber MUST be present
    (dict(number=(1, True)), False),  # ... and non-critical
    (dict(idp=True), True),
    (dict(idp=False), False),  # RFC 5280 5.2.5: issuingDistributionPoint MUST be critical
], ids=["conforming", "crlnumber-missing", "crlnumber-critical", "idp-critical", "idp-non-critical"])
def test_crl_profile_rule(kw, passes) -> None:
    r = root()
    lf = leaf(r)
    report = check(r, lf, make_crl(r, **kw))
    if passes:
        assert report.indication is Indication.PASSED, report.reasons
    else:
        assert report.indication is Indication.INDETERMINATE, report.reasons
        assert "RFC 5280 5.2" in " ".join(report.reasons)


def test_delta_indicator_must_be_critical() -> None:
    r = root()
    assert crl_profile_problem(ParsedCRL(make_crl(r, delta=True))) is None
    assert "5.2.4" in crl_profile_problem(ParsedCRL(make_crl(r, delta=False)))


def test_revoking_crl_still_revokes() -> None:
    r = root()
    lf = leaf(r)
    serial = Certificate.from_der(lf.der).serial_number
    assert check(r, lf, make_crl(r, revoked=[serial])).indication is Indication.FAILED


@pytest.mark.parametrize(("ku", "passes"), [
    (None, True),  # RFC 5280 6.3.3 (f): no keyUsage, nothing to check
    ({"key_cert_sign", "crl_sign"}, True),
    ({"key_cert_sign"}, False),  # the anchor's key may sign certificates, not CRLs
])
def test_crl_issuer_key_must_allow_crl_sign(ku, passes) -> None:
    r = root(exts={"key_usage": None if ku is None else (ku, True)})
    lf = leaf(r)
    report = check(r, lf, make_crl(r))
    assert (report.indication is Indication.PASSED) is passes, report.reasons
