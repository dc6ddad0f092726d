"""The certificate validation report (EN 319 102-1 X.509 certificate validation building block)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from trustsvc.path.builder import Attempt
from trustsvc.reports import Indication, SubIndication
from trustsvc.revocation.checker import CertificateStatus
from trustsvc.revocation.evidence import RevocationEvidence
from trustsvc.x509.certificate import Certificate


def _cert_dict(c: Certificate) -> dict[str, str]:
    """A certificate of the path as the report shows it: built once per certificate (the CA certificates of a
    busy service are in every report), copied per report."""
    return dict(c.derived("report_entry", _entry))


def _entry(c: Certificate) -> dict[str, str]:
    return {"subject": c.subject_str, "issuer": c.issuer_str, "serial_number": format(c.serial_number, "x"),
            "sha256": c.sha256, "not_before": c.not_before.isoformat(), "not_after": c.not_after.isoformat()}


@dataclass
class CertificateReport:
    """Outcome of validating one certificate at one time: indication, path, policies, evidence, reasons."""

    indication: Indication
    sub_indication: SubIndication | None = None
    path: list[Certificate] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    user_constrained_policy_set: set[str] = field(default_factory=set)
    authority_constrained_policy_set: set[str] = field(default_factory=set)
    user_notices: list[str] = field(default_factory=list)
    revocation_evidence: list[RevocationEvidence] = field(default_factory=list)
    # Per certificate of the path (revocation/checker.CertificateStatus): status, evidence used, what was refused.
    revocation: list[CertificateStatus] = field(default_factory=list)
    recognition: dict[str, object] | None = None
    validation_time: datetime | None = None
    validation_time_source: str = "now"
    trust_anchor: str | None = None
    attempts: list[Attempt] = field(default_factory=list)  # path/builder.Attempts: the first ones, and a total
    usage: str | None = None
    lang: str = "en"
    technical_details: list[str] = field(default_factory=list)  # the layers' own English reasons (validation/localise.py)

    @property
    def passed(self) -> bool:
        return self.indication is Indication.PASSED

    @property
    def revoked(self) -> CertificateStatus | None:
        """The certificate status that failed the path on revocation (REVOKED / on hold), if any."""
        return next((c for c in self.revocation if c.outcome.indication is not None), None)

    def to_dict(self) -> dict[str, object]:
        return {
            "indication": self.indication.value,
            "sub_indication": self.sub_indication.value if self.sub_indication else None,
            "validation_time": self.validation_time.isoformat() if self.validation_time else None,
            "validation_time_source": self.validation_time_source,
            "trust_anchor": self.trust_anchor,
            "path": [_cert_dict(c) for c in self.path],
            "reasons": list(self.reasons),
            "warnings": list(self.warnings),
            "user_constrained_policy_set": sorted(self.user_constrained_policy_set),
            "authority_constrained_policy_set": sorted(self.authority_constrained_policy_set),
            "user_notices": list(self.user_notices),
            "revocation_evidence": [e.to_dict() if hasattr(e, "to_dict") else e for e in self.revocation_evidence],
            "revocation": [c.to_dict() if hasattr(c, "to_dict") else c for c in self.revocation],
            "recognition": self.recognition,
            "usage": self.usage,
            "lang": self.lang,
            "technical_details": list(self.technical_details),
            "candidate_paths": [a.to_dict() if hasattr(a, "to_dict") else a for a in self.attempts],
            # Past a limit the candidate paths are summarised: the first ones are listed, the rest counted.
            "candidate_paths_total": getattr(self.attempts, "total", len(self.attempts)),
        }
