"""The per-worker service object: settings, database, trust holder, report key, metrics; start-up bootstrap."""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from trustsvc.api.abuse import RefusalAggregator
from trustsvc.api.metrics import Metrics
from trustsvc.api.report_jws import ReportKey
from trustsvc.api.settings import Settings
from trustsvc.api.trust_state import TrustHolder, notify_url
from trustsvc.store import audit, db
from trustsvc.store import trust_lists as versions_db

log = logging.getLogger(__name__)


def bootstrap(settings: Settings, engine: Engine | None = None) -> list[str]:
    """Migrate, then import the demo / configured trust lists into an empty store. Idempotent."""
    engine = engine or db.make_engine(settings.database_url)
    if settings.migrate:
        db.upgrade(engine)
    source = settings.trust_lists_dir or settings.demo_dir
    if source is None:
        return []
    sessions = db.session_factory(engine)
    with sessions() as s:
        if versions_db.marker(s)[0] > 0:
            return []
        try:
            imported = versions_db.import_directory(s, source, at=datetime.now(timezone.utc), actor="bootstrap")
        except versions_db.VersionConflict:
            return []  # another worker imported at the same moment
    audit.append(sessions, actor="bootstrap", action="trust-list.import", outcome="accepted",
                 detail={"source": str(source), "versions": [v.to_dict() for v in imported]},
                 key=audit.load_key(settings.audit_key))
    log.info("imported %d trust lists from %s", len(imported), source)
    return [f"{v.territory} #{v.sequence_number}" for v in imported]


def revocation_source(settings: Settings, supply_points: Any = None) -> Any:
    """The process-wide fetching revocation source the settings ask for (None: fetching off).

    One source, with its cache, serves every validation of the worker (docs/revocation.md): supplied
    evidence is used first by the checker, then trust-list supply points, CRL DPs and AIA OCSP.
    """
    if not settings.revocation_fetch:
        return None
    from trustsvc.revocation.cache import RevocationCache
    from trustsvc.revocation.online import FetchingRevocationSource

    return FetchingRevocationSource(supply_points=supply_points, allow_networks=settings.revocation_networks,
                                    timeout=settings.revocation_timeout, deadline=settings.revocation_deadline,
                                    cache=RevocationCache(max_entries=settings.revocation_cache_size))


class Service:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.engine = db.make_engine(settings.database_url)
        self.sessions: sessionmaker[Session] = db.session_factory(self.engine)
        self.metrics = Metrics()
        self.holder = TrustHolder(self.sessions, poll_interval=settings.poll_interval,
                                  on_reload=self.metrics.count_reload, notify_url=notify_url(self.engine))
        self.report_key: ReportKey | None = None
        from trustsvc.api.verify import Revocation
        from trustsvc.revocation.supply_points import trust_list_supply_points

        fresh = settings.revocation_max_freshness
        # Trust-list supply points of the issuer's service first (TS 119 612 5.5.11), from the current store.
        points = trust_list_supply_points(lambda: self.holder.store)
        self.revocation = Revocation(revocation_source(settings, points), timedelta(seconds=fresh) if fresh else None)
        self.executor = ThreadPoolExecutor(max_workers=max(1, settings.batch_concurrency),
                                           thread_name_prefix="verify")
        self.metrics.gauges["trustsvc_trust_list_sequence_number"] = self._sequence_gauge
        self.audit_key: bytes | None = None
        self.refusals = RefusalAggregator(settings.anonymous_audit_per_minute)

    def _sequence_gauge(self) -> list[tuple[tuple[tuple[str, str], ...], float]]:
        return [((("territory", t),), float(a.sequence_number)) for t, a in sorted(self.holder.store.lists.items())]

    def start(self) -> None:
        bootstrap(self.settings, self.engine)
        self.audit_key = audit.load_key(self.settings.audit_key)
        sealed = audit.seal_unkeyed(self.sessions, self.audit_key)  # entries written before the log was keyed
        if sealed:
            log.warning("audit log: %d entries written before keying were sealed with the audit key", sealed)
        self.report_key = ReportKey.load_or_create(self.settings.report_key)
        self.holder.reload(force=True)
        self.holder.start()
        self.metrics.start()

    def stop(self) -> None:
        summary = self.refusals.flush()
        if summary is not None:
            try:
                self.audit(actor="anonymous", action="trust-list.upload", outcome="unauthorized-summary", detail=summary)
            except Exception as exc:  # noqa: BLE001 - shutting down: log, do not hang
                log.warning("audit summary not written: %s", exc)
        self.metrics.stop()
        self.holder.stop()
        self.executor.shutdown(wait=False, cancel_futures=True)
        self.engine.dispose()

    def audit(self, *, actor: str, action: str, outcome: str, detail: dict[str, Any]) -> None:
        if self.audit_key is None:
            self.audit_key = audit.load_key(self.settings.audit_key)
        audit.append(self.sessions, actor=actor, action=action, outcome=outcome, detail=detail, key=self.audit_key)

    def territory_label(self, territory: str) -> str:
        """A metrics label: the territory if the trust state knows it, else "other" (bounded series)."""
        state = self.holder.snapshot.state
        lotl = state.lotl
        known = set(state.lists) | ({p.territory for p in lotl.trust_list.pointers} if lotl else set())
        return territory if territory in known else "other"


__all__ = ["Service", "bootstrap", "revocation_source"]
