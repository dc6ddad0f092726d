"""The append-only, hash-chained audit log, keyed by an HMAC under a server key: append an entry, verify the chain."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import random
import secrets
import time
from dataclasses import dataclass
from pathlib import Path
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from trustsvc.store.models import AuditEntry

GENESIS = "0" * 64
_RETRIES = 50
_PG_LOCK = 0x7472757374737663  # "trustsvc": the advisory lock of the audit tail


def canonical(obj: Any) -> bytes:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str).encode("utf-8")


def entry_hash(*, at: str, actor: str, action: str, outcome: str, detail: str, prev_hash: str) -> str:
    """sha256 over the canonical JSON of the entry's content and the previous entry's hash."""
    content = {"at": at, "actor": actor, "action": action, "outcome": outcome, "detail": json.loads(detail),
               "prev_hash": prev_hash}
    return hashlib.sha256(canonical(content)).hexdigest()


# --- the audit key ---------------------------------------------------------------------------------------
def key_path() -> Path:
    """Where the audit key lives: $TRUSTSVC_AUDIT_KEY, else $TRUSTSVC_DATA_DIR/audit-key (default var/)."""
    explicit = os.environ.get("TRUSTSVC_AUDIT_KEY")
    if explicit:
        return Path(explicit)
    return Path(os.environ.get("TRUSTSVC_DATA_DIR") or "var") / "audit-key"


def load_key(path: Path | None = None, *, create: bool = True) -> bytes | None:
    """The HMAC key of the audit chain (32 random bytes, hex in a 0600 file), created on first use if `create`."""
    path = Path(path) if path is not None else key_path()
    try:
        text = path.read_text().strip()
    except FileNotFoundError:
        if not create:
            return None
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another worker created it first
            return load_key(path, create=False)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_hex(32) + "\n")
        return load_key(path, create=False)
    try:
        key = bytes.fromhex(text)
    except ValueError:
        key = text.encode("utf-8")
    if len(key) < 16:
        raise ValueError(f"audit key {path} is too short (at least 16 bytes)")
    return key


def entry_mac(key: bytes, entry_hash_hex: str) -> str:
    """HMAC-SHA256 (RFC 2104) of an entry's chain hash under the audit key."""
    return hmac.new(key, b"trustsvc-audit-v1:" + entry_hash_hex.encode("ascii"), hashlib.sha256).hexdigest()


# --- appending ------------------------------------------------------------------------------------------
def _lock_tail(session: Session) -> None:
    """Serialise appenders for the rest of this transaction, so the tail read below stays the tail.

    PostgreSQL: a transaction-level advisory lock. SQLite: a write statement, which takes the database's
    write lock (waiting up to busy_timeout) before the tail is read.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_LOCK})
    else:
        session.execute(text("UPDATE audit_log SET id = id WHERE id < 0"))


def add_entry(session: Session, *, actor: str, action: str, outcome: str, detail: dict[str, Any] | None = None,
              at: datetime | None = None, key: bytes | None = None) -> AuditEntry:
    """Add one entry at the tail of the chain inside the caller's transaction (commit is the caller's: an upload
    commits its version and its audit entry together, or neither)."""
    _lock_tail(session)
    when = (at or datetime.now(timezone.utc)).astimezone(timezone.utc).isoformat(timespec="microseconds")
    body = canonical(detail or {}).decode("utf-8")
    tail = session.execute(select(AuditEntry.hash).order_by(AuditEntry.id.desc()).limit(1)).scalar_one_or_none()
    prev = tail or GENESIS
    actor, action, outcome = actor[:200], action[:64], outcome[:32]
    digest = entry_hash(at=when, actor=actor, action=action, outcome=outcome, detail=body, prev_hash=prev)
    key = key if key is not None else load_key()
    entry = AuditEntry(at=when, actor=actor, action=action, outcome=outcome, detail=body, prev_hash=prev,
                       hash=digest, mac=entry_mac(key, digest) if key else None)
    session.add(entry)
    session.flush()
    return entry


def append(sessions: sessionmaker[Session], *, actor: str, action: str, outcome: str,
           detail: dict[str, Any] | None = None, at: datetime | None = None, key: bytes | None = None) -> AuditEntry:
    """Append one entry in its own transaction (serialised by `_lock_tail`; retried on a lost race or a busy
    database, with a growing, jittered pause)."""
    last_error: Exception | None = None
    for attempt in range(_RETRIES):
        with sessions() as s:
            try:
                entry = add_entry(s, actor=actor, action=action, outcome=outcome, detail=detail, at=at, key=key)
                s.commit()
                return entry
            except (IntegrityError, OperationalError) as exc:  # someone appended first / database busy: retry
                s.rollback()
                last_error = exc
        time.sleep(min(0.5, 0.005 * (2 ** min(attempt, 7))) * random.random())
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


def verify_chain(session: Session, *, expected_head: str | None = None, key: bytes | None = None) -> ChainCheck:
    """Walk the log in id order; name the first entry whose link, hash or MAC does not match.

    With `key` (the audit key), every entry must carry a valid MAC: an edited row whose successors were
    re-hashed fails here. Without `key`, the default key file (`key_path()`) is used if it exists; with none,
    MACs cannot be checked, so a keyed log is reported as unverified.
    """
    if key is None:
        key = load_key(create=False)
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
        if key is None and row.mac is not None:
            return ChainCheck(False, n, prev, row.id, "the log is keyed but no audit key was given "
                                                      "(TRUSTSVC_AUDIT_KEY or TRUSTSVC_DATA_DIR/audit-key)")
        if key is not None and (row.mac is None or not hmac.compare_digest(row.mac, entry_mac(key, row.hash))):
            return ChainCheck(False, n, prev, row.id, f"entry {row.id}: MAC does not match under the audit key "
                                                      "(the row was modified and the chain re-hashed, or written "
                                                      "without the key)")
        prev = row.hash
        n += 1
    if expected_head is not None and expected_head != prev:
        return ChainCheck(False, n, prev, None, f"chain head {prev[:16]}... is not the expected {expected_head[:16]}... "
                                                "(entries were removed from the end)")
    return ChainCheck(True, n, prev)


def seal_unkeyed(sessions: sessionmaker[Session], key: bytes) -> int:
    """Give entries written before the log was keyed their MAC, once, if the chain up to them is intact
    (trust on first use, at service start); returns how many were sealed."""
    with sessions() as s:
        _lock_tail(s)
        if s.execute(select(AuditEntry.id).where(AuditEntry.mac.is_(None)).limit(1)).first() is None:
            s.rollback()
            return 0
        rows = s.execute(select(AuditEntry).order_by(AuditEntry.id)).scalars().all()
        prev, sealed = GENESIS, 0
        for row in rows:
            ok = row.prev_hash == prev and entry_hash(at=row.at, actor=row.actor, action=row.action,
                                                     outcome=row.outcome, detail=row.detail,
                                                     prev_hash=row.prev_hash) == row.hash
            if not ok:
                break  # a broken chain is left for `audit verify` to name
            if row.mac is None:
                row.mac = entry_mac(key, row.hash)
                sealed += 1
            prev = row.hash
        s.commit()
        return sealed


__all__ = ["ChainCheck", "GENESIS", "add_entry", "append", "canonical", "entry_hash", "entry_mac", "key_path", "load_key",
           "seal_unkeyed", "verify_chain"]
