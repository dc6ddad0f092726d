"""Issue 14: signed documents padded by an attacker cost bounded work and keep their honest answer."""

from __future__ import annotations

import time

import pytest

from tests.cms.pki import NOW, issue, new_key
from tests.path.pki import der as _der, issue as _issue, key as _key
from trustsvc.cms.builder import sign_cms
from trustsvc.reports import SignatureIndication, SubIndication
from trustsvc.validation.signature import validate_signature


@pytest.fixture(scope="module")
def chain():
    root = issue("Attack root", new_key("ecdsa"), None, ca=True)
    ca = issue("Attack CA", new_key("ecdsa"), root, ca=True)
    leaf = issue("Attack bidder", new_key("ecdsa"), ca)
    return root, ca, leaf


def test_cms_with_8000_same_name_same_key_cas_ends_within_2s_cpu(chain):
    root, _ca, _leaf = chain
    k = _key()
    flood = [_der(_issue("Flood CA", k, "Flood CA", k, serial=i + 1)) for i in range(8000)]
    signer_key = _key()
    signer = _der(_issue("Flood bidder", signer_key, "Flood CA", k, ca=False))
    cms = sign_cms(b"bid", signer, signer_key, detached=False, extra_certs=flood)
    assert len(cms) > 3_000_000 - 1_000_000  # megabytes of certificates, as in the report
    started = time.process_time()
    report = validate_signature(cms, trust_anchors=[root.cert], at=NOW, revocation="off")
    cpu = time.process_time() - started
    assert report.indication is SignatureIndication.INDETERMINATE
    assert report.sub_indication is SubIndication.NO_CERTIFICATE_CHAIN_FOUND and report.reasons
    assert cpu < 2.0, cpu  # 104 s of server CPU before the fix


def test_valid_bid_padded_with_401_forged_issuing_cas_stays_total_passed(chain):
    root, ca, leaf = chain
    cms = sign_cms(b"bid", leaf.cert, leaf.key, detached=False, extra_certs=[*_forged(401, ca, root), ca.cert])
    report = validate_signature(cms, trust_anchors=[root.cert], at=NOW, revocation="off")
    assert report.indication is SignatureIndication.TOTAL_PASSED, report.reasons


def _forged(n: int, ca, root) -> list[bytes]:
    """`n` certificates with the real CA's subject, issuer and SKI, half with the CA's own public key, the other
    half with attackers' keys, all signed by an attacker (cryptography's builder: fast enough for hundreds)."""
    from datetime import timedelta

    from cryptography import x509 as cx
    from cryptography.hazmat.primitives import hashes

    real = cx.load_der_x509_certificate(ca.cert.der)
    attacker = _key()
    out = []
    for i in range(n):
        pub = real.public_key() if i % 2 else _key().public_key()
        b = (cx.CertificateBuilder().subject_name(real.subject).issuer_name(real.issuer).public_key(pub)
             .serial_number(cx.random_serial_number()).not_valid_before(NOW - timedelta(days=30))
             .not_valid_after(NOW + timedelta(days=365))
             .add_extension(cx.SubjectKeyIdentifier(ca.cert.ski), critical=False)
             .add_extension(cx.AuthorityKeyIdentifier(root.cert.ski, None, None), critical=False)
             .add_extension(cx.BasicConstraints(ca=True, path_length=None), critical=True))
        out.append(_der(b.sign(attacker, hashes.SHA256())))
    return out
