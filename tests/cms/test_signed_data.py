"""CMS SignedData parsing and the per-signer cryptographic checks (RFC 5652, GM/T 0010), incl. OpenSSL interop."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.cms.conftest import needs_openssl, openssl, write_key, write_pem
from trustsvc.cms.attributes import signing_certificate_binding
from trustsvc.cms.builder import sign_cms
from trustsvc.cms.signed_data import (
    GMT_DATA, GMT_SIGNED_DATA, ID_DATA, CMSFormatError, parse_signed_data, verify_signer_crypto,
)

from trustsvc.reports import Indication, SubIndication

CONTENT = b"Bid for tender GD-2026-0001: 1,000,000 CNY\n"


def _check(der: bytes, content: bytes | None = None):
    sd = parse_signed_data(der)
    signer = sd.signers[0]
    cert = signer.find_certificate(sd.certificates)
    return sd, signer, cert, verify_signer_crypto(signer, cert, econtent_type=sd.econtent_type,
                                                  content=sd.econtent if content is None else content)


@pytest.mark.parametrize("kind", ["rsa", "ecdsa", "ed25519", "sm2"])
@pytest.mark.parametrize("detached", [True, False])
@pytest.mark.parametrize("gmt", [False, True])
def test_round_trip_every_algorithm(pki, now, kind, detached, gmt):
    leaf = pki.leaf(kind)
    der = sign_cms(CONTENT, leaf.cert, leaf.key, detached=detached, signing_time=now, gmt_oids=gmt)
    sd, signer, cert, check = _check(der, CONTENT if detached else None)
    assert check.ok, check.detail
    assert sd.detached is detached
    assert sd.content_info_type == (GMT_SIGNED_DATA if gmt else "1.2.840.113549.1.7.2")
    assert sd.econtent_type == (GMT_DATA if gmt else ID_DATA)
    assert cert == leaf.cert
    assert signing_certificate_binding(signer, cert).ok


def test_rsa_pss_signer(pki, now):
    leaf = pki.leaf("rsa")
    der = sign_cms(CONTENT, leaf.cert, leaf.key, pss=True)
    _, _, _, check = _check(der, CONTENT)
    assert check.ok and check.algorithm.name == "rsassa_pss"


def test_tampered_content_is_hash_failure(pki):
    leaf = pki.leaf("sm2")
    der = sign_cms(CONTENT, leaf.cert, leaf.key)
    _, _, _, check = _check(der, CONTENT + b"x")
    assert check.failure is SubIndication.HASH_FAILURE  # typed; the JSON name is its value
    failure = check.as_failure()
    assert failure.indication is Indication.FAILED and failure.sub_indication is SubIndication.HASH_FAILURE
    assert "message-digest" in failure.detail and failure.rule == "EN 319 102-1 5.2.7"


def test_missing_detached_content_is_indeterminate_signed_data_not_found(pki):
    leaf = pki.leaf("rsa")
    sd = parse_signed_data(sign_cms(CONTENT, leaf.cert, leaf.key, detached=True))
    signer = sd.signers[0]
    check = verify_signer_crypto(signer, signer.find_certificate(sd.certificates), econtent_type=sd.econtent_type)
    assert check.failure is SubIndication.SIGNED_DATA_NOT_FOUND and check.indication is Indication.INDETERMINATE


def test_tampered_signature_value_is_sig_crypto_failure(pki):
    leaf = pki.leaf("ecdsa")
    der = sign_cms(CONTENT, leaf.cert, leaf.key, detached=False)
    sd = parse_signed_data(der)
    sig = sd.signers[0].signature
    bad = der.replace(sig, sig[:-3] + bytes([sig[-3] ^ 1]) + sig[-2:])
    _, _, _, check = _check(bad)
    assert check.failure is SubIndication.SIG_CRYPTO_FAILURE


def test_wrong_certificate_for_binding_is_detected(pki):
    leaf = pki.leaf("rsa")
    sd = parse_signed_data(sign_cms(CONTENT, leaf.cert, leaf.key))
    binding = signing_certificate_binding(sd.signers[0], pki.leaf("ecdsa").cert)
    assert binding.present and not binding.ok


def test_several_signers_each_verified(pki):
    der = sign_cms(CONTENT, pki.leaf("rsa").cert, pki.leaf("rsa").key,
                   co_signers=[(pki.leaf("sm2").cert, pki.leaf("sm2").key), (pki.leaf("ecdsa").cert, pki.leaf("ecdsa").key)])
    sd = parse_signed_data(der)
    assert len(sd.signers) == 3
    for s in sd.signers:
        cert = s.find_certificate(sd.certificates)
        assert verify_signer_crypto(s, cert, econtent_type=sd.econtent_type, content=CONTENT).ok
    assert {s.digest_algorithm for s in sd.signers} == {"sha256", "sm3"}


@pytest.mark.parametrize("blob", [b"", b"garbage", b"\x30\x00", b"\x30\x80\x00\x00", b"-----BEGIN CMS-----\nzz\n-----END CMS-----\n"])
def test_garbage_is_a_typed_format_error(blob):
    with pytest.raises(CMSFormatError):
        parse_signed_data(blob)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_mutations_never_raise_untyped(pki, data):
    leaf = pki.leaf("ecdsa")
    der = _SIGNED.setdefault("ecdsa", sign_cms(CONTENT, leaf.cert, leaf.key, detached=False))
    pos = data.draw(st.integers(0, len(der) - 1))
    byte = data.draw(st.integers(0, 255))
    mutated = der[:pos] + bytes([byte]) + der[pos + 1:]
    try:
        sd = parse_signed_data(mutated)
    except CMSFormatError:
        return
    for s in sd.signers:
        cert = s.find_certificate(sd.certificates)
        if cert is not None:
            verify_signer_crypto(s, cert, econtent_type=sd.econtent_type, content=sd.econtent or CONTENT)


_SIGNED: dict[str, bytes] = {}


# --- OpenSSL interop, both directions -------------------------------------------------------

@needs_openssl
@pytest.mark.openssl
@pytest.mark.parametrize("kind", ["rsa", "ecdsa"])
@pytest.mark.parametrize("detached", [True, False])
def test_openssl_made_cms_verifies_here(pki, tmp_path, kind, detached):
    leaf = pki.leaf(kind)
    (tmp_path / "content").write_bytes(CONTENT)
    write_pem(tmp_path / "cert.pem", leaf.cert.der)
    write_key(tmp_path / "key.pem", leaf.key)
    args = ["cms", "-sign", "-binary", "-in", "content", "-signer", "cert.pem", "-inkey", "key.pem",
            "-md", "sha256", "-outform", "DER", "-out", "sig.p7s"]
    if not detached:
        args.insert(2, "-nodetach")
    r = openssl(*args, cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    sd, signer, cert, check = _check((tmp_path / "sig.p7s").read_bytes(), CONTENT)
    assert check.ok, check.detail
    assert sd.detached is detached
    assert signing_certificate_binding(signer, cert).ok  # OpenSSL 3 adds signing-certificate-v2 / v1


@needs_openssl
@pytest.mark.openssl
@pytest.mark.parametrize("kind", ["rsa", "ecdsa"])
@pytest.mark.parametrize("detached", [True, False])
def test_trustsvc_made_cms_verifies_in_openssl(pki, tmp_path, now, kind, detached):
    root, ca, leaf = pki.chains[kind]
    (tmp_path / "content").write_bytes(CONTENT)
    write_pem(tmp_path / "root.pem", root.cert.der)
    (tmp_path / "sig.p7s").write_bytes(sign_cms(CONTENT, leaf.cert, leaf.key, detached=detached,
                                                signing_time=now, extra_certs=[ca.cert]))
    args = ["cms", "-verify", "-binary", "-inform", "DER", "-in", "sig.p7s", "-CAfile", "root.pem",
            "-purpose", "any", "-attime", str(int(now.timestamp())), "-out", "out"]
    if detached:
        args += ["-content", "content"]
    r = openssl(*args, cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "out").read_bytes() == CONTENT


@needs_openssl
@pytest.mark.openssl
def test_sm2_cms_is_beyond_openssl_3_0(pki, tmp_path):
    """Recorded limitation: OpenSSL 3.0's CMS code neither signs nor verifies SM2 (no Z_A / SM2 ID).

    The same trustsvc SM2 CMS verifies here (test_round_trip_every_algorithm); if a newer OpenSSL
    starts accepting it, this test tells us to turn it into a positive interop test.
    """
    leaf = pki.leaf("sm2")
    (tmp_path / "content").write_bytes(CONTENT)
    (tmp_path / "sig.p7s").write_bytes(sign_cms(CONTENT, leaf.cert, leaf.key))
    r = openssl("cms", "-verify", "-binary", "-inform", "DER", "-in", "sig.p7s", "-content", "content",
                "-noverify", "-out", "/dev/null", cwd=tmp_path)
    version = openssl("version").stdout
    if version.startswith("OpenSSL 3.0"):
        assert r.returncode != 0
