"""JOSE for trustsvc, in one place: base64url, the one canonical JSON rule, and compact ES256 JWS for reports.

* **Canonical JSON is RFC 8785 (JCS)**, by the `rfc8785` package: UTF-8, object members sorted by their UTF-16
  code units, no insignificant whitespace, numbers as ECMAScript prints them. What JCS cannot say is refused
  (`CanonicalJSONError`: NaN/Infinity, integers beyond +-2^53, non-string keys) rather than written some other
  way. Signed reports (`ReportKey.sign`), RFC 7638 JWK thumbprints and signed trust lists
  (`trustlist/jws.py`) all use it.
* **Signed reports** are compact JWS (RFC 7515) with ES256 (RFC 7518 3.4) by the service's report key, signed
  in low-S form; `verify_report` refuses the high-S twin so every report has exactly one JWS.

The service (`api/`) signs with it and the CLI (`trustsvc report verify`, `verify batch`) verifies with it; neither
imports the other.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Union

import rfc8785
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature, encode_dss_signature

from trustsvc.errors import InputFormatError, InvalidSignatureError, UnsupportedAlgorithmError, UnusableKeyError
from trustsvc.x509.signature import verify_signature

__all__ = [
    "MAX_JWS", "P256_ORDER", "REPORT_TYP", "CanonicalJSONError", "JSONValue", "Jwk", "ReportKey", "b64u",
    "canonical_json", "json_ready", "jwk_to_spki", "parse_keys", "public_jwk", "unb64u", "verify_report",
]

REPORT_TYP = "trustsvc-report+jws"
MAX_JWS = 16 * 1024 * 1024
# The order n of the P-256 group (SEC 2 2.4.2).
P256_ORDER = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551
# I-JSON (RFC 7493 2.2) / RFC 8785 3.2.2.3: integers exchanged as numbers stay within IEEE 754 doubles.
_MAX_SAFE_INTEGER = 2**53 - 1
_B64U_ALPHABET = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")

JSONValue = Union[None, bool, int, float, str, list["JSONValue"], dict[str, "JSONValue"]]
Jwk = dict[str, str]


class CanonicalJSONError(InputFormatError):
    """A value RFC 8785 cannot canonicalise (NaN, Infinity, an integer beyond +-2^53, a non-string key)."""


def b64u(data: bytes) -> str:
    """base64url without padding (RFC 7515 2)."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def unb64u(text: str) -> bytes:
    """The bytes of unpadded base64url text; anything outside the alphabet is an InputFormatError."""
    if not isinstance(text, str) or not _B64U_ALPHABET.issuperset(text) or len(text) % 4 == 1:
        raise InputFormatError("JWS: not base64url")
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def canonical_json(obj: object) -> bytes:
    """The RFC 8785 canonical form of a JSON value (dicts with string keys, lists, str, int, float, bool, None)."""
    try:
        return rfc8785.dumps(obj)
    except (rfc8785.CanonicalizationError, ValueError, TypeError) as exc:
        raise CanonicalJSONError(f"not canonical JSON (RFC 8785): {exc}") from None


def json_ready(obj: object) -> JSONValue:
    """`obj` as plain JSON values a report payload can carry under RFC 8785: other values (times, enums, sets)
    as their text, as the reports' JSON shows them, and integers beyond +-2^53 as decimal strings (I-JSON)."""
    if obj is None or isinstance(obj, (bool, str)):
        return obj
    if isinstance(obj, int):
        return obj if -_MAX_SAFE_INTEGER <= obj <= _MAX_SAFE_INTEGER else str(obj)
    if isinstance(obj, float):
        return obj
    if isinstance(obj, Mapping):
        return {str(k): json_ready(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [json_ready(v) for v in obj]
    return str(getattr(obj, "value", obj))


def _coord(n: int) -> str:
    return b64u(n.to_bytes(32, "big"))


def public_jwk(public_key: ec.EllipticCurvePublicKey) -> Jwk:
    """The public JWK of a P-256 key, `kid` its RFC 7638 thumbprint."""
    nums = public_key.public_numbers()
    core = {"crv": "P-256", "kty": "EC", "x": _coord(nums.x), "y": _coord(nums.y)}
    kid = b64u(hashlib.sha256(canonical_json(core)).digest())  # RFC 7638 3: the required members, canonical
    return {**core, "kid": kid, "use": "sig", "alg": "ES256"}


def jwk_to_spki(jwk: Mapping[str, object]) -> bytes:
    """DER SubjectPublicKeyInfo of an EC P-256 JWK; InputFormatError for anything else."""
    if jwk.get("kty") != "EC" or jwk.get("crv") != "P-256":
        raise InputFormatError("report keys are EC P-256 JWKs")
    x = int.from_bytes(unb64u(str(jwk.get("x", ""))), "big")
    y = int.from_bytes(unb64u(str(jwk.get("y", ""))), "big")
    try:
        key = ec.EllipticCurvePublicNumbers(x, y, ec.SECP256R1()).public_key()
    except ValueError as exc:
        raise InputFormatError(f"JWK: {exc}") from None
    return key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)


class ReportKey:
    """The service's ES256 report-signing key."""

    def __init__(self, private_key: ec.EllipticCurvePrivateKey) -> None:
        if not isinstance(private_key, ec.EllipticCurvePrivateKey) or private_key.curve.name != "secp256r1":
            raise UnusableKeyError("the report key must be an EC P-256 private key")
        self._key = private_key
        self.jwk = public_jwk(private_key.public_key())
        self.kid = self.jwk["kid"]

    @classmethod
    def load_or_create(cls, path: Path) -> "ReportKey":
        """Load the PEM at `path`, or create it (0600) at first start; safe when several workers race."""
        path = Path(path)
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            key = ec.generate_private_key(ec.SECP256R1())
            pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                    serialization.NoEncryption())
            tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "wb") as fh:
                fh.write(pem)
            try:
                os.link(tmp, path)  # atomic; fails if another worker created it first
            except FileExistsError:
                pass
            finally:
                tmp.unlink(missing_ok=True)
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
        if not isinstance(key, ec.EllipticCurvePrivateKey):
            raise UnusableKeyError(f"{path}: the report key must be an EC P-256 private key")
        return cls(key)

    def jwks(self) -> dict[str, list[Jwk]]:
        return {"keys": [self.jwk]}

    def sign(self, payload: Mapping[str, object]) -> str:
        """A compact JWS over the canonical JSON (RFC 8785) of `payload` (made `json_ready` first)."""
        header = {"alg": "ES256", "kid": self.kid, "typ": REPORT_TYP}
        signing_input = b64u(canonical_json(header)) + "." + b64u(canonical_json(json_ready(payload)))
        r, s = decode_dss_signature(self._key.sign(signing_input.encode("ascii"), ec.ECDSA(hashes.SHA256())))
        s = min(s, P256_ORDER - s)  # low-S form: the only one verify_report accepts (no malleable twin)
        return signing_input + "." + b64u(r.to_bytes(32, "big") + s.to_bytes(32, "big"))


def parse_keys(data: bytes) -> list[dict[str, object]]:
    """Keys for verification from a JWKS / JWK JSON document or a PEM public key / certificate."""
    text = data.strip()
    if text.startswith(b"{"):
        try:
            doc = json.loads(text)
        except ValueError as exc:
            raise InputFormatError(f"keys: not JSON ({exc})") from None
        keys = doc.get("keys", [doc]) if isinstance(doc, dict) else None
        if not isinstance(keys, list) or not all(isinstance(k, dict) for k in keys):
            raise InputFormatError("keys: expected a JWKS {\"keys\": [...]} or a JWK")
        return keys
    try:
        if b"CERTIFICATE" in text:
            pub = x509.load_pem_x509_certificate(text).public_key()
        else:
            pub = serialization.load_pem_public_key(text)
    except ValueError as exc:
        raise InputFormatError(f"keys: not a PEM public key or certificate ({exc})") from None
    if not isinstance(pub, ec.EllipticCurvePublicKey):
        raise InputFormatError("keys: the report key is EC P-256")
    return [dict(public_jwk(pub))]


def verify_report(jws: str, keys: list[dict[str, object]]) -> dict[str, object]:
    """Check a compact JWS report against `keys` (JWKs); return the payload or raise a typed error."""
    jws = jws.strip()
    if len(jws) > MAX_JWS:
        raise InputFormatError("JWS too large")
    parts = jws.split(".")
    if len(parts) != 3:
        raise InputFormatError("not a compact JWS (expected three dot-separated parts)")
    try:
        header = json.loads(unb64u(parts[0]))
        payload = json.loads(unb64u(parts[1]))
    except (ValueError, UnicodeDecodeError) as exc:
        raise InputFormatError(f"JWS: bad header or payload ({exc})") from None
    if not isinstance(header, dict) or header.get("alg") != "ES256":
        raise InvalidSignatureError("JWS: only alg ES256 is accepted for reports")
    if not isinstance(payload, dict):
        raise InputFormatError("JWS: the payload is not a JSON object")
    candidates = [k for k in keys if k.get("kid") in (None, header.get("kid"))]
    if not candidates:
        raise InvalidSignatureError(f"JWS: no key with kid {header.get('kid')!r}")
    raw = unb64u(parts[2])
    if len(raw) != 64:
        raise InvalidSignatureError("JWS: ES256 signature must be 64 bytes")
    r_int, s_int = int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big")
    if not 0 < s_int <= P256_ORDER // 2:
        # (r, n - s) verifies too: accepting both would give every report a second, different JWS (and archive
        # digest). Reports are signed in low-S form (BIP 62 / RFC 6979 practice), so the twin is refused.
        raise InvalidSignatureError("JWS: ES256 signature not in low-S form")
    sig = encode_dss_signature(r_int, s_int)
    signing_input = (parts[0] + "." + parts[1]).encode("ascii")
    for k in candidates:
        try:
            verify_signature(jwk_to_spki(k), "sha256_ecdsa", sig, signing_input)
            return payload
        except (InvalidSignatureError, UnsupportedAlgorithmError, UnusableKeyError):
            continue
    raise InvalidSignatureError("JWS: the signature does not verify under the report key")
