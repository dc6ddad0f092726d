"""Turn bytes (DER, PEM or base64) into parsed certificates and CRLs, with clear errors."""

from __future__ import annotations

import base64
import binascii
import re

from asn1crypto import crl as asn1_crl
from asn1crypto import pem

from trustsvc.errors import InputFormatError
from trustsvc.x509.certificate import Certificate

# Hard cap on a single certificate/CRL blob; hostile inputs must cost bounded work.
MAX_CERT_BYTES = 64 * 1024
MAX_CRL_BYTES = 32 * 1024 * 1024

_B64_RE = re.compile(rb"^[A-Za-z0-9+/=\s_-]+$")


def _to_der_blobs(data: bytes | str, what: str, labels: tuple[str, ...]) -> list[bytes]:
    """Return the DER blobs in `data`, which may be DER, one or more PEM blocks, or base64."""
    if isinstance(data, str):
        data = data.encode("ascii", "replace")
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise InputFormatError(f"{what}: expected bytes, got {type(data).__name__}")
    data = bytes(data)
    if not data.strip():
        raise InputFormatError(f"{what}: empty input")
    if data[:1] == b"\x30":
        return [data]
    if pem.detect(data):
        blobs, others = [], []
        try:
            for label, _headers, der in pem.unarmor(data, multiple=True):
                (blobs if label in labels else others).append(der if label in labels else label)
        except ValueError as exc:
            raise InputFormatError(f"{what}: malformed PEM ({exc})") from None
        # A bundle may carry other blocks (a key, a CRL) next to the wanted ones: those are skipped.
        if not blobs and others:
            raise InputFormatError(f"{what}: PEM block labelled {others[0]!r}, expected {' or '.join(labels)}")
        if not blobs:
            raise InputFormatError(f"{what}: no PEM block found")
        return blobs
    stripped = data.strip()
    if _B64_RE.match(stripped):
        try:
            compact = b"".join(stripped.split())
            der = base64.b64decode(compact + b"=" * (-len(compact) % 4), altchars=b"-_" if b"-" in compact or b"_" in compact else None, validate=False)
        except (binascii.Error, ValueError):
            raise InputFormatError(f"{what}: not DER, PEM or base64") from None
        if der[:1] == b"\x30":
            return [der]
    raise InputFormatError(f"{what}: not DER, PEM or base64 (first byte 0x{data[0]:02x})")


def is_pem_bundle(data: bytes | str) -> bool:
    """True when `data` holds more than one PEM block (a bundle: chain files, CA stores, openssl output)."""
    marker = "-----BEGIN " if isinstance(data, str) else b"-----BEGIN "
    return data.count(marker) > 1  # type: ignore[arg-type]


def load_certificate(data: bytes | str | Certificate) -> Certificate:
    """Parse one X.509 certificate from DER, PEM or base64; raise InputFormatError on garbage."""
    if isinstance(data, Certificate):
        return data
    blobs = _to_der_blobs(data, "certificate", ("CERTIFICATE", "X509 CERTIFICATE", "TRUSTED CERTIFICATE"))
    if len(blobs) != 1:
        raise InputFormatError(f"certificate: expected one certificate, found {len(blobs)}")
    return Certificate.from_der(blobs[0])


def load_certificates(data: bytes | str | Certificate) -> list[Certificate]:
    """Parse every certificate in a PEM bundle (or a single DER/base64 certificate)."""
    if isinstance(data, Certificate):
        return [data]
    blobs = _to_der_blobs(data, "certificate", ("CERTIFICATE", "X509 CERTIFICATE", "TRUSTED CERTIFICATE"))
    return [Certificate.from_der(b) for b in blobs]


def load_crl(data: bytes | str | asn1_crl.CertificateList) -> asn1_crl.CertificateList:
    """Parse one CRL from DER, PEM or base64 and force a full parse so errors surface here."""
    if isinstance(data, asn1_crl.CertificateList):
        return data
    blobs = _to_der_blobs(data, "CRL", ("X509 CRL", "CRL"))
    if len(blobs) != 1:
        raise InputFormatError(f"CRL: expected one CRL, found {len(blobs)}")
    der = blobs[0]
    if len(der) > MAX_CRL_BYTES:
        raise InputFormatError(f"CRL: {len(der)} bytes exceeds the {MAX_CRL_BYTES}-byte limit")
    try:
        crl = asn1_crl.CertificateList.load(der, strict=True)
        crl.native  # noqa: B018 - force a full parse: lazy asn1crypto would fail later, far from here
    except (ValueError, TypeError, KeyError, OverflowError, AttributeError, IndexError) as exc:  # tests/fuzz
        raise InputFormatError(f"CRL: malformed DER ({exc})") from None
    return crl
