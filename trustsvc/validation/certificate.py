"""Validate one certificate at a time T: build paths, validate them (RFC 5280 6.1), check revocation (6.3)."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta, timezone
from typing import Any

from trustsvc.errors import InputFormatError, TrustsvcError
from trustsvc.path.anchor import TrustAnchor
from trustsvc.path.budget import Budget, BudgetExhausted
from trustsvc.path.builder import Attempt, Attempts, CandidateIndex, build_paths
from trustsvc.path.validate import PathValidationError, validate_path
from trustsvc.reports import Indication, SubIndication
from trustsvc.revocation.checker import RevocationChecker, RevocationResult, RevocationStatus
from trustsvc.revocation.crl import parse_crls
from trustsvc.revocation.modes import RevocationMode
from trustsvc.validation.report import CertificateReport
from trustsvc.x509.algorithm_policy import DEFAULT_POLICY, AlgorithmPolicy
from trustsvc.x509.certificate import Certificate
from trustsvc.x509.load import load_certificate

__all__ = ["CertificateReport", "certificate_of", "validate_certificate"]

_PARSE_CACHE_SIZE = 4096
_parsed: "OrderedDict[bytes, Certificate]" = OrderedDict()
_parsed_lock = threading.Lock()  # API worker threads share the cache; OrderedDict moves are not atomic


def certificate_of(data: Any) -> Certificate:
    """A Certificate from DER/PEM/base64 bytes or text (parsed once per exact input: a bounded cache, since
    parsing is a pure function and a busy service sees the same CA certificates again and again), or passed
    through when already parsed. Raises InputFormatError on garbage."""
    if isinstance(data, Certificate):
        return data
    if isinstance(data, TrustAnchor):
        return data.certificate
    if isinstance(data, str):
        data = data.encode("utf-8")
    if not isinstance(data, (bytes, bytearray)):
        return load_certificate(data)
    key = bytes(data)
    with _parsed_lock:
        hit = _parsed.get(key)
        if hit is not None:
            _parsed.move_to_end(key)
            return hit
    # DER (a SEQUENCE) goes straight to the parser; PEM and base64 through the loader.
    cert = Certificate.from_der(key) if key[:1] == b"\x30" else load_certificate(key)
    with _parsed_lock:
        _parsed[key] = cert
        while len(_parsed) > _PARSE_CACHE_SIZE:
            _parsed.popitem(last=False)
    return cert


def _certs(items: Iterable[Any], what: str, problems: list[str]) -> list[Certificate]:
    out = []
    for i, item in enumerate(items or ()):
        try:
            out.append(certificate_of(item))
        except (TrustsvcError, ValueError, TypeError) as exc:
            problems.append(f"{what} {i} ignored: {exc}")
    return out


def _anchors(items: Iterable[Any], problems: list[str]) -> list[TrustAnchor]:
    out = []
    for i, item in enumerate(items or ()):
        if isinstance(item, TrustAnchor):
            out.append(item)
            continue
        try:
            out.append(certificate_of(item).derived("explicit-anchor", TrustAnchor))  # immutable: one per certificate
        except (TrustsvcError, ValueError, TypeError) as exc:
            problems.append(f"trust anchor {i} ignored: {exc}")
    return out


def _utc(at: datetime | None) -> datetime:
    if at is None:
        return datetime.now(timezone.utc)
    return at if at.tzinfo is not None else at.replace(tzinfo=timezone.utc)


class _Failure:
    def __init__(self, indication: Indication, sub: SubIndication | None, reasons: list[str], path: list[Certificate],
                 revocation: RevocationResult | None = None) -> None:
        self.indication, self.sub, self.reasons, self.path = indication, sub, reasons, path
        self.revocation = revocation


def _revocation_failure(result: RevocationResult) -> _Failure | None:
    bad = result.failure
    if bad is None:
        return None
    outcome = bad.outcome
    reason = f"{bad.certificate.subject_str}: {outcome.reason or 'revocation check failed'}"
    return _Failure(outcome.indication, outcome.sub_indication, [reason], [], result)  # type: ignore[arg-type]


def _check_usage(ee: Certificate, key_usage, extended_key_usage) -> str | None:
    if key_usage:
        if ee.key_usage is not None:
            missing = set(key_usage) - set(ee.key_usage)
            if missing:
                return f"keyUsage lacks {sorted(missing)}"
    if extended_key_usage:
        eku = ee.extended_key_usage
        if eku is not None and "2.5.29.37.0" not in eku:
            from asn1crypto.x509 import KeyPurposeId

            wanted = {KeyPurposeId.map(x) if "." not in x else x for x in extended_key_usage}
            wanted = {KeyPurposeId.unmap(x) if "." not in x else x for x in wanted}
            if not wanted & eku:
                return f"extendedKeyUsage lacks {sorted(extended_key_usage)}"
    return None


def validate_certificate(
    end_entity: Any,
    intermediates: Sequence[Any] = (),
    trust_anchors: Sequence[Any] = (),
    at: datetime | None = None,
    crls: Sequence[Any] = (),
    other_certs: Sequence[Any] = (),
    initial_policy_set: Iterable[str] | None = None,
    explicit_policy: bool = False,
    policy_mapping_inhibit: bool = False,
    any_policy_inhibit: bool = False,
    revocation: str = "soft-fail",
    key_usage: Iterable[str] | None = None,
    extended_key_usage: Iterable[str] | None = None,
    *,
    trust: Any = None,
    usage: str | None = None,
    ocsp_responses: Sequence[bytes] = (),
    revocation_source: Any = None,
    algorithm_policy: AlgorithmPolicy | None = None,
    sm2_id: bytes | None = None,
    budget: Budget | None = None,
    max_freshness: timedelta | None = None,
) -> CertificateReport:
    """Validate `end_entity` at `at` (RFC 5280 6.1 + 6.3), returning an EN 319 102-1 report; never raises
    for bad input. Revocation (`revocation/checker.py`): evidence issued at or after `at` decides the status
    at `at`; evidence issued before `at` only while fresh (nextUpdate, and `max_freshness` if given)."""
    source = "now" if at is None else "given"
    at = _utc(at)
    report = CertificateReport(Indication.INDETERMINATE, validation_time=at, usage=usage)
    report.validation_time_source = source
    try:
        ee = certificate_of(end_entity)
    except (TrustsvcError, ValueError, TypeError) as exc:
        report.sub_indication = SubIndication.FORMAT_FAILURE
        report.reasons.append(f"end-entity certificate unreadable: {exc}")
        return report
    try:
        mode = RevocationMode(revocation)
    except ValueError:
        report.sub_indication = SubIndication.GENERIC
        report.reasons.append(f"unknown revocation mode {revocation!r}")
        return report
    problems: list[str] = []
    inter = _certs(intermediates, "intermediate", problems)
    others = _certs(other_certs, "other certificate", problems)
    anchors = _anchors(trust_anchors, problems)
    if trust is not None:
        try:
            anchors.extend(trust.anchors())
        except Exception as exc:  # noqa: BLE001 - a broken store is reported, not raised
            problems.append(f"trust store unusable: {exc}")
    crl_blobs = []
    for c in crls or ():
        crl_blobs.append(c.dump() if hasattr(c, "dump") else c)
    parsed_crls, crl_problems = parse_crls(crl_blobs) if crl_blobs else ([], [])
    problems.extend(crl_problems)
    report.warnings.extend(problems)
    budget = budget or Budget()
    policy = algorithm_policy or DEFAULT_POLICY
    index = CandidateIndex(anchors, inter)
    checker = RevocationChecker(anchors=anchors, certificates=[*inter, *others], crls=parsed_crls,
                                ocsp=list(ocsp_responses), source=revocation_source, mode=mode, at=at, policy=policy,
                                sm2_id=sm2_id, budget=budget, max_freshness=max_freshness)
    evidence: list[Any] = []
    initial = set(initial_policy_set) if initial_policy_set is not None else None
    failure: _Failure | None = None
    attempts = Attempts()
    report.attempts = attempts
    try:
        for anchor, path in build_paths(ee, index, budget, attempts, sm2_id=sm2_id):
            budget.candidate_path()
            try:
                res = validate_path(path, at=at, initial_policy_set=initial, explicit_policy=explicit_policy,
                                    policy_mapping_inhibit=policy_mapping_inhibit, any_policy_inhibit=any_policy_inhibit,
                                    budget=budget, algorithm_policy=policy, sm2_id=sm2_id)
            except PathValidationError as exc:
                attempts.append(Attempt.of(path, exc.reason))
                failure = failure or _Failure(exc.indication, exc.sub_indication, [exc.reason], path)
                continue
            revocation = checker.check_path(path, res.keys, anchor)
            for status in revocation.certificates:
                evidence.extend(status.evidence)
            fail = _revocation_failure(revocation)
            if fail is None and res.end_entity_time_problem is not None:
                tp = res.end_entity_time_problem
                sub = tp.sub_indication
                ee_status = next((c for c in revocation.certificates if c.is_end_entity), None)
                if sub is SubIndication.OUT_OF_BOUNDS_NO_POE and ee_status is not None \
                        and ee_status.status is RevocationStatus.GOOD:
                    sub = SubIndication.OUT_OF_BOUNDS_NOT_REVOKED
                fail = _Failure(Indication.INDETERMINATE, sub, [tp.reason], path)
            if fail is None:
                why = _check_usage(ee, key_usage, extended_key_usage)
                if why:
                    fail = _Failure(Indication.INDETERMINATE, SubIndication.CHAIN_CONSTRAINTS_FAILURE, [f"end entity: {why}"], path)
            recognition = None
            if fail is None and trust is not None:
                try:
                    rec = trust.recognise(path, usage=usage, at=at)
                except Exception as exc:  # noqa: BLE001
                    fail = _Failure(Indication.INDETERMINATE, SubIndication.NO_CERTIFICATE_CHAIN_FOUND,
                                    [f"trust store failed: {exc}"], path)
                else:
                    recognition = rec.to_dict() if hasattr(rec, "to_dict") else dict(vars(rec))
                    if not rec.recognised:
                        fail = _Failure(Indication.INDETERMINATE, SubIndication.NO_CERTIFICATE_CHAIN_FOUND,
                                        [f"not recognised by the trust lists: {rec.reason}"], path)
                report.recognition = recognition
            if fail is not None:
                fail.path = fail.path or path
                attempts.append(Attempt.of(path, "; ".join(fail.reasons)))
                if failure is None or failure.sub in (SubIndication.NO_CERTIFICATE_CHAIN_FOUND,):
                    failure = fail
                continue
            attempts.append(Attempt.of(path, None))
            report.indication, report.sub_indication = Indication.PASSED, None
            report.path = path
            report.trust_anchor = anchor.label or anchor.certificate.subject_str
            report.user_constrained_policy_set = res.user_constrained_policy_set
            report.authority_constrained_policy_set = res.authority_constrained_policy_set
            report.user_notices = res.user_notices
            report.revocation_evidence = evidence
            report.revocation = revocation.certificates
            report.warnings.extend(checker.warnings)
            return report
    except BudgetExhausted as exc:
        report.reasons.append(f"{exc}; gave up after {attempts.total} candidate paths")
        report.sub_indication = SubIndication.NO_CERTIFICATE_CHAIN_FOUND
        report.revocation_evidence = evidence
        return report
    except RecursionError:
        report.reasons.append("path building recursion limit reached")
        report.sub_indication = SubIndication.NO_CERTIFICATE_CHAIN_FOUND
        return report
    report.revocation_evidence = evidence
    report.warnings.extend(checker.warnings)
    if failure is None:
        report.sub_indication = SubIndication.NO_CERTIFICATE_CHAIN_FOUND
        if not anchors:
            report.reasons.append("no trust anchors given")
        else:
            report.reasons.append(f"no certification path from {ee.subject_str!r} to a trust anchor")
        report.reasons.extend(a.reason for a in attempts[:10] if a.reason)
        return report
    report.indication, report.sub_indication = failure.indication, failure.sub
    report.reasons.extend(failure.reasons)
    report.path = failure.path
    if failure.revocation is not None:
        report.revocation = failure.revocation.certificates
    return report
