"""Request models -> the core validate_* calls -> a JSON-ready envelope; shared by single and batch endpoints."""

from __future__ import annotations

import base64
import binascii
import re
from datetime import datetime, timedelta, timezone
from typing import Any

from trustsvc.api.models import CertificateRequest, SignatureRequest, TimestampRequest
from trustsvc.api.problems import Problem
from trustsvc.errors import InputFormatError, TrustsvcError, reason_of
from trustsvc.trustlist.store import TrustStore
from trustsvc.validation import times
from trustsvc.x509 import armor
from trustsvc.x509.certificate import Certificate
from trustsvc.x509.load import load_certificate
from trustsvc.validation.certificate import certificate_of, certificates_of, validate_certificate
from trustsvc.validation.signature import validate_signature
from trustsvc.validation.timestamp import validate_timestamp

_B64_JUNK = re.compile(rb"\s+")


def decode_b64(value: str, what: str, kind: str = "invalid-request") -> bytes:
    """Strict base64 (whitespace and a PEM armour tolerated); 422 problem otherwise."""
    raw = value.encode("utf-8", "replace")
    # The first PEM block's text, found in one linear pass (a lazy BEGIN..END regex is quadratic on BEGIN floods).
    block = next(armor.blocks(raw), None) if armor.detect(raw) else None
    if block is not None:
        raw = block[1]
    try:
        return base64.b64decode(_B64_JUNK.sub(b"", raw), validate=True)
    except (binascii.Error, ValueError):
        raise Problem(422, kind, f"{what}: not valid base64", sub_indication="FORMAT_FAILURE") from None


def read_cert(value: str, what: str) -> Certificate:
    try:
        return certificate_of(value)  # the core's parse cache: platforms send the same CA certificates every call
    except (InputFormatError, TrustsvcError, ValueError) as exc:
        raise Problem(422, "invalid-certificate", f"{what}: {reason_of(exc, what)}", sub_indication="FORMAT_FAILURE") from None


def read_end_entity(value: str, what: str) -> Certificate:
    """The certificate a request is about, read like `read_cert` but outside the core's parse cache.

    A bid opening brings each bidder's certificate once. Kept in the cache, thousands of parsed leaves (each with
    its cryptography objects and derived facts) only lengthen the garbage collector's full passes over live
    objects: tens of milliseconds every couple of thousand requests, which is the p99 (issue 21,
    docs/benchmarks/http.md). The CA certificates a platform sends on every call stay cached (`read_certs`)."""
    try:
        raw = value.encode("utf-8") if isinstance(value, str) else value
        if isinstance(raw, (bytes, bytearray)) and raw[:1] == b"\x30":
            return Certificate.from_der(bytes(raw))
        return load_certificate(raw)
    except (InputFormatError, TrustsvcError, ValueError) as exc:
        raise Problem(422, "invalid-certificate", f"{what}: {reason_of(exc, what)}", sub_indication="FORMAT_FAILURE") from None


# Certificates one request field may carry, bundles included (a CA store is a few hundred): the lists hold at
# most 64 entries, but one PKCS #7 bundle in 16 MB holds ~70,000 certificates, ~10 s of parsing outside any budget.
MAX_FIELD_CERTIFICATES = 1000


def read_certs(values: list[str], what: str) -> list[Certificate]:
    """Every certificate of a request's certificate list, each entry one certificate or a PEM / PKCS #7 bundle."""
    out: list[Certificate] = []
    for i, value in enumerate(values):
        try:
            out.extend(certificates_of(value, limit=MAX_FIELD_CERTIFICATES - len(out)))
        except (InputFormatError, TrustsvcError, ValueError) as exc:
            where = f"{what}[{i}]"
            raise Problem(422, "invalid-certificate", f"{where}: {reason_of(exc, what)}",
                          sub_indication="FORMAT_FAILURE") from None
    return out


_DIGEST_HEX = re.compile(r"\A(?:[0-9a-fA-F]{2})+\Z")


def given_digest(content: object, digest: str | None, algorithm: str | None, *, needs_algorithm: bool) -> Any:
    """The request's `digest` (hex) and `digest_algorithm` as the core takes them: `(algorithm, bytes)`, or the bare
    bytes where the algorithm may be left out. Both content and a digest, a digest that is not hex, an algorithm
    without a digest or one the core does not compute: a 422 problem naming the field."""
    from trustsvc.cms.signed_data import digest_algorithm_name

    if digest is None:
        if algorithm is not None:
            raise Problem(422, "invalid-request", "digest_algorithm: given without digest", field="digest_algorithm")
        return None
    if content is not None:
        raise Problem(422, "invalid-request", "give content or digest, not both", field="digest")
    text = digest.strip()
    if not _DIGEST_HEX.match(text):
        raise Problem(422, "invalid-request", "digest: not hexadecimal", field="digest")
    if algorithm is None:
        if needs_algorithm:
            raise Problem(422, "invalid-request", "digest_algorithm: required with digest (e.g. sha256)",
                          field="digest_algorithm")
        return bytes.fromhex(text)
    try:
        name = digest_algorithm_name(algorithm)
    except TrustsvcError as exc:
        raise Problem(422, "invalid-request", f"digest_algorithm: {exc}", field="digest_algorithm") from None
    return (name, bytes.fromhex(text))


def _value(x: Any) -> Any:
    return getattr(x, "value", x)


def envelope(kind: str, report: Any, store: TrustStore, checked_at: datetime, etsi: bool = False) -> Any:
    if etsi:  # ETSI TS 119 102-2 XML instead of our JSON (Accept: application/vnd.etsi.validationreport+xml)
        from trustsvc.validation.etsi_report import etsi_validation_report

        return etsi_validation_report(report, now=checked_at)
    body = report.to_dict() if hasattr(report, "to_dict") else dict(report)
    return {"kind": kind, "indication": _value(report.indication), "sub_indication": _value(report.sub_indication),
            "snapshot_id": store.snapshot_id, "checked_at": checked_at.isoformat(), "report": body}


def _time(t: datetime | None, field: str, zone: str | None) -> datetime | None:
    """A caller's time: with an offset, or read in the platform zone; neither is a 422 naming the field."""
    try:
        return times.parse_time(t, field, zone)
    except InputFormatError as exc:
        raise Problem(422, "invalid-request", str(exc), field=field) from None


class Revocation:
    """The service's revocation configuration handed to each verification: fetching source and freshness."""

    def __init__(self, source: Any = None, max_freshness: timedelta | None = None) -> None:
        self.source, self.max_freshness = source, max_freshness


def _revocation(revocation: Revocation | None) -> dict[str, Any]:
    """Keywords for the core from the service's revocation configuration (None: supplied evidence only)."""
    if revocation is None:
        return {}
    return {"revocation_source": revocation.source, "max_freshness": revocation.max_freshness}


def verify_certificate(req: CertificateRequest, store: TrustStore, *, etsi: bool = False,
                       zone: str | None = None, revocation: Revocation | None = None) -> Any:
    now = datetime.now(timezone.utc)
    at = _time(req.at, "at", zone)
    ee = read_end_entity(req.certificate, "certificate")
    inter = read_certs(req.intermediates, "intermediates")
    anchors = read_certs(req.trust_anchors, "trust_anchors")
    crls = [decode_b64(c, f"crls[{i}]") for i, c in enumerate(req.crls)]
    ocsp = [decode_b64(c, f"ocsp_responses[{i}]") for i, c in enumerate(req.ocsp_responses)]
    report = validate_certificate(
        ee, intermediates=inter, trust_anchors=anchors, at=at or now, crls=crls,
        initial_policy_set=set(req.initial_policy_set) if req.initial_policy_set else None,
        explicit_policy=req.explicit_policy, revocation=req.revocation,
        trust=store if req.use_trust_lists else None, usage=req.usage, ocsp_responses=ocsp, profile=req.profile, **_revocation(revocation))
    from trustsvc.validation.localise import localise_certificate_report

    return envelope("certificate", localise_certificate_report(report, req.lang), store, now, etsi)


def verify_signature(req: SignatureRequest, store: TrustStore, *, signature: bytes | None = None,
                     content: bytes | None = None, etsi: bool = False, zone: str | None = None,
                     revocation: Revocation | None = None) -> Any:
    now = datetime.now(timezone.utc)
    at, deadline = _time(req.at, "at", zone), _time(req.deadline, "deadline", zone)
    sig = signature if signature is not None else decode_b64(req.signature, "signature", "invalid-signature-data")
    if not sig:
        raise Problem(422, "invalid-signature-data", "signature: empty", sub_indication="FORMAT_FAILURE")
    if content is None and req.content is not None:
        content = decode_b64(req.content, "content")
    # RFC 5652 5.4: detached content may be given as its digest; the signer's algorithm must be named.
    if req.digest is not None and not content:
        content = None  # a multipart form without a content file sends it empty
    digest = given_digest(content, req.digest, req.digest_algorithm, needs_algorithm=True)
    report = validate_signature(
        sig, content=content, digest=digest, trust=store, trust_anchors=read_certs(req.trust_anchors, "trust_anchors"),
        at=at, usage=req.usage, deadline=deadline, platform_timezone=zone,
        crls=[decode_b64(c, "crls") for c in req.crls],
        other_certs=read_certs(req.other_certs, "other_certs"),
        revocation=req.revocation, expected=req.expected, lang=req.lang,
        ocsp_responses=[decode_b64(c, "ocsp_responses") for c in req.ocsp_responses],
        use_signing_time_claim=req.use_signing_time_claim, profile=req.profile, **_revocation(revocation))
    return envelope("signature", report, store, now, etsi)


def verify_timestamp(req: TimestampRequest, store: TrustStore, *, etsi: bool = False,
                     zone: str | None = None, revocation: Revocation | None = None) -> Any:
    now = datetime.now(timezone.utc)
    deadline = _time(req.deadline, "deadline", zone)
    token = decode_b64(req.token, "token", "invalid-timestamp")
    content = decode_b64(req.content, "content") if req.content is not None else None
    # RFC 3161 2.4.2: the data or its digest; a named algorithm must be the token's imprint algorithm.
    digest = given_digest(content, req.digest, req.digest_algorithm, needs_algorithm=False)
    report = validate_timestamp(token, content=content, digest=digest, trust=store,
                                trust_anchors=read_certs(req.trust_anchors, "trust_anchors"),
                                deadline=deadline, lang=req.lang, revocation=req.revocation, platform_timezone=zone,
                                crls=[decode_b64(c, "crls") for c in req.crls],
                                other_certs=read_certs(req.other_certs, "other_certs"),
                                ocsp_responses=[decode_b64(c, "ocsp_responses") for c in req.ocsp_responses],
                                profile=req.profile, **_revocation(revocation))
    return envelope("timestamp", report, store, now, etsi)


__all__ = ["decode_b64", "envelope", "given_digest", "read_cert", "read_certs", "verify_certificate", "verify_signature", "verify_timestamp"]
