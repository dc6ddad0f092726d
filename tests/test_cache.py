"""The one cache facility: bounded, safe under the API's worker threads, emptied by one clear_all()."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone

import pytest

from trustsvc import cache
from trustsvc.cache import BoundedCache, clear_all, memoize, registered
from trustsvc.path import signatures
from trustsvc.validation import certificate as vc
from trustsvc.validation.certificate import validate_certificate
from trustsvc.x509 import certificate as certmod
from trustsvc.x509.builder import Signer, build_certificate

AT = datetime(2026, 6, 1, tzinfo=timezone.utc)


def test_bounded_cache_evicts_least_recently_used():
    c: BoundedCache[int, str] = BoundedCache("test.lru", 2, register=False)
    c.put(1, "a")
    c.put(2, "b")
    assert c.get(1) == "a"  # 1 is now the most recent
    c.put(3, "c")
    assert 2 not in c and c.get(1) == "a" and c.get(3) == "c" and len(c) == 2


def test_none_is_a_cacheable_value():
    c: BoundedCache[str, str | None] = BoundedCache("test.none", 4, register=False)
    calls = []
    for _ in range(3):
        assert c.get_or_compute("k", lambda: calls.append(1)) is None
    assert calls == [1]


def test_clear_all_empties_every_registered_cache():
    @memoize("test.clear_all.memo", 8)
    def double(x: int) -> int:
        return 2 * x

    store: BoundedCache[int, int] = BoundedCache("test.clear_all.map", 8)
    try:
        double(2)
        store.put(1, 1)
        sizes = registered()
        assert sizes["test.clear_all.memo"] == 1 and sizes["test.clear_all.map"] == 1
        # the core's own memos are registered too
        assert {"path.signatures", "validation.parsed_certificates", "x509.name_facts", "x509.public_keys"} <= set(sizes)
        clear_all()
        assert registered()["test.clear_all.memo"] == 0 and len(store) == 0
    finally:
        with cache._REGISTRY_LOCK:
            cache._REGISTRY.pop("test.clear_all.memo", None)
            cache._REGISTRY.pop("test.clear_all.map", None)


def test_a_name_is_registered_once():
    with pytest.raises(ValueError):
        BoundedCache("path.signatures", 4)


@pytest.fixture
def small_caches(monkeypatch):
    """The core's caches shrunk to 16 entries, so a few dozen CAs overflow every one of them."""
    for c in (signatures._cache, vc._parsed, certmod._NAME_FACTS):
        monkeypatch.setattr(c, "maxsize", 16)
    yield
    clear_all()


def _pki(n_cas: int):
    """A root and `n_cas` intermediate CAs (one key shared: the certificates, names and signatures differ), each
    with one end entity."""
    root_key = Signer.generate("ecdsa-p256")
    ca_key = Signer.generate("ecdsa-p256")
    ee_key = Signer.generate("ecdsa-p256")
    validity = {"not_before": AT - timedelta(days=30), "not_after": AT + timedelta(days=30)}
    root = build_certificate(subject={"common_name": "cache root"}, issuer={"common_name": "cache root"},
                             public_key_info=root_key.public_key_info, signer=root_key, ca=True, **validity)
    chains = []
    for i in range(n_cas):
        ca = build_certificate(subject={"common_name": f"cache ca {i}"}, issuer={"common_name": "cache root"},
                               public_key_info=ca_key.public_key_info, signer=root_key, ca=True, **validity)
        ee = build_certificate(subject={"common_name": f"cache ee {i}"}, issuer={"common_name": f"cache ca {i}"},
                               public_key_info=ee_key.public_key_info, signer=ca_key, **validity)
        chains.append((ee.der, ca.der))
    return root.der, chains


def test_eight_threads_ten_thousand_validations_each_past_the_bounds(small_caches):
    """8 threads x 10,000 validations over 48 CAs (and their end entities) with every cache holding 16: constant
    eviction while other threads read and refresh entries (the old signature LRU raised KeyError here).
    Nine in ten validations are of a hot CA (mostly cache hits, as in service), one in ten walks a cold CA's
    end entity (misses, evictions). No exception, every answer right."""
    root, chains = _pki(48)
    clear_all()
    errors: list[BaseException] = []
    results = [0] * 8
    start = threading.Barrier(8)

    def work(t: int) -> None:
        try:
            start.wait()
            for i in range(10_000):
                k = i * 7 + t * 5
                if i % 10 == 0:
                    ee, ca = chains[k % len(chains)]
                    r = validate_certificate(ee, [ca], [root], at=AT, revocation="off")
                else:
                    r = validate_certificate(chains[k % 8][1], (), [root], at=AT, revocation="off")
                results[t] += r.indication.value == "PASSED"
        except BaseException as exc:  # noqa: BLE001 - any exception fails the test
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(t,)) for t in range(8)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert not errors, errors[:3]
    assert results == [10_000] * 8
    assert len(signatures._cache) <= 16 and len(vc._parsed) <= 16 and len(certmod._NAME_FACTS) <= 16
