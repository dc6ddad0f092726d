"""Revocation modes (off / soft-fail / hard-fail / require) and their EN 319 102-1 outcomes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import Enum

from trustsvc.reports import Indication, SubIndication

__all__ = ["RevocationMode", "RevocationOutcome", "judge"]


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


@dataclass(frozen=True)
class RevocationOutcome:
    """The effect of one certificate's revocation check: `indication` None means "no objection"."""

    indication: Indication | None
    sub_indication: SubIndication | None = None
    reason: str | None = None
    warning: str | None = None


def judge(mode: RevocationMode | str, *, status: str | None, at: datetime, revocation_time: datetime | None = None,
          has_pointers: bool = False, problems: Sequence[str] = (), only_stale: bool = False) -> RevocationOutcome:
    """Map a certificate's revocation evidence to an EN 319 102-1 outcome (5.2.6, X.509 validation).

    `status`: "good" / "revoked" / "unknown" from usable evidence, None when there is none.
    `only_stale`: evidence existed but none was fresh at `at`. `problems`: why nothing usable was
    obtained (SSRF refusal, time-out, wrong responder key ...), reported as the reason/warning.

      revoked at `at`                           -> FAILED / REVOKED           (every mode but off)
      no usable evidence, stale only            -> INDETERMINATE / REVOCATION_OUT_OF_BOUNDS_NO_POE
      no usable evidence (down, refused, unknown)-> INDETERMINATE / TRY_LATER
    the last two only under hard-fail (if the certificate has pointers) and require; soft-fail
    turns them into warnings.
    """
    mode = RevocationMode(mode)
    if mode is RevocationMode.OFF:
        return RevocationOutcome(None)
    if status == "revoked" and (revocation_time is None or revocation_time <= at):
        when = f" at {revocation_time.isoformat()}" if revocation_time else ""
        return RevocationOutcome(Indication.FAILED, SubIndication.REVOKED, f"certificate revoked{when}")
    if status == "good" or status == "revoked":  # revoked after `at`: not revoked at `at`
        return RevocationOutcome(None)
    detail = "; ".join(problems) if problems else ("responder does not know the certificate" if status == "unknown"
                                                  else "no revocation information")
    message = f"revocation status not established: {detail}"
    fails = mode is RevocationMode.REQUIRE or (mode is RevocationMode.HARD_FAIL and has_pointers)
    if not fails:
        return RevocationOutcome(None, warning=message)
    sub = SubIndication.REVOCATION_OUT_OF_BOUNDS_NO_POE if only_stale else SubIndication.TRY_LATER
    return RevocationOutcome(Indication.INDETERMINATE, sub, message)
