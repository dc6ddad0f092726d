"""Revocation checking of a validated path: every certificate but the anchor (RFC 5280 6.3, RFC 6960,
EN 319 102-1 5.2.5 revocation freshness and 5.2.6 X.509 validation).

Order of evidence for each certificate (DESIGN "Revocation"): the CRLs and OCSP responses supplied with
the request or embedded in the CMS first (no I/O); only when they do not decide the status, the injected
`RevocationSource` (trust-list supply points, then the certificate's CRL distribution points and AIA
OCSP URLs). Point in time: evidence issued at or after the validation time T decides the status at T from
the revocation date (revoked at R is revoked at T iff R <= T); evidence issued before T counts only while
fresh (`revocation/freshness.py`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from trustsvc.errors import TrustsvcError
from trustsvc.failures import Failure
from trustsvc.path.anchor import TrustAnchor
from trustsvc.path.budget import Budget
from trustsvc.path.builder import Attempts, CandidateIndex, build_paths
from trustsvc.path.signatures import SignatureError, issuer_key
from trustsvc.path.validate import PathValidationError, validate_path
from trustsvc.revocation.crl import CRLStatus, ParsedCRL, check_crls, parse_crls
from trustsvc.revocation.evidence import RevocationEvidence
from trustsvc.revocation.modes import RevocationMode, RevocationOutcome, judge
from trustsvc.revocation.ocsp import check_ocsp_response
from trustsvc.revocation.source import ExplainingRevocationSource, RevocationSource
from trustsvc.revocation.status import OCSPProblem, RevocationStatus
from trustsvc.x509.algorithm_policy import AlgorithmPolicy
from trustsvc.x509.certificate import Certificate
from trustsvc.x509.signature import PublicKey, verify_signature

__all__ = ["CertificateStatus", "RevocationChecker", "RevocationResult", "RevocationStatus"]

# What an injected source may raise without it being our bug: its own typed errors and I/O failures.
_SOURCE_ERRORS = (TrustsvcError, OSError, TimeoutError, ValueError)


@dataclass
class CertificateStatus:
    """What was established for one certificate of the path: status, evidence used, what was refused."""

    certificate: Certificate
    is_end_entity: bool
    status: RevocationStatus = RevocationStatus.UNKNOWN
    revocation_time: datetime | None = None
    reason: str | None = None
    evidence: list[RevocationEvidence] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    outcome: RevocationOutcome = RevocationOutcome(None)
    # Supplied evidence that covered the certificate and did not hold (typed; `refused` has the English text).
    refuted_by: list[Failure] = field(default_factory=list)

    @property
    def failure(self) -> Failure | None:
        """The typed failure this certificate's status makes of the path (None when there is no objection)."""
        return self.outcome.failure(self.certificate)

    @property
    def on_hold(self) -> bool:
        return self.status is RevocationStatus.REVOKED and self.reason == "certificate_hold"

    def to_dict(self) -> dict[str, object]:
        return {
            "certificate": self.certificate.subject_str,
            "serial_number": format(self.certificate.serial_number, "x"),
            "end_entity": self.is_end_entity,
            "status": self.status.value,
            "revocation_time": self.revocation_time.isoformat() if self.revocation_time else None,
            "reason": self.reason,
            "evidence": [e.to_dict() for e in self.evidence],
            "refused": list(self.refused),
            "indication": self.outcome.indication.value if self.outcome.indication else None,
            "sub_indication": self.outcome.sub_indication.value if self.outcome.sub_indication else None,
        }


@dataclass
class RevocationResult:
    """The revocation check of one path: one `CertificateStatus` per certificate below the anchor."""

    certificates: list[CertificateStatus] = field(default_factory=list)

    @property
    def failure(self) -> CertificateStatus | None:
        """The first certificate (from the anchor down) whose status makes the path fail, if any."""
        return next((c for c in self.certificates if c.outcome.indication is not None), None)


@dataclass
class _Decision:
    """Status from one batch of evidence (supplied, or from the source)."""

    status: RevocationStatus | None = None
    revocation_time: datetime | None = None
    reason: str | None = None
    evidence: list[RevocationEvidence] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    stale: bool = False
    refuted: list[Failure] = field(default_factory=list)  # supplied CRLs covering the certificate that do not hold


class RevocationChecker:
    """One validation call's revocation state: supplied evidence, the source, parsed CRLs, CRL-signer results."""

    def __init__(self, *, anchors: Sequence[TrustAnchor], certificates: Sequence[Certificate],
                 crls: Sequence[ParsedCRL], ocsp: Sequence[bytes], source: RevocationSource | None,
                 mode: RevocationMode,
                 at: datetime, policy: AlgorithmPolicy, sm2_id: bytes | None, budget: Budget,
                 max_freshness: timedelta | None = None, profile: str | None = None) -> None:
        self.profile = profile  # RFC 5280 certificate profile CRL-signer paths are held to (path/profile.py)
        self.anchors = list(anchors)
        self.all_certs = list(certificates)
        self.crls = list(crls)
        self.ocsp = [bytes(o) for o in ocsp]
        self.source = source
        self._explaining = source if source is not None and isinstance(source, ExplainingRevocationSource) else None  # a Protocol check costs µs
        self.mode = mode
        self.at = at
        self.policy = policy
        self.sm2_id = sm2_id
        self.budget = budget
        self.max_freshness = max_freshness
        self.warnings: list[str] = []
        self._signer_index: dict[str, CandidateIndex] = {}
        self._signer_results: dict[tuple[str, bytes], str | None] = {}
        self._in_progress: set[str] = set()
        self._fetched_crls: dict[bytes, ParsedCRL | None] = {}

    # --- the path ------------------------------------------------------------------------------
    def check_path(self, path: list[Certificate], keys: list[PublicKey], anchor: TrustAnchor,
                   depth: int = 0) -> RevocationResult:
        """RFC 5280 6.1.3 (a)(3): the status of every certificate after the anchor, stopping at the first failure."""
        result = RevocationResult()
        if self.mode is RevocationMode.OFF:
            return result
        for i in range(1, len(path)):
            status = self._check_one(path[i], path[i - 1], keys[i - 1], anchor, depth, is_ee=i == len(path) - 1)
            result.certificates.append(status)
            if status.outcome.indication is not None:
                break
        return result

    def _check_one(self, cert: Certificate, issuer: Certificate, key: PublicKey, anchor: TrustAnchor, depth: int,
                   *, is_ee: bool) -> CertificateStatus:
        out = CertificateStatus(cert, is_ee)
        # Supplied / embedded evidence first: no I/O when it decides.
        decision = self._decide(cert, issuer, key, anchor, depth, self.crls, self.ocsp)
        if decision.status is None and self.source is not None:
            if self._explaining is not None:
                self._explaining.begin(cert)
            fetched = self._decide(cert, issuer, key, anchor, depth, self._source_crls(cert, issuer),
                                   self._source_ocsp(cert, issuer), fetched=True)
            if fetched.status is None:  # what the supplied material lacked still explains the outcome
                fetched.problems[:0] = decision.problems
                fetched.stale = fetched.stale or decision.stale
                fetched.refuted = decision.refuted
            fetched.evidence[:0] = decision.evidence
            decision = fetched
            # What was tried and refused (SSRF guard, time-out, size limit) belongs in the report.
            if self._explaining is not None:
                decision.problems.extend(self._explaining.reasons_for(cert))
        out.evidence = decision.evidence
        out.refused = list(dict.fromkeys(decision.problems))
        if decision.status is not None:
            out.status, out.revocation_time, out.reason = decision.status, decision.revocation_time, decision.reason
        out.outcome = judge(self.mode, status=decision.status, at=self.at,
                            revocation_time=decision.revocation_time, reason=decision.reason,
                            has_pointers=cert.has_revocation_pointers, problems=out.refused,
                            only_stale=decision.stale, refuted=bool(decision.refuted))
        out.refuted_by = decision.refuted
        if out.outcome.warning:
            self.warnings.append(f"{cert.subject_str}: {out.outcome.warning}")
        return out

    def _decide(self, cert: Certificate, issuer: Certificate, key: PublicKey, anchor: TrustAnchor, depth: int,
                crls: list[ParsedCRL], ocsp: list[bytes], *, fetched: bool = False) -> _Decision:
        """CRLs first (RFC 5280 6.3.3), then OCSP (RFC 6960) when the CRLs leave the status open."""
        d = _Decision()
        if crls:
            st: CRLStatus = check_crls(cert, crls, at=self.at, max_freshness=self.max_freshness,
                                       signer_ok=lambda crl: self._crl_signer_ok(crl, issuer, key, anchor, depth))
            d.evidence.extend(st.evidence)
            d.stale = st.only_stale
            if st.status is not None:
                d.status, d.revocation_time, d.reason = st.status, st.revocation_time, st.reason
                return d
            d.problems.extend(st.problems)
            # Only what the caller supplied (or the CMS embeds) is held against the certificate when it is
            # refuted; a fetched CRL that fails stays a reason in the report (the source's material is the
            # network's, and soft-fail tolerates the network).
            d.refuted = [] if fetched else list(st.refuted)
        elif not fetched:
            d.problems.append("no CRL covers this certificate")
        for der in ocsp:
            res = check_ocsp_response(cert, issuer, bytes(der), at=self.at, freshness=self.max_freshness,
                                      algorithm_policy=self.policy, other_certs=self.all_certs, sm2_id=self.sm2_id,
                                      source=getattr(der, "source", "supplied"))
            if res.status.decides:
                d.evidence.append(res.evidence)
                d.status, d.revocation_time, d.reason = RevocationStatus(res.status.value), res.revocation_time, res.reason
                d.problems.clear()
                d.refuted = []
                return d
            if res.problem is OCSPProblem.NO_MATCH:
                continue  # a response about another certificate says nothing about this one
            d.evidence.append(res.evidence)
            d.stale = d.stale or res.problem is OCSPProblem.STALE
            # RFC 6960 2.2: "unknown" says nothing about revocation; an invalid response proves nothing.
            d.problems.append(f"OCSP response {res.status.value}" + (f": {res.error}" if res.error else ""))
        return d

    # --- the injected source ----------------------------------------------------------------------
    def _source_crls(self, cert: Certificate, issuer: Certificate) -> list[ParsedCRL]:
        try:
            blobs = list(self.source.crls_for(cert, issuer))
        except _SOURCE_ERRORS as exc:
            self.warnings.append(f"revocation source failed: {exc}")
            return []
        out: list[ParsedCRL] = []
        known = {c.sha256 for c in self.crls}
        for blob in blobs:
            der = bytes(blob)
            if der not in self._fetched_crls:
                # A fetching source tags what it fetched with the URL (`source`); the report names it.
                parsed, problems = parse_crls([der], getattr(blob, "source", "fetched"))
                self.warnings.extend(problems)
                self._fetched_crls[der] = parsed[0] if parsed else None
            crl = self._fetched_crls[der]
            if crl is not None and crl.sha256 not in known and crl not in out:
                out.append(crl)
        return out

    def _source_ocsp(self, cert: Certificate, issuer: Certificate) -> list[bytes]:
        try:
            got = list(self.source.ocsp_for(cert, issuer))
        except _SOURCE_ERRORS as exc:
            self.warnings.append(f"revocation source failed: {exc}")
            return []
        return [o for o in got if bytes(o) not in self.ocsp]

    # --- CRL signers (RFC 5280 6.3.3 (f), (g)) ---------------------------------------------------
    def _verify_crl(self, crl: ParsedCRL, key: PublicKey) -> bool:
        try:
            used = verify_signature(key, crl.asn1["signature_algorithm"], crl.asn1["signature"].native, crl.tbs_der,
                                    sm2_id=self.sm2_id)
        except SignatureError:
            return False
        return self.policy.check(used, self.at) is None

    def _crl_signer_ok(self, crl: ParsedCRL, issuer: Certificate, key: PublicKey, anchor: TrustAnchor,
                       depth: int) -> str | None:
        """RFC 5280 6.3.3 (f), (g): the CRL issuer's path must validate to the same anchor; verify the signature."""
        ck = (crl.sha256, anchor.certificate.der)
        if ck not in self._signer_results:
            self._signer_results[ck] = self._find_crl_signer(crl, issuer, key, anchor, depth)
        return self._signer_results[ck]

    def _find_crl_signer(self, crl: ParsedCRL, issuer: Certificate, key: PublicKey, anchor: TrustAnchor,
                         depth: int) -> str | None:
        who = f"CRL issued by {crl.issuer.human_friendly}"
        # The certificate's own issuer, already validated on this path (the usual case).
        if crl.issuer_key == issuer.subject_key and (issuer.key_usage is None or "crl_sign" in issuer.key_usage):
            if self._verify_crl(crl, key):
                return None
        anchor_ku = anchor.certificate.key_usage
        # RFC 5280 6.3.3 (f): the anchor signs CRLs only if its keyUsage (when present) asserts cRLSign
        if crl.issuer_key == anchor.certificate.subject_key and (anchor_ku is None or "crl_sign" in anchor_ku) \
                and self._verify_with(crl, anchor.certificate):
            return None
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
                if self._verify_with(crl, signer):
                    return None
                continue
            why = self._validate_signer(signer, crl, anchor, depth)
            if why is None:
                return None
            reasons.append(why)
        return f"{who}: no valid CRL signer" + (f" ({'; '.join(reasons)})" if reasons else "")

    def _verify_with(self, crl: ParsedCRL, cert: Certificate) -> bool:
        try:
            return self._verify_crl(crl, issuer_key(cert.spki, None))
        except SignatureError:
            return False

    def _validate_signer(self, signer: Certificate, crl: ParsedCRL, anchor: TrustAnchor, depth: int) -> str | None:
        idx = self._signer_index.get(anchor.certificate.sha256)
        if idx is None:
            idx = self._signer_index[anchor.certificate.sha256] = CandidateIndex([anchor], self.all_certs)
        self._in_progress.add(signer.sha256)
        try:
            last = None
            for _anchor, path in build_paths(signer, idx, self.budget, Attempts(keep=0), sm2_id=self.sm2_id):
                try:
                    res = validate_path(path, at=self.at, budget=self.budget, algorithm_policy=self.policy,
                                        sm2_id=self.sm2_id, end_entity_expiry_fatal=True,
                                        profile="lenient" if getattr(anchor, "profile", None) == "lenient" else self.profile)
                except PathValidationError as exc:
                    last = exc.reason
                    continue
                if not self._verify_crl(crl, res.keys[-1]):
                    last = "CRL signature does not verify"
                    continue
                failure = self.check_path(path, res.keys, anchor, depth + 1).failure
                if failure is not None:
                    last = f"{failure.certificate.subject_str}: {failure.outcome.reason}"
                    continue
                return None
            return f"CRL signer {signer.subject_str}: {last or 'no path to the trust anchor'}"
        finally:
            self._in_progress.discard(signer.sha256)
