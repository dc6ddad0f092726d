"""Prometheus metrics through prometheus_client, consistent across worker processes.

`trustsvc serve` points PROMETHEUS_MULTIPROC_DIR at a fresh directory before its workers start, so every
worker's counters and histograms live in shared files and `/metrics`, whichever worker answers, reports the
sum over all workers (prometheus_client's multiprocess mode): with two workers, N requests show as N, and
counters never go backwards between scrapes. Gauges keep one series per live worker (`pid` label) or the
maximum (trust-list sequence numbers). Process metrics (memory, CPU, open files) are exported per worker:
the standard process collector in a single process, `trustsvc_process_*{pid=...}` gauges in multiprocess
mode (where custom collectors cannot cross processes), refreshed at each scrape and every few seconds.
Without PROMETHEUS_MULTIPROC_DIR (tests, embedding) each `Metrics` keeps its own registry.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest, multiprocess, values
from prometheus_client.process_collector import ProcessCollector

BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"

GaugeFn = Callable[[], list[tuple[tuple[tuple[str, str], ...], float]]]


def multiprocess_dir() -> str | None:
    """The shared metrics directory when running under several workers (None: one process, plain registry).
    prometheus_client picks its value storage when first imported: the directory counts only if it did then."""
    if values.ValueClass is values.MutexValue:
        return None
    return os.environ.get(MULTIPROC_ENV) or None


class Metrics:
    """The service's counters, histogram and gauges; `render()` is the /metrics body."""

    def __init__(self) -> None:
        self.multiprocess = multiprocess_dir() is not None
        self.registry = CollectorRegistry()
        r = self.registry
        self._requests = Counter("trustsvc_http_requests", "HTTP requests by route and status.",
                                 ["method", "route", "status"], registry=r)
        self._duration = Histogram("trustsvc_http_request_duration_seconds", "Request latency.", ["route"],
                                   buckets=BUCKETS, registry=r)
        self._verifications = Counter("trustsvc_verifications", "Verification results by indication.",
                                      ["kind", "indication", "sub_indication"], registry=r)
        self._uploads = Counter("trustsvc_trust_list_uploads", "Operator uploads by outcome.",
                                ["territory", "outcome"], registry=r)
        self._reloads = Counter("trustsvc_trust_state_reloads", "Trust state swaps (all workers).", registry=r)
        # Gauges computed at scrape time by the answering worker (name -> callable giving labelled values).
        self.gauges: dict[str, GaugeFn] = {}
        self._gauge_metrics: dict[str, Gauge] = {}
        self._lock = threading.Lock()
        self._process = ProcessCollector(registry=None)
        if self.multiprocess:
            # process collector family name -> a per-worker gauge (custom collectors do not cross processes)
            self._proc_gauges = {
                family: Gauge(f"trustsvc_{name}", f"{doc} (per worker).", registry=r, multiprocess_mode="liveall")
                for family, name, doc in (
                    ("process_resident_memory_bytes", "process_resident_memory_bytes", "Resident memory size in bytes"),
                    ("process_cpu_seconds", "process_cpu_seconds_total", "Total user and system CPU time in seconds"),
                    ("process_open_fds", "process_open_fds", "Number of open file descriptors"),
                    ("process_start_time_seconds", "process_start_time_seconds", "Start time of the process"))}
        else:
            r.register(self._process)
        self._stop = threading.Event()
        self._refresher: threading.Thread | None = None

    # --- recording ----------------------------------------------------------------------------------
    def observe_request(self, method: str, route: str, status: int, seconds: float) -> None:
        self._requests.labels(method, route, str(status)).inc()
        self._duration.labels(route).observe(seconds)

    def count_verification(self, kind: str, indication: str, sub: str | None) -> None:
        self._verifications.labels(kind, indication, sub or "").inc()

    def count_upload(self, territory: str, outcome: str) -> None:
        self._uploads.labels(territory, outcome).inc()

    def count_reload(self) -> None:
        self._reloads.inc()

    # --- exposition ---------------------------------------------------------------------------------
    def _update_gauges(self) -> None:
        with self._lock:
            for name, fn in self.gauges.items():
                values = fn()
                gauge = self._gauge_metrics.get(name)
                if gauge is None:
                    labels = [k for k, _ in values[0][0]] if values else []
                    gauge = self._gauge_metrics[name] = Gauge(name, name.replace("_", " "), labels, registry=self.registry,
                                                              multiprocess_mode="livemax")
                for key, value in values:
                    (gauge.labels(*[v for _, v in key]) if key else gauge).set(value)
            if self.multiprocess:
                self._update_process_gauges()

    def _update_process_gauges(self) -> None:
        for family in self._process.collect():
            gauge = self._proc_gauges.get(family.name)
            if gauge is not None and family.samples:
                gauge.set(family.samples[0].value)

    def render(self) -> str:
        """Prometheus text format 0.0.4: across all workers in multiprocess mode, else this process."""
        self._update_gauges()
        if not self.multiprocess:
            return generate_latest(self.registry).decode()
        merged = CollectorRegistry()
        multiprocess.MultiProcessCollector(merged)
        return generate_latest(merged).decode()

    # --- worker life --------------------------------------------------------------------------------
    def start(self, interval: float = 5.0) -> None:
        """Refresh this worker's gauges every `interval` seconds, so a scrape answered by another worker still
        sees this one's recent process metrics."""
        if not self.multiprocess or self._refresher is not None:
            return

        def loop() -> None:
            while not self._stop.wait(interval):
                try:
                    self._update_gauges()
                except Exception:  # noqa: BLE001 - metrics must never take the worker down
                    pass

        self._update_gauges()
        self._refresher = threading.Thread(target=loop, name="metrics", daemon=True)
        self._refresher.start()

    def stop(self) -> None:
        """Stop refreshing; in multiprocess mode drop this worker's live gauges (its counters stay counted)."""
        self._stop.set()
        if self.multiprocess:
            multiprocess.mark_process_dead(os.getpid())


__all__ = ["CONTENT_TYPE", "MULTIPROC_ENV", "Metrics", "multiprocess_dir"]
