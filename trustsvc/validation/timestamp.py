"""validate_timestamp: an RFC 3161 token checked, its TSA validated and recognised at genTime (EN 319 102-1 5.4)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta, timezone, tzinfo
from typing import Sequence

from trustsvc.cache import BoundedCache
from trustsvc.context import CertificateInput, CRLInput, Profile, TrustSource, ValidationContext
from trustsvc.cms.signed_data import CMSFormatError
from trustsvc.cms.timestamp import TimestampToken, given_imprint, parse_timestamp_token, tsa_certificate_problem
from trustsvc.cms.attributes import ID_AA_SIGNING_CERTIFICATE, ID_AA_SIGNING_CERTIFICATE_V2, CertBinding, signing_certificate_binding
from trustsvc.cms.signed_data import SignerInfo, verify_signer_crypto
from trustsvc.errors import InputFormatError, TrustsvcError, UnsupportedAlgorithmError
from trustsvc.path.anchor import TrustAnchor
from trustsvc.path.budget import Budget
from trustsvc.reports import Indication, SignatureIndication, SubIndication
from trustsvc.revocation.source import RevocationSource
from trustsvc.validation import localise, times
from trustsvc.validation.messages import message
from trustsvc.validation.signature_report import TimestampReport
from trustsvc.x509.algorithm_policy import AlgorithmPolicy
from trustsvc.x509.certificate import Certificate
from trustsvc.x509.load import load_certificates

TSA_SERVICE_TYPES = (
    "http://uri.etsi.org/TrstSvc/Svctype/TSA",
    "http://uri.etsi.org/TrstSvc/Svctype/TSA/QTST",
    "http://uri.etsi.org/TrstSvc/Svctype/TSA/TSS-QC",
)

_FROM_CERT = {
    Indication.PASSED: SignatureIndication.TOTAL_PASSED,
    Indication.FAILED: SignatureIndication.TOTAL_FAILED,
    Indication.INDETERMINATE: SignatureIndication.INDETERMINATE,
}


def fmt_time(t: datetime, zone: str | tzinfo | None = None) -> str:
    """UTC, and the platform zone beside it when one is configured (see validation/times.py)."""
    return times.fmt_time(t, zone)


def as_utc(t: datetime | str | None) -> datetime | None:
    """Parse an ISO time (or take a datetime); naive means UTC. For times the core itself read (a CMS
    signing-time); a caller's time goes through `times.parse_time`, where naive is an error."""
    if t is None:
        return None
    if isinstance(t, str):
        try:
            t = datetime.fromisoformat(t)
        except ValueError:
            raise InputFormatError(f"time {t!r} is not ISO 8601") from None
    return in_range(t if t.tzinfo else t.replace(tzinfo=timezone.utc))


def in_range(t: datetime) -> datetime:
    """`t` in UTC, refused (InputFormatError) outside years 2..9998: year 1 with a positive offset, or 9999 with
    a negative one, is not representable in UTC, and validation adds and subtracts days and grace periods."""
    try:
        u = t.astimezone(timezone.utc) if t.tzinfo else t.replace(tzinfo=timezone.utc)
    except (OverflowError, ValueError):
        raise InputFormatError(f"time {t.isoformat()} is outside the supported range (years 2..9998)") from None
    if not 2 <= u.year <= 9998:
        raise InputFormatError(f"time {t.isoformat()} is outside the supported range (years 2..9998)")
    return u


def cert_indication(indication: Indication) -> SignatureIndication:
    return _FROM_CERT[indication]


def coerce_certs(items: Sequence[CertificateInput]) -> list[Certificate | TrustAnchor]:
    """Certificates given as bytes / PEM / Certificate / TrustAnchor -> Certificate (TrustAnchor kept)."""
    out = []
    for item in items:
        if isinstance(item, (bytes, bytearray, str)):
            out.extend(load_certificates(item))  # one certificate, or every one of a PEM bundle
        else:
            out.append(item)
    return out


def _plain_certs(items: Sequence[Certificate | TrustAnchor]) -> list[Certificate]:
    return [c.certificate if isinstance(c, TrustAnchor) else c for c in items]


def _directly_trusted(cert: Certificate, ctx: ValidationContext) -> bool:
    from trustsvc.validation.certificate import certificate_of

    anchors = []
    for item in ctx.trust_anchors:
        try:
            anchors.append(certificate_of(item))
        except (TrustsvcError, ValueError, TypeError):
            continue  # the chain validation already reported it
    if ctx.trust is not None:
        anchors += [a.certificate for a in ctx.trust.anchors()]
    return any(a == cert for a in anchors)


_MAX_BINDINGS = 256
_BINDINGS: BoundedCache[tuple[bytes, bytes], CertBinding] = BoundedCache("validation.tsa_bindings", _MAX_BINDINGS)


def _tsa_binding(signer: SignerInfo, tsa: Certificate) -> CertBinding:
    """The token's ESSCertID(v2) checked against the TSA certificate, memoised per (attribute, certificate).

    A TSA puts the same signing-certificate attribute, naming the same certificate, in every token
    it issues, and the check is a pure function of those bytes: a service opening bids sees the same
    few TSAs all day. Bounded, so hostile tokens cannot grow it. (Bidders' bindings are not memoised.)
    """
    try:
        raw = [a.der for a in signer.signed or () if a.oid in (ID_AA_SIGNING_CERTIFICATE_V2, ID_AA_SIGNING_CERTIFICATE)]
    except (ValueError, TypeError, KeyError):
        return signing_certificate_binding(signer, tsa)
    return _BINDINGS.get_or_compute((b"".join(raw), tsa.der), lambda: signing_certificate_binding(signer, tsa))


# A step that ends the check: the indication, sub-indication and the reason (already in the report's language).
_Stop = tuple[SignatureIndication, "SubIndication | None", str]


def check_token(
    token: TimestampToken,
    *,
    data: bytes | None = None,
    digest: bytes | None = None,
    trust: TrustSource | None = None,
    trust_anchors: Sequence[CertificateInput] = (),
    deadline: datetime | None = None,
    lang: str = "en",
    crls: Sequence[CRLInput] = (),
    other_certs: Sequence[CertificateInput] = (),
    revocation: str = "soft-fail",
    ocsp_responses: Sequence[bytes] = (),
    revocation_source: RevocationSource | None = None,
    max_freshness: timedelta | None = None,
    context: ValidationContext | None = None,
    zone: str | tzinfo | None = None,
) -> TimestampReport:
    """Validate a parsed token: imprint, TSA signature and binding, TSA constraints, chain and recognition at genTime.

    The TSA's chain runs under `context` (algorithm policy, SM2 ID, profile, revocation policy, the request's
    work budget), at genTime, for the `timestamping` usage; keywords given with non-default values override it.
    EN 319 102-1 5.4 in steps, each ending the check with a typed outcome or handing on to the next."""
    ctx = (context if context is not None else ValidationContext()).overridden(
        trust=trust, trust_anchors=trust_anchors, crls=crls, ocsp_responses=ocsp_responses,
        revocation=revocation if revocation != "soft-fail" else None, revocation_source=revocation_source,
        max_freshness=max_freshness)
    report = TimestampReport(
        SignatureIndication.INDETERMINATE, gen_time=token.gen_time, policy=token.policy,
        serial_number=token.serial_number, imprint_algorithm=token.imprint_algorithm, tsa_name=token.tsa_name,
        deadline=deadline, validation_time=token.gen_time, platform_timezone=times.zone_name(times.zone_of(zone)),
    )
    extra = _plain_certs(coerce_certs(other_certs))
    stop = (_check_imprint(token, data, digest, lang, report)
            or _check_tsa_signature(token, extra, lang, report)
            or _check_tsa_chain(token, extra, ctx, lang, zone, report)
            or _check_deadline(token, deadline, lang, zone, report))
    if stop is not None:
        report.indication, report.sub_indication = stop[0], stop[1]
        report.reasons.append(stop[2])
        return report
    report.indication = SignatureIndication.TOTAL_PASSED
    gen_time = fmt_time(token.gen_time, zone)
    report.reasons.append(message("timestamp_ok", lang, tsa=localise.certificate_name(report.tsa, lang), gen_time=gen_time))
    if deadline is not None:
        report.reasons.append(message("deadline_met", lang, gen_time=gen_time, deadline=fmt_time(deadline, zone)))
    return report


def _check_imprint(token: TimestampToken, data: bytes | None, digest: bytes | None, lang: str,
                   report: TimestampReport) -> _Stop | None:
    """RFC 3161 2.4.2: the message imprint binds the token to the data (checked when data or a digest is given)."""
    if data is None and digest is None:
        return None
    try:
        ok = token.imprint_matches(data=data, digest=digest)
    except UnsupportedAlgorithmError as exc:
        return (SignatureIndication.TOTAL_FAILED, SubIndication.FORMAT_FAILURE,
                message("ts_format", lang, detail=localise.detail(str(exc), SubIndication.FORMAT_FAILURE, lang)))
    if not ok:
        return (SignatureIndication.TOTAL_FAILED, SubIndication.HASH_FAILURE,
                message("imprint_mismatch", lang, detail=f"{token.imprint_algorithm} {token.imprint.hex()}"))
    report.imprint_checked = True
    return None


def _check_tsa_signature(token: TimestampToken, extra: list[Certificate], lang: str,
                         report: TimestampReport) -> _Stop | None:
    """The TSA's certificate found, the token's signature verified, the certificate bound to the token
    (RFC 3161 2.4.1 / RFC 5816 ESSCertID(v2)) and fit to be a TSA's (RFC 3161 2.3)."""
    sd = token.signed_data
    signer = sd.signers[0]
    tsa = signer.find_certificate(sd.certificates + extra)
    if tsa is None:
        return (SignatureIndication.INDETERMINATE, SubIndication.NO_SIGNING_CERTIFICATE_FOUND,
                message("no_signer_cert", lang, index=0))
    report.tsa = tsa
    crypto = verify_signer_crypto(signer, tsa, econtent_type=sd.econtent_type, content=token.tst_info_der)
    if not crypto.ok:
        sub = crypto.failure or SubIndication.FORMAT_FAILURE
        return (cert_indication(crypto.indication or Indication.FAILED), sub,
                message(localise.crypto_message_key(sub), lang, index=0, detail=localise.detail(crypto.detail, sub, lang)))
    report.algorithm = crypto.algorithm
    binding = _tsa_binding(signer, tsa)
    if not binding.present or not binding.ok:
        detail = binding.detail or "the token has no signing-certificate attribute (RFC 3161 2.4.1)"
        return (SignatureIndication.INDETERMINATE, SubIndication.NO_SIGNING_CERTIFICATE_FOUND,
                message("cert_binding", lang, index=0,
                        detail=localise.detail(detail, SubIndication.NO_SIGNING_CERTIFICATE_FOUND, lang)))
    problem = tsa_certificate_problem(tsa)
    if problem:
        return (SignatureIndication.INDETERMINATE, SubIndication.CHAIN_CONSTRAINTS_FAILURE,
                message("tsa_constraints", lang,
                        detail=localise.detail(problem, SubIndication.CHAIN_CONSTRAINTS_FAILURE, lang)))
    return None


def _check_tsa_chain(token: TimestampToken, extra: list[Certificate], ctx: ValidationContext, lang: str, zone: str | tzinfo | None,
                     report: TimestampReport) -> _Stop | None:
    """The TSA certificate validated at genTime (or directly trusted, TS 119 612 5.5.3) and recognised as a TSA
    service granted for timestamping at genTime."""
    from trustsvc.validation.certificate import validate_certificate

    at, tsa, sd = token.gen_time, report.tsa, token.signed_data
    assert tsa is not None  # found by _check_tsa_signature
    pool = sd.certificates + extra
    tsa_ctx = replace(ctx.with_time(at).with_usage("timestamping" if ctx.trust is not None else None),
                      revocation=ctx.revocation.with_supplied(crls=sd.crls))
    cert_report = validate_certificate(tsa, intermediates=[c for c in pool if c != tsa], other_certs=extra,
                                       context=tsa_ctx)
    report.certificate = cert_report
    report.path = list(cert_report.path)
    report.recognition = cert_report.recognition
    report.revocation_evidence = list(cert_report.revocation_evidence)
    if cert_report.sub_indication is SubIndication.NO_CERTIFICATE_CHAIN_FOUND and _directly_trusted(tsa, ctx):
        # ETSI TS 119 612 5.5.3: a TSA service's digital identity may be the TSA certificate itself
        # (direct trust); then the "path" is that certificate, which must be within validity at genTime.
        if not (tsa.not_before <= at <= tsa.not_after):
            return (SignatureIndication.INDETERMINATE, SubIndication.OUT_OF_BOUNDS_NO_POE,
                    message("tsa_cert_invalid", lang, time=fmt_time(at, zone),
                            detail=localise.detail("outside its validity period", SubIndication.OUT_OF_BOUNDS_NO_POE, lang)))
        report.path = [tsa]
        report.certificate = None
    elif cert_report.indication is not Indication.PASSED:
        detail = localise.certificate_failure(cert_report, lang)
        return (cert_indication(cert_report.indication), cert_report.sub_indication,
                message("tsa_cert_invalid", lang, time=fmt_time(at, zone), detail=detail))
    if ctx.trust is not None:
        # The TSA itself must be a TSA-type service granted for timestamping at genTime.
        rec = ctx.trust.recognise(report.path, usage="timestamping", at=at, service_types=TSA_SERVICE_TYPES)
        report.recognition = rec
        if not rec.recognised:
            return (SignatureIndication.INDETERMINATE, SubIndication.NO_CERTIFICATE_CHAIN_FOUND,
                    message("tsa_not_recognised", lang, time=fmt_time(at, zone),
                            detail=localise.detail(rec.reason, SubIndication.NO_CERTIFICATE_CHAIN_FOUND, lang)))
    return None


def _check_deadline(token: TimestampToken, deadline: datetime | None, lang: str, zone: str | tzinfo | None,
                    report: TimestampReport) -> _Stop | None:
    """E-tendering: genTime must not be after the bid deadline; and a token over no checked data proves nothing."""
    if deadline is not None and token.gen_time > deadline:
        return (SignatureIndication.TOTAL_FAILED, SubIndication.SIG_CONSTRAINTS_FAILURE,
                message("deadline_missed", lang, gen_time=fmt_time(token.gen_time, zone),
                        deadline=fmt_time(deadline, zone)))
    if not report.imprint_checked:
        return (SignatureIndication.INDETERMINATE, SubIndication.SIGNED_DATA_NOT_FOUND, message("imprint_unchecked", lang))
    return None


def validate_timestamp(
    token: bytes | str,
    *,
    content: bytes | None = None,
    digest: bytes | str | tuple[str, bytes | str] | None = None,
    trust: TrustSource | None = None,
    trust_anchors: Sequence[CertificateInput] = (),
    deadline: datetime | str | None = None,
    lang: str = "en",
    crls: Sequence[CRLInput] = (),
    other_certs: Sequence[CertificateInput] = (),
    revocation: str = "soft-fail",
    ocsp_responses: Sequence[bytes] = (),
    revocation_source: RevocationSource | None = None,
    max_freshness: timedelta | None = None,
    algorithm_policy: AlgorithmPolicy | None = None,
    sm2_id: bytes | None = None,
    budget: Budget | None = None,
    profile: Profile | None = None,
    context: ValidationContext | None = None,
    platform_timezone: str | tzinfo | None = None,
) -> TimestampReport:
    """Validate an RFC 3161 / RFC 5816 timestamp token (or TimeStampResp) over `content` or its `digest`.

    `digest` is the data's digest as bytes or hex, or `(algorithm, value)` with the algorithm by name or dotted
    OID: it must then be the token's imprint algorithm (else TOTAL-FAILED / FORMAT_FAILURE naming both).

    The TSA certificate is validated at genTime and must be recognised as a TSA service granted for
    `timestamping` in `trust`; with `deadline`, genTime after it is TOTAL-FAILED naming both times.
    `context` (`trustsvc.ValidationContext`) carries the validation inputs in one value (the TSA chain's
    algorithm policy, SM2 ID, profile, revocation policy, work budget); keywords override it.
    A `deadline` without a UTC offset is read in `platform_timezone` (an IANA name such as
    Asia/Shanghai); without one it raises NaiveTimeError naming the field. Reports show times in
    UTC and in the platform zone. Never raises on bad token input: garbage gives TOTAL-FAILED/FORMAT_FAILURE.
    """
    zone = times.zone_of(platform_timezone)
    deadline_t = times.parse_time(deadline, "deadline", zone)
    try:
        ctx = (context if context is not None else ValidationContext()).overridden(
            trust=trust, trust_anchors=trust_anchors, crls=crls, ocsp_responses=ocsp_responses,
            revocation=revocation if revocation != "soft-fail" else None, revocation_source=revocation_source,
            max_freshness=max_freshness, algorithm_policy=algorithm_policy, sm2_id=sm2_id, budget=budget,
            profile=profile).for_request()
    except (ValueError, TypeError) as exc:  # an unknown revocation mode or profile
        return TimestampReport(SignatureIndication.INDETERMINATE, SubIndication.GENERIC, [str(exc)])
    try:
        parsed = parse_timestamp_token(token)
        # RFC 3161 2.4.2: a digest given as (algorithm, value) must be the imprint's algorithm (cms/timestamp.py).
        digest = given_imprint(parsed, digest) if digest is not None else None
    except (CMSFormatError, InputFormatError, TrustsvcError) as exc:
        return TimestampReport(SignatureIndication.TOTAL_FAILED, SubIndication.FORMAT_FAILURE,
                               [message("ts_format", lang, detail=localise.detail(str(exc), SubIndication.FORMAT_FAILURE,
                                                                                  lang))], deadline=deadline_t,
                               platform_timezone=times.zone_name(zone))
    return check_token(parsed, data=content, digest=digest, deadline=deadline_t, lang=lang, other_certs=other_certs,
                       context=ctx, zone=zone)
