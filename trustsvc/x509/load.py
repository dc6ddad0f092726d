"""Turn bytes (DER, PEM or base64) into parsed certificates and CRLs, with clear errors."""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Callable

from asn1crypto import cms as asn1_cms
from asn1crypto import crl as asn1_crl
from asn1crypto import pem
# asn1crypto.tsp adds tst_info to cms.ContentType's OID map; the map's reverse is built once, on first use, so tsp
# must be imported before any ContentInfo is made or read here, or 'tst_info' is unknown for the whole process.
from asn1crypto import tsp as _tsp  # noqa: F401

from trustsvc.errors import InputFormatError
from trustsvc.x509 import armor
from trustsvc.x509.certificate import Certificate

# Hard cap on a single certificate/CRL blob; hostile inputs must cost bounded work.
MAX_CERT_BYTES = 64 * 1024
MAX_CRL_BYTES = 32 * 1024 * 1024

_B64_RE = re.compile(rb"^[A-Za-z0-9+/=\s_-]+$")

_CERT_LABELS = ("CERTIFICATE", "X509 CERTIFICATE", "TRUSTED CERTIFICATE")
# RFC 7468 5: a certs-only CMS SignedData (".p7b", "openssl crl2pkcs7 -nocrl") is labelled PKCS7 or CMS.
_PKCS7_LABELS = ("PKCS7", "CMS")


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
    if labels[0] == "CERTIFICATE":  # one certificate as platforms send it (RFC 7468 5.1): no asn1crypto line reader
        one = _one_plain_certificate(data)
        if one is not None:
            return [one]
    if pem.detect(data):
        blobs, others = [], []
        try:
            for label, der in armor.unarmor(data):  # linear in the input (asn1crypto's is quadratic)
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


_BEGIN, _END = b"-----BEGIN CERTIFICATE-----", b"-----END CERTIFICATE-----"


def _one_plain_certificate(data: bytes) -> bytes | None:
    text = data.strip()
    if not (text.startswith(_BEGIN) and text.endswith(_END)) or text.count(b"-----") != 4:
        return None
    try:  # base64 lines only (line breaks dropped, anything else refused)
        der = base64.b64decode(text[len(_BEGIN):-len(_END)].translate(None, b"\r\n"), validate=True)
    except (binascii.Error, ValueError):
        return None
    return der or None


def is_pem_bundle(data: bytes | str) -> bool:
    """True when `data` holds more than one PEM block (a bundle: chain files, CA stores, openssl output)."""
    marker = "-----BEGIN " if isinstance(data, str) else b"-----BEGIN "
    return data.count(marker) > 1  # type: ignore[arg-type]


def _is_content_info(der: bytes) -> bool:
    """A DER ContentInfo (SEQUENCE { OID, [0] ... }) rather than a Certificate (SEQUENCE { SEQUENCE ... }):
    the first element's tag tells them apart without parsing."""
    if der[:1] != b"\x30" or len(der) < 4:
        return False
    first = der[1]
    offset = 2 if first < 0x80 else 2 + (first & 0x7F)
    return der[offset:offset + 1] == b"\x06"


def is_certificate_bundle(data: bytes | str) -> bool:
    """True when `data` may hold several certificates: a PEM bundle, or a certs-only PKCS#7 / CMS SignedData
    (PEM or DER) as CAs publish chains (RFC 5652 5.1 with no signers; RFC 8551 3.2.2 certs-only)."""
    if not isinstance(data, str):
        if data[:1] == b"\x30":  # DER: binary, whatever text its bytes happen to spell; one look at the first tag
            return _is_content_info(data)
        data = bytes(data).decode("latin-1")  # PEM is ASCII text; latin-1 maps every byte, so nothing fails here
    return is_pem_bundle(data) or any(f"-----BEGIN {label}" in data for label in _PKCS7_LABELS)


def _certificates_in_pkcs7(der: bytes) -> list[bytes]:
    """The certificates a SignedData carries (RFC 5652 5.1 `certificates`); other choices (attribute
    certificates, "other" formats) are not X.509 certificates and are skipped."""
    try:
        info = asn1_cms.ContentInfo.load(der)
        if info["content_type"].native != "signed_data":
            raise InputFormatError(f"certificate: a CMS {info['content_type'].native!r}, not a SignedData holding certificates")
        choices = info["content"]["certificates"]
        blobs = [c.chosen.dump() for c in choices or () if c.name == "certificate"]
    except InputFormatError:
        raise
    except (ValueError, TypeError, KeyError, OverflowError, AttributeError, IndexError) as exc:
        raise InputFormatError(f"certificate: malformed PKCS#7 certificate bundle ({exc})") from None
    if not blobs:
        raise InputFormatError("certificate: the PKCS#7 bundle holds no certificate")
    return blobs


def _certificate_ders(data: bytes | str) -> list[bytes]:
    """The DER of every certificate in `data`: DER, PEM blocks or base64, a certs-only PKCS#7 expanded."""
    blobs = _to_der_blobs(data, "certificate", _CERT_LABELS + _PKCS7_LABELS)
    return [d for b in blobs for d in (_certificates_in_pkcs7(b) if _is_content_info(b) else (b,))]


def load_certificate(data: bytes | str | Certificate) -> Certificate:
    """Parse one X.509 certificate from DER, PEM or base64; raise InputFormatError on garbage."""
    if isinstance(data, Certificate):
        return data
    ders = _certificate_ders(data)
    if len(ders) != 1:
        raise InputFormatError(f"certificate: expected one certificate, found {len(ders)}")
    return Certificate.from_der(ders[0])


def load_certificates(data: bytes | str | Certificate, *, limit: int | None = None) -> list[Certificate]:
    """Parse every certificate in a PEM bundle or a certs-only PKCS#7 (PEM or DER), or a single DER/base64
    certificate. With `limit`, a bundle of more certificates is refused before any of them is parsed."""
    if isinstance(data, Certificate):
        return [data]
    ders = _certificate_ders(data)
    if limit is not None and len(ders) > limit:
        raise InputFormatError(f"certificate bundle: {len(ders)} certificates, more than the {limit} allowed")
    return [Certificate.from_der(d) for d in ders]


# Parsing a CRL's entries is the expensive part (a CRL may list hundreds of thousands): the caller's `progress`
# (e.g. the request's time / CPU limits) is called every this many entries.
CRL_ENTRIES_PER_PROGRESS = 1024


def _parse_fully(crl: asn1_crl.CertificateList, progress: Callable[[], None] | None) -> None:
    """Force asn1crypto's lazy parse of everything now (it would fail later, far from here): the entries first,
    one by one so that `progress` can stop a huge list between them, then the whole (entries' values are cached)."""
    entries = crl["tbs_cert_list"]["revoked_certificates"]
    for i, entry in enumerate(entries):
        if progress is not None and i % CRL_ENTRIES_PER_PROGRESS == 0:
            progress()
        entry.native  # noqa: B018
    crl.native  # noqa: B018


def load_crl(data: bytes | str | asn1_crl.CertificateList,
             progress: Callable[[], None] | None = None) -> asn1_crl.CertificateList:
    """Parse one CRL from DER, PEM or base64 and force a full parse so errors surface here; `progress`, when
    given, is called every `CRL_ENTRIES_PER_PROGRESS` entries and may raise to stop the parse."""
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
        _parse_fully(crl, progress)
    except (ValueError, TypeError, KeyError, OverflowError, AttributeError, IndexError) as exc:  # tests/fuzz
        raise InputFormatError(f"CRL: malformed DER ({exc})") from None
    return crl
