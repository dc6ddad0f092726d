"""Validate one certificate at a time T: build paths, validate them (RFC 5280 6.1), check revocation (6.3)."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from datetime import datetime, timezone
from typing import Any

from trustsvc.errors import InputFormatError, TrustsvcError
from trustsvc.path.anchor import TrustAnchor
from trustsvc.path.budget import Budget, BudgetExhausted
from trustsvc.path.builder import Attempt, CandidateIndex, build_paths
from trustsvc.path.signatures import SignatureError, issuer_key
from trustsvc.path.validate import PathValidationError, validate_path
from trustsvc.reports import Indication, SubIndication
from trustsvc.revocation.crl import CRLStatus, ParsedCRL, check_crls, parse_crls
from trustsvc.revocation.modes import RevocationMode, judge
from trustsvc.validation.report import CertificateReport
from trustsvc.x509.algorithm_policy import DEFAULT_POLICY, AlgorithmPolicy
from trustsvc.x509.certificate import Certificate
from trustsvc.x509.load import load_certificate
from trustsvc.x509.signature import PublicKey, verify_signature

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
    def __init__(self, indication: Indication, sub: SubIndication | None, reasons: list[str], path: list[Certificate]) -> None:
        self.indication, self.sub, self.reasons, self.path = indication, sub, reasons, path


class _Engine:
    """One validation call's state: inputs, budget, parsed CRLs and CRL-signer results."""

    def __init__(self, *, anchors, intermediates, other_certs, crls, ocsp, source, mode, at, policy, sm2_id, budget) -> None:
        self.anchors = anchors
        self.index = CandidateIndex(anchors, intermediates)
        self.all_certs = [*intermediates, *other_certs]
        self._signer_index: dict[str, CandidateIndex] = {}
        self.crls = crls
        self.ocsp = ocsp
        self.source = source
        self.mode = mode
        self.at = at
        self.policy = policy
        self.sm2_id = sm2_id
        self.budget = budget
        self.evidence: list[Any] = []
        self.warnings: list[str] = []
        self._signer_results: dict[tuple[str, bytes], str | None] = {}
        self._in_progress: set[str] = set()
        self._crl_cache: dict[bytes, ParsedCRL | None] = {}

    # --- revocation (RFC 5280 6.1.3 (a)(3), 6.3) ------------------------------------------------
    def _crls_for(self, cert: Certificate, issuer: Certificate) -> list[ParsedCRL]:
        crls = list(self.crls)
        if self.source is not None:
            try:
                extra = self.source.crls_for(cert, issuer)
            except Exception as exc:  # an injected source must never crash validation
                self.warnings.append(f"revocation source failed: {exc}")
                extra = ()
            more, problems = parse_crls([b for b in extra if bytes(b) not in self._crl_cache], "fetched")
            for p in more:
                self._crl_cache[p.der] = p
            crls.extend(p for p in (self._crl_cache.get(bytes(b)) for b in extra) if p is not None and p not in crls)
        return crls

    def check_revocation(self, path: list[Certificate], keys: list[PublicKey], anchor: TrustAnchor, depth: int) -> _Failure | None:
        if self.mode is RevocationMode.OFF:
            return None
        for i in range(1, len(path)):
            cert, issuer = path[i], path[i - 1]
            outcome_fail = self._check_one(cert, issuer, keys[i - 1], anchor, depth)
            if outcome_fail is not None:
                return outcome_fail
        return None

    def _check_one(self, cert: Certificate, issuer: Certificate, key: PublicKey, anchor: TrustAnchor, depth: int) -> _Failure | None:
        crls = self._crls_for(cert, issuer)
        if crls:
            status = check_crls(cert, crls, at=self.at,
                                signer_ok=lambda crl: self._crl_signer_ok(crl, issuer, key, anchor, depth))
        else:  # RFC 5280 6.3.3 over no CRLs: nothing covers the certificate (what check_crls answers, minus the DP parse)
            status = CRLStatus(None, problems=["no CRL covers this certificate"])
        self.evidence.extend(status.evidence)
        st, rt, reason, problems = status.status, status.revocation_time, status.reason, list(status.problems)
        if st is None:
            ocsp_st = self._ocsp(cert, issuer, problems)
            if ocsp_st is not None:
                st, rt, reason = ocsp_st
        if st is None and self.source is not None:
            # Why fetched evidence is missing (SSRF refusal, time-out, size limit) belongs in the report.
            problems.extend(getattr(self.source, "reasons_for", lambda _c: [])(cert))
        has_pointers = cert.has_revocation_pointers
        outcome = judge(self.mode, status=st, at=self.at, revocation_time=rt, has_pointers=has_pointers,
                        problems=problems, only_stale=status.only_stale)
        if outcome.warning:
            self.warnings.append(f"{cert.subject_str}: {outcome.warning}")
        if outcome.indication is None:
            return None
        why = outcome.reason or "revocation check failed"
        if reason:
            why += f" (reason: {reason})"
        return _Failure(outcome.indication, outcome.sub_indication, [f"{cert.subject_str}: {why}"], [])

    def _ocsp(self, cert: Certificate, issuer: Certificate, problems: list[str]):
        responses = list(self.ocsp)
        if self.source is not None:
            try:
                responses.extend(self.source.ocsp_for(cert, issuer))
            except Exception as exc:  # injected I/O must not crash the pure core
                self.warnings.append(f"revocation source failed: {exc}")
        if not responses:
            return None
        try:
            from trustsvc.revocation.ocsp import check_ocsp_response
        except ImportError:
            return None
        for der in responses:
            try:
                res = check_ocsp_response(cert, issuer, bytes(der), at=self.at, algorithm_policy=self.policy,
                                          other_certs=self.all_certs)
            except Exception as exc:  # noqa: BLE001 - a broken response is evidence of nothing
                self.warnings.append(f"OCSP response unusable: {exc}")
                continue
            if res.status in ("good", "revoked"):
                if res.evidence is not None:
                    self.evidence.append(res.evidence)
                return res.status, res.revocation_time, res.reason
            # RFC 6960 2.2: "unknown" says nothing about revocation; an invalid response proves nothing.
            problems.append(f"OCSP response {res.status}" + (f": {res.error}" if res.error else ""))
        return None

    def _verify_crl(self, crl: ParsedCRL, key: PublicKey) -> bool:
        try:
            used = verify_signature(key, crl.asn1["signature_algorithm"], crl.asn1["signature"].native, crl.tbs_der,
                                    sm2_id=self.sm2_id)
        except SignatureError:
            return False
        return self.policy.check(used, self.at) is None

    def _crl_signer_ok(self, crl: ParsedCRL, issuer: Certificate, key: PublicKey, anchor: TrustAnchor, depth: int) -> str | None:
        """RFC 5280 6.3.3 (f), (g): the CRL issuer's path must validate to the same anchor; verify the signature."""
        ck = (crl.sha256, anchor.certificate.der)
        if ck in self._signer_results:
            return self._signer_results[ck]
        result = self._find_crl_signer(crl, issuer, key, anchor, depth)
        self._signer_results[ck] = result
        return result

    def _find_crl_signer(self, crl: ParsedCRL, issuer: Certificate, key: PublicKey, anchor: TrustAnchor, depth: int) -> str | None:
        who = f"CRL issued by {crl.issuer.human_friendly}"
        # The certificate's own issuer, already validated on this path (the usual case).
        if crl.issuer_key == issuer.subject_key and (issuer.key_usage is None or "crl_sign" in issuer.key_usage):
            if self._verify_crl(crl, key):
                return None
        if crl.issuer_key == anchor.certificate.subject_key:
            try:
                if self._verify_crl(crl, issuer_key(anchor.certificate.spki, None)):
                    return None
            except SignatureError:
                pass
        if depth >= self.budget.revocation_depth:
            return f"{who}: CRL signer validation nested too deeply"
        reasons = []
        for signer in self.all_certs:
            if signer.subject_key != crl.issuer_key:
                continue
            if signer.key_usage is not None and "crl_sign" not in signer.key_usage:
                reasons.append(f"{signer.subject_str}: keyUsage lacks cRLSign")
                continue
            if signer.sha256 in self._in_progress:
                # Circular dependency (PKITS 4.14.30): the signer's own status is being established from this CRL.
                try:
                    if self._verify_crl(crl, issuer_key(signer.spki, None)):
                        return None
                except SignatureError:
                    pass
                continue
            why = self._validate_signer(signer, crl, anchor, depth)
            if why is None:
                return None
            reasons.append(why)
        return f"{who}: no valid CRL signer" + (f" ({'; '.join(reasons)})" if reasons else "")

    def _validate_signer(self, signer: Certificate, crl: ParsedCRL, anchor: TrustAnchor, depth: int) -> str | None:
        idx = self._signer_index.get(anchor.certificate.sha256)
        if idx is None:
            idx = self._signer_index[anchor.certificate.sha256] = CandidateIndex([anchor], self.all_certs)
        self._in_progress.add(signer.sha256)
        try:
            last = None
            for _anchor, path in build_paths(signer, idx, self.budget, [], sm2_id=self.sm2_id):
                try:
                    res = validate_path(path, at=self.at, budget=self.budget, algorithm_policy=self.policy,
                                        sm2_id=self.sm2_id, end_entity_expiry_fatal=True)
                except PathValidationError as exc:
                    last = exc.reason
                    continue
                if not self._verify_crl(crl, res.keys[-1]):
                    last = "CRL signature does not verify"
                    continue
                fail = self.check_revocation(path, res.keys, anchor, depth + 1)
                if fail is not None:
                    last = "; ".join(fail.reasons)
                    continue
                return None
            return f"CRL signer {signer.subject_str}: {last or 'no path to the trust anchor'}"
        finally:
            self._in_progress.discard(signer.sha256)


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
) -> CertificateReport:
    """Validate `end_entity` at `at` (RFC 5280 6.1 + 6.3), returning an EN 319 102-1 report; never raises
    for bad input."""
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
    engine = _Engine(anchors=anchors, intermediates=inter, other_certs=others, crls=parsed_crls, ocsp=list(ocsp_responses),
                     source=revocation_source, mode=mode, at=at, policy=algorithm_policy or DEFAULT_POLICY,
                     sm2_id=sm2_id, budget=budget)
    initial = set(initial_policy_set) if initial_policy_set is not None else None
    failure: _Failure | None = None
    attempts: list[Attempt] = []
    report.attempts = attempts
    try:
        for anchor, path in build_paths(ee, engine.index, budget, attempts, sm2_id=sm2_id):
            budget.candidate_path()
            try:
                res = validate_path(path, at=at, initial_policy_set=initial, explicit_policy=explicit_policy,
                                    policy_mapping_inhibit=policy_mapping_inhibit, any_policy_inhibit=any_policy_inhibit,
                                    budget=budget, algorithm_policy=engine.policy, sm2_id=sm2_id)
            except PathValidationError as exc:
                attempts.append(Attempt.of(path, exc.reason))
                failure = failure or _Failure(exc.indication, exc.sub_indication, [exc.reason], path)
                continue
            n_ev = len(engine.evidence)
            fail = None if mode is RevocationMode.OFF else engine.check_revocation(path, res.keys, anchor, 0)
            if fail is None and res.end_entity_time_problem is not None:
                tp = res.end_entity_time_problem
                sub = tp.sub_indication
                if sub is SubIndication.OUT_OF_BOUNDS_NO_POE and mode is not RevocationMode.OFF and any(
                        getattr(e, "status", None) == "good" and getattr(e, "certificate", ee.subject_str) == ee.subject_str
                        for e in engine.evidence[n_ev:]):
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
            report.revocation_evidence = engine.evidence
            report.warnings.extend(engine.warnings)
            return report
    except BudgetExhausted as exc:
        report.reasons.append(f"{exc}; gave up after {len(attempts)} candidate paths")
        report.sub_indication = SubIndication.NO_CERTIFICATE_CHAIN_FOUND
        report.revocation_evidence = engine.evidence
        return report
    except RecursionError:
        report.reasons.append("path building recursion limit reached")
        report.sub_indication = SubIndication.NO_CERTIFICATE_CHAIN_FOUND
        return report
    report.revocation_evidence = engine.evidence
    report.warnings.extend(engine.warnings)
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
    return report
