"""Prometheus text exposition (format 0.0.4) for a few counters, gauges and a latency histogram, per worker."""

from __future__ import annotations

import threading
from collections import defaultdict
from typing import Callable

BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


def _labels(d: tuple[tuple[str, str], ...]) -> str:
    if not d:
        return ""
    esc = ",".join(f'{k}="{str(v).replace(chr(92), chr(92) * 2).replace(chr(34), chr(92) + chr(34)).replace(chr(10), " ")}"'
                   for k, v in d)
    return "{" + esc + "}"


class Metrics:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.requests: dict[tuple, int] = defaultdict(int)
        self.verifications: dict[tuple, int] = defaultdict(int)
        self.uploads: dict[tuple, int] = defaultdict(int)
        self.reloads = 0
        self.hist: dict[tuple, list[float]] = {}
        self.gauges: dict[str, Callable[[], list[tuple[tuple[tuple[str, str], ...], float]]]] = {}

    def observe_request(self, method: str, route: str, status: int, seconds: float) -> None:
        with self._lock:
            self.requests[(("method", method), ("route", route), ("status", str(status)))] += 1
            key = (("route", route),)
            h = self.hist.setdefault(key, [0.0] * (len(BUCKETS) + 2))  # buckets..., count, sum
            for i, b in enumerate(BUCKETS):
                if seconds <= b:
                    h[i] += 1
            h[-2] += 1
            h[-1] += seconds

    def count_verification(self, kind: str, indication: str, sub: str | None) -> None:
        with self._lock:
            self.verifications[(("kind", kind), ("indication", indication), ("sub_indication", sub or ""))] += 1

    def count_upload(self, territory: str, outcome: str) -> None:
        with self._lock:
            self.uploads[(("territory", territory), ("outcome", outcome))] += 1

    def count_reload(self) -> None:
        with self._lock:
            self.reloads += 1

    def render(self) -> str:
        out: list[str] = []
        with self._lock:
            out += ["# HELP trustsvc_http_requests_total HTTP requests by route and status.",
                    "# TYPE trustsvc_http_requests_total counter"]
            out += [f"trustsvc_http_requests_total{_labels(k)} {v}" for k, v in sorted(self.requests.items())]
            out += ["# HELP trustsvc_http_request_duration_seconds Request latency.",
                    "# TYPE trustsvc_http_request_duration_seconds histogram"]
            for k, h in sorted(self.hist.items()):
                for i, b in enumerate(BUCKETS):
                    out.append(f"trustsvc_http_request_duration_seconds_bucket{_labels(k + (('le', str(b)),))} {int(h[i])}")
                out.append(f"trustsvc_http_request_duration_seconds_bucket{_labels(k + (('le', '+Inf'),))} {int(h[-2])}")
                out.append(f"trustsvc_http_request_duration_seconds_count{_labels(k)} {int(h[-2])}")
                out.append(f"trustsvc_http_request_duration_seconds_sum{_labels(k)} {h[-1]:.6f}")
            out += ["# HELP trustsvc_verifications_total Verification results by indication.",
                    "# TYPE trustsvc_verifications_total counter"]
            out += [f"trustsvc_verifications_total{_labels(k)} {v}" for k, v in sorted(self.verifications.items())]
            out += ["# HELP trustsvc_trust_list_uploads_total Operator uploads by outcome.",
                    "# TYPE trustsvc_trust_list_uploads_total counter"]
            out += [f"trustsvc_trust_list_uploads_total{_labels(k)} {v}" for k, v in sorted(self.uploads.items())]
            out += ["# HELP trustsvc_trust_state_reloads_total Trust state swaps in this worker.",
                    "# TYPE trustsvc_trust_state_reloads_total counter", f"trustsvc_trust_state_reloads_total {self.reloads}"]
        for name, fn in self.gauges.items():
            out += [f"# TYPE {name} gauge"]
            out += [f"{name}{_labels(k)} {v}" for k, v in fn()]
        return "\n".join(out) + "\n"


__all__ = ["Metrics"]
