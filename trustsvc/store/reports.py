"""Optional archive of signed reports (compact JWS), addressed by the sha256 of the JWS text."""

from __future__ import annotations

import hashlib
from datetime import datetime, timezone

from sqlalchemy.orm import Session

from trustsvc.store.models import ArchivedReport


def archive(session: Session, jws: str, *, kind: str) -> str:
    digest = hashlib.sha256(jws.encode("ascii")).hexdigest()
    if session.get(ArchivedReport, digest) is None:
        session.add(ArchivedReport(sha256=digest, kind=kind[:32], created_at=datetime.now(timezone.utc), jws=jws))
        session.commit()
    return digest


def fetch(session: Session, digest: str) -> str | None:
    row = session.get(ArchivedReport, digest)
    return row.jws if row is not None else None


__all__ = ["archive", "fetch"]
