"""validate_signature: a CMS / CAdES signed document judged per EN 319 102-1 (basic + timestamp POE).

The request in named steps: build the context -> read the SignedData -> the content (or its digest) -> per
signer (validation/signer.py: crypto -> chain -> timestamps -> counter-signatures) with the long-term step
around it (validation/longterm.py) -> the report.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta, tzinfo
from typing import Mapping, Sequence, Union

from trustsvc.cms.signed_data import CMSFormatError, SignedData, digest_spec, parse_signed_data
from trustsvc.context import CertificateInput, Profile, TrustSource, ValidationContext
from trustsvc.errors import InputFormatError, TrustsvcError
from trustsvc.path.budget import Budget
from trustsvc.reports import SignatureIndication, SubIndication
from trustsvc.revocation.source import RevocationSource
from trustsvc.validation import localise, longterm, times
from trustsvc.validation.messages import message, normalise_lang
from trustsvc.validation.signature_report import SignatureReport, SignatureWarning, WarningCode, worst
from trustsvc.validation.signer import Shared, SignerProcess, Target
from trustsvc.validation.timestamp import coerce_certs
from trustsvc.x509.algorithm_policy import AlgorithmPolicy
from trustsvc.x509.certificate import Certificate

__all__ = ["DigestInput", "validate_signature"]

_FAIL, _INDET, _PASS = SignatureIndication.TOTAL_FAILED, SignatureIndication.INDETERMINATE, SignatureIndication.TOTAL_PASSED

# Detached content given as its digest: (algorithm name or dotted OID, value as bytes or hex), or a bare value.
DigestInput = Union[tuple[str, Union[bytes, str]], bytes, str]


def validate_signature(
    signature: bytes | str,
    *,
    content: bytes | None = None,
    trust: TrustSource | None = None,
    trust_anchors: Sequence[CertificateInput] = (),
    at: datetime | str | None = None,
    usage: str | None = None,
    deadline: datetime | str | None = None,
    crls: Sequence[bytes] = (),
    other_certs: Sequence[CertificateInput] = (),
    revocation: str = "soft-fail",
    expected: Mapping[str, object] | None = None,
    lang: str = "en",
    ocsp_responses: Sequence[bytes] = (),
    revocation_source: RevocationSource | None = None,
    use_signing_time_claim: bool = False,
    max_freshness: timedelta | None = None,
    algorithm_policy: AlgorithmPolicy | None = None,
    sm2_id: bytes | None = None,
    budget: Budget | None = None,
    profile: Profile | None = None,
    context: ValidationContext | None = None,
    platform_timezone: str | tzinfo | None = None,
    digest: DigestInput | None = None,
) -> SignatureReport:
    """Validate a CMS SignedData (attached, or detached with `content`) and every signer in it.

    Detached content may be given as its digest instead of `content`: `digest=(algorithm, value)` (the
    algorithm by name such as "sha256" or dotted OID, the value as bytes or hex); the signer's
    message-digest attribute is then checked against it (RFC 5652 5.4).

    Each signer: message digest and signature value, signing-certificate(-v2) binding, then its
    certificate path at the best-proven time: a valid signature timestamp's genTime (proof of
    existence), else `at` (default now) — or, with `use_signing_time_claim`, the claimed signing time,
    reported as a claim. `deadline` requires a timestamp no later than it. With `usage="e-guarantee"` or
    `expected`, the content must be an e-guarantee payload in force at the validation time and meeting
    the `expected` terms (validation/eguarantee.py `check_terms`). Counter-signatures (RFC 5652 11.4) are
    validated the same way and reported nested in their signer's report (`counter_signatures`).
    `at` and `deadline` without a UTC offset are read in `platform_timezone` (IANA name, e.g.
    Asia/Shanghai); without one they raise NaiveTimeError naming the field. Reports show every time in
    UTC and in the platform zone.
    `context` (`trustsvc.ValidationContext`) carries the validation inputs in one value; its algorithm policy,
    SM2 ID, profile, revocation policy and work budget apply to every chain this call validates (each
    signer's, each counter-signer's and each timestamp's TSA); keywords given with non-default values override it.
    Never raises on bad input: garbage gives TOTAL-FAILED/FORMAT_FAILURE.
    """
    lang = normalise_lang(lang)
    zone = times.zone_of(platform_timezone)
    at_t = times.parse_time(at, "at", zone)
    deadline_t = times.parse_time(deadline, "deadline", zone)
    base = context if context is not None else ValidationContext()
    report = SignatureReport(_INDET, usage=usage if usage is not None else base.usage, lang=lang,
                             platform_timezone=times.zone_name(zone), deadline=deadline_t)
    try:
        vctx = base.overridden(
            at=at_t, trust=trust, trust_anchors=trust_anchors, usage=usage, crls=crls,
            ocsp_responses=ocsp_responses, revocation_source=revocation_source, max_freshness=max_freshness,
            revocation=revocation if revocation != "soft-fail" else None, algorithm_policy=algorithm_policy,
            sm2_id=sm2_id, budget=budget, profile=profile).for_request()
    except (ValueError, TypeError) as exc:  # an unknown revocation mode or profile: a bad request, not a bad signature
        return _stopped(report, _INDET, SubIndication.GENERIC, str(exc))
    report.trust_snapshot_id = getattr(vctx.trust, "snapshot_id", None) if vctx.trust is not None else None
    read = _read(signature, content, digest, report)
    if read is None:
        return report
    sd, data, given = read
    request = _Request(vctx, [_certificate(c) for c in coerce_certs(other_certs)], deadline_t, expected, lang,
                       use_signing_time_claim, zone)
    _validate_signers(sd, data, given, request, report)
    return _summarise(report)


@dataclass(frozen=True)
class _Request:
    """The parsed request every signer of the document is judged under."""

    vctx: ValidationContext
    other_certs: list[Certificate]
    deadline: datetime | None
    expected: Mapping[str, object] | None
    lang: str
    use_claim: bool
    zone: tzinfo | None


def _certificate(item: object) -> Certificate:
    return getattr(item, "certificate", item)  # a TrustAnchor given as a helper certificate: its certificate


def _stopped(report: SignatureReport, indication: SignatureIndication, sub: SubIndication, reason: str) -> SignatureReport:
    report.indication, report.sub_indication = indication, sub
    report.reasons.append(reason)
    return report


def _read(signature: bytes | str, content: bytes | None, digest: DigestInput | None,
          report: SignatureReport) -> tuple[SignedData, bytes | None, tuple[str | None, bytes] | None] | None:
    """The SignedData and what it signed (attached eContent, the caller's `content`, or its digest); None after
    recording why there is nothing to validate (FORMAT_FAILURE, SIGNED_DATA_NOT_FOUND)."""
    lang = report.lang
    try:
        sd = parse_signed_data(signature)
    except (CMSFormatError, InputFormatError, TrustsvcError) as exc:
        _stopped(report, _FAIL, SubIndication.FORMAT_FAILURE, message(
            "format", lang, detail=localise.detail(str(exc), SubIndication.FORMAT_FAILURE, lang)))
        return None
    report.content_type, report.detached = sd.econtent_type, sd.detached
    if sd.trailing_bytes:  # X.690 8.1.1: the ContentInfo ends where its length says; DSS and OpenSSL ignore the rest
        report.warnings.append(SignatureWarning.of(WarningCode.TRAILING_DATA, lang, count=sd.trailing_bytes))
    data = sd.econtent if sd.econtent is not None else content
    given = None
    if data is None and digest is not None:
        try:
            given = digest_spec(digest)
        except (InputFormatError, TrustsvcError) as exc:
            _stopped(report, _FAIL, SubIndication.FORMAT_FAILURE, message(
                "format", lang, detail=localise.detail(str(exc), SubIndication.FORMAT_FAILURE, lang)))
            return None
    if data is None and given is None:
        _stopped(report, _INDET, SubIndication.SIGNED_DATA_NOT_FOUND, message("no_content", lang))
        return None
    return sd, data, given


def _validate_signers(sd: SignedData, data: bytes | None, given: tuple[str | None, bytes] | None, request: _Request,
                      report: SignatureReport) -> None:
    """Each SignerInfo through the signer process, with the long-term step around it (EN 319 102-1 5.5, 5.6)."""
    # EN 319 102-1 5.5 / 5.6: the certificate and revocation values the signature embeds (B-LT) are used
    # like supplied ones; archive timestamps add proofs of existence (validation/longterm.py).
    view = longterm.LongTermView.read(sd.der)
    vctx = request.vctx
    if view.data.crls or view.data.ocsp:
        vctx = replace(vctx, revocation=vctx.revocation.with_supplied(crls=view.data.crls, ocsp_responses=view.data.ocsp))
    shared = Shared(sd, data, vctx, request.other_certs + [_certificate(c) for c in longterm.certificates(view)],
                    deadline=request.deadline, expected=request.expected, lang=request.lang,
                    use_claim=request.use_claim, zone=request.zone, given_digest=given)
    for signer in sd.signers:
        lt = longterm.prepare(shared, view, signer)
        shared.archive_poe = longterm.archive_poe(lt)
        r = SignerProcess(shared, signer, Target.document_of(shared), label=str(signer.index)).run()
        report.signers.append(longterm.finish(shared, signer, r, lt))


def _summarise(report: SignatureReport) -> SignatureReport:
    """The document's indication is its worst signer's (counter-signatures stay in their signers' reports)."""
    report.indication = worst([s.indication for s in report.signers])
    first_bad = next((s for s in report.signers if s.indication is report.indication), None)
    if report.indication is not _PASS and first_bad is not None:
        report.sub_indication = first_bad.sub_indication
    for s in report.signers:
        report.reasons.extend(s.reasons)
    return report
