"""validate_signature: a CMS / CAdES signed document judged per EN 319 102-1 (basic + timestamp POE)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta, timezone
from typing import Any, Mapping, Sequence

from trustsvc.cms.attributes import signature_timestamp_token_ders, signing_certificate_binding
from trustsvc.cms.signed_data import (
    DATA_TYPES, CMSFormatError, SignedData, SignerInfo, compute_digest, digest_spec, parse_signed_data,
    signing_time, verify_signer_crypto,
)
from trustsvc.cms.timestamp import parse_timestamp_token
from trustsvc.context import Profile, ValidationContext
from trustsvc.errors import InputFormatError, TrustsvcError, UnsupportedAlgorithmError
from trustsvc.path.budget import Budget
from trustsvc.reports import Indication, SignatureIndication, SubIndication
from trustsvc.validation import longterm, times
from trustsvc.validation.eguarantee import EGuaranteeError, check_terms, parse_eguarantee
from trustsvc.validation import localise
from trustsvc.validation.messages import message, normalise_lang, source_label
from trustsvc.validation.signature_report import (
    SignatureReport, SignatureWarning, SignerReport, TimestampReport, WarningCode, worst,
)
from trustsvc.validation.timestamp import as_utc, cert_indication, check_token, coerce_certs, fmt_time
from trustsvc.x509.algorithm_policy import AlgorithmPolicy

_FAIL, _INDET, _PASS = SignatureIndication.TOTAL_FAILED, SignatureIndication.INDETERMINATE, SignatureIndication.TOTAL_PASSED
_CRYPTO_KEYS = {"HASH_FAILURE": "hash_failure", "SIG_CRYPTO_FAILURE": "sig_crypto_failure"}
# A signing key must allow document signatures (RFC 5280 4.2.1.3).
_SIGNING_KU = {"digital_signature", "non_repudiation"}


def validate_signature(
    signature: bytes | str,
    *,
    content: bytes | None = None,
    trust: Any = None,
    trust_anchors: Sequence[Any] = (),
    at: datetime | None = None,
    usage: str | None = None,
    deadline: datetime | str | None = None,
    crls: Sequence[bytes] = (),
    other_certs: Sequence[Any] = (),
    revocation: str = "soft-fail",
    expected: Mapping[str, Any] | None = None,
    lang: str = "en",
    ocsp_responses: Sequence[bytes] = (),
    revocation_source: Any = None,
    use_signing_time_claim: bool = False,
    max_freshness: timedelta | None = None,
    algorithm_policy: AlgorithmPolicy | None = None,
    sm2_id: bytes | None = None,
    budget: Budget | None = None,
    profile: Profile | None = None,
    context: ValidationContext | None = None,
    platform_timezone: Any = None,
    digest: Any = None,
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
    the `expected` terms (validation/eguarantee.py `check_terms`).
    `at` and `deadline` without a UTC offset are read in `platform_timezone` (IANA name, e.g.
    Asia/Shanghai); without one they raise NaiveTimeError naming the field. Reports show every time in
    UTC and in the platform zone.
    `context` (`trustsvc.ValidationContext`) carries the validation inputs in one value; its algorithm policy,
    SM2 ID, profile, revocation policy and work budget apply to every chain this call validates (each
    signer's and each timestamp's TSA); keywords given with non-default values override it.
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
        report.sub_indication = SubIndication.GENERIC
        report.reasons.append(str(exc))
        return report
    report.trust_snapshot_id = getattr(vctx.trust, "snapshot_id", None) if vctx.trust is not None else None
    try:
        sd = parse_signed_data(signature)
    except (CMSFormatError, InputFormatError, TrustsvcError) as exc:
        report.indication, report.sub_indication = _FAIL, SubIndication.FORMAT_FAILURE
        report.reasons.append(message("format", lang, detail=localise.detail(str(exc), SubIndication.FORMAT_FAILURE, lang)))
        return report
    report.content_type, report.detached = sd.econtent_type, sd.detached
    if sd.trailing_bytes:  # X.690 8.1.1: the ContentInfo ends where its length says; DSS and OpenSSL ignore the rest
        report.warnings.append(SignatureWarning.of(WarningCode.TRAILING_DATA, lang, count=sd.trailing_bytes))
    data = sd.econtent if sd.econtent is not None else content
    given = None
    if data is None and digest is not None:
        try:
            given = digest_spec(digest)
        except (InputFormatError, TrustsvcError) as exc:
            report.indication, report.sub_indication = _FAIL, SubIndication.FORMAT_FAILURE
            report.reasons.append(message("format", lang, detail=localise.detail(str(exc), SubIndication.FORMAT_FAILURE, lang)))
            return report
    if data is None and given is None:
        report.sub_indication = SubIndication.SIGNED_DATA_NOT_FOUND
        report.reasons.append(message("no_content", lang))
        return report
    # EN 319 102-1 5.5 / 5.6: the certificate and revocation values the signature embeds (B-LT) are used
    # like supplied ones; archive timestamps add proofs of existence (validation/longterm.py).
    view = longterm.LongTermView.read(sd.der)
    if view.data.crls or view.data.ocsp:
        vctx = replace(vctx, revocation=vctx.revocation.with_supplied(crls=view.data.crls, ocsp_responses=view.data.ocsp))
    ctx = _Context(sd, data, vctx, coerce_certs(other_certs) + longterm.certificates(view), report.deadline, expected,
                   lang, use_signing_time_claim)
    ctx.zone = zone
    ctx.given_digest = given
    for signer in sd.signers:
        lt = longterm.prepare(ctx, view, signer)
        ctx.archive_poe = longterm.archive_poe(lt)
        report.signers.append(longterm.finish(ctx, signer, ctx.validate(signer), lt))
    report.indication = worst([s.indication for s in report.signers])
    first_bad = next((s for s in report.signers if s.indication is report.indication), None)
    if report.indication is not _PASS and first_bad is not None:
        report.sub_indication = first_bad.sub_indication
    for s in report.signers:
        report.reasons.extend(s.reasons)
    return report


def _revoked_outcome(cert_report: Any, poe: TimestampReport | None, index: int, detail: str, zone: Any,
                     lang: str) -> tuple[SignatureIndication, SubIndication, str]:
    """EN 319 102-1 5.2.6 / 5.5.4: a revoked certificate on the signer's path, with or without POE.

    With a valid signature timestamp the path was judged at genTime, so a revocation found there
    happened before the proof of existence: TOTAL-FAILED / REVOKED. Without one, the signature may
    have been made before the revocation: INDETERMINATE / REVOKED_NO_POE for the signing certificate,
    REVOKED_CA_NO_POE for a CA certificate of its path.
    """
    bad = cert_report.revoked
    when = fmt_time(bad.revocation_time, zone) if bad is not None and bad.revocation_time else "?"
    if poe is not None:
        return _FAIL, SubIndication.REVOKED, message("revoked_before_poe", lang, index=index, revoked_at=when,
                                                     gen_time=fmt_time(poe.gen_time, zone), detail=detail)
    if bad is not None and not bad.is_end_entity:
        return _INDET, SubIndication.REVOKED_CA_NO_POE, message("revoked_ca_no_poe", lang, index=index,
                                                                revoked_at=when, detail=detail)
    return _INDET, SubIndication.REVOKED_NO_POE, message("revoked_no_poe", lang, index=index, revoked_at=when,
                                                         detail=detail)


class _Context:
    """Everything one validate_signature call shares between its signers."""

    def __init__(self, sd: SignedData, data: bytes, vctx: ValidationContext, other_certs: list[Any],
                 deadline: datetime | None, expected: Mapping[str, Any] | None, lang: str, use_claim: bool) -> None:
        self.sd, self.data, self.deadline = sd, data, deadline
        # The request's context; the CRLs embedded in the SignedData (RFC 5652 5.1) join the supplied ones.
        self.vctx = replace(vctx, revocation=vctx.revocation.with_supplied(crls=sd.crls)) if sd.crls else vctx
        self.now = vctx.at or datetime.now(timezone.utc)
        self.usage = vctx.usage
        self.other_certs = [getattr(c, "certificate", c) for c in other_certs]
        self.expected, self.lang, self.use_claim = expected, lang, use_claim
        self.zone: Any = None  # the platform zone times are shown in (validation/times.py)
        self._digests: dict[str, bytes] = {}
        self.given_digest: tuple[str | None, bytes] | None = None  # detached content known only by its digest
        self.archive_poe: datetime | None = None  # set per signer by the long-term step

    def _digest(self, name: str) -> bytes:
        # Several signers with the same digest algorithm hash the (possibly large) content once.
        if name not in self._digests:
            if self.data is not None:
                self._digests[name] = compute_digest(name, self.data)
            else:
                algorithm, value = self.given_digest or (None, b"")
                if algorithm not in (None, name) or len(value) != len(compute_digest(name, b"")):
                    raise UnsupportedAlgorithmError(f"the content's digest was given as {algorithm or 'a bare value'} "
                                                    f"of {len(value)} bytes; this signer digests with {name}")
                self._digests[name] = value
        return self._digests[name]

    def validate(self, signer: SignerInfo) -> SignerReport:
        lang = self.lang
        r = SignerReport(signer.index, _INDET, digest_algorithm=signer.digest_algorithm,
                         signing_time_claim=signing_time(signer), platform_timezone=times.zone_name(self.zone))

        def done(ind: SignatureIndication, sub: SubIndication | None, reason: str) -> SignerReport:
            r.indication, r.sub_indication = ind, sub
            r.reasons.append(reason)
            return r

        pool = self.sd.certificates + self.other_certs
        cert = signer.find_certificate(pool)
        if cert is None:
            return done(_INDET, SubIndication.NO_SIGNING_CERTIFICATE_FOUND, message("no_signer_cert", lang, index=signer.index))
        r.signer = cert
        # EN 319 102-1 5.2.7: cryptographic verification (message digest, then signature value).
        try:
            digest = self._digest(signer.digest_algorithm)
        except UnsupportedAlgorithmError as exc:
            return done(_FAIL, SubIndication.FORMAT_FAILURE, message("signer_format", lang, index=signer.index,
                                                                     detail=localise.detail(str(exc), SubIndication.FORMAT_FAILURE, lang)))
        crypto = verify_signer_crypto(signer, cert, econtent_type=self.sd.econtent_type, content=self.data,
                                      content_digest=digest)
        if not crypto.ok:
            sub = SubIndication.__members__.get(crypto.failure or "", SubIndication.FORMAT_FAILURE)
            key = _CRYPTO_KEYS.get(crypto.failure or "", "signer_format")
            return done(_FAIL if sub is not SubIndication.SIGNED_DATA_NOT_FOUND else _INDET, sub,
                        message(key, lang, index=signer.index, detail=localise.detail(crypto.detail, sub, lang)))
        r.signature_algorithm = crypto.algorithm.name if crypto.algorithm else None
        r.algorithm = crypto.algorithm
        # EN 319 102-1 5.2.3 / EN 319 122-1 5.2.2.3: the signing certificate is bound to the signature.
        binding = signing_certificate_binding(signer, cert)
        r.signing_certificate_attribute = f"v{binding.version}" if binding.version else None
        if binding.present and not binding.ok:
            return done(_INDET, SubIndication.NO_SIGNING_CERTIFICATE_FOUND,
                        message("cert_binding", lang, index=signer.index,
                                detail=localise.detail(binding.detail, SubIndication.NO_SIGNING_CERTIFICATE_FOUND, lang)))
        ku = cert.key_usage
        if ku is not None and not (ku & _SIGNING_KU):
            return done(_INDET, SubIndication.CHAIN_CONSTRAINTS_FAILURE, message("key_usage", lang, index=signer.index))
        # Signature timestamps: proof that the signature existed at genTime (EN 319 102-1 5.4, 5.5).
        poe: TimestampReport | None = None
        try:
            tokens = signature_timestamp_token_ders(signer)
        except (ValueError, TypeError, KeyError):
            tokens = []
            r.reasons.append(message("timestamp_invalid", lang, index=signer.index,
                                     detail=localise.detail("malformed unsigned attributes", SubIndication.FORMAT_FAILURE, lang)))
        for token_ci in tokens:
            ts = self._timestamp(token_ci, signer)
            r.timestamps.append(ts)
            if ts.passed and (poe is None or ts.gen_time < poe.gen_time):
                poe = ts
        for ts in r.timestamps:
            if not ts.passed:
                r.reasons.append(message("timestamp_invalid", lang, index=signer.index, detail="; ".join(ts.reasons)))
        if poe is not None:
            at, source = poe.gen_time, "timestamp"
            claim = r.signing_time_claim
            if claim is not None and as_utc(claim) > poe.gen_time:
                # EN 319 102-1 5.6.2.4: the signature cannot have been made after the timestamp that covers it.
                return done(_INDET, SubIndication.TIMESTAMP_ORDER_FAILURE,
                            message("timestamp_order_failure", lang, index=signer.index,
                                    gen_time=fmt_time(poe.gen_time, self.zone), claim=fmt_time(as_utc(claim), self.zone)))
        elif self.archive_poe is not None:  # EN 319 102-1 5.6.2.3: POE from an archive timestamp
            at, source = self.archive_poe, "archive-timestamp"
        elif self.use_claim and r.signing_time_claim is not None:
            at, source = as_utc(r.signing_time_claim), "signing-time-claim"
        else:
            at, source = self.now, "now"
        r.validation_time, r.validation_time_source = at, source
        # EN 319 102-1 5.2.6: X.509 certificate validation at the validation time.
        from trustsvc.validation.certificate import validate_certificate

        cert_report = validate_certificate(cert, intermediates=[c for c in pool if c != cert],
                                           other_certs=self.other_certs, context=self.vctx.with_time(at))
        r.certificate = cert_report
        r.path = list(cert_report.path)
        r.recognition = cert_report.recognition
        r.revocation_evidence = list(cert_report.revocation_evidence)
        if cert_report.indication is not Indication.PASSED:
            detail = localise.certificate_failure(cert_report, lang)
            if cert_report.sub_indication is SubIndication.REVOKED:
                return done(*_revoked_outcome(cert_report, poe, signer.index, detail, self.zone, lang))
            return done(cert_indication(cert_report.indication), cert_report.sub_indication,
                        message("cert_invalid", lang, index=signer.index, time=fmt_time(at, self.zone),
                                source=source_label(source, lang), detail=detail))
        # E-tendering: the bid must be proven to exist before the deadline.
        if self.deadline is not None:
            if poe is None:
                return done(_INDET, SubIndication.NO_POE, message("deadline_no_poe", lang, deadline=fmt_time(self.deadline, self.zone)))
            if poe.gen_time > self.deadline:
                return done(_FAIL, SubIndication.SIG_CONSTRAINTS_FAILURE,
                            message("deadline_missed", lang, gen_time=fmt_time(poe.gen_time, self.zone), deadline=fmt_time(self.deadline, self.zone)))
            r.reasons.append(message("deadline_met", lang, gen_time=fmt_time(poe.gen_time, self.zone), deadline=fmt_time(self.deadline, self.zone)))
        if self.usage == "e-guarantee" or self.expected is not None:
            failure = self._eguarantee(r, at)
            if failure is not None:
                return done(_FAIL, SubIndication.SIG_CONSTRAINTS_FAILURE, failure)
        r.indication = _PASS
        r.reasons.insert(0, message("signature_ok", lang, index=signer.index, signer=localise.certificate_name(cert, lang),
                                    time=fmt_time(at, self.zone), source=source_label(source, lang)))
        return r

    def _timestamp(self, token_ci: Any, signer: SignerInfo) -> TimestampReport:
        try:
            token = parse_timestamp_token(token_ci)
        except (CMSFormatError, InputFormatError, TrustsvcError, ValueError, TypeError) as exc:
            return TimestampReport(_FAIL, SubIndication.FORMAT_FAILURE, [message(
                "ts_format", self.lang, detail=localise.detail(str(exc), SubIndication.FORMAT_FAILURE, self.lang))])
        # The signature timestamp's imprint covers the signature value (EN 319 122-1 5.3). Its TSA's path may use
        # the certificates the signature carries (EN 319 122-1 B-LT puts them in SignedData.certificates).
        return check_token(token, data=signer.signature, lang=self.lang,
                           other_certs=[*self.sd.certificates, *self.other_certs], context=self.vctx, zone=self.zone)

    def _eguarantee(self, r: SignerReport, at: datetime) -> str | None:
        if self.sd.econtent_type not in DATA_TYPES:
            return message("eguarantee_invalid", self.lang, detail=self.sd.econtent_type)
        if self.data is None:
            return message("eguarantee_invalid", self.lang, detail="the guarantee's payload is needed, not its digest")
        try:
            payload = parse_eguarantee(self.data)
        except EGuaranteeError as exc:
            return message("eguarantee_invalid", self.lang, detail=localise.detail(str(exc), SubIndication.FORMAT_FAILURE, self.lang))
        r.eguarantee = payload
        # The guarantee must be in force when the signature is judged, and meet the tender's terms.
        for f in check_terms(payload, self.expected, at):
            return message(f"eguarantee_term_{f.rule}", self.lang, term=f.term, actual=f.actual, expected=f.expected)
        r.reasons.append(message("eguarantee_ok", self.lang))
        return None
