"""Trust-list versions in the database: record accepted lists, replay them into a TrustState, import a directory."""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Callable, Sequence

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from trustsvc.store.db import utc
from trustsvc.store.models import Pin, TrustListVersion
from trustsvc.trustlist.loader import AcceptedList, TrustListRejected, TrustState, accept_list
from trustsvc.trustlist.model import LOTL_TERRITORY
from trustsvc.x509.certificate import Certificate
from trustsvc.x509.load import load_certificate, load_certificates

log = logging.getLogger(__name__)


class VersionConflict(Exception):
    """Another version with this territory and sequence number (or these bytes) is already stored."""


@dataclass(frozen=True)
class VersionInfo:
    sha256: str
    territory: str
    sequence_number: int
    issued_at: datetime
    next_update: datetime
    accepted_at: datetime
    accepted_by: str

    def to_dict(self) -> dict:
        return {"sha256": self.sha256, "territory": self.territory, "sequence_number": self.sequence_number,
                "issued_at": self.issued_at.isoformat(), "next_update": self.next_update.isoformat(),
                "accepted_at": self.accepted_at.isoformat(), "accepted_by": self.accepted_by}


def _info(v: TrustListVersion) -> VersionInfo:
    return VersionInfo(v.sha256, v.territory, v.sequence_number, utc(v.issued_at), utc(v.next_update),  # type: ignore[arg-type]
                       utc(v.accepted_at), v.accepted_by)  # type: ignore[arg-type]


# --- pins -------------------------------------------------------------------------------------
def add_pins(session: Session, certs: Sequence[Certificate]) -> int:
    added = 0
    for c in certs:
        if session.get(Pin, c.sha256) is None:
            session.add(Pin(sha256=c.sha256, certificate=c.der, added_at=datetime.now(timezone.utc)))
            added += 1
    session.commit()
    return added


def pins(session: Session) -> tuple[Certificate, ...]:
    return tuple(load_certificate(p.certificate) for p in session.execute(select(Pin).order_by(Pin.sha256)).scalars())


# --- versions -----------------------------------------------------------------------------------
def record_version(session: Session, accepted: AcceptedList, *, actor: str) -> VersionInfo:
    """Store an accepted list (immutable, addressed by sha256 of its bytes); VersionConflict if it races."""
    tl = accepted.trust_list
    row = _row(accepted, actor, accepted.accepted_at)
    session.add(row)
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        raise VersionConflict(f"{tl.territory} sequence number {tl.sequence_number} is already stored") from None
    return _info(row)


def commit_upload(sessions: sessionmaker[Session], judge: Callable[[], AcceptedList], *, actor: str,
                  audit_key: bytes | None) -> VersionInfo:
    """Store an upload as ONE transaction: the version row and its audit entry commit together, or neither.

    Uploads are serialised (the audit tail lock, held to commit), and `judge()` runs under that lock, so it sees
    every upload committed before this one: of two racing uploads the second is judged after the first (a
    sequence number that is no longer higher is a rollback). `accepted_at` is kept strictly increasing, so
    replaying versions in acceptance order replays them in the order they were accepted.
    """
    from trustsvc.store import audit

    with sessions() as s:
        audit._lock_tail(s)
        accepted = judge()
        tl = accepted.trust_list
        top = s.execute(select(func.max(TrustListVersion.sequence_number))
                        .where(TrustListVersion.territory == tl.territory)).scalar_one_or_none()
        if top is not None and tl.sequence_number <= top:
            raise VersionConflict(f"{tl.territory} sequence number {tl.sequence_number} is not greater than the "
                                  f"stored {top}")
        last = s.execute(select(func.max(TrustListVersion.accepted_at))).scalar_one_or_none()
        at = accepted.accepted_at
        if last is not None and utc(last) >= at:
            at = utc(last) + timedelta(microseconds=1)  # type: ignore[operator]
        row = _row(accepted, actor, at)
        s.add(row)
        try:
            s.flush()
        except IntegrityError:
            s.rollback()
            raise VersionConflict(f"{tl.territory} sequence number {tl.sequence_number} is already stored") from None
        info = _info(row)
        audit.add_entry(s, actor=actor, action="trust-list.upload", outcome="accepted", detail=info.to_dict(),
                        key=audit_key)
        s.commit()
        return info


def _row(accepted: AcceptedList, actor: str, at: datetime) -> TrustListVersion:
    tl = accepted.trust_list
    return TrustListVersion(sha256=hashlib.sha256(accepted.document).hexdigest(), territory=tl.territory,
                            sequence_number=tl.sequence_number, document=accepted.document, issued_at=tl.issued_at,
                            next_update=tl.next_update, accepted_at=at, accepted_by=actor[:200])


def marker(session: Session) -> tuple[int, str | None]:
    """Cheap change marker for workers polling for new versions."""
    count, last = session.execute(select(func.count(TrustListVersion.sha256),
                                         func.max(TrustListVersion.accepted_at))).one()
    return int(count), str(last) if last is not None else None


def versions(session: Session, territory: str | None = None) -> list[VersionInfo]:
    q = select(TrustListVersion).order_by(TrustListVersion.territory, TrustListVersion.sequence_number.desc())
    if territory is not None:
        q = q.where(TrustListVersion.territory == territory)
    return [_info(v) for v in session.execute(q).scalars()]


def document(session: Session, sha256: str) -> bytes | None:
    row = session.get(TrustListVersion, sha256)
    return row.document if row is not None else None


@dataclass
class LoadedState:
    state: TrustState
    problems: list[str] = field(default_factory=list)


def load_state(session: Session) -> LoadedState:
    """Replay every stored version, in acceptance order, through the loader's fail-closed rules.

    Each version is re-checked as it was judged when accepted (its signature, its pin at that point,
    rotation included), so a row altered in the database is refused here rather than trusted.
    """
    state = TrustState(pins(session))
    problems: list[str] = []
    rows = session.execute(select(TrustListVersion).order_by(TrustListVersion.accepted_at,
                                                              TrustListVersion.sequence_number)).scalars().all()
    rows = sorted(rows, key=lambda r: (utc(r.accepted_at), r.territory != LOTL_TERRITORY, r.sequence_number))
    for r in rows:
        try:
            if hashlib.sha256(r.document).hexdigest() != r.sha256:
                raise TrustListRejected("bad_signature", "stored bytes do not match their sha256")
            state = state.with_list(accept_list(state, r.document, at=utc(r.accepted_at), territory=r.territory))
        except TrustListRejected as exc:
            if exc.code == "rollback":
                # An older version stored after a newer one (a race before uploads were serialised): history,
                # superseded by the newer list already in the state, not a refusal.
                log.warning("stored %s #%s is older than the current list; skipped on replay", r.territory,
                            r.sequence_number)
                continue
            problems.append(f"stored {r.territory} #{r.sequence_number} ({r.sha256[:16]}...) refused: {exc}")
            log.error("trust-list version %s refused on reload: %s", r.sha256, exc)
    return LoadedState(state, problems)


def import_directory(session: Session, path: Path, *, at: datetime, actor: str) -> list[VersionInfo]:
    """Import a `trust_lists/` directory (pins + list of lists + member lists) into an empty store."""
    from trustsvc.trustlist.directory import PINS_DIR, load_directory

    path = Path(path)
    if (path / "trust_lists").is_dir():
        path = path / "trust_lists"
    certs: list[Certificate] = []
    for pem in sorted((path / PINS_DIR).glob("*.pem")):
        certs.extend(load_certificates(pem.read_bytes()))
    state = load_directory(path, at=at)
    add_pins(session, certs)
    out = []
    for territory in sorted(state.lists, key=lambda t: t != LOTL_TERRITORY):
        out.append(record_version(session, state.lists[territory], actor=actor))
    return out


__all__ = ["LoadedState", "VersionConflict", "VersionInfo", "add_pins", "document", "import_directory", "load_state",
           "marker", "pins", "record_version", "versions", "commit_upload"]
