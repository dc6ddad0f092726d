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
from trustsvc.revocation.cache import RevocationCache
from trustsvc.revocation.online import FetchingRevocationSource
from trustsvc.validation import timestamp as vt
from trustsvc.x509.builder import Signer, build_certificate, build_crl
from trustsvc.x509.certificate import Certificate

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


def test_revocation_fetch_caches_are_registered_while_they_live_and_emptied_by_clear_all():
    import gc

    fetched = RevocationCache(max_entries=4)
    fetched.put(("crl", "http://crl.test/a"), b"der", None)
    name = next(n for n in registered() if n.startswith("revocation.fetched[") and registered()[n] == 1)
    clear_all()
    assert len(fetched) == 0 and fetched.get(("crl", "http://crl.test/a")) is None
    del fetched
    gc.collect()
    assert name not in registered()  # a discarded service's cache leaves the registry with it


def test_a_name_is_registered_once():
    with pytest.raises(ValueError):
        BoundedCache("path.signatures", 4)


@pytest.fixture
def small_caches(monkeypatch):
    """The core's caches shrunk to 16 entries, so a few dozen CAs overflow every one of them."""
    for c in (signatures._cache, vc._parsed, certmod._NAME_FACTS, vt._BINDINGS):
        monkeypatch.setattr(c, "maxsize", 16)
    yield
    clear_all()


class _CRLServer:
    """A fetcher serving each CA's CRL from memory (the network is not the subject here); counts fetches."""

    def __init__(self, crls: dict[str, bytes]) -> None:
        self.crls, self.fetches = crls, 0
        self.lock = threading.Lock()

    def get(self, url: str, *, max_bytes: int, accept: str) -> bytes:
        with self.lock:
            self.fetches += 1
        return self.crls[url]

    def post(self, url: str, body: bytes, **kw: object) -> bytes:
        raise AssertionError("no OCSP in this test")


def _crl_source(root_der: bytes, root_key: Signer, cas: list[bytes], ca_key: Signer, size: int):
    """A FetchingRevocationSource whose trust-list supply points name one CRL URL per issuer, served by
    `_CRLServer`, cached in a RevocationCache of `size` entries."""
    crls = {}
    for der, key in [(root_der, root_key), *((c, ca_key) for c in cas)]:
        cert = Certificate.from_der(der)
        crls[f"http://crl.test/{cert.sha256}"] = build_crl(issuer_cert=cert, signer=key, this_update=AT - timedelta(days=1),
                                                           next_update=AT + timedelta(days=30))
    server = _CRLServer(crls)

    def points(cert, issuer, kind):
        return [f"http://crl.test/{issuer.sha256}"] if kind == "crl" and issuer is not None else []

    cache = RevocationCache(max_entries=size)
    return FetchingRevocationSource(supply_points=points, fetcher=server, cache=cache, fetch_ocsp=False), server


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
    return root.der, chains, root_key, ca_key


def test_eight_threads_ten_thousand_validations_each_past_the_bounds(small_caches):
    """8 threads x 10,000 validations over 48 CAs (and their end entities) with every cache holding 16: constant
    eviction while other threads read and refresh entries (the old signature LRU raised KeyError here).
    Nine in ten validations are of a hot CA (mostly cache hits, as in service), one in ten walks a cold CA's
    end entity with revocation required, its CRLs fetched through the shared revocation cache (16 entries for
    49 CRLs: misses, single-flight loads, evictions). No exception, every answer right."""
    root, chains, root_key, ca_key = _pki(48)
    source, server = _crl_source(root, root_key, [ca for _ee, ca in chains], ca_key, 16)
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
                    r = validate_certificate(ee, [ca], [root], at=AT, revocation="require", revocation_source=source)
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
    assert len(source.cache) <= 16 and server.fetches > 49  # evicted CRLs were fetched again
