"""Revocation modes (off / soft-fail / hard-fail / require) and their EN 319 102-1 outcomes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import Enum

from typing import TYPE_CHECKING

from trustsvc.failures import Failure
from trustsvc.reports import Indication, SubIndication
from trustsvc.revocation.status import RevocationStatus

if TYPE_CHECKING:
    from trustsvc.x509.certificate import Certificate

__all__ = ["Objection", "RevocationMode", "RevocationOutcome", "judge"]


class RevocationMode(str, Enum):
    """What to do when revocation status cannot be established (pyhanko-certvalidator's meanings).

    * `off`: do not check revocation at all.
    * `soft-fail`: check what can be obtained; a certificate shown revoked fails; evidence that
      cannot be obtained or used only adds a warning.
    * `hard-fail`: as soft-fail, but a certificate that POINTS to revocation information (CRL
      distribution points, AIA OCSP, or trust-list supply points) whose status cannot be
      established fails; one without any pointer passes.
    * `require`: every certificate (except the trust anchor) must have its status established.
    """

    OFF = "off"
    SOFT_FAIL = "soft-fail"
    HARD_FAIL = "hard-fail"
    REQUIRE = "require"


class Objection(str, Enum):
    """What a revocation outcome objects to (messages.py renders each in the reader's language)."""

    REVOKED = "revoked"  # revoked at or before the validation time
    ON_HOLD = "on_hold"  # certificateHold: not final
    NOT_ESTABLISHED = "not_established"  # no usable evidence, and the mode requires it
    REFUTED = "refuted"  # supplied evidence covering the certificate does not hold


@dataclass(frozen=True)
class RevocationOutcome:
    """The effect of one certificate's revocation check: `indication` None means "no objection"."""

    indication: Indication | None
    sub_indication: SubIndication | None = None
    reason: str | None = None  # English, for logs and the reports' `en` text
    warning: str | None = None
    objection: Objection | None = None

    def failure(self, certificate: "Certificate | None" = None) -> Failure | None:
        """This outcome as the core's typed failure (None when there is no objection), at `certificate`."""
        if self.indication is None:
            return None
        return Failure(self.indication, self.sub_indication, self.reason or "revocation check failed",
                       certificate=certificate, rule=_RULES.get(self.objection) if self.objection is not None else None)


_RULES = {
    Objection.REVOKED: "RFC 5280 6.3.3 (i)",
    Objection.ON_HOLD: "RFC 5280 5.3.1",
    Objection.NOT_ESTABLISHED: "EN 319 102-1 5.2.5",
    Objection.REFUTED: "RFC 5280 6.3.3 (f)",
}


def judge(mode: RevocationMode | str, *, status: RevocationStatus | str | None, at: datetime,
          revocation_time: datetime | None = None, reason: str | None = None, has_pointers: bool = False, problems: Sequence[str] = (),
          only_stale: bool = False, refuted: bool = False) -> RevocationOutcome:
    """Map a certificate's revocation evidence to an EN 319 102-1 outcome (5.2.5, 5.2.6 X.509 validation).

    `status`: "good" / "revoked" / "unknown" from usable evidence, None when there is none.
    `only_stale`: evidence existed but none was fresh at `at`. `problems`: why nothing usable was
    obtained (SSRF refusal, time-out, wrong responder key ...), reported as the reason/warning.

      revoked at `at` (revocationTime <= at)     -> FAILED / REVOKED           (every mode but off)
      on hold at `at` (reason certificateHold)   -> INDETERMINATE / TRY_LATER  (every mode but off: not final)
      no usable evidence (stale, down, refused, unknown) -> INDETERMINATE / TRY_LATER
    the last only under hard-fail (if the certificate has pointers) and require; soft-fail turns it
    into a warning that names the reasons (never a silent pass).

    `refuted`: revocation data supplied with the request claimed to cover the certificate and did not hold
    (a CRL whose signature or issuer path fails, or that breaks the RFC 5280 5.2 profile). That is
    INDETERMINATE / TRY_LATER in every mode but off: RFC 5280 6.3.3 leaves the status UNDETERMINED, and
    soft-fail tolerates revocation data that cannot be obtained (a responder down, a fetch refused: the
    network-error case of Java's PKIXRevocationChecker SOFT_FAIL), not data the caller put forward that
    is forged or broken (EN 319 102-1 5.2.5: the evidence at hand cannot establish the status).
    """
    mode = RevocationMode(mode)
    if mode is RevocationMode.OFF:
        return RevocationOutcome(None)
    status = RevocationStatus(status) if status is not None else None
    if status is RevocationStatus.REVOKED and (revocation_time is None or revocation_time <= at):
        when = f" at {revocation_time.isoformat()}" if revocation_time else ""
        if reason == "certificate_hold":
            # RFC 5280 5.3.1: a hold is reversible; EN 319 102-1 5.2.6 - re-check later.
            return RevocationOutcome(Indication.INDETERMINATE, SubIndication.TRY_LATER,
                                     f"certificate on hold (suspended){when}; its status is not final",
                                     objection=Objection.ON_HOLD)
        why = f" (reason: {reason})" if reason else ""
        return RevocationOutcome(Indication.FAILED, SubIndication.REVOKED, f"certificate revoked{when}{why}",
                                 objection=Objection.REVOKED)
    if status in (RevocationStatus.GOOD, RevocationStatus.REVOKED):  # revoked after `at`: not revoked at `at`
        return RevocationOutcome(None)
    detail = "; ".join(problems) if problems else ("responder does not know the certificate" if status is RevocationStatus.UNKNOWN
                                                  else "no revocation information")
    if only_stale and not problems:
        detail = "only stale revocation information"
    message = f"revocation status not established: {detail}"
    fails = mode is RevocationMode.REQUIRE or (mode is RevocationMode.HARD_FAIL and has_pointers) or refuted
    if not fails:
        return RevocationOutcome(None, warning=message)
    # EN 319 102-1 5.2.5: no fresh revocation information -> INDETERMINATE / TRY_LATER.
    return RevocationOutcome(Indication.INDETERMINATE, SubIndication.TRY_LATER, message,
                             objection=Objection.REFUTED if refuted else Objection.NOT_ESTABLISHED)
