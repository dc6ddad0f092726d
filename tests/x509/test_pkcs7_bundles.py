"""Certs-only PKCS#7 / CMS bundles (RFC 5652 5.1 with no signers; `openssl crl2pkcs7 -nocrl`, ".p7b") are read
wherever certificates are: the loader, and the trust anchors and intermediates of `validate_certificate`.

Bundles are made by asn1crypto in the test and, as an independent cross-check, by the openssl CLI."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from asn1crypto import cms, pem

import trustsvc
from trustsvc.errors import InputFormatError
from trustsvc.reports import Indication
from trustsvc.x509.load import is_certificate_bundle, load_certificate, load_certificates
from tests.path.pki import NOW, der, issue, key


@pytest.fixture(scope="module")
def chain() -> tuple[bytes, bytes, bytes]:
    root_key, ca_key, leaf_key = key(), key(), key()
    root = issue("P7 Root", root_key, "P7 Root", root_key)
    ca = issue("P7 CA", ca_key, "P7 Root", root_key)
    leaf = issue("P7 Leaf", leaf_key, "P7 CA", ca_key, ca=False)
    return der(root), der(ca), der(leaf)


def _p7(*certs: bytes) -> bytes:
    """A degenerate SignedData: no content, no signers, only certificates (RFC 5652 5.1)."""
    from asn1crypto import x509 as ax

    signed = cms.SignedData({
        "version": "v1", "digest_algorithms": [], "encap_content_info": {"content_type": "data"},
        "certificates": [cms.CertificateChoices("certificate", ax.Certificate.load(c)) for c in certs],
        "signer_infos": [],
    })
    return cms.ContentInfo({"content_type": "signed_data", "content": signed}).dump()


def test_loader_reads_der_and_pem_pkcs7(chain):
    root, ca, _ = chain
    bundle = _p7(root, ca)
    assert is_certificate_bundle(bundle)
    # a SET OF: DER sorts the certificates, so compare as sets
    assert sorted(c.der for c in load_certificates(bundle)) == sorted([root, ca])
    armoured = pem.armor("PKCS7", bundle)
    assert is_certificate_bundle(armoured) and is_certificate_bundle(armoured.decode())
    assert sorted(c.der for c in load_certificates(armoured)) == sorted([root, ca])
    assert load_certificate(_p7(ca)).der == ca  # one certificate in a bundle is one certificate
    assert not is_certificate_bundle(root)  # a lone DER certificate is not a bundle


def test_validate_certificate_takes_pkcs7_anchors_and_intermediates(chain):
    root, ca, leaf = chain
    report = trustsvc.validate_certificate(leaf, trust_anchors=[_p7(root)], intermediates=[_p7(ca)], at=NOW)
    assert report.indication is Indication.PASSED
    armoured = pem.armor("PKCS7", _p7(root, ca))  # anchors and intermediates in one bundle, as CAs publish them
    report = trustsvc.validate_certificate(leaf, trust_anchors=[_p7(root)], intermediates=[armoured], at=NOW)
    assert report.indication is Indication.PASSED


def test_bad_bundles_are_refused_with_a_reason():
    not_signed_data = cms.ContentInfo({"content_type": "data", "content": b"x"}).dump()
    truncated = b"\x30\x0b\x06\x09\x2a\x86\x48\x86\xf7\x0d\x01\x07\x02"
    for blob, message in ((not_signed_data, "not a SignedData"), (truncated, "malformed PKCS#7")):
        with pytest.raises(InputFormatError, match=message):
            load_certificates(blob)


def test_reading_a_bundle_keeps_timestamp_tokens_readable():
    """asn1crypto builds cms.ContentType's reverse OID map once; the loader imports tsp first so that a
    bundle read before any timestamp does not make 'tst_info' unknown for the rest of the process."""
    from asn1crypto import tsp  # noqa: F401

    assert cms.ContentType("tst_info").dotted == "1.2.840.113549.1.9.16.1.4"


def test_empty_bundle_is_refused():
    with pytest.raises(InputFormatError, match="holds no certificate"):
        load_certificates(_p7())


@pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl CLI not installed")
def test_openssl_crl2pkcs7_bundle(chain, tmp_path: Path):
    root, ca, leaf = chain
    pems = tmp_path / "chain.pem"
    pems.write_bytes(pem.armor("CERTIFICATE", root) + pem.armor("CERTIFICATE", ca))
    for form in ("PEM", "DER"):
        out = tmp_path / f"chain.p7b.{form}"
        subprocess.run(["openssl", "crl2pkcs7", "-nocrl", "-certfile", str(pems), "-outform", form, "-out", str(out)],
                       check=True, capture_output=True)
        assert sorted(c.der for c in load_certificates(out.read_bytes())) == sorted([root, ca])
        report = trustsvc.validate_certificate(leaf, trust_anchors=[_p7(root)], intermediates=[out.read_bytes()], at=NOW)
        assert report.indication is Indication.PASSED
