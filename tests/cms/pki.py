"""A small generated PKI for CMS / timestamp tests: RSA, ECDSA, Ed25519 and SM2 signers, TSAs, CRLs."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from asn1crypto import crl as asn1_crl
from asn1crypto import keys, x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

from trustsvc.cms.builder import _sign
from trustsvc.x509.certificate import Certificate
from trustsvc.x509.sm2 import SM2_CURVE_OID, SM2PrivateKey

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=timezone.utc)


def new_key(kind: str) -> Any:
    if kind == "rsa":
        return rsa.generate_private_key(public_exponent=65537, key_size=2048)
    if kind == "ecdsa":
        return ec.generate_private_key(ec.SECP256R1())
    if kind == "ed25519":
        return ed25519.Ed25519PrivateKey.generate()
    if kind == "sm2":
        return SM2PrivateKey.generate()
    raise ValueError(kind)


def spki(key: Any) -> keys.PublicKeyInfo:
    if isinstance(key, SM2PrivateKey):
        return keys.PublicKeyInfo({
            "algorithm": {"algorithm": "ec", "parameters": {"named": SM2_CURVE_OID}},
            "public_key": key.public_point,
        })
    der = key.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return keys.PublicKeyInfo.load(der)


def key_pem(key: Any) -> bytes:
    if isinstance(key, SM2PrivateKey):
        return key.to_pem()
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())


def _digest(key: Any) -> str:
    return "sm3" if isinstance(key, SM2PrivateKey) else "sha256"


@dataclass
class Entity:
    cert: Certificate
    key: Any
    name: str


_serial = [1000]


def issue(name: str, key: Any, issuer: Entity | None, *, ca: bool = False, tsa: bool = False,
          not_before: datetime = NOW - timedelta(days=365), not_after: datetime = NOW + timedelta(days=365),
          tsa_eku_critical: bool = True) -> Entity:
    _serial[0] += 1
    subject = x509.Name.build({"common_name": name, "organization_name": "trustsvc tests", "country_name": "CN"})
    pub = spki(key)
    ski = hashlib.sha1(pub["public_key"].contents).digest()
    signer_key = issuer.key if issuer else key
    issuer_name = issuer.cert.subject if issuer else subject
    exts = [
        {"extn_id": "basic_constraints", "critical": True, "extn_value": {"ca": ca}},
        {"extn_id": "key_usage", "critical": True,
         "extn_value": {"key_cert_sign", "crl_sign"} if ca else {"digital_signature", "non_repudiation"}},
        {"extn_id": "key_identifier", "critical": False, "extn_value": ski},
    ]
    if issuer is not None:
        exts.append({"extn_id": "authority_key_identifier", "critical": False,
                     "extn_value": {"key_identifier": issuer.cert.ski}})
    if tsa:
        exts.append({"extn_id": "extended_key_usage", "critical": tsa_eku_critical, "extn_value": ["time_stamping"]})
    sig_alg_placeholder, _ = _sign(signer_key, b"x", _digest(signer_key), False)
    tbs = x509.TbsCertificate({
        "version": "v3",
        "serial_number": _serial[0],
        "signature": sig_alg_placeholder,
        "issuer": issuer_name,
        "validity": {"not_before": x509.Time({"utc_time": not_before}), "not_after": x509.Time({"utc_time": not_after})},
        "subject": subject,
        "subject_public_key_info": pub,
        "extensions": exts,
    })
    alg, sig = _sign(signer_key, tbs.dump(), _digest(signer_key), False)
    cert = x509.Certificate({"tbs_certificate": tbs, "signature_algorithm": alg, "signature_value": sig})
    return Entity(Certificate.from_der(cert.dump()), key, name)


def make_crl(issuer: Entity, revoked: list[tuple[Certificate, datetime]], *, this_update: datetime = NOW,
             next_update: datetime = NOW + timedelta(days=30)) -> bytes:
    alg, _ = _sign(issuer.key, b"x", _digest(issuer.key), False)
    tbs = asn1_crl.TbsCertList({
        "version": "v2",
        "signature": alg,
        "issuer": issuer.cert.subject,
        "this_update": x509.Time({"utc_time": this_update}),
        "next_update": x509.Time({"utc_time": next_update}),
        "revoked_certificates": [
            {"user_certificate": c.serial_number, "revocation_date": x509.Time({"utc_time": t})} for c, t in revoked
        ] or None,
        "crl_extensions": [{"extn_id": "crl_number", "critical": False, "extn_value": 1},
                           {"extn_id": "authority_key_identifier", "critical": False,
                            "extn_value": {"key_identifier": issuer.cert.ski}}],
    })
    if not revoked:
        del tbs["revoked_certificates"]
    alg, sig = _sign(issuer.key, tbs.dump(), _digest(issuer.key), False)
    return asn1_crl.CertificateList({"tbs_cert_list": tbs, "signature_algorithm": alg, "signature": sig}).dump()


def hierarchy(kind: str, label: str) -> tuple[Entity, Entity, Entity]:
    """root -> ca -> leaf, all with `kind` keys."""
    root = issue(f"{label} root", new_key(kind), None, ca=True,
                 not_before=NOW - timedelta(days=3650), not_after=NOW + timedelta(days=3650))
    ca = issue(f"{label} ca", new_key(kind), root, ca=True,
               not_before=NOW - timedelta(days=3000), not_after=NOW + timedelta(days=3000))
    leaf = issue(f"{label} leaf", new_key(kind), ca)
    return root, ca, leaf
