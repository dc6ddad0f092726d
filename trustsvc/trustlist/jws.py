"""Canonical JSON of a trust list and its detached JWS (RFC 7515 + RFC 7797 `b64=false`) by the scheme operator."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature, encode_dss_signature

from trustsvc import jose
from trustsvc.errors import InvalidSignatureError, TrustsvcError, UnsupportedAlgorithmError, UnusableKeyError
from trustsvc.trustlist.model import TrustList, TrustListFormatError
from trustsvc.x509.certificate import Certificate
from trustsvc.x509.load import load_certificate
from trustsvc.x509.signature import load_public_key, verify_signature
from trustsvc.x509.sm2 import DEFAULT_SM2_ID, SM2PrivateKey

TYP = "trustsvc-trust-list+json"
MAX_LIST_BYTES = 16 * 1024 * 1024

# JWS alg -> (verify_signature algorithm, key family, curve, size of one of r/s for raw signatures)
_ALGS: dict[str, tuple[str, str, str | None, int | None]] = {
    "ES256": ("sha256_ecdsa", "ec", "secp256r1", 32),  # RFC 7518 3.4
    "ES384": ("sha384_ecdsa", "ec", "secp384r1", 48),
    "RS256": ("sha256_rsa", "rsa", None, None),  # RFC 7518 3.3
    "PS256": ("rsassa_pss", "rsa", None, None),
    "EdDSA": ("ed25519", "ed25519", None, None),  # RFC 8037
    # Private: SM2 signature with SM3 (GB/T 32918.2, GM/T 0009 default ID), r || s as 2 x 32 bytes like ES256.
    "SM2-SM3": ("1.2.156.10197.1.501", "sm2", "SM2", 32),
}


def canonical_json(obj: Any) -> bytes:
    """The signed bytes of a trust list: RFC 8785 canonical JSON (`trustsvc.jose`, the project's one rule)."""
    try:
        return jose.canonical_json(obj)
    except jose.CanonicalJSONError as exc:
        raise TrustListFormatError(str(exc)) from None


def _b64u(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64u(text: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (ValueError, TypeError):
        raise TrustListFormatError("JWS: bad base64url") from None


class SigningKey:
    """A scheme operator's private key (RSA, ECDSA P-256/P-384, Ed25519 or SM2) with its JWS alg."""

    def __init__(self, key: Any, alg: str) -> None:
        self.key = key
        self.alg = alg

    @classmethod
    def from_pem(cls, pem: bytes) -> "SigningKey":
        try:
            key = serialization.load_pem_private_key(pem, password=None)
        except (UnsupportedAlgorithm, ValueError, TypeError):
            # cryptography refuses the SM2 curve; tongsuopy loads it
            try:
                return cls(SM2PrivateKey.from_pem(pem), "SM2-SM3")
            except Exception:  # noqa: BLE001 - tongsuopy raises several types
                raise UnusableKeyError("signing key: not a PEM private key (RSA, EC P-256/P-384, Ed25519 or SM2)") from None
        if isinstance(key, rsa.RSAPrivateKey):
            return cls(key, "RS256")
        if isinstance(key, ec.EllipticCurvePrivateKey) and key.curve.name in ("secp256r1", "secp384r1"):
            return cls(key, "ES256" if key.curve.name == "secp256r1" else "ES384")
        if isinstance(key, ed25519.Ed25519PrivateKey):
            return cls(key, "EdDSA")
        raise UnusableKeyError(f"signing key: unsupported key type {type(key).__name__}")

    def public_spki_der(self) -> bytes:
        if isinstance(self.key, SM2PrivateKey):
            from asn1crypto import keys

            return keys.PublicKeyInfo(
                {"algorithm": {"algorithm": "ec", "parameters": ("named", "1.2.156.10197.1.301")},
                 "public_key": self.key.public_point}
            ).dump()
        return self.key.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )

    def sign(self, data: bytes) -> bytes:
        k = self.key
        if self.alg == "SM2-SM3":
            r, s = decode_dss_signature(k.sign(data, DEFAULT_SM2_ID))
            return r.to_bytes(32, "big") + s.to_bytes(32, "big")
        if self.alg.startswith("ES"):
            size = _ALGS[self.alg][3] or 32
            h = hashes.SHA256() if self.alg == "ES256" else hashes.SHA384()
            r, s = decode_dss_signature(k.sign(data, ec.ECDSA(h)))
            return r.to_bytes(size, "big") + s.to_bytes(size, "big")
        if self.alg == "RS256":
            return k.sign(data, padding.PKCS1v15(), hashes.SHA256())
        return k.sign(data)


@dataclass(frozen=True)
class SignedList:
    """A parsed signed trust list document; the signature is not yet checked against any pin."""

    trust_list: TrustList
    canonical: bytes  # the canonical JSON of the list: what the JWS signs
    protected: str  # base64url protected header, as received
    header: dict[str, Any]
    signature: bytes
    signer: Certificate

    @property
    def alg(self) -> str:
        return str(self.header.get("alg"))

    def verify(self) -> None:
        """Check the JWS over the canonical bytes with the signer certificate's key (RFC 7797 5.2)."""
        verify_jws(self.protected, self.canonical, self.signature, self.signer, self.alg,
                   sm2_id=self.header.get("sm2_id"))


def sign_list(trust_list: TrustList, key: SigningKey, cert: Certificate) -> bytes:
    """Sign `trust_list`; return the signed document `{"jws": "<protected>..<sig>", "trust_list": {...}}`."""
    if key.public_spki_der() != cert.spki_der:
        raise UnusableKeyError("signing key does not match the signing certificate")
    body = trust_list.to_dict()
    canonical = canonical_json(body)
    header = {"alg": key.alg, "b64": False, "crit": ["b64"], "typ": TYP,
              "x5c": [base64.b64encode(cert.der).decode("ascii")]}
    protected = _b64u(canonical_json(header))
    signature = key.sign(protected.encode("ascii") + b"." + canonical)
    doc = {"jws": f"{protected}..{_b64u(signature)}", "trust_list": body}
    return canonical_json(doc) + b"\n"


class _DuplicateKey(ValueError):
    pass


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """json object hook: refuse a name given twice (parsers disagree on which one wins: RFC 7515 4, RFC 8259 4)."""
    out: dict[str, Any] = {}
    for k, v in pairs:
        if k in out:
            raise _DuplicateKey(k)
        out[k] = v
    return out


def parse_signed(data: bytes) -> SignedList:
    """Parse a signed trust list document; raises TrustListFormatError (typed) on anything malformed."""
    if len(data) > MAX_LIST_BYTES:
        raise TrustListFormatError(f"trust list: {len(data)} bytes exceeds the {MAX_LIST_BYTES}-byte limit")
    try:
        doc = json.loads(data, object_pairs_hook=_unique_keys)
    except _DuplicateKey as exc:
        raise TrustListFormatError(f"trust list: duplicate JSON key {str(exc)[:60]!r} (RFC 8259 4: names SHOULD be "
                                   "unique; a signed list must mean one thing)") from None
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise TrustListFormatError(f"trust list: not JSON ({type(exc).__name__})") from None
    if not isinstance(doc, dict) or "jws" not in doc or "trust_list" not in doc:
        raise TrustListFormatError("trust list: not a signed document (needs 'jws' and 'trust_list'); sign it first")
    parts = str(doc["jws"]).split(".")
    if len(parts) != 3 or parts[1] != "":
        raise TrustListFormatError("JWS: expected detached compact form '<protected>..<signature>'")
    try:
        header = json.loads(_unb64u(parts[0]), object_pairs_hook=_unique_keys)
    except ValueError:
        raise TrustListFormatError("JWS: protected header is not JSON") from None
    if not isinstance(header, dict):
        raise TrustListFormatError("JWS: protected header is not an object")
    # RFC 7797 6: b64=false must be listed in crit; we accept no other critical parameter (RFC 7515 4.1.11).
    if header.get("b64") is not False or header.get("crit") != ["b64"]:
        raise TrustListFormatError("JWS: header must carry b64=false and crit=['b64'] (RFC 7797)")
    if header.get("alg") not in _ALGS:
        raise TrustListFormatError(f"JWS: alg {header.get('alg')!r} not allowed; use one of {', '.join(_ALGS)}")
    x5c = header.get("x5c")
    if not isinstance(x5c, list) or not x5c:
        raise TrustListFormatError("JWS: header has no x5c signer certificate")
    try:
        signer = load_certificate(base64.b64decode(x5c[0], validate=True))
    except (ValueError, TrustsvcError) as exc:
        raise TrustListFormatError(f"JWS: bad x5c certificate ({exc})") from None
    trust_list = TrustList.from_dict(doc["trust_list"])
    return SignedList(trust_list, canonical_json(doc["trust_list"]), parts[0], header, _unb64u(parts[2]), signer)


def verify_jws(protected: str, payload: bytes, signature: bytes, signer: Certificate, alg: str,
               *, sm2_id: str | None = None) -> None:
    """Verify through the one registry (trustsvc.x509.verify_signature); raise InvalidSignatureError."""
    algo, family, curve, size = _ALGS[alg]
    key = load_public_key(signer.spki_der)
    if key.family != family or (curve and key.curve != curve):
        raise InvalidSignatureError(f"JWS alg {alg} does not match the signer's {key.description} key")
    sig = signature
    if size is not None:  # raw r || s -> DER for the registry
        if len(signature) != 2 * size:
            raise InvalidSignatureError(f"JWS {alg} signature must be {2 * size} bytes")
        sig = encode_dss_signature(int.from_bytes(signature[:size], "big"), int.from_bytes(signature[size:], "big"))
    if alg == "PS256":
        from asn1crypto import algos

        algo_id = algos.SignedDigestAlgorithm({
            "algorithm": "rsassa_pss",
            "parameters": {"hash_algorithm": {"algorithm": "sha256"},
                           "mask_gen_algorithm": {"algorithm": "mgf1", "parameters": {"algorithm": "sha256"}},
                           "salt_length": 32},
        })
        verify_signature(key, algo_id, sig, protected.encode("ascii") + b"." + payload)
        return
    try:
        verify_signature(key, algo, sig, protected.encode("ascii") + b"." + payload,
                         sm2_id=sm2_id.encode() if sm2_id else None)
    except (UnsupportedAlgorithmError, UnusableKeyError) as exc:
        raise InvalidSignatureError(str(exc)) from None


__all__ = ["MAX_LIST_BYTES", "SignedList", "SigningKey", "canonical_json", "parse_signed", "sign_list", "verify_jws"]
