"""One typed failure value for the core (Go's `CertificateInvalidError{Cert, Reason}` shape).

`path/`, `revocation/` and `cms/` say why something failed with a `Failure`: the EN 319 102-1 indication and
sub-indication, the certificate concerned and its position on the path (0 = trust anchor), the rule that was
broken (`"RFC 5280 6.1.3 (a)(2)"`), and a detail in plain English for logs. Reports turn it into text for the
requested language only at the edge (`validation/messages.py`), so the core never pastes English fragments
into a zh report.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from trustsvc.reports import Indication, SubIndication

if TYPE_CHECKING:
    from trustsvc.x509.certificate import Certificate

__all__ = ["Failure"]


@dataclass(frozen=True, slots=True)
class Failure:
    """Why a certificate, path, revocation check or signature did not pass."""

    indication: Indication
    sub_indication: SubIndication | None
    detail: str
    certificate: "Certificate | None" = None
    position: int | None = None  # on the path, trust anchor first; None when not about one path position
    rule: str | None = None  # the clause broken, e.g. "RFC 5280 6.1.3 (a)(2)"; None when no single clause applies

    @classmethod
    def indeterminate(cls, sub: SubIndication, detail: str, **where: object) -> "Failure":
        return cls(Indication.INDETERMINATE, sub, detail, **where)  # type: ignore[arg-type]

    @classmethod
    def failed(cls, sub: SubIndication, detail: str, **where: object) -> "Failure":
        return cls(Indication.FAILED, sub, detail, **where)  # type: ignore[arg-type]

    def at(self, certificate: "Certificate", position: int | None = None) -> "Failure":
        """The same failure, located at `certificate` (and its path position)."""
        return replace(self, certificate=certificate, position=position if position is not None else self.position)

    @property
    def subject(self) -> str | None:
        """The subject of the certificate concerned, as text (for reports)."""
        return self.certificate.subject_str if self.certificate is not None else None

    def __str__(self) -> str:
        """The English detail, prefixed with the certificate it concerns (logs, and the reports' `en` fallback)."""
        subject = self.subject
        return f"{subject}: {self.detail}" if subject and not self.detail.startswith(subject) else self.detail

    def to_dict(self) -> dict[str, object]:
        return {
            "indication": self.indication.value,
            "sub_indication": self.sub_indication.value if self.sub_indication is not None else None,
            "certificate": self.subject,
            "position": self.position,
            "rule": self.rule,
            "detail": self.detail,
        }
