"""Long-term validation of CAdES signatures (EN 319 102-1 5.5 and 5.6): embedded material, archive timestamps, POE.

A separate step around `validate_signature`'s per-signer work:

* `LongTermView.read` reads what the signature carries for later validation: certificate and
  revocation values (EN 319 122-1 B-LT, both encodings), fed into the signer's validation so a
  signature validates without network and without supplied CRLs;
* `prepare` validates each archive timestamp (EN 319 122-1 5.5.3: the ats-hash-index-v3 must match
  the signature, then the imprint, the TSA at genTime) and collects the proofs of existence (POE,
  EN 319 102-1 5.6.2.3) they give: the signature value, its timestamps and every certificate or
  revocation value their hash index lists, at genTime;
* `finish` applies what EN 319 102-1 5.6.2.4 / 5.6.3 add to the signer's report: the signature's
  level and the validation process applied, the POE per element, an archive timestamp that fails
  (tampering) failing the signature, and the algorithm check of the signature value at its POE
  (CRYPTO_CONSTRAINTS_FAILURE_NO_POE when no POE precedes the algorithm's expiry).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from trustsvc.cms.archive import (
    archive_v2_inputs, archive_v3_inputs, check_hash_index, covered_objects, hash_index_with_version, read_hash_index,
)
from trustsvc.cms.attributes import ID_AA_SIGNATURE_TIMESTAMP
from trustsvc.cms.layout import RawSignedData, RawSignerInfo, read_layout
from trustsvc.cms.levels import signature_level
from trustsvc.cms.signed_data import CMSFormatError, SignerInfo, compute_digest
from trustsvc.cms.timestamp import parse_timestamp_token
from trustsvc.cms.validation_data import (
    ARCHIVE_TIMESTAMPS, ID_AA_ETS_ARCHIVE_TIMESTAMP_V2, ID_AA_ETS_ARCHIVE_TIMESTAMP_V3, ID_AA_ETS_CERT_VALUES,
    ID_AA_ETS_REVOCATION_VALUES, ValidationData, embedded, from_attributes,
)
from trustsvc.errors import InputFormatError, TrustsvcError, UnsupportedAlgorithmError
from trustsvc.reports import SignatureIndication, SubIndication
from trustsvc.validation.longterm_messages import poe_source, register
from trustsvc.validation.longterm_refs import token_sha256, x_timestamps
from trustsvc.validation.messages import message, source_label
from trustsvc.validation.signature_report import SignerReport, TimestampReport
from trustsvc.validation.timestamp import check_token, fmt_time
from trustsvc.x509.algorithm_policy import DEFAULT_POLICY

register()
_FAIL, _INDET, _PASS = SignatureIndication.TOTAL_FAILED, SignatureIndication.INDETERMINATE, SignatureIndication.TOTAL_PASSED

# EN 319 102-1 clause 5.3 / 5.5 / 5.6, with the TS 119 102-2 process identifiers.
PROCESSES = {
    "basic": "urn:etsi:019102:validationprocess:Basic",
    "with-time": "urn:etsi:019102:validationprocess:LTVM",
    "long-term": "urn:etsi:019102:validationprocess:LTA",
}
# Outcomes a later proof of existence can cure (EN 319 102-1 5.6.2.4 / 5.6.3.4).
_POE_CURABLE = {SubIndication.OUT_OF_BOUNDS_NO_POE, SubIndication.OUT_OF_BOUNDS_NOT_REVOKED,
                SubIndication.REVOKED_NO_POE, SubIndication.REVOKED_CA_NO_POE,
                SubIndication.REVOCATION_OUT_OF_BOUNDS_NO_POE, SubIndication.TRY_LATER,
                SubIndication.CRYPTO_CONSTRAINTS_FAILURE_NO_POE}


@dataclass
class POE:
    """A proof of existence of one element at `time`, given by `source` (EN 319 102-1 5.6.2.3)."""

    element: str
    time: datetime
    source: str
    sha256: str | None = None  # of the element's DER, for certificates, revocation values and timestamp tokens
    token_sha256: str | None = None  # of the timestamp token giving the proof
    source_type: str | None = None  # signature-timestamp | archive-timestamp | sig-and-refs-timestamp

    def to_dict(self) -> dict[str, Any]:
        out = {"element": self.element, "time": fmt_time(self.time), "source": self.source,
               "source_type": self.source_type}
        if self.sha256 is not None:
            out["sha256"] = self.sha256
        return out


@dataclass
class LongTermView:
    """The signature's raw layout and the validation material it embeds."""

    layout: RawSignedData | None
    data: ValidationData = field(default_factory=ValidationData)

    @classmethod
    def read(cls, der: bytes) -> "LongTermView":
        try:
            layout = read_layout(der)
        except (CMSFormatError, InputFormatError):
            return cls(None)  # the typed parser accepted it (BER oddities): no long-term step
        data = ValidationData()
        for raw in layout.signers:
            data.extend(embedded(layout, raw))
        return cls(layout, data)

    def raw(self, index: int) -> RawSignerInfo | None:
        if self.layout is None or index >= len(self.layout.signers):
            return None
        return self.layout.signers[index]


@dataclass
class SignerLongTerm:
    """What `prepare` found for one signer: archive timestamp reports and the POEs they give."""

    archives: list[TimestampReport] = field(default_factory=list)
    poes: list[POE] = field(default_factory=list)
    level: str | None = None
    # sha256 -> (kind, DER) of every certificate, CRL, OCSP response and timestamp token the signer carries.
    objects: dict[str, tuple[str, bytes]] = field(default_factory=dict)
    signature_tokens: list[bytes] = field(default_factory=list)
    # "certificate_values" / "revocation_values" (RFC 5126 6.3.3 / 6.3.4 attributes) -> sha256 of what each holds.
    value_attributes: dict[str, list[str]] = field(default_factory=dict)
    refs_timestamps: list[TimestampReport] = field(default_factory=list)  # CAdES-X (validation/longterm_refs.py)
    problems: list[str] = field(default_factory=list)  # embedded material that could not be read
    archives_skipped: int = 0  # archive timestamps beyond MAX_ARCHIVE_TIMESTAMPS: none of them validated

    def earliest(self, element: str) -> POE | None:
        hits = [p for p in self.poes if p.element == element]
        return min(hits, key=lambda p: p.time) if hits else None


# EN 319 102-1 5.6.2.3 checks each archive timestamp over everything added before it, so the work grows with the
# square of their number (400 cost 14 s of CPU). A signature renewed every few years carries a handful.
MAX_ARCHIVE_TIMESTAMPS = 32


def prepare(ctx: Any, view: LongTermView, signer: SignerInfo) -> SignerLongTerm:
    """Validate the signer's archive timestamps (latest first) and collect their POEs."""
    out = SignerLongTerm()
    raw = view.raw(signer.index)
    if raw is None or view.layout is None:
        return out
    out.level = signature_level(view.layout, raw, signer)
    out.signature_tokens = list(signer.values(ID_AA_SIGNATURE_TIMESTAMP, signed=False))
    out.objects = _objects(view.layout, raw, out.signature_tokens)
    out.value_attributes = _value_attributes(raw)
    out.problems = list(view.data.problems)
    out.refs_timestamps, ref_poes = x_timestamps(ctx, raw, signer.signature, _token_poe)
    out.poes.extend(ref_poes)
    positions = [(i, a) for i, a in enumerate(raw.unsigned or ())
                 if a.oid in (ID_AA_ETS_ARCHIVE_TIMESTAMP_V3, ID_AA_ETS_ARCHIVE_TIMESTAMP_V2)]
    count = sum(len(a.values) for _, a in positions)
    if count > MAX_ARCHIVE_TIMESTAMPS:
        out.archives_skipped = count
        return out
    for n, (pos, attr) in enumerate(positions):
        for value in attr.values:
            report, covered = _archive(ctx, view.layout, raw, pos, attr.oid, value)
            report.kind, report.der = "archive", value
            out.archives.append(report)
            if report.passed and report.gen_time is not None:
                src = poe_source("archive-timestamp", n, fmt_time(report.gen_time), ctx.lang)
                out.poes.extend(_covered(report, raw, pos, src))
                out.poes.extend(_object_poes(report, src, covered))
    return out


def _token_poe(element: str, report: TimestampReport, src: str) -> POE:
    return POE(element, report.gen_time, src, token_sha256=token_sha256(report), source_type="sig-and-refs-timestamp")


def _objects(layout: RawSignedData, raw: RawSignerInfo, signature_tokens: list[bytes]) -> dict[str, tuple[str, bytes]]:
    data = embedded(layout, raw)
    items = [("certificate", c) for c in data.certificates] + [("crl", c) for c in data.crls]
    items += [("ocsp", o) for o in data.ocsp] + [("timestamp", t) for t in signature_tokens]
    items += [("timestamp", v) for a in raw.unsigned or () if a.oid in ARCHIVE_TIMESTAMPS for v in a.values]
    return {hashlib.sha256(der).hexdigest(): (kind, der) for kind, der in items}


def _value_attributes(raw: RawSignerInfo) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for name, oid in (("certificate_values", ID_AA_ETS_CERT_VALUES), ("revocation_values", ID_AA_ETS_REVOCATION_VALUES)):
        attrs = tuple(a for a in raw.unsigned or () if a.oid == oid)
        if attrs:
            data = from_attributes(attrs)
            out[name] = [hashlib.sha256(d).hexdigest() for d in (*data.certificates, *data.crls, *data.ocsp)]
    return out


def _object_poes(report: TimestampReport, src: str, covered: list[tuple[str, bytes]]) -> list[POE]:
    """EN 319 102-1 5.6.2.3: one POE per certificate, revocation value and timestamp the archive timestamp covers."""
    by = token_sha256(report)
    out = []
    for kind, der in covered:
        sha = hashlib.sha256(der).hexdigest()
        out.append(POE(f"{kind} {sha[:16]}", report.gen_time, src, sha256=sha, token_sha256=by,
                       source_type="archive-timestamp"))
    return out


def _archive(ctx: Any, layout: RawSignedData, raw: RawSignerInfo, pos: int, oid: str,
             value: bytes) -> tuple[TimestampReport, list[tuple[str, bytes]]]:
    """One archive timestamp's report and the objects it covers (EN 319 122-1 5.5.3, RFC 5126 6.4.1)."""
    lang = ctx.lang
    if ctx.data is None:  # detached content given only as its digest: an archive imprint covers the content itself
        return TimestampReport(_INDET, SubIndication.SIGNED_DATA_NOT_FOUND, [message("no_content", lang)]), []
    try:
        token = parse_timestamp_token(value)
        token_layout = read_layout(value)
    except (CMSFormatError, InputFormatError, TrustsvcError, ValueError) as exc:
        return TimestampReport(_FAIL, SubIndication.FORMAT_FAILURE, [message("ts_format", lang, detail=str(exc))]), []
    inputs, covered, problem = _imprint_inputs(ctx, layout, raw, oid, token, token_layout)
    if problem is not None:
        return TimestampReport(_FAIL, SubIndication.HASH_FAILURE, [message("archive_index_mismatch", lang, detail=problem)],
                               gen_time=token.gen_time), []
    try:
        digests = [compute_digest(token.imprint_algorithm, x) for x in inputs]
    except UnsupportedAlgorithmError as exc:
        return TimestampReport(_FAIL, SubIndication.FORMAT_FAILURE, [message("ts_format", lang, detail=str(exc))]), []
    digest = next((d for d in digests if token.imprint_matches(digest=d)), digests[0])
    # The token's own TSA chain is validated with the material the signature embeds (EN 319 102-1 5.6.2.2).
    # The request's ValidationContext (trust, revocation policy, algorithm policy, SM2 ID, budget) applies.
    return check_token(token, digest=digest, lang=lang, other_certs=[*ctx.sd.certificates, *ctx.other_certs],
                       context=ctx.vctx), covered


def _imprint_inputs(ctx: Any, layout: RawSignedData, raw: RawSignerInfo, oid: str, token: Any,
                    token_layout: RawSignedData) -> tuple[list[bytes], list[tuple[str, bytes]], str | None]:
    """(candidate imprint inputs, covered objects, problem)."""
    if oid == ID_AA_ETS_ARCHIVE_TIMESTAMP_V2:
        # RFC 5126 6.4.1: every unsigned attribute but the archive timestamps made at or after this one (the
        # SET may have been re-sorted since, so they are told apart by genTime, as DSS does).
        before = [a for a in raw.unsigned or () if not _not_before(a, token.gen_time)]
        return (archive_v2_inputs(layout, raw, ctx.data, [a.der for a in before]),
                covered_objects(layout, raw, None, before), None)
    found = hash_index_with_version(token_layout.signers[0])
    if found is None:
        return [], [], "the archive timestamp carries no ats-hash-index-v3 (EN 319 122-1 5.5.3)"
    version, index_der = found
    try:
        index = check_hash_index(read_hash_index(index_der, version), layout, raw)
    except (ValueError, UnsupportedAlgorithmError) as exc:
        return [], [], f"malformed ats-hash-index-v3 ({exc})"
    if not index.intact:
        return [], [], "; ".join(index.missing)
    try:
        content_digest = compute_digest(token.imprint_algorithm, ctx.data)
    except UnsupportedAlgorithmError as exc:
        return [], [], str(exc)
    inputs = archive_v3_inputs(layout, raw, content_digest, index)
    return inputs, covered_objects(layout, raw, index, []), None


def _not_before(attr: Any, t: datetime) -> bool:
    """Is `attr` an archive timestamp made at or after `t` (or unreadable)?"""
    if attr.oid not in (ID_AA_ETS_ARCHIVE_TIMESTAMP_V3, ID_AA_ETS_ARCHIVE_TIMESTAMP_V2):
        return False
    try:
        return all(parse_timestamp_token(v).gen_time >= t for v in attr.values)
    except (CMSFormatError, InputFormatError, TrustsvcError, ValueError):
        return True


def _covered(report: TimestampReport, raw: RawSignerInfo, pos: int, src: str) -> list[POE]:
    """EN 319 102-1 5.6.2.3: a valid archive timestamp proves everything it covers existed at genTime."""
    t, by = report.gen_time, token_sha256(report)
    elements = ["signature-value"]
    k = 0
    for a in (raw.unsigned or ())[:pos]:
        if a.oid in (ID_AA_ETS_ARCHIVE_TIMESTAMP_V3, ID_AA_ETS_ARCHIVE_TIMESTAMP_V2):
            elements.append(f"archive-timestamp #{k}")
            k += 1
    elements += ["signature-timestamps", "validation-data"]
    return [POE(e, t, src, token_sha256=by, source_type="archive-timestamp") for e in elements]


def finish(ctx: Any, signer: SignerInfo, r: SignerReport, lt: SignerLongTerm) -> SignerReport:
    """Fold the long-term findings into the signer's report (EN 319 102-1 5.6.3.4)."""
    r.level = lt.level
    r.signature_value = signer.signature
    r.embedded_values = dict(lt.objects)
    r.value_attributes = dict(lt.value_attributes)
    for ts in r.timestamps:
        ts.kind = ts.kind or "signature"
    if len(r.timestamps) == len(lt.signature_tokens):  # one report per token, in order (validation/signature.py)
        for ts, der in zip(r.timestamps, lt.signature_tokens):
            ts.der = ts.der or der
    r.timestamps.extend(lt.refs_timestamps)
    r.timestamps.extend(lt.archives)
    r.validation_process = "long-term" if lt.archives else "with-time" if r.timestamps else "basic"
    poes = list(lt.poes)
    for i, ts in enumerate(t for t in r.timestamps if t.kind == "signature"):
        if ts.passed and ts.gen_time is not None:
            poes.append(POE("signature-value", ts.gen_time,
                            poe_source("signature-timestamp", i, fmt_time(ts.gen_time), ctx.lang),
                            token_sha256=token_sha256(ts), source_type="signature-timestamp"))
    r.poe = sorted(poes, key=lambda p: (p.element, p.time))
    for n, ts in enumerate(lt.archives):
        if not ts.passed:
            r.reasons.append(message("archive_invalid", ctx.lang, n=n, detail="; ".join(ts.reasons)))
    if lt.archives_skipped:
        r.reasons.append(message("archives_skipped", ctx.lang, count=lt.archives_skipped, limit=MAX_ARCHIVE_TIMESTAMPS))
    for ts in lt.refs_timestamps:
        if not ts.passed:
            r.reasons.append(message("refs_timestamp_invalid", ctx.lang, kind=ts.kind, detail="; ".join(ts.reasons)))
    if r.indication is not _PASS:  # what could not be read may be why (EN 319 122-1 B-LT values unusable)
        r.reasons.extend(message("embedded_unreadable", ctx.lang, detail=p) for p in dict.fromkeys(lt.problems))
    broken = next((ts for ts in lt.archives if ts.indication is _FAIL), None)
    if broken is not None and r.indication is not _FAIL:
        # An archive timestamp that no longer matches the signature is evidence of tampering.
        r.indication, r.sub_indication = _FAIL, broken.sub_indication
        return r
    _missing_poe(r)
    _crypto_at_poe(ctx, r, poes)
    return r


def _missing_poe(r: SignerReport) -> None:
    """EN 319 102-1 5.5.3: without a valid signature timestamp there is no POE, and the signature is judged at
    the validation time; when its timestamps were only INDETERMINATE, that is the cause to report (it can still
    be cured: TRY_LATER with revocation data, or an earlier POE), not what the late validation time broke."""
    if r.indication is not _INDET or r.validation_time_source not in ("now", "given"):
        return
    sig_ts = [t for t in r.timestamps if t.kind == "signature"]
    if not sig_ts or any(t.passed for t in sig_ts) or any(t.indication is _FAIL for t in sig_ts):
        return
    if r.sub_indication in (SubIndication.CRYPTO_CONSTRAINTS_FAILURE, SubIndication.EXPIRED,
                            SubIndication.NOT_YET_VALID, SubIndication.CHAIN_CONSTRAINTS_FAILURE):
        r.sub_indication = sig_ts[0].sub_indication or SubIndication.NO_POE


def _crypto_at_poe(ctx: Any, r: SignerReport, poes: list[POE]) -> None:
    """EN 319 102-1 5.2.8 / 5.6.2.5: the signature value's algorithms must be acceptable at its earliest POE."""
    used = getattr(r, "algorithm", None)
    if used is None or r.indication is not _PASS:
        return  # the first failure found stays the reported one
    mine = [p for p in poes if p.element == "signature-value"]
    first = min(mine, key=lambda p: p.time) if mine else None
    at = first.time if first is not None else ctx.now
    why = DEFAULT_POLICY.check(used, at)
    if why is None:
        return
    r.indication, r.sub_indication = _INDET, SubIndication.CRYPTO_CONSTRAINTS_FAILURE_NO_POE
    r.reasons.append(message("crypto_no_poe", ctx.lang, index=r.index, detail=why,
                             time=fmt_time(at), source=first.source if first else source_label("now", ctx.lang)))


def archive_poe(lt: SignerLongTerm) -> datetime | None:
    """The earliest time an archive timestamp proves the signature value existed at."""
    p = lt.earliest("signature-value")
    return p.time if p is not None else None


def curable(sub: SubIndication | None) -> bool:
    return sub in _POE_CURABLE


def attribute_data(raw: RawSignerInfo | None) -> ValidationData:
    return from_attributes(raw.unsigned if raw is not None else None)


def certificates(view: LongTermView) -> list[Any]:
    """Certificates the signer attributes embed (certificate-values) that SignedData.certificates, already
    parsed with the signature, does not hold; an unreadable one is evidence of nothing."""
    from trustsvc.x509.certificate import Certificate

    out = []
    in_signed_data = set(view.layout.certificates or ()) if view.layout is not None else set()
    for der in view.data.certificates:
        if der in in_signed_data:
            continue
        try:
            out.append(Certificate.from_der(der))
        except (TrustsvcError, ValueError, TypeError):
            view.data.problems.append("an embedded certificate is unreadable")
    return out
