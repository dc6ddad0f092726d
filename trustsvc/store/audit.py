"""The append-only, hash-chained audit log: append an entry, verify the whole chain."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from trustsvc.store.models import AuditEntry

GENESIS = "0" * 64
_RETRIES = 20


def canonical(obj: Any) -> bytes:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str).encode("utf-8")


def entry_hash(*, at: str, actor: str, action: str, outcome: str, detail: str, prev_hash: str) -> str:
    """sha256 over the canonical JSON of the entry's content and the previous entry's hash."""
    content = {"at": at, "actor": actor, "action": action, "outcome": outcome, "detail": json.loads(detail),
               "prev_hash": prev_hash}
    return hashlib.sha256(canonical(content)).hexdigest()


def append(sessions: sessionmaker[Session], *, actor: str, action: str, outcome: str,
           detail: dict[str, Any] | None = None, at: datetime | None = None) -> AuditEntry:
    """Append one entry at the tail of the chain (its own transaction; retried if another writer won the tail)."""
    when = (at or datetime.now(timezone.utc)).astimezone(timezone.utc).isoformat(timespec="microseconds")
    body = canonical(detail or {}).decode("utf-8")
    last_error: Exception | None = None
    for _ in range(_RETRIES):
        with sessions() as s:
            tail = s.execute(select(AuditEntry.hash).order_by(AuditEntry.id.desc()).limit(1)).scalar_one_or_none()
            prev = tail or GENESIS
            entry = AuditEntry(at=when, actor=actor[:200], action=action[:64], outcome=outcome[:32], detail=body,
                               prev_hash=prev, hash=entry_hash(at=when, actor=actor[:200], action=action[:64],
                                                               outcome=outcome[:32], detail=body, prev_hash=prev))
            s.add(entry)
            try:
                s.commit()
                return entry
            except IntegrityError as exc:  # unique prev_hash: someone appended first; retry on the new tail
                s.rollback()
                last_error = exc
    raise RuntimeError(f"audit log: could not append after {_RETRIES} attempts: {last_error}")


@dataclass(frozen=True)
class ChainCheck:
    ok: bool
    entries: int
    head: str  # hash of the last good entry (publish it to detect truncation)
    first_bad_id: int | None = None
    reason: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "entries": self.entries, "head": self.head, "first_bad_id": self.first_bad_id,
                "reason": self.reason}


def verify_chain(session: Session, *, expected_head: str | None = None) -> ChainCheck:
    """Walk the log in id order; name the first entry whose link or hash does not match."""
    prev = GENESIS
    n = 0
    for row in session.execute(select(AuditEntry).order_by(AuditEntry.id)).scalars():
        if row.prev_hash != prev:
            return ChainCheck(False, n, prev, row.id, f"entry {row.id}: prev_hash {row.prev_hash[:16]}... does not "
                                                      f"link to the previous entry's hash {prev[:16]}... "
                                                      "(an entry was removed, inserted or re-chained)")
        try:
            recomputed = entry_hash(at=row.at, actor=row.actor, action=row.action, outcome=row.outcome,
                                    detail=row.detail, prev_hash=row.prev_hash)
        except ValueError:
            recomputed = ""
        if recomputed != row.hash:
            return ChainCheck(False, n, prev, row.id, f"entry {row.id}: content does not match its hash "
                                                      "(the row was modified)")
        prev = row.hash
        n += 1
    if expected_head is not None and expected_head != prev:
        return ChainCheck(False, n, prev, None, f"chain head {prev[:16]}... is not the expected {expected_head[:16]}... "
                                                "(entries were removed from the end)")
    return ChainCheck(True, n, prev)


__all__ = ["ChainCheck", "GENESIS", "append", "canonical", "entry_hash", "verify_chain"]
