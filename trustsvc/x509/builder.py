"""A small typed X.509 certificate and CRL builder over asn1crypto that signs with any algorithm, SM2 included."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Union

from asn1crypto import algos, core, crl as asn1_crl, keys, x509 as asn1_x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa

from trustsvc.errors import UnusableKeyError
from trustsvc.x509.certificate import Certificate
from trustsvc.x509.sm2 import DEFAULT_SM2_ID, SM2_CURVE_OID, SM2_WITH_SM3_OID, SM2PrivateKey

NameLike = Union[Mapping[str, str], asn1_x509.Name]
# A GeneralName for name constraints: a Name / name dict (directoryName), an asn1crypto
# GeneralName, or (choice, value) such as ("dns_name", "example.hk") or ("ip_address", "10.0.0.0/8").
GeneralNameLike = Union[NameLike, asn1_x509.GeneralName, tuple[str, Any]]

ALGORITHMS = ("sm2", "rsa", "rsa-pss", "ecdsa-p256", "ecdsa-p384", "ed25519")

_CURVES = {"ecdsa-p256": (ec.SECP256R1, "sha256"), "ecdsa-p384": (ec.SECP384R1, "sha384")}
_HASHES = {"sha256": hashes.SHA256, "sha384": hashes.SHA384, "sha512": hashes.SHA512}


@dataclass(frozen=True)
class Signer:
    """A private key and the signature scheme used with it (demo and test material only).

    `scheme` is "sm2" (SM2-with-SM3, GM/T 0009 signer ID `sm2_id`), "rsa" (PKCS#1 v1.5),
    "rsa-pss" (RFC 4055, salt = hash length), "ecdsa" or "ed25519".
    """

    key: Any
    scheme: str
    hash: str = "sha256"
    sm2_id: bytes = field(default=DEFAULT_SM2_ID)

    # --- construction ---------------------------------------------------------------------
    @classmethod
    def generate(cls, algorithm: str, *, bits: int = 2048) -> "Signer":
        """A fresh key: one of ALGORITHMS."""
        if algorithm == "sm2":
            return cls(SM2PrivateKey.generate(), "sm2", "sm3")
        if algorithm in ("rsa", "rsa-pss"):
            return cls(rsa.generate_private_key(public_exponent=65537, key_size=bits), algorithm)
        if algorithm in _CURVES:
            curve, hash_name = _CURVES[algorithm]
            return cls(ec.generate_private_key(curve()), "ecdsa", hash_name)
        if algorithm == "ed25519":
            return cls(ed25519.Ed25519PrivateKey.generate(), "ed25519", "sha512")
        raise ValueError(f"unknown key algorithm {algorithm!r} (expected one of {', '.join(ALGORITHMS)})")

    @classmethod
    def from_key(cls, key: Any, *, pss: bool = False) -> "Signer":
        """Wrap an existing cryptography private key or SM2PrivateKey with its natural scheme."""
        if isinstance(key, SM2PrivateKey):
            return cls(key, "sm2", "sm3")
        if isinstance(key, rsa.RSAPrivateKey):
            return cls(key, "rsa-pss" if pss else "rsa")
        if isinstance(key, ec.EllipticCurvePrivateKey):
            return cls(key, "ecdsa", "sha384" if key.curve.key_size >= 384 else "sha256")
        if isinstance(key, ed25519.Ed25519PrivateKey):
            return cls(key, "ed25519", "sha512")
        raise UnusableKeyError(f"cannot sign with a {type(key).__name__}")

    @classmethod
    def from_pem(cls, data: bytes, *, pss: bool = False) -> "Signer":
        """Load a PKCS#8 PEM private key (SM2 keys included)."""
        try:
            key = serialization.load_pem_private_key(data, password=None)
        except (ValueError, TypeError):  # cryptography does not know the SM2 curve
            key = None
        except Exception:  # UnsupportedAlgorithm for the SM2 curve
            key = None
        if key is None:
            try:
                key = SM2PrivateKey.from_pem(data)
            except Exception as exc:  # tongsuopy raises several types on garbage
                raise UnusableKeyError(f"unreadable private key PEM ({type(exc).__name__})") from None
        return cls.from_key(key, pss=pss)

    # --- what the key is -------------------------------------------------------------------
    @property
    def algorithm(self) -> str:
        """The demo index family: "sm2", "rsa", "ecdsa" or "ed25519"."""
        return "rsa" if self.scheme == "rsa-pss" else self.scheme

    @property
    def public_key_info(self) -> keys.PublicKeyInfo:
        if isinstance(self.key, SM2PrivateKey):
            # GM/T 0015: id-ecPublicKey with the SM2 named curve
            return keys.PublicKeyInfo({
                "algorithm": {"algorithm": "ec", "parameters": ("named", SM2_CURVE_OID)},
                "public_key": self.key.public_point,
            })
        der = self.key.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        return keys.PublicKeyInfo.load(der)

    @property
    def signature_algorithm(self) -> algos.SignedDigestAlgorithm:
        if self.scheme == "sm2":
            return algos.SignedDigestAlgorithm({"algorithm": SM2_WITH_SM3_OID})
        if self.scheme == "rsa":
            return algos.SignedDigestAlgorithm({"algorithm": f"{self.hash}_rsa", "parameters": core.Null()})
        if self.scheme == "rsa-pss":
            # RFC 4055 3.1: hash, MGF1 with the same hash, salt length = hash length, trailer 1
            return algos.SignedDigestAlgorithm({
                "algorithm": "rsassa_pss",
                "parameters": {
                    "hash_algorithm": {"algorithm": self.hash},
                    "mask_gen_algorithm": {"algorithm": "mgf1", "parameters": {"algorithm": self.hash}},
                    "salt_length": _HASHES[self.hash].digest_size,
                    "trailer_field": "trailer_field_bc",
                },
            })
        if self.scheme == "ecdsa":
            return algos.SignedDigestAlgorithm({"algorithm": f"{self.hash}_ecdsa"})
        return algos.SignedDigestAlgorithm({"algorithm": "ed25519"})

    @property
    def key_identifier(self) -> bytes:
        """RFC 5280 4.2.1.2 (1): SHA-1 of the subjectPublicKey BIT STRING value."""
        return _key_identifier(self.public_key_info)

    # --- use -------------------------------------------------------------------------------
    def sign(self, data: bytes) -> bytes:
        if self.scheme == "sm2":
            return self.key.sign(data, self.sm2_id)
        if self.scheme == "rsa":
            return self.key.sign(data, padding.PKCS1v15(), _HASHES[self.hash]())
        if self.scheme == "rsa-pss":
            h = _HASHES[self.hash]()
            return self.key.sign(data, padding.PSS(mgf=padding.MGF1(h), salt_length=h.digest_size), h)
        if self.scheme == "ecdsa":
            return self.key.sign(data, ec.ECDSA(_HASHES[self.hash]()))
        return self.key.sign(data)

    def private_key_pem(self) -> bytes:
        """PKCS#8 PEM, unencrypted (demo keys only)."""
        if isinstance(self.key, SM2PrivateKey):
            return self.key.to_pem()
        return self.key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )


def _key_identifier(spki: keys.PublicKeyInfo) -> bytes:
    return hashlib.sha1(bytes(spki["public_key"].contents[1:])).digest()


def _name(value: NameLike) -> asn1_x509.Name:
    return value if isinstance(value, asn1_x509.Name) else asn1_x509.Name.build(dict(value))


def _time(value: datetime) -> asn1_x509.Time:
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    # RFC 5280 4.1.2.5: UTCTime through 2049, GeneralizedTime from 2050
    return asn1_x509.Time({"utc_time" if value.year < 2050 else "general_time": value})


def _general_name(value: GeneralNameLike) -> asn1_x509.GeneralName:
    if isinstance(value, asn1_x509.GeneralName):
        return value
    if isinstance(value, tuple):
        choice, inner = value
        if choice == "directory_name":
            inner = _name(inner)
        return asn1_x509.GeneralName(name=choice, value=inner)
    return asn1_x509.GeneralName(name="directory_name", value=_name(value))


def _subtrees(values: Sequence[GeneralNameLike]) -> asn1_x509.GeneralSubtrees:
    return asn1_x509.GeneralSubtrees([{"base": _general_name(v)} for v in values])


def random_serial() -> int:
    """A positive serial with at least 64 random bits (CA/B BR 7.1), at most 20 octets (RFC 5280 4.1.2.2)."""
    return secrets.randbits(127) | (1 << 126)


def _ext(extn_id: str, value: Any, critical: bool = False) -> dict:
    return {"extn_id": extn_id, "critical": critical, "extn_value": value}


def build_certificate(
    *,
    subject: NameLike,
    issuer: NameLike,
    public_key_info: keys.PublicKeyInfo,
    signer: Signer,
    not_before: datetime,
    not_after: datetime,
    serial: int | None = None,
    ca: bool = False,
    path_length: int | None = None,
    key_usage: set[str] | frozenset[str] | None = None,
    extended_key_usage: Sequence[str] | None = None,
    extended_key_usage_critical: bool = False,
    policies: Sequence[str] | None = None,
    policy_mappings: Sequence[tuple[str, str]] | None = None,
    require_explicit_policy: int | None = None,
    inhibit_policy_mapping: int | None = None,
    inhibit_any_policy: int | None = None,
    permitted_subtrees: Sequence[GeneralNameLike] | None = None,
    excluded_subtrees: Sequence[GeneralNameLike] | None = None,
    crl_distribution_points: Sequence[str] | None = None,
    ocsp_url: str | None = None,
    ca_issuers_url: str | None = None,
    ski: bytes | bool = True,
    aki: bytes | bool = True,
    extra_extensions: Sequence[asn1_x509.Extension | Mapping[str, Any]] = (),
) -> Certificate:
    """Assemble a v3 TBSCertificate, sign it with `signer` and return the parsed Certificate.

    `key_usage` (asn1crypto names, e.g. {"digital_signature", "non_repudiation"}) defaults to
    keyCertSign + cRLSign for a CA and digitalSignature otherwise. `policy_mappings` are
    (issuerDomainPolicy, subjectDomainPolicy) pairs. `ski`/`aki` True derive the identifiers
    from the subject's and the signer's keys (RFC 5280 4.2.1.2 method 1); False omits them.
    """
    exts: list[Any] = []
    # RFC 5280 4.2.1.9: basicConstraints critical in CA certificates
    bc: dict[str, Any] = {"ca": ca}
    if ca and path_length is not None:
        bc["path_len_constraint"] = path_length
    exts.append(_ext("basic_constraints", bc, critical=ca))
    if ski is not False:
        exts.append(_ext("key_identifier", _key_identifier(public_key_info) if ski is True else ski))
    if aki is not False:
        exts.append(_ext("authority_key_identifier",
                         {"key_identifier": signer.key_identifier if aki is True else aki}))
    usage = set(key_usage) if key_usage is not None else (
        {"key_cert_sign", "crl_sign"} if ca else {"digital_signature"})
    exts.append(_ext("key_usage", usage, critical=True))  # RFC 5280 4.2.1.3: SHOULD be critical
    if extended_key_usage:
        exts.append(_ext("extended_key_usage", list(extended_key_usage), critical=extended_key_usage_critical))
    if policies:
        exts.append(_ext("certificate_policies", [{"policy_identifier": p} for p in policies]))
    if policy_mappings:
        exts.append(_ext("policy_mappings", [
            {"issuer_domain_policy": i, "subject_domain_policy": s} for i, s in policy_mappings
        ]))  # RFC 5280 4.2.1.5: SHOULD be critical; kept non-critical for wide interoperability
    if require_explicit_policy is not None or inhibit_policy_mapping is not None:
        pc: dict[str, int] = {}
        if require_explicit_policy is not None:
            pc["require_explicit_policy"] = require_explicit_policy
        if inhibit_policy_mapping is not None:
            pc["inhibit_policy_mapping"] = inhibit_policy_mapping
        exts.append(_ext("policy_constraints", pc, critical=True))  # RFC 5280 4.2.1.11: MUST be critical
    if inhibit_any_policy is not None:
        exts.append(_ext("inhibit_any_policy", inhibit_any_policy, critical=True))  # RFC 5280 4.2.1.14
    if permitted_subtrees or excluded_subtrees:
        nc: dict[str, Any] = {}
        if permitted_subtrees:
            nc["permitted_subtrees"] = _subtrees(permitted_subtrees)
        if excluded_subtrees:
            nc["excluded_subtrees"] = _subtrees(excluded_subtrees)
        exts.append(_ext("name_constraints", nc, critical=True))  # RFC 5280 4.2.1.10: MUST be critical
    if crl_distribution_points:
        exts.append(_ext("crl_distribution_points", [
            {"distribution_point": ("full_name", [_general_name(("uniform_resource_identifier", url))])}
            for url in crl_distribution_points
        ]))
    aia = []
    if ocsp_url:
        aia.append({"access_method": "ocsp", "access_location": _general_name(("uniform_resource_identifier", ocsp_url))})
    if ca_issuers_url:
        aia.append({"access_method": "ca_issuers",
                    "access_location": _general_name(("uniform_resource_identifier", ca_issuers_url))})
    if aia:
        exts.append(_ext("authority_information_access", aia))
    exts.extend(extra_extensions)

    tbs = asn1_x509.TbsCertificate({
        "version": "v3",
        "serial_number": random_serial() if serial is None else serial,
        "signature": signer.signature_algorithm,
        "issuer": _name(issuer),
        "validity": {"not_before": _time(not_before), "not_after": _time(not_after)},
        "subject": _name(subject),
        "subject_public_key_info": public_key_info,
        "extensions": exts,
    })
    tbs_der = tbs.dump()
    cert = asn1_x509.Certificate({
        "tbs_certificate": tbs,
        "signature_algorithm": signer.signature_algorithm,
        "signature_value": signer.sign(tbs_der),
    })
    return Certificate.from_der(cert.dump())


def build_crl(
    *,
    issuer_cert: Certificate,
    signer: Signer,
    this_update: datetime,
    next_update: datetime,
    revoked: Sequence[tuple[int, datetime, str | None]] = (),
    number: int = 1,
    extra_extensions: Sequence[Mapping[str, Any]] = (),
) -> bytes:
    """A signed v2 CRL (RFC 5280 5) as DER; `revoked` holds (serial, revocation date, reason or None).

    Reasons are asn1crypto CRLReason names ("key_compromise", "superseded", "cessation_of_operation", ...).
    """
    entries = []
    for serial, when, reason in revoked:
        entry: dict[str, Any] = {"user_certificate": serial, "revocation_date": _time(when)}
        if reason:
            entry["crl_entry_extensions"] = [_ext("crl_reason", reason)]
        entries.append(entry)
    aki = issuer_cert.ski or signer.key_identifier
    tbs: dict[str, Any] = {
        "version": "v2",
        "signature": signer.signature_algorithm,
        "issuer": issuer_cert.subject,
        "this_update": _time(this_update),
        "next_update": _time(next_update),
        "crl_extensions": [
            _ext("crl_number", number),  # RFC 5280 5.2.3
            _ext("authority_key_identifier", {"key_identifier": aki}),  # RFC 5280 5.2.1
            *extra_extensions,
        ],
    }
    if entries:  # RFC 5280 5.1.2.6: absent, not empty, when nothing is revoked
        tbs["revoked_certificates"] = entries
    tbs_list = asn1_crl.TbsCertList(tbs)
    crl = asn1_crl.CertificateList({
        "tbs_cert_list": tbs_list,
        "signature_algorithm": signer.signature_algorithm,
        "signature": signer.sign(tbs_list.dump()),
    })
    return crl.dump()


__all__ = ["ALGORITHMS", "Signer", "build_certificate", "build_crl", "random_serial"]
