"""Real third-party artefacts (tests/data/interop, see its README): Tongsuo SM2 certificates, CFCA SADK SM2
SignedData (GM/T 0010), a Sectigo RFC 3161 token, and PEM bundles as people keep them."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest

from trustsvc import validate_certificate, validate_signature, validate_timestamp
from trustsvc.cms.signed_data import GMT_DATA, GMT_SIGNED_DATA, parse_signed_data, verify_signer_crypto
from trustsvc.cms.timestamp import parse_timestamp_token
from trustsvc.reports import Indication
from trustsvc.reports import SignatureIndication as SI
from trustsvc.reports import SubIndication as Sub
from trustsvc.x509.certificate import Certificate
from trustsvc.x509.load import load_certificate, load_certificates
from trustsvc.x509.signature import load_public_key
from trustsvc.x509.sm2 import SM2_CURVE_OID

DATA = Path(__file__).resolve().parents[1] / "data" / "interop"
AT = datetime(2026, 6, 1, tzinfo=timezone.utc)


def _read(name: str) -> bytes:
    return (DATA / name).read_bytes()


# --- Tongsuo: SM2 keys under the bare SM2 OID 1.2.156.10197.1.301 -----------------------------------------------

def test_tongsuo_sm2_certificate_verifies_under_its_root():
    leaf, root = load_certificate(_read("sm2/tongsuo-sm2-cert.pem")), load_certificate(_read("sm2/tongsuo-sm2-root-cert.pem"))
    assert leaf.key_algorithm_oid == SM2_CURVE_OID
    report = validate_certificate(leaf, trust_anchors=[root], at=AT)
    assert report.indication is Indication.PASSED, report.reasons
    assert leaf.public_key.family == "sm2" and root.public_key.family == "sm2"


def test_tongsuo_sm2_certificate_read_by_the_asn1crypto_reader_too():
    # The second certificate reader (used when cryptography refuses a certificate) gives the same key.
    der = load_certificate(_read("sm2/tongsuo-sm2-root-cert.pem")).der
    cert = Certificate._from_asn1(der)
    assert cert.key_algorithm_oid == SM2_CURVE_OID
    assert cert.public_key.family == "sm2"
    assert validate_certificate(cert, trust_anchors=[cert], at=AT).indication is Indication.PASSED


def test_bare_sm2_oid_spki_loads_as_the_gmt_0015_form():
    cert = load_certificate(_read("sm2/tongsuo-sm2-cert.pem"))
    bare = load_public_key(cert.spki_der)
    assert bare.family == "sm2" and bare.key.point == bytes(cert.spki["public_key"])


def test_tongsuo_sm2_certificate_tampered_fails():
    leaf = bytearray(load_certificate(_read("sm2/tongsuo-sm2-cert.pem")).der)
    leaf[-5] ^= 0x01  # inside the signature value
    root = load_certificate(_read("sm2/tongsuo-sm2-root-cert.pem"))
    assert validate_certificate(bytes(leaf), trust_anchors=[root], at=AT).indication is not Indication.PASSED


# --- CFCA SADK: SM2 SignedData with the GM/T 0010 OIDs ------------------------------------------------------------

CFCA_TIME = datetime(2025, 1, 1, tzinfo=timezone.utc)  # inside the signer certificate's validity


@pytest.mark.parametrize("name", ["cfca-sadk-attached.p7", "cfca-sadk-detached.p7"])
def test_cfca_sadk_signed_data_verifies(name):
    sig = _read(f"sm2/{name}")
    content = _read("sm2/cfca-sadk-detached.content") if "detached" in name else None
    sd = parse_signed_data(sig)
    assert sd.content_info_type == GMT_SIGNED_DATA and sd.econtent_type == GMT_DATA
    assert sd.detached is (content is not None)
    signer = sd.signers[0]
    check = verify_signer_crypto(signer, signer.find_certificate(sd.certificates), econtent_type=sd.econtent_type,
                                 content=sd.econtent or content)
    assert check.ok, check.detail
    assert check.algorithm.name == "sm2_sm3"
    # The signer's issuing CA is not in the file: the signature is intact, only the chain is missing.
    report = validate_signature(sig, content=content, at=CFCA_TIME)
    assert report.signers[0].signature_algorithm == "sm2_sm3"
    assert report.signers[0].sub_indication is Sub.NO_CERTIFICATE_CHAIN_FOUND


def test_cfca_sadk_detached_over_other_content_fails():
    # SADK signs the content itself (no signed attributes): other content breaks the signature value.
    report = validate_signature(_read("sm2/cfca-sadk-detached.p7"), content=b"Hello Secret World?", at=CFCA_TIME)
    assert report.indication is SI.TOTAL_FAILED and report.sub_indication is Sub.SIG_CRYPTO_FAILURE


# --- Sectigo: a real RFC 3161 response (ESSCertID v1) -------------------------------------------------------------

TSR = "tsa/sectigo-all-zero.tsr"
ALL_ZERO_SHA256 = bytes(32)  # the query's message imprint (tsa/all-zero.tsq)


@pytest.mark.parametrize("digest", [ALL_ZERO_SHA256, "00" * 32])
def test_sectigo_token_verifies_against_the_usertrust_root(digest):
    report = validate_timestamp(_read(TSR), digest=digest, trust_anchors=[_read("tsa/user-trust-ca.pem")])
    assert report.indication is SI.TOTAL_PASSED, report.reasons
    assert report.imprint_checked and report.gen_time == datetime(2021, 2, 16, 15, 42, 47, tzinfo=timezone.utc)
    assert "Sectigo RSA Time Stamping Signer" in report.tsa.subject_str


def test_sectigo_token_verifies_through_the_aaa_cross_certificate():
    report = validate_timestamp(_read(TSR), digest=ALL_ZERO_SHA256, trust_anchors=[_read("tsa/comodo-aaa.pem")],
                                other_certs=[_read("tsa/user-trust-ca-aaa.pem")])
    assert report.indication is SI.TOTAL_PASSED, report.reasons
    assert report.path[0].subject_str.endswith("AAA Certificate Services, Organization: Comodo CA Limited, "
                                               "Locality: Salford, State/Province: Greater Manchester, Country: GB") \
        or "AAA Certificate Services" in report.path[0].subject_str


def test_sectigo_token_uses_ess_cert_id_v1_and_it_binds_the_tsa_certificate():
    from trustsvc.cms.attributes import ID_AA_SIGNING_CERTIFICATE, signing_certificate_binding

    token = parse_timestamp_token(_read(TSR))
    signer = token.signed_data.signers[0]
    assert signer.values(ID_AA_SIGNING_CERTIFICATE)
    tsa = signer.find_certificate(token.signed_data.certificates)
    assert signing_certificate_binding(signer, tsa) .ok
    other = [c for c in token.signed_data.certificates if c != tsa][0]
    assert not signing_certificate_binding(signer, other).ok


def test_sectigo_token_over_other_data_is_hash_failure():
    report = validate_timestamp(_read(TSR), digest=b"\x01" * 32, trust_anchors=[_read("tsa/user-trust-ca.pem")])
    assert report.indication is SI.TOTAL_FAILED and report.sub_indication is Sub.HASH_FAILURE


def test_sectigo_token_without_its_root_is_not_trusted():
    report = validate_timestamp(_read(TSR), digest=ALL_ZERO_SHA256, trust_anchors=[_read("sm2/tongsuo-sm2-root-cert.pem")])
    assert report.indication is not SI.TOTAL_PASSED


# --- PEM bundles wherever certificates are accepted ---------------------------------------------------------------

def _bundle() -> bytes:
    """Two roots with text around and between them, as `openssl x509 -subject` output and CA stores have."""
    return (b"# trust store for the tests\nsubject=AAA Certificate Services\n" + _read("tsa/comodo-aaa.pem")
            + b"\nsome notes between the blocks\r\n" + _read("sm2/tongsuo-sm2-root-cert.pem").replace(b"\n", b"\r\n")
            + b"\nsubject=USERTrust RSA Certification Authority\n" + _read("tsa/user-trust-ca.pem") + b"-- end --\n")


def test_a_pem_bundle_loads_every_certificate():
    assert len(load_certificates(_bundle())) == 3


def test_pem_bundle_as_trust_anchors_makes_every_certificate_an_anchor():
    report = validate_timestamp(_read(TSR), digest=ALL_ZERO_SHA256, trust_anchors=[_bundle()])
    assert report.indication is SI.TOTAL_PASSED, report.reasons
    sm2 = validate_certificate(_read("sm2/tongsuo-sm2-cert.pem"), trust_anchors=[_bundle()], at=AT)
    assert sm2.indication is Indication.PASSED, sm2.reasons


def test_pem_bundle_as_intermediates_and_other_certs():
    report = validate_timestamp(_read(TSR), digest=ALL_ZERO_SHA256, trust_anchors=[_read("tsa/comodo-aaa.pem")],
                                other_certs=[_read("tsa/user-trust-ca-aaa.pem") + b"\n" + _read("tsa/user-trust-ca.pem")])
    assert report.indication is SI.TOTAL_PASSED, report.reasons


def test_pem_bundle_with_a_key_block_keeps_the_certificates():
    bundle = _read("tsa/user-trust-ca.pem") + b"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"
    assert len(load_certificates(bundle)) == 1


def test_cli_anchor_bundle_makes_all_anchors(tmp_path):
    from typer.testing import CliRunner

    from trustsvc.cli import _register, app

    _register()

    bundle = tmp_path / "bundle.pem"
    bundle.write_bytes(_bundle())
    token = tmp_path / "token.tsr"
    token.write_bytes(_read(TSR))
    result = CliRunner().invoke(app, ["verify", "timestamp", str(token), "--digest", "00" * 32, "--anchor", str(bundle)])
    assert result.exit_code == 0, result.output
    leaf = tmp_path / "leaf.pem"
    leaf.write_bytes(_read("sm2/tongsuo-sm2-cert.pem"))
    result = CliRunner().invoke(app, ["verify", "certificate", str(leaf), "--anchor", str(bundle), "--at", "2026-06-01T00:00:00Z"])
    assert result.exit_code == 0, result.output
