"""One cache facility for the core: bounded, locked, and cleared together.

The core memoises pure functions of immutable bytes (a certificate parsed from its DER, a signature result
keyed by issuer key and certificate digest, the facts of a name): a busy service sees the same CA and TSA
certificates again and again. Every such memo is a `BoundedCache` (an LRU map behind one lock, so API worker
threads can share it) or a function wrapped by `memoize` (functools' LRU, bounded and thread-safe in
CPython); both register here, so `clear_all()` gives benchmarks and tests the cold case in one call.
Values must be immutable or treated as read-only: they are shared between threads.
"""

from __future__ import annotations

import functools
import itertools
import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, ParamSpec, Protocol, TypeVar

__all__ = ["BoundedCache", "clear_all", "memoize", "registered"]

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")
P = ParamSpec("P")
R = TypeVar("R")


class _Clearable(Protocol):
    name: str

    def clear(self) -> None: ...

    def __len__(self) -> int: ...


_MISSING: object = object()
_REGISTRY: dict[str, _Clearable] = {}
# Caches owned by an object (one per service, e.g. the revocation fetch cache) rather than a module: held
# weakly, so a discarded owner's cache leaves the registry with it; named `name[n]`.
_OWNED: "weakref.WeakValueDictionary[str, _Clearable]" = weakref.WeakValueDictionary()
_OWNED_SEQ = itertools.count(1)
_REGISTRY_LOCK = threading.Lock()


def _register(cache: _Clearable) -> None:
    with _REGISTRY_LOCK:
        if cache.name in _REGISTRY:
            raise ValueError(f"cache {cache.name!r} is already registered")
        _REGISTRY[cache.name] = cache


def _register_owned(cache: _Clearable) -> str:
    with _REGISTRY_LOCK:
        name = f"{cache.name}[{next(_OWNED_SEQ)}]"
        _OWNED[name] = cache
        return name


def _all() -> list[tuple[str, _Clearable]]:
    with _REGISTRY_LOCK:
        return [*_REGISTRY.items(), *_OWNED.items()]


def clear_all() -> None:
    """Empty every registered cache (the benchmarks' cold case; tests that need a fresh process state)."""
    for _name, cache in _all():
        cache.clear()


def registered() -> dict[str, int]:
    """Each registered cache's name and current size (for diagnostics and tests)."""
    return {name: len(c) for name, c in _all()}


class BoundedCache(Generic[K, V]):
    """A least-recently-used map of at most `maxsize` entries; every operation holds the one lock.

    A value computed by two threads at once is stored twice (the last one wins): values are pure
    functions of their key, so either is right, and the computation runs outside the lock.
    """

    __slots__ = ("name", "maxsize", "_data", "_lock", "__weakref__")

    def __init__(self, name: str, maxsize: int, *, register: bool = True, owned: bool = False) -> None:
        """`register`: a module-level cache, registered under its unique `name`. `owned`: a cache an object
        owns (several may exist), registered weakly under `name[n]` for as long as it lives."""
        if maxsize < 1:
            raise ValueError("maxsize must be at least 1")
        self.name = name
        self.maxsize = maxsize
        self._data: OrderedDict[K, V] = OrderedDict()
        self._lock = threading.Lock()
        if owned:
            self.name = _register_owned(self)
        elif register:
            _register(self)

    def get(self, key: K, default: V | None = None) -> V | None:
        with self._lock:
            value = self._data.get(key, _MISSING)
            if value is _MISSING:
                return default
            self._data.move_to_end(key)
            return value  # type: ignore[return-value]

    def put(self, key: K, value: V) -> V:
        with self._lock:
            self._data[key] = value
            self._data.move_to_end(key)
            while len(self._data) > self.maxsize:
                self._data.popitem(last=False)
        return value

    def get_or_compute(self, key: K, compute: Callable[[], V]) -> V:
        """The cached value for `key`, computing (outside the lock) and storing it on a miss; None is a value."""
        hit = self.get(key, _MISSING)  # type: ignore[arg-type]
        if hit is not _MISSING:
            return hit  # type: ignore[return-value]
        return self.put(key, compute())

    def discard(self, key: K) -> None:
        with self._lock:
            self._data.pop(key, None)

    def clear(self) -> None:
        with self._lock:
            self._data.clear()

    def pop_if(self, key: K, stale: Callable[[V], bool]) -> V | None:
        """The value for `key` (refreshed as most recent), or None when absent or when `stale(value)`, in which
        case it is dropped: one locked step, so an expiring entry is never served after another thread saw it go."""
        with self._lock:
            value = self._data.get(key, _MISSING)
            if value is _MISSING:
                return None
            if stale(value):  # type: ignore[arg-type]
                del self._data[key]
                return None
            self._data.move_to_end(key)
            return value  # type: ignore[return-value]

    def __contains__(self, key: object) -> bool:
        with self._lock:
            return key in self._data

    def __len__(self) -> int:
        return len(self._data)


class _LruEntry:
    """A functools.lru_cache registered under a name, so clear_all() reaches it."""

    __slots__ = ("name", "_cached")

    def __init__(self, name: str, cached: "functools._lru_cache_wrapper[object]") -> None:
        self.name = name
        self._cached = cached

    def clear(self) -> None:
        self._cached.cache_clear()

    def __len__(self) -> int:
        return self._cached.cache_info().currsize


def memoize(name: str, maxsize: int) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Decorator: memoise a pure function of hashable arguments in a bounded, registered LRU.

    The function returned is functools' own C wrapper (no extra Python frame on the hot path; thread-safe,
    `cache_clear()` and `cache_info()` kept)."""

    def wrap(fn: Callable[P, R]) -> Callable[P, R]:
        cached = functools.lru_cache(maxsize=maxsize)(fn)
        _register(_LruEntry(name, cached))
        return cached  # type: ignore[return-value]

    return wrap
