"""The revocation evidence a report records: which CRL or OCSP response decided a certificate's status."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime

__all__ = ["RevocationEvidence"]


@dataclass
class RevocationEvidence:
    """One piece of revocation evidence used (or rejected) for one certificate.

    `kind` "crl" | "ocsp"; `source` where it came from ("supplied", a URL, "cms"); `issuer` the
    CRL issuer / OCSP responder name; `status` "good" | "revoked" | "unknown" | "invalid";
    `sha256` of the DER; `certificate` the subject of the certificate it was used for.
    """

    kind: str
    source: str
    issuer: str
    this_update: datetime | None = None
    next_update: datetime | None = None
    produced_at: datetime | None = None
    sha256: str | None = None
    status: str | None = None
    revocation_time: datetime | None = None
    reason: str | None = None
    certificate: str | None = None

    def to_dict(self) -> dict[str, object]:
        out: dict[str, object] = {}
        for f in fields(self):
            v = getattr(self, f.name)
            out[f.name] = v.isoformat() if isinstance(v, datetime) else v
        return out
