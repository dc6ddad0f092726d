"""Each worker's in-memory trust state: loaded from the database, swapped atomically when a newer version appears."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from sqlalchemy.orm import Session, sessionmaker

from trustsvc.store import trust_lists as versions_db
from trustsvc.trustlist.loader import TrustState
from trustsvc.trustlist.store import TrustStore

log = logging.getLogger(__name__)
# Re-judge list freshness at least this often even when nothing changed in the database.
REJUDGE_EVERY = timedelta(seconds=60)
NOTIFY_CHANNEL = "trustsvc_trust_lists"


def notify_url(engine) -> str | None:
    """A libpq URL for LISTEN when `engine` is PostgreSQL, else None."""
    if engine.dialect.name != "postgresql":
        return None
    return engine.url.set(drivername="postgresql").render_as_string(hide_password=False)


def notify(engine) -> None:
    """Tell every worker listening on PostgreSQL that a new version is stored (polling covers the rest)."""
    if engine.dialect.name == "postgresql":
        from sqlalchemy import text

        with engine.begin() as conn:
            conn.execute(text(f"NOTIFY {NOTIFY_CHANNEL}"))


@dataclass(frozen=True)
class Snapshot:
    """Everything a request needs about trust, replaced as one reference (never mutated)."""

    store: TrustStore
    state: TrustState
    marker: tuple[int, str | None]
    loaded_at: datetime
    problems: tuple[str, ...] = field(default_factory=tuple)


class TrustHolder:
    def __init__(self, sessions: sessionmaker[Session], *, poll_interval: float = 2.0, on_reload=None,
                 notify_url: str | None = None) -> None:
        self._sessions = sessions
        self._notify_url = notify_url  # PostgreSQL: LISTEN for uploads instead of waiting for the next poll
        self._wake = threading.Event()
        self._listener: threading.Thread | None = None
        self.poll_interval = poll_interval
        self._on_reload = on_reload
        self._lock = threading.Lock()  # serialises reloads, never held by readers
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.last_error: str | None = None
        now = datetime.now(timezone.utc)
        self._snap = Snapshot(TrustStore([], at_loaded=now), TrustState(()), (-1, None), now)

    @property
    def snapshot(self) -> Snapshot:
        return self._snap  # one attribute read: readers see the old or the new state, never a mix

    @property
    def store(self) -> TrustStore:
        return self._snap.store

    def reload(self, *, force: bool = False) -> bool:
        """Reload from the database if its marker changed (or `force`); True if the state was swapped."""
        with self._lock:
            with self._sessions() as s:
                marker = versions_db.marker(s)
                now = datetime.now(timezone.utc)
                if not force and marker == self._snap.marker:
                    if now - self._snap.loaded_at > REJUDGE_EVERY:
                        snap = self._snap
                        self._snap = Snapshot(snap.store.at_time(now), snap.state, snap.marker, now, snap.problems)
                    return False
                loaded = versions_db.load_state(s)
            store = TrustStore(loaded.state.pointed().values(), at_loaded=now)
            self._snap = Snapshot(store, loaded.state, marker, now, tuple(loaded.problems))
        log.info("trust state %s loaded (%d lists)", store.snapshot_id[:16], len(loaded.state.lists))
        if self._on_reload is not None:
            self._on_reload()
        return True

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.wait(self.poll_interval)
            self._wake.clear()
            if self._stop.is_set():
                return
            try:
                self.reload()
                self.last_error = None
            except Exception as exc:  # the database may be briefly unreachable; keep serving the last state
                self.last_error = str(exc)[:300]
                log.warning("trust state poll failed: %s", exc)

    def _listen(self) -> None:
        import psycopg

        while not self._stop.is_set():
            try:
                with psycopg.connect(self._notify_url, autocommit=True) as conn:  # type: ignore[arg-type]
                    conn.execute(f"LISTEN {NOTIFY_CHANNEL}")
                    while not self._stop.is_set():
                        for _ in conn.notifies(timeout=1.0, stop_after=1):
                            self._wake.set()
            except Exception as exc:  # fall back on polling until the database is back
                log.warning("LISTEN %s failed: %s", NOTIFY_CHANNEL, exc)
                self._stop.wait(self.poll_interval)

    def start(self) -> None:
        if self._thread is None and self.poll_interval > 0:
            self._thread = threading.Thread(target=self._run, name="trust-state-poll", daemon=True)
            self._thread.start()
        if self._listener is None and self._notify_url:
            self._listener = threading.Thread(target=self._listen, name="trust-state-listen", daemon=True)
            self._listener.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        for t in (self._thread, self._listener):
            if t is not None:
                t.join(timeout=5)
        self._thread = self._listener = None


__all__ = ["Snapshot", "TrustHolder"]
