"""Validate one certificate at a time T: build paths, validate them (RFC 5280 6.1), check revocation (6.3)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from trustsvc.cache import BoundedCache
from trustsvc.context import CertificateInput, CRLInput, Profile, TrustSource, ValidationContext
from trustsvc.errors import TrustsvcError
from trustsvc.failures import Failure
from trustsvc.path.anchor import TrustAnchor
from trustsvc.path.budget import Budget, BudgetExhausted
from trustsvc.path.builder import Attempt, Attempts, build_paths, candidate_index
from trustsvc.path.profile import Profile as PathProfile
from trustsvc.path.validate import PathResult, PathValidationError, target_profile_problem, validate_path
from trustsvc.reports import Indication, SubIndication
from trustsvc.revocation.checker import RevocationChecker, RevocationResult, RevocationStatus
from trustsvc.revocation.crl import parse_crls
from trustsvc.revocation.evidence import RevocationEvidence
from trustsvc.revocation.modes import RevocationMode
from trustsvc.revocation.source import RevocationSource
from trustsvc.validation.report import CertificateReport
from trustsvc.x509.algorithm_policy import AlgorithmPolicy
from trustsvc.x509.certificate import Certificate
from trustsvc.x509.load import is_certificate_bundle, load_certificate, load_certificates

__all__ = ["CertificateReport", "certificate_of", "validate_certificate"]

_PARSE_CACHE_SIZE = 4096
_parsed: BoundedCache[bytes, Certificate] = BoundedCache("validation.parsed_certificates", _PARSE_CACHE_SIZE)


def certificate_of(data: CertificateInput) -> Certificate:
    """A Certificate from DER/PEM/base64 bytes or text (parsed once per exact input: a bounded cache, since
    parsing is a pure function and a busy service sees the same CA certificates again and again), or passed
    through when already parsed. Raises InputFormatError on garbage."""
    if isinstance(data, Certificate):
        return data
    if isinstance(data, TrustAnchor):
        return data.certificate
    if isinstance(data, str):
        data = data.encode("utf-8")
    if not isinstance(data, (bytes, bytearray)):  # not a certificate input at all: the loader says so
        return load_certificate(data)
    key = bytes(data)
    hit = _parsed.get(key)
    if hit is not None:
        return hit
    # DER (a SEQUENCE) goes straight to the parser; PEM and base64 through the loader.
    return _parsed.put(key, Certificate.from_der(key) if key[:1] == b"\x30" else load_certificate(key))


def certificates_of(data: CertificateInput, *, limit: int | None = None) -> list[Certificate]:
    """Every certificate in `data`: one certificate as `certificate_of` reads it, or each one of a PEM bundle
    (several blocks, any text between them) or of a certs-only PKCS#7. Raises InputFormatError on garbage,
    and on a bundle of more than `limit` certificates (counted before any is parsed)."""
    if isinstance(data, (bytes, bytearray, str)) and is_certificate_bundle(data):
        return [certificate_of(c.der) for c in load_certificates(data, limit=limit)]
    return [certificate_of(data)]


def _certs(items: Iterable[CertificateInput], what: str, problems: list[str]) -> list[Certificate]:
    out = []
    for i, item in enumerate(items or ()):
        if isinstance(item, Certificate):  # already parsed: the common case for a service's CA pool
            out.append(item)
            continue
        try:
            out.extend(certificates_of(item))
        except (TrustsvcError, ValueError, TypeError) as exc:
            problems.append(f"{what} {i} ignored: {exc}")
    return out


def _anchors(items: Iterable[CertificateInput], problems: list[str]) -> list[TrustAnchor]:
    out = []
    for i, item in enumerate(items or ()):
        if isinstance(item, TrustAnchor):
            out.append(item)
            continue
        try:  # a PEM bundle makes each of its certificates an anchor
            out.extend(c.derived("explicit-anchor", TrustAnchor) for c in certificates_of(item))  # one per certificate
        except (TrustsvcError, ValueError, TypeError) as exc:
            problems.append(f"trust anchor {i} ignored: {exc}")
    return out


def _utc(at: datetime | None) -> datetime:
    if at is None:
        return datetime.now(timezone.utc)
    return at if at.tzinfo is not None else at.replace(tzinfo=timezone.utc)


@dataclass
class _Rejected:
    """Why one candidate path was rejected: the typed failure of the step that stopped it, the path, and the
    revocation result when revocation was that step (the report lists each certificate's status)."""

    failure: Failure
    path: list[Certificate]
    revocation: RevocationResult | None = None


def path_profile(requested: PathProfile, anchor: TrustAnchor) -> PathProfile:
    """The profile a path to `anchor` is held to: the caller's, or lenient where the trust list declares the CA
    needs it (the operator's decision, named in the report's warnings)."""
    if getattr(anchor, "profile", None) == PathProfile.LENIENT.value:
        return PathProfile.LENIENT
    return requested


_KU_ALIASES = {"contentcommitment": "non_repudiation", "nonrepudiation": "non_repudiation", "crlsign": "crl_sign",
               "keycertsign": "key_cert_sign"}


def _snake(name: str) -> str:
    """`serverAuth` / `server-auth` / `server_auth` -> `server_auth` (callers spell RFC 5280 names many ways)."""
    out = []
    for ch in name.strip():
        if ch.isupper() and out and out[-1] != "_":
            out.append("_")
        out.append("_" if ch == "-" else ch.lower())
    return "".join(out)


def _key_usage_name(name: str) -> str:
    """An RFC 5280 4.2.1.3 keyUsage bit name in asn1crypto's spelling (digital_signature, key_cert_sign, ...)."""
    flat = name.replace("_", "").replace("-", "").lower()
    return _KU_ALIASES.get(flat) or _snake(name)


def _purpose_oid(name: str) -> str:
    """A KeyPurposeId as a dotted OID, from the OID or its RFC 5280 4.2.1.12 name (serverAuth, server_auth, ...)."""
    from asn1crypto.x509 import KeyPurposeId

    if name[:1].isdigit():
        return name
    snake = _snake(name).replace("o_c_s_p", "ocsp")
    try:
        return KeyPurposeId.unmap(snake)
    except ValueError:
        return name  # an unknown name matches no purpose: the check fails with the name in the reason


def _check_usage(ee: Certificate, key_usage: Iterable[str] | None, extended_key_usage: Iterable[str] | None) -> str | None:
    if key_usage:
        if ee.key_usage is not None:
            missing = {_key_usage_name(k) for k in key_usage} - set(ee.key_usage)
            if missing:
                return f"keyUsage lacks {sorted(missing)} (RFC 5280 4.2.1.3)"
    if extended_key_usage:
        eku = ee.extended_key_usage
        # RFC 5280 4.2.1.12: no extKeyUsage = any purpose; anyExtendedKeyUsage = any purpose
        if eku is not None and "2.5.29.37.0" not in eku:
            wanted = {_purpose_oid(x) for x in extended_key_usage}
            if not wanted & eku:
                return f"extendedKeyUsage lacks {sorted(extended_key_usage)} (RFC 5280 4.2.1.12)"
    return None


def validate_certificate(
    end_entity: CertificateInput,
    intermediates: Sequence[CertificateInput] = (),
    trust_anchors: Sequence[CertificateInput] = (),
    at: datetime | None = None,
    crls: Sequence[CRLInput] = (),
    other_certs: Sequence[CertificateInput] = (),
    initial_policy_set: Iterable[str] | None = None,
    explicit_policy: bool = False,
    policy_mapping_inhibit: bool = False,
    any_policy_inhibit: bool = False,
    revocation: str = "soft-fail",
    key_usage: Iterable[str] | None = None,
    extended_key_usage: Iterable[str] | None = None,
    *,
    trust: TrustSource | None = None,
    usage: str | None = None,
    ocsp_responses: Sequence[bytes] = (),
    revocation_source: RevocationSource | None = None,
    algorithm_policy: AlgorithmPolicy | None = None,
    sm2_id: bytes | None = None,
    budget: Budget | None = None,
    max_freshness: timedelta | None = None,
    profile: Profile | None = None,
    context: ValidationContext | None = None,
) -> CertificateReport:
    """Validate `end_entity` at `at` (RFC 5280 6.1 + 6.3), returning an EN 319 102-1 report; never raises
    for bad input. Revocation (`revocation/checker.py`): evidence issued at or after `at` decides the status
    at `at`; evidence issued before `at` only while fresh (nextUpdate, and `max_freshness` if given).

    Everything but the certificates themselves can come in one `context` (`trustsvc.ValidationContext`);
    a keyword given with a non-default value overrides (anchors, CRLs and OCSP responses add to) the
    context's setting."""
    base = context if context is not None else ValidationContext()
    report = CertificateReport(Indication.INDETERMINATE, validation_time=_utc(at if at is not None else base.at),
                               usage=usage if usage is not None else base.usage)
    report.validation_time_source = "now" if at is None and base.at is None else "given"
    try:
        ee = certificate_of(end_entity)
    except (TrustsvcError, ValueError, TypeError) as exc:
        report.sub_indication = SubIndication.FORMAT_FAILURE
        report.reasons.append(f"end-entity certificate unreadable: {exc}")
        return report
    try:
        RevocationMode(revocation)
    except ValueError:
        report.sub_indication = SubIndication.GENERIC
        report.reasons.append(f"unknown revocation mode {revocation!r}")
        return report
    try:
        ctx = base.overridden(
            at=at, trust=trust, trust_anchors=trust_anchors, usage=usage, crls=crls, ocsp_responses=ocsp_responses,
            revocation=revocation if revocation != "soft-fail" else None, revocation_source=revocation_source,
            max_freshness=max_freshness, algorithm_policy=algorithm_policy, sm2_id=sm2_id, budget=budget,
            profile=profile, initial_policy_set=initial_policy_set, explicit_policy=explicit_policy,
            policy_mapping_inhibit=policy_mapping_inhibit, any_policy_inhibit=any_policy_inhibit,
            key_usage=key_usage, extended_key_usage=extended_key_usage)
    except (ValueError, TypeError) as exc:  # an unknown profile, an SM2 ID that is not bytes
        report.sub_indication = SubIndication.GENERIC
        report.reasons.append(str(exc))
        return report
    return _validate(ee, intermediates, other_certs, ctx, report)


def _validate(ee: Certificate, intermediates: Sequence[CertificateInput], other_certs: Sequence[CertificateInput], ctx: ValidationContext,
              report: CertificateReport) -> CertificateReport:
    """Build and validate paths for `ee` under `ctx` (the body of validate_certificate, inputs resolved).

    Go's verify.go shape: build candidate paths, and for each one validate it (RFC 5280 6.1), check
    revocation (6.3), the end entity's time and usage, and recognition by the trust source, each step
    returning a failure or nothing; the first path that passes every step is the answer."""
    try:
        run = _Run(ee, intermediates, other_certs, ctx, report)
    except BudgetExhausted as exc:  # the request's limits, reached while reading its inputs (a huge CRL)
        report.reasons.append(str(exc))
        report.sub_indication = SubIndication.NO_CERTIFICATE_CHAIN_FOUND
        return report
    try:
        for anchor, path in build_paths(ee, run.index, run.budget, run.attempts, sm2_id=ctx.sm2_id):
            run.budget.candidate_path()
            if run.try_path(anchor, path):
                return report
    except BudgetExhausted as exc:
        report.reasons.append(f"{exc}; gave up after {run.attempts.total} candidate paths")
        report.sub_indication = SubIndication.NO_CERTIFICATE_CHAIN_FOUND
        report.revocation_evidence = run.evidence
        return report
    except RecursionError:
        report.reasons.append("path building recursion limit reached")
        report.sub_indication = SubIndication.NO_CERTIFICATE_CHAIN_FOUND
        return report
    return run.no_path_passed()


class _Run:
    """The state of one validate_certificate call: resolved inputs, the revocation checker, the best failure."""

    def __init__(self, ee: Certificate, intermediates: Sequence[CertificateInput], other_certs: Sequence[CertificateInput],
                 ctx: ValidationContext, report: CertificateReport) -> None:
        self.ee, self.ctx, self.report = ee, ctx, report
        self.at = report.validation_time
        problems: list[str] = []
        inter = _certs(intermediates, "intermediate", problems)
        others = _certs(other_certs, "other certificate", problems)
        self.anchors = _anchors(ctx.trust_anchors, problems)
        if ctx.trust is not None:
            try:
                self.anchors.extend(ctx.trust.anchors())
            except Exception as exc:  # noqa: BLE001 - a broken store is reported, not raised
                problems.append(f"trust store unusable: {exc}")
        crl_blobs = list(ctx.revocation.crls)
        parsed_crls, crl_problems = parse_crls(crl_blobs) if crl_blobs else ([], [])
        problems.extend(crl_problems)
        report.warnings.extend(problems)
        self.budget = ctx.request_budget()
        self.index = candidate_index(self.anchors, inter)
        self.requested_profile = PathProfile.of(ctx.profile)
        self.checker = RevocationChecker(
            anchors=self.anchors, certificates=[*inter, *others], crls=parsed_crls,
            ocsp=list(ctx.revocation.ocsp_responses), source=ctx.revocation.source, mode=ctx.revocation.mode,
            at=self.at, policy=ctx.algorithm_policy, sm2_id=ctx.sm2_id, budget=self.budget,
            max_freshness=ctx.revocation.max_freshness, profile=self.requested_profile.value)
        ini = ctx.initial
        self.initial_policy_set = set(ini.policy_set) if ini.policy_set is not None else None
        self.evidence: list[RevocationEvidence] = []
        self.rejected: _Rejected | None = None  # the most telling rejection so far
        self.attempts = Attempts()
        report.attempts = self.attempts

    # --- one candidate path: validate -> revocation -> time -> usage -> recognition ------------------
    def try_path(self, anchor: TrustAnchor, path: list[Certificate]) -> bool:
        """Judge one candidate path; True when it passed (the report is then complete)."""
        used_profile = path_profile(self.requested_profile, anchor)
        res = self._validate_path(path, used_profile)
        if isinstance(res, Failure):
            self.attempts.append(Attempt.of(path, str(res)))
            self.rejected = self.rejected or _Rejected(res, path)
            return False
        revocation = self.checker.check_path(path, res.keys, anchor)
        for status in revocation.certificates:
            self.evidence.extend(status.evidence)
        bad = revocation.failure
        rejected = (_Rejected(bad.failure, path, revocation) if bad is not None and bad.failure is not None else None)
        fail = None if rejected is not None else (
            self._time_failure(res, revocation, path) or self._usage_failure(path) or self._recognition_failure(path))
        if fail is not None:
            rejected = _Rejected(fail, path)
        if rejected is not None:
            self.attempts.append(Attempt.of(path, str(rejected.failure)))
            # A path that validated but failed a later step says more than one that found no chain.
            if self.rejected is None or self.rejected.failure.sub_indication is SubIndication.NO_CERTIFICATE_CHAIN_FOUND:
                self.rejected = rejected
            return False
        self.attempts.append(Attempt.of(path, None))
        self._passed(anchor, path, res, revocation, used_profile)
        return True

    def _validate_path(self, path: list[Certificate], profile: PathProfile) -> PathResult | Failure:
        """RFC 5280 6.1: the path's basic validation (signatures, validity, names, policies, constraints)."""
        ini = self.ctx.initial
        try:
            return validate_path(path, at=self.at, initial_policy_set=self.initial_policy_set,
                                explicit_policy=ini.explicit_policy, policy_mapping_inhibit=ini.policy_mapping_inhibit,
                                any_policy_inhibit=ini.any_policy_inhibit, budget=self.budget,
                                algorithm_policy=self.ctx.algorithm_policy, sm2_id=self.ctx.sm2_id, profile=profile)
        except PathValidationError as exc:
            return exc.failure

    @staticmethod
    def _time_failure(res: PathResult, revocation: RevocationResult, path: list[Certificate]) -> Failure | None:
        """EN 319 102-1 5.2.6: an end entity outside its validity at the validation time; not revoked when its
        revocation status is known good (OUT_OF_BOUNDS_NOT_REVOKED), else OUT_OF_BOUNDS_NO_POE / NOT_YET_VALID."""
        tp = res.end_entity_time_problem
        if tp is None:
            return None
        sub = tp.sub_indication
        ee_status = next((c for c in revocation.certificates if c.is_end_entity), None)
        if sub is SubIndication.OUT_OF_BOUNDS_NO_POE and ee_status is not None \
                and ee_status.status is RevocationStatus.GOOD:
            sub = SubIndication.OUT_OF_BOUNDS_NOT_REVOKED
        return Failure(Indication.INDETERMINATE, sub, tp.reason, position=len(path) - 1, rule="RFC 5280 6.1.3 (a)(2)")

    def _usage_failure(self, path: list[Certificate]) -> Failure | None:
        """RFC 5280 4.2.1.3 / 4.2.1.12: the key usages the caller requires of the end entity."""
        why = _check_usage(self.ee, self.ctx.key_usage, self.ctx.extended_key_usage)
        if why is None:
            return None
        return Failure(Indication.INDETERMINATE, SubIndication.CHAIN_CONSTRAINTS_FAILURE, f"end entity: {why}",
                       position=len(path) - 1, rule="RFC 5280 4.2.1.3 / 4.2.1.12")

    def _recognition_failure(self, path: list[Certificate]) -> Failure | None:
        """Recognition by the trust source (trust lists, TS 119 612) for the usage at the validation time."""
        trust = self.ctx.trust
        if trust is None:
            return None
        self.report.recognition = None
        try:
            rec = trust.recognise(path, usage=self.ctx.usage, at=self.at)
        except Exception as exc:  # noqa: BLE001 - an injected store's failure is reported, not raised
            return Failure(Indication.INDETERMINATE, SubIndication.NO_CERTIFICATE_CHAIN_FOUND,
                           f"trust store failed: {exc}")
        self.report.recognition = rec.to_dict() if hasattr(rec, "to_dict") else dict(vars(rec))
        if not rec.recognised:
            return Failure(Indication.INDETERMINATE, SubIndication.NO_CERTIFICATE_CHAIN_FOUND,
                           f"not recognised by the trust lists: {rec.reason}", rule="ETSI TS 119 612")
        return None

    # --- the answer --------------------------------------------------------------------------------
    def _passed(self, anchor: TrustAnchor, path: list[Certificate], res: PathResult, revocation: RevocationResult,
                used_profile: PathProfile) -> None:
        report = self.report
        report.indication, report.sub_indication = Indication.PASSED, None
        report.path = path
        report.trust_anchor = anchor.label or anchor.certificate.subject_str
        report.user_constrained_policy_set = res.user_constrained_policy_set
        report.authority_constrained_policy_set = res.authority_constrained_policy_set
        report.user_notices = res.user_notices
        report.revocation_evidence = self.evidence
        report.revocation = revocation.certificates
        if used_profile is not self.requested_profile:
            report.warnings.append(f"profile lenient: declared for {report.trust_anchor} by its trust list")
        report.warnings.extend(res.warnings)
        report.warnings.extend(self.checker.warnings)

    def no_path_passed(self) -> CertificateReport:
        """No candidate path passed: the most telling failure, or NO_CERTIFICATE_CHAIN_FOUND."""
        report, rejected = self.report, self.rejected
        report.revocation_evidence = self.evidence
        report.warnings.extend(self.checker.warnings)
        if rejected is None:
            report.sub_indication = SubIndication.NO_CERTIFICATE_CHAIN_FOUND
            malformed = target_profile_problem(self.ee, self.requested_profile) if self.anchors else None
            if malformed is not None:  # RFC 5280 4.1 / 4.2: name the rule the target breaks
                report.sub_indication = SubIndication.FORMAT_FAILURE
                report.reasons.append(malformed)
            if not self.anchors:
                report.reasons.append("no trust anchors given")
            else:
                report.reasons.append(f"no certification path from {self.ee.subject_str!r} to a trust anchor")
            report.reasons.extend(a.reason for a in self.attempts[:10] if a.reason)
            return report
        failure = rejected.failure
        report.indication, report.sub_indication = failure.indication, failure.sub_indication
        report.reasons.append(str(failure))
        report.path = rejected.path
        if rejected.revocation is not None:
            report.revocation = rejected.revocation.certificates
        return report
