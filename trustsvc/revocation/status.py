"""The typed values revocation checking speaks in: a certificate's status, a piece of evidence's status, and why
an OCSP response could not be used. String enums: their values are what the JSON reports have always carried
("good", "revoked", "unknown", "invalid"), and they compare equal to those strings."""

from __future__ import annotations

from enum import Enum

__all__ = ["EvidenceStatus", "OCSPProblem", "RevocationStatus"]


class RevocationStatus(str, Enum):
    """The status of one certificate at the validation time, as the evidence shows it."""

    GOOD = "good"
    REVOKED = "revoked"
    UNKNOWN = "unknown"  # no usable evidence (none, stale, refused, responder "unknown"), or on hold


class EvidenceStatus(str, Enum):
    """What one CRL or OCSP response says of a certificate, or that it could not be used (`INVALID`)."""

    GOOD = "good"
    REVOKED = "revoked"
    UNKNOWN = "unknown"  # RFC 6960 2.2: the responder does not know the certificate
    INVALID = "invalid"

    @property
    def decides(self) -> bool:
        """Whether this evidence establishes the certificate's status (good or revoked)."""
        return self in (EvidenceStatus.GOOD, EvidenceStatus.REVOKED)


class OCSPProblem(str, Enum):
    """Why an OCSP response is no usable evidence, with the RFC 6960 / RFC 8954 clause it breaks."""

    MALFORMED = "malformed"
    NOT_SUCCESSFUL = "not-successful"
    TRY_LATER = "try-later"
    NO_MATCH = "no-match"
    SIGNATURE = "signature"
    RESPONDER = "responder"
    STALE = "stale"
    NOT_YET_VALID = "not-yet-valid"
    NONCE = "nonce"
    ALGORITHM = "algorithm"

    @property
    def rule(self) -> str:
        return _RULES[self]


_RULES = {
    OCSPProblem.MALFORMED: "RFC 6960 4.2.1",
    OCSPProblem.NOT_SUCCESSFUL: "RFC 6960 2.3",
    OCSPProblem.TRY_LATER: "RFC 6960 2.3",
    OCSPProblem.NO_MATCH: "RFC 6960 3.2 (1)",
    OCSPProblem.SIGNATURE: "RFC 6960 3.2 (2)",
    OCSPProblem.RESPONDER: "RFC 6960 4.2.2.2",
    OCSPProblem.STALE: "RFC 6960 3.2 (4)",
    OCSPProblem.NOT_YET_VALID: "RFC 6960 3.2 (4)",
    OCSPProblem.NONCE: "RFC 8954 2.1",
    OCSPProblem.ALGORITHM: "ETSI TS 119 312",
}
