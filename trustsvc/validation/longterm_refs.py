"""CAdES-X timestamps of the older TS 101 733 / EN 319 122-2 forms: ESC (sig-and-refs) and cert-CRL (refs-only).

A CAdES-C signature carries complete-certificate-references and complete-revocation-references
(RFC 5126 6.2.1, 6.2.2); CAdES-X adds a timestamp over them:

* id-aa-ets-escTimeStamp (RFC 5126 6.3.5, "X type 1"): over the signature value, the signature
  timestamps and both reference attributes, so it is also a proof of existence of the signature;
* id-aa-ets-certCRLTimestamp (RFC 5126 6.3.6, "X type 2"): over the two reference attributes only.

Each attribute enters the imprint as its attrType and attrValues encodings without the enclosing
SEQUENCE (RFC 5126 6.3.5 NOTE 2, as BouncyCastle and DSS compute it). Like any timestamp that is not
an archive one, a token that does not match only gives no proof of existence (EN 319 102-1 5.6.2.3):
the references are never used to decide anything, the values are.
"""

from __future__ import annotations

import hashlib
from typing import Any, Callable

from asn1crypto import parser

from trustsvc import tlv
from trustsvc.cms.attributes import ID_AA_SIGNATURE_TIMESTAMP
from trustsvc.cms.layout import RawAttribute, RawSignerInfo
from trustsvc.cms.signed_data import CMSFormatError, compute_digest
from trustsvc.cms.timestamp import parse_timestamp_token
from trustsvc.cms.validation_data import (
    ID_AA_ETS_CERT_CRL_TIMESTAMP, ID_AA_ETS_CERTIFICATE_REFS, ID_AA_ETS_ESC_TIMESTAMP, ID_AA_ETS_REVOCATION_REFS,
)
from trustsvc.errors import InputFormatError, TrustsvcError
from trustsvc.reports import SignatureIndication, SubIndication
from trustsvc.validation.longterm_messages import poe_source
from trustsvc.validation.messages import message
from trustsvc.validation.signature_report import TimestampReport
from trustsvc.validation.timestamp import check_token, fmt_time

# TS 119 102-2 names these SigAndRefsTimeStamp and RefsOnlyTimeStamp; our JSON "type" says the same.
KINDS = {ID_AA_ETS_ESC_TIMESTAMP: "sig-and-refs", ID_AA_ETS_CERT_CRL_TIMESTAMP: "refs-only"}


def _body(attr: RawAttribute, der: bool = False) -> bytes:
    """attrType || attrValues: the Attribute without its SEQUENCE tag and length (as encoded, or in DER)."""
    encoding = attr.der
    if der:
        try:
            encoding = tlv.to_der(encoding)
        except ValueError:
            pass
    return parser.parse(encoding)[4]


def imprint_data(oid: str, signature: bytes, attrs: tuple[RawAttribute, ...], *, der: bool = False) -> bytes:
    """The octets a CAdES-X timestamp's imprint is computed over (RFC 5126 6.3.5 / 6.3.6): the attributes as
    received, or (`der`) re-encoded in DER as BouncyCastle and DSS compute it."""
    def joined(kind: str) -> bytes:
        return b"".join(_body(a, der) for a in attrs if a.oid == kind)

    refs = joined(ID_AA_ETS_CERTIFICATE_REFS) + joined(ID_AA_ETS_REVOCATION_REFS)
    if oid == ID_AA_ETS_CERT_CRL_TIMESTAMP:
        return refs
    return signature + joined(ID_AA_SIGNATURE_TIMESTAMP) + refs


def x_timestamps(ctx: Any, raw: RawSignerInfo, signature: bytes,
                 poe: Callable[[str, TimestampReport, str], Any]) -> tuple[list[TimestampReport], list[Any]]:
    """Validate the signer's ESC and cert-CRL timestamps; (reports, POEs of the signature value they give)."""
    reports, poes = [], []
    attrs = raw.unsigned or ()
    for attr in (a for a in attrs if a.oid in KINDS):
        data = [imprint_data(attr.oid, signature, attrs)]
        der = imprint_data(attr.oid, signature, attrs, der=True)
        data += [der] if der != data[0] else []
        for value in attr.values:
            report = _check(ctx, value, data)
            report.kind, report.der = KINDS[attr.oid], value
            reports.append(report)
            if report.passed and report.gen_time is not None and attr.oid == ID_AA_ETS_ESC_TIMESTAMP:
                # RFC 5126 6.3.5: the ESC timestamp covers the signature value, so it proves it existed at genTime.
                src = poe_source("sig-and-refs-timestamp", len(reports) - 1, fmt_time(report.gen_time), ctx.lang)
                poes.append(poe("signature-value", report, src))
    return reports, poes


def _check(ctx: Any, value: bytes, data: list[bytes]) -> TimestampReport:
    try:
        token = parse_timestamp_token(value)
        digests = [compute_digest(token.imprint_algorithm, d) for d in data]
    except (CMSFormatError, InputFormatError, TrustsvcError, ValueError) as exc:
        return TimestampReport(SignatureIndication.TOTAL_FAILED, SubIndication.FORMAT_FAILURE,
                               [message("ts_format", ctx.lang, detail=str(exc))])
    digest = next((d for d in digests if token.imprint_matches(digest=d)), digests[0])
    return check_token(token, digest=digest, lang=ctx.lang, other_certs=[*ctx.sd.certificates, *ctx.other_certs],
                       context=ctx.vctx)


def token_sha256(report: TimestampReport) -> str | None:
    return hashlib.sha256(report.der).hexdigest() if report.der is not None else None
