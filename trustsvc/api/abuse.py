"""Refused anonymous uploads cost bounded audit rows: the first few per client each minute are logged one by
one, the rest counted and written as one summary row when the minute is over."""

from __future__ import annotations

import threading
import time
from collections import Counter
from typing import Any, Callable

# Distinct clients tracked per window; more are counted together (a spoofed-source flood cannot grow memory).
MAX_CLIENTS = 10_000


class RefusalAggregator:
    def __init__(self, per_minute: int, *, window: float = 60.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.per_minute = max(0, per_minute)
        self.window = window
        self._clock = clock
        self._lock = threading.Lock()
        self._started = clock()
        self._seen: Counter[str] = Counter()
        self._suppressed: Counter[str] = Counter()
        self._logged = 0

    def record(self, client: str) -> tuple[bool, dict[str, Any] | None]:
        """Count one refusal from `client`: (log this one individually?, summary of the window just ended)."""
        with self._lock:
            summary = self._roll()
            if client not in self._seen and len(self._seen) >= MAX_CLIENTS:
                client = "other"
            self._seen[client] += 1
            # Per client, and in all (many source addresses must not buy many rows either).
            if self._seen[client] <= self.per_minute and self._logged < self.per_minute * 10:
                self._logged += 1
                return True, summary
            self._suppressed[client] += 1
            return False, summary

    def flush(self) -> dict[str, Any] | None:
        """The pending summary now (at shutdown), whether or not the window is over."""
        with self._lock:
            return self._roll(force=True)

    def _roll(self, force: bool = False) -> dict[str, Any] | None:
        now = self._clock()
        if not force and now - self._started < self.window:
            return None
        summary = None
        if self._suppressed:
            top = self._suppressed.most_common(20)
            summary = {"suppressed": sum(self._suppressed.values()), "clients": len(self._suppressed),
                       "top_clients": dict(top), "window_seconds": round(now - self._started, 1)}
        self._started = now
        self._logged = 0
        self._seen.clear()
        self._suppressed.clear()
        return summary


__all__ = ["RefusalAggregator"]
