"""RevocationCache: expiry at nextUpdate, LRU bound, single flight across threads."""

from __future__ import annotations

import threading
import time
from datetime import datetime, timedelta, timezone

import pytest

from trustsvc.revocation.cache import RevocationCache

T0 = datetime(2026, 6, 1, tzinfo=timezone.utc)


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


def test_entries_expire_at_next_update():
    clock = Clock()
    cache = RevocationCache(clock=clock)
    cache.put("k", "crl", T0 + timedelta(hours=1))
    clock.now = T0 + timedelta(minutes=59)
    assert cache.get("k") == "crl"
    clock.now = T0 + timedelta(hours=1)
    assert cache.get("k") is None


def test_entries_without_next_update_get_a_short_ttl():
    clock = Clock()
    cache = RevocationCache(clock=clock)
    cache.put("k", "ocsp", None)
    clock.now = T0 + timedelta(minutes=6)
    assert cache.get("k") is None


def test_size_is_bounded_least_recently_used_first():
    cache = RevocationCache(max_entries=3)
    later = datetime.now(timezone.utc) + timedelta(days=1)
    for k in "abc":
        cache.put(k, k, later)
    cache.get("a")
    cache.put("d", "d", later)
    assert len(cache) == 3 and cache.get("b") is None and cache.get("a") == "a"


def test_concurrent_loads_of_one_key_run_the_loader_once():
    cache = RevocationCache()
    calls = []
    start = threading.Barrier(50)

    def loader():
        calls.append(1)
        time.sleep(0.05)
        return "value", datetime.now(timezone.utc) + timedelta(hours=1)

    results = []

    def worker():
        start.wait()
        results.append(cache.get_or_load("url", loader))

    threads = [threading.Thread(target=worker) for _ in range(50)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == ["value"] * 50 and len(calls) == 1


def test_loader_errors_reach_every_waiter_and_are_not_cached():
    cache = RevocationCache()
    start = threading.Barrier(10)
    errors = []

    def loader():
        time.sleep(0.05)
        raise OSError("down")

    def worker():
        start.wait()
        try:
            cache.get_or_load("url", loader)
        except OSError as exc:
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(errors) == 10
    assert cache.get_or_load("url", lambda: ("up", None)) == "up"
