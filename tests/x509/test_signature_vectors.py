"""Every algorithm of the signature registry verifies vectors made by an independent tool (openssl CLI)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from asn1crypto import keys

from trustsvc.errors import InvalidSignatureError, UnsupportedAlgorithmError
from trustsvc.x509 import load_certificate, load_public_key, verify_signature

pytestmark = pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl CLI")

# (name, genpkey options, req options)
CASES = [
    ("rsa-sha1", ["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"], ["-sha1"]),
    ("rsa-sha224", ["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"], ["-sha224"]),
    ("rsa-sha256", ["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"], ["-sha256"]),
    ("rsa-sha384", ["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"], ["-sha384"]),
    ("rsa-sha512", ["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"], ["-sha512"]),
    (
        "rsa-pss-sha256",
        ["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"],
        ["-sha256", "-sigopt", "rsa_padding_mode:pss", "-sigopt", "rsa_pss_saltlen:32"],
    ),
    (
        "rsa-pss-sha384-salt48",
        ["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"],
        ["-sha384", "-sigopt", "rsa_padding_mode:pss", "-sigopt", "rsa_pss_saltlen:48", "-sigopt", "rsa_mgf1_md:sha384"],
    ),
    ("ecdsa-p256", ["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"], ["-sha256"]),
    ("ecdsa-p384", ["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-384"], ["-sha384"]),
    ("ecdsa-p521", ["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-521"], ["-sha512"]),
    ("ecdsa-brainpool256", ["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:brainpoolP256r1"], ["-sha256"]),
    ("ed25519", ["-algorithm", "ED25519"], []),
    ("ed448", ["-algorithm", "ED448"], []),
    ("sm2-sm3", ["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:SM2"], ["-sm3", "-sigopt", "distid:1234567812345678"]),
]


def _run(*args: str, cwd: Path) -> None:
    subprocess.run(args, cwd=cwd, check=True, capture_output=True)


def _self_signed(tmp: Path, name: str, genpkey: list[str], req: list[str]) -> Path:
    key = tmp / f"{name}.key"
    cert = tmp / f"{name}.der"
    _run("openssl", "genpkey", *genpkey, "-out", str(key), cwd=tmp)
    _run("openssl", "req", "-x509", "-new", "-key", str(key), "-subj", f"/CN={name}", "-days", "2",
         *req, "-outform", "DER", "-out", str(cert), cwd=tmp)
    return cert


@pytest.fixture(scope="module")
def vectors(tmp_path_factory) -> dict[str, Path]:
    tmp = tmp_path_factory.mktemp("sigvec")
    out = {name: _self_signed(tmp, name, g, r) for name, g, r in CASES}
    # DSA: parameters first, then a key, then a certificate signed by it.
    _run("openssl", "genpkey", "-genparam", "-algorithm", "DSA", "-pkeyopt", "dsa_paramgen_bits:2048", "-out", "dsa.params", cwd=tmp)
    _run("openssl", "genpkey", "-paramfile", "dsa.params", "-out", "dsa.key", cwd=tmp)
    _run("openssl", "req", "-x509", "-new", "-key", "dsa.key", "-subj", "/CN=dsa", "-days", "2", "-sha256",
         "-outform", "DER", "-out", "dsa.der", cwd=tmp)
    out["dsa-sha256"] = tmp / "dsa.der"
    out["_dir"] = tmp
    return out


@pytest.mark.parametrize("name", [c[0] for c in CASES] + ["dsa-sha256"])
def test_openssl_made_signature_verifies(vectors, name):
    cert = load_certificate(vectors[name].read_bytes())
    used = verify_signature(cert.spki, cert.signature_algorithm, cert.signature, cert.tbs_der)
    assert used.key_family in ("rsa", "ec", "sm2", "ed25519", "ed448", "dsa")


@pytest.mark.parametrize("name", [c[0] for c in CASES] + ["dsa-sha256"])
def test_tampered_tbs_is_rejected(vectors, name):
    cert = load_certificate(vectors[name].read_bytes())
    tbs = bytearray(cert.tbs_der)
    tbs[-5] ^= 0x01
    with pytest.raises(InvalidSignatureError):
        verify_signature(cert.spki, cert.signature_algorithm, cert.signature, bytes(tbs))


@pytest.mark.parametrize(
    "name,other",
    [("rsa-sha256", "rsa-sha384"), ("ecdsa-p256", "ecdsa-p384"), ("ed25519", "ed448"), ("sm2-sm3", "ecdsa-p256"),
     ("rsa-pss-sha256", "rsa-sha1"), ("ecdsa-p256", "sm2-sm3")],
)
def test_wrong_key_is_rejected(vectors, name, other):
    cert = load_certificate(vectors[name].read_bytes())
    wrong = load_certificate(vectors[other].read_bytes())
    with pytest.raises(InvalidSignatureError):
        verify_signature(wrong.spki, cert.signature_algorithm, cert.signature, cert.tbs_der)


def test_sm2_signer_id_is_honoured(vectors):
    tmp = vectors["_dir"]
    _run("openssl", "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:SM2", "-out", "sm2id.key", cwd=tmp)
    _run("openssl", "req", "-x509", "-new", "-key", "sm2id.key", "-subj", "/CN=sm2id", "-days", "2", "-sm3",
         "-sigopt", "distid:ALICE@GBA.example", "-outform", "DER", "-out", "sm2id.der", cwd=tmp)
    cert = load_certificate((tmp / "sm2id.der").read_bytes())
    with pytest.raises(InvalidSignatureError):
        verify_signature(cert.spki, cert.signature_algorithm, cert.signature, cert.tbs_der)
    used = verify_signature(cert.spki, cert.signature_algorithm, cert.signature, cert.tbs_der, sm2_id=b"ALICE@GBA.example")
    assert used.name == "sm2_sm3"


def test_openssl_dgst_signatures_verify_with_digest_algorithm(vectors):
    """CMS-style: the algorithm names only the key type, the hash comes separately."""
    tmp = vectors["_dir"]
    data = b"bid for tender GBA-2026-0042\n" * 100
    (tmp / "msg.bin").write_bytes(data)
    for name, key_oid in (("rsa-sha256", "rsa"), ("ecdsa-p256", "1.2.840.10045.2.1")):
        key = tmp / f"{name}.key"
        _run("openssl", "dgst", "-sha384", "-sign", str(key), "-out", f"{name}.sig", "msg.bin", cwd=tmp)
        cert = load_certificate(vectors[name].read_bytes())
        sig = (tmp / f"{name}.sig").read_bytes()
        verify_signature(cert.spki, key_oid, sig, data, digest_algorithm="sha384")
        with pytest.raises(InvalidSignatureError):
            verify_signature(cert.spki, key_oid, sig, data + b"x", digest_algorithm="sha384")
    # SM2 through pkeyutl with the default ID, named by the GM/T 0006 sm2sign OID.
    _run("openssl", "pkeyutl", "-sign", "-in", "msg.bin", "-inkey", "sm2-sm3.key", "-rawin", "-digest", "sm3",
         "-pkeyopt", "distid:1234567812345678", "-out", "sm2.sig", cwd=tmp)
    cert = load_certificate(vectors["sm2-sm3"].read_bytes())
    verify_signature(cert.spki, "1.2.156.10197.1.301.1", (tmp / "sm2.sig").read_bytes(), data, digest_algorithm="sm3")


def test_dsa_parameters_inherited_from_issuer(vectors):
    """RFC 5280 6.1.4 (f) / RFC 3279 2.3.2: a DSA key without parameters takes the issuer's."""
    cert = load_certificate(vectors["dsa-sha256"].read_bytes())
    params = cert.spki["algorithm"]["parameters"]
    bare = keys.PublicKeyInfo({
        "algorithm": keys.PublicKeyAlgorithm({"algorithm": "dsa"}),
        "public_key": cert.spki["public_key"],
    })
    with pytest.raises(Exception) as excinfo:
        verify_signature(bare, cert.signature_algorithm, cert.signature, cert.tbs_der)
    assert "inherit" in str(excinfo.value)
    key = load_public_key(bare, dsa_params=params)
    verify_signature(key, cert.signature_algorithm, cert.signature, cert.tbs_der)


def test_unknown_algorithm_is_a_typed_error_naming_the_oid(vectors):
    cert = load_certificate(vectors["rsa-sha256"].read_bytes())
    with pytest.raises(UnsupportedAlgorithmError) as excinfo:
        verify_signature(cert.spki, "1.2.3.4.5.6", cert.signature, cert.tbs_der)
    assert excinfo.value.oid == "1.2.3.4.5.6"
