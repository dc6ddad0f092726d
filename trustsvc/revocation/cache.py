"""A bounded, thread-safe cache of parsed CRLs and OCSP responses with single-flight fetching."""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Generic, TypeVar

from trustsvc.cache import BoundedCache

T = TypeVar("T")

# An entry without nextUpdate (or with one in the past) is kept this long at most.
DEFAULT_TTL = timedelta(minutes=5)
MAX_TTL = timedelta(days=7)


@dataclass(frozen=True)
class Cached(Generic[T]):
    """A cached value (e.g. a parsed CRL with its DER) and when it stops being served."""

    value: T
    expires_at: datetime


class _Flight:
    __slots__ = ("done", "result", "error")

    def __init__(self) -> None:
        self.done = threading.Event()
        self.result: Cached[object] | None = None
        self.error: BaseException | None = None


class RevocationCache:
    """Entries keyed by e.g. ("crl", url) or ("ocsp", issuer key hash, serial, url), expiring at nextUpdate.

    * bounded and locked: the entries live in a `trustsvc.cache.BoundedCache` (least-recently-used entries
      dropped beyond `max_entries`), registered so `trustsvc.cache.clear_all()` empties it with the core's memos;
    * single-flight: when many threads ask for the same missing key at once, ONE runs the loader
      and the others wait for its result (or its error, which is not cached). This works for
      threads (the FastAPI sync routes and the CLI run validations in threads); asyncio callers
      should run validations in a thread pool, as the API does.
    * the clock is injectable (`clock`) for tests; expiry is wall-clock time, independent of the
      validation time `at` (cached evidence is re-judged against `at` by its consumer).
    """

    def __init__(self, max_entries: int = 1024, *, clock: Callable[[], datetime] | None = None,
                 wait_timeout: float = 60.0) -> None:
        self.max_entries = max_entries
        self._clock = clock or (lambda: datetime.now(timezone.utc))
        self._lock = threading.Lock()  # guards the flights (the entries have the BoundedCache's own lock)
        self._entries: BoundedCache[Hashable, Cached[object]] = BoundedCache("revocation.fetched", max_entries,
                                                                          owned=True)
        self._flights: dict[Hashable, _Flight] = {}
        self._wait_timeout = wait_timeout
        self.hits = 0
        self.misses = 0
        self.loads = 0

    def __len__(self) -> int:
        return len(self._entries)

    def clear(self) -> None:
        self._entries.clear()

    def get(self, key: Hashable) -> object | None:
        now = self._clock()
        entry = self._entries.pop_if(key, lambda e: e.expires_at <= now)
        return None if entry is None else entry.value

    def put(self, key: Hashable, value: object, next_update: datetime | None) -> None:
        now = self._clock()
        expires = next_update if next_update is not None and next_update > now else now + DEFAULT_TTL
        self._entries.put(key, Cached(value, min(expires, now + MAX_TTL)))

    def get_or_load(self, key: Hashable, loader: Callable[[], tuple[T, datetime | None]]) -> T:
        """The cached value for `key`, or the result of `loader()` -> (value, next_update), fetched once.

        Errors raised by the loader propagate to every caller waiting on that flight.
        """
        with self._lock:
            value = self.get(key)
            if value is not None:
                self.hits += 1
                return value  # type: ignore[return-value] - stored by a loader of this key's type
            flight = self._flights.get(key)
            leader = flight is None
            if leader:
                flight = self._flights[key] = _Flight()
                self.misses += 1
        assert flight is not None
        if not leader:
            if not flight.done.wait(self._wait_timeout):
                raise TimeoutError(f"waited {self._wait_timeout}s for a concurrent fetch of {key!r}")
            if flight.error is not None:
                raise flight.error
            self.hits += 1
            assert flight.result is not None
            return flight.result.value  # type: ignore[return-value]
        try:
            self.loads += 1
            value, next_update = loader()
            self.put(key, value, next_update)
            flight.result = Cached(value, self._clock())
            return value
        except BaseException as exc:
            flight.error = exc
            raise
        finally:
            with self._lock:
                self._flights.pop(key, None)
            flight.done.set()
