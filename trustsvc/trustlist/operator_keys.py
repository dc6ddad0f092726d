"""Scheme-operator signing keys and their self-signed certificates (for new schemes, demos and tests)."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from asn1crypto import keys, x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from trustsvc.errors import UnusableKeyError
from trustsvc.trustlist.jws import SigningKey
from trustsvc.x509.certificate import Certificate
from trustsvc.x509.sm2 import SM2PrivateKey

ALGORITHMS = ("ES256", "RS256", "EdDSA", "SM2-SM3")
# TS 119 612 5.7.1 / Annex B: the TSL signer's certificate carries extKeyUsage id-tsl-kp-tslSigning.
TSL_SIGNING_EKU = "0.4.0.2231.3.0"

_X509_ALG = {"ES256": "sha256_ecdsa", "ES384": "sha384_ecdsa", "RS256": "sha256_rsa", "EdDSA": "ed25519",
             "SM2-SM3": "1.2.156.10197.1.501"}


def generate_operator_key(alg: str = "ES256") -> SigningKey:
    if alg == "ES256":
        return SigningKey(ec.generate_private_key(ec.SECP256R1()), alg)
    if alg == "RS256":
        return SigningKey(rsa.generate_private_key(public_exponent=65537, key_size=3072), alg)
    if alg == "EdDSA":
        return SigningKey(ed25519.Ed25519PrivateKey.generate(), alg)
    if alg == "SM2-SM3":
        return SigningKey(SM2PrivateKey.generate(), alg)
    raise UnusableKeyError(f"unknown operator key algorithm {alg!r}; use one of {', '.join(ALGORITHMS)}")


def key_to_pem(key: SigningKey) -> bytes:
    if isinstance(key.key, SM2PrivateKey):
        return key.key.to_pem()
    return key.key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                 serialization.NoEncryption())


def _x509_signature(key: SigningKey, data: bytes) -> bytes:
    raw = key.sign(data)
    if key.alg in ("ES256", "ES384", "SM2-SM3"):  # JWS raw r || s -> X.509 DER ECDSA-Sig-Value
        half = len(raw) // 2
        return encode_dss_signature(int.from_bytes(raw[:half], "big"), int.from_bytes(raw[half:], "big"))
    return raw


def issue_operator_certificate(key: SigningKey, *, name: str, territory: str, not_before: datetime,
                               not_after: datetime) -> Certificate:
    """A self-signed scheme operator certificate (digitalSignature, extKeyUsage tslSigning)."""
    spki = keys.PublicKeyInfo.load(key.public_spki_der())
    # Territories are data: an ISO 3166-1 code or an ISO 3166-2 region (CN-GD, CN-SZ) gives the country.
    head = territory.split("-")[0]
    country = head if len(head) == 2 and head != "EU" else None
    name_attrs = {"common_name": name, "organization_name": f"{territory} trust list scheme operator"}
    if country:
        name_attrs["country_name"] = country
    subject = x509.Name.build(name_attrs)
    ski = hashlib.sha1(spki["public_key"].contents).digest()
    sig_alg = {"algorithm": _X509_ALG[key.alg]}
    tbs = x509.TbsCertificate({
        "version": "v3",
        "serial_number": secrets.randbits(120),
        "signature": sig_alg,
        "issuer": subject,
        "validity": {"not_before": x509.Time({"utc_time": not_before}) if not_before.year < 2050
                     else x509.Time({"general_time": not_before}),
                     "not_after": x509.Time({"utc_time": not_after}) if not_after.year < 2050
                     else x509.Time({"general_time": not_after})},
        "subject": subject,
        "subject_public_key_info": spki,
        "extensions": [
            {"extn_id": "basic_constraints", "critical": True, "extn_value": {"ca": False}},
            {"extn_id": "key_usage", "critical": True, "extn_value": {"digital_signature", "non_repudiation"}},
            {"extn_id": "extended_key_usage", "critical": False, "extn_value": [TSL_SIGNING_EKU]},
            {"extn_id": "key_identifier", "critical": False, "extn_value": ski},
        ],
    })
    signature = _x509_signature(key, tbs.dump())
    cert = x509.Certificate({"tbs_certificate": tbs, "signature_algorithm": sig_alg, "signature_value": signature})
    return Certificate.from_der(cert.dump())


__all__ = ["ALGORITHMS", "generate_operator_key", "issue_operator_certificate", "key_to_pem"]
