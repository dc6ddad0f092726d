"""FetchingRevocationSource against a real OCSP/CRL server on 127.0.0.1 (free port)."""

from __future__ import annotations

import base64
import socket
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone

import httpx
import pytest

from tests.revocation.revocation_fixtures import NOW
from trustsvc.demo.revocation import Revoked, make_ocsp_response
from trustsvc.revocation.ocsp import build_ocsp_request, check_ocsp_response
from trustsvc.revocation.online import FetchingRevocationSource
from trustsvc.x509.load import load_crl

LOOPBACK = ["127.0.0.0/8"]


def _source(**kw) -> FetchingRevocationSource:
    kw.setdefault("allow_networks", LOOPBACK)
    kw.setdefault("timeout", 3.0)  # generous: the whole suite shares two cores
    return FetchingRevocationSource(**kw)


def _ocsp_status(lab, tag, source=None, leaf=None):
    j = lab.j[tag]
    leaf = leaf or j.leaf
    source = source or _source()
    responses = source.ocsp_for(leaf, j.ca)
    if not responses:
        return None, source
    return check_ocsp_response(leaf, j.ca, responses[0], at=datetime.now(timezone.utc), source="fetched"), source


@pytest.mark.parametrize("tag", ["gd", "hk", "mo"])
def test_good(lab, server, tag):
    result, _ = _ocsp_status(lab, tag)
    assert result.status == "good", result.error


def test_revoked_with_reason_and_time(lab, server):
    j = lab.j["gd"]
    when = NOW - timedelta(hours=3)
    server.knobs.revoked[j.leaf.serial_number] = Revoked(j.leaf.serial_number, when, "key_compromise")
    result, _ = _ocsp_status(lab, "gd")
    assert (result.status, result.revocation_time, result.reason) == ("revoked", when, "key_compromise")
    # the CRL from the distribution point says the same
    crls = _source(fetch_ocsp=False).crls_for(j.leaf, j.ca)
    entries = load_crl(crls[0])["tbs_cert_list"]["revoked_certificates"]
    assert [e["user_certificate"].native for e in entries] == [j.leaf.serial_number]


def test_unknown(lab, server):
    server.knobs.unknown.add(lab.j["hk"].leaf.serial_number)
    assert _ocsp_status(lab, "hk")[0].status == "unknown"


def test_stale_response(lab, server):
    server.knobs.stale = True
    result, _ = _ocsp_status(lab, "mo")
    assert (result.status, result.problem) == ("invalid", "stale")


def test_wrong_responder_key(lab, server):
    server.knobs.wrong_key = True
    result, _ = _ocsp_status(lab, "gd")
    assert (result.status, result.problem) == ("invalid", "signature")


def test_delegated_responder_without_eku(lab, server):
    server.knobs.no_eku = True
    result, _ = _ocsp_status(lab, "gd")
    assert (result.status, result.problem) == ("invalid", "responder")


def test_responder_down_is_recorded_as_missing_evidence(lab, server):
    server.knobs.down = True
    j = lab.j["hk"]
    source = _source()
    assert source.ocsp_for(j.leaf, j.ca) == []
    assert source.crls_for(j.leaf, j.ca) == []
    kinds = {p.kind for p in source.problems_for(j.leaf)}
    assert kinds == {"ocsp", "crl"}


def test_dead_supply_point_is_recorded_and_the_aia_url_still_answers(lab, server):
    j = lab.j["mo"]
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))  # a port nobody listens on
    port = sock.getsockname()[1]
    sock.close()
    source = _source(supply_points=lambda cert, issuer, kind: [f"http://127.0.0.1:{port}/{kind}"])
    assert source.ocsp_for(j.leaf, j.ca)  # supply point first (refused), then the certificate's AIA
    assert [p.url for p in source.problems_for(j.leaf)] == [f"http://127.0.0.1:{port}/ocsp"]


def test_slow_responder_hits_the_time_out(lab, server):
    server.knobs.delay = 1.0
    j = lab.j["mo"]
    source = _source(timeout=0.3)
    assert source.ocsp_for(j.leaf, j.ca) == []
    reasons = " ".join(source.reasons_for(j.leaf))
    assert "timed out" in reasons


def test_oversized_crl_is_refused(lab, server):
    server.knobs.crl_padding = 3000  # ~100 KB
    j = lab.j["hk"]
    source = _source(fetch_ocsp=False, max_crl_bytes=20_000)
    assert source.crls_for(j.leaf, j.ca) == []
    assert any("limit" in p.reason for p in source.problems_for(j.leaf))


def test_supplied_material_is_used_first_without_network(lab, server):
    j = lab.j["gd"]
    der = make_ocsp_response(j.leaf.serial_number, j.ca, j.responder, j.responder_key, this_update=NOW,
                             next_update=NOW + timedelta(hours=1))
    source = _source(ocsp_responses=[der])
    assert source.ocsp_for(j.leaf, j.ca) == [der]
    assert sum(server.requests.values()) == 0


def test_trust_list_supply_points_are_preferred(lab, server):
    j = lab.j["mo"]
    calls = []

    def points(cert, issuer, kind):
        calls.append(kind)
        return [server.url + "/ocsp/"] if kind == "ocsp" else []

    assert _source(supply_points=points).ocsp_for(j.leaf, j.ca)
    assert calls == ["ocsp"] and server.requests["/ocsp/"] == 1 and server.requests["/ocsp"] == 0


def test_ocsp_get_per_rfc6960_appendix_a(lab, server):
    j = lab.j["hk"]
    req, _ = build_ocsp_request(j.leaf, j.ca, nonce=None)
    url = server.url + "/ocsp/" + httpx.URL(base64.b64encode(req).decode()).raw_path.decode()
    der = httpx.get(url.replace("+", "%2B")).content
    assert check_ocsp_response(j.leaf, j.ca, der, at=datetime.now(timezone.utc)).status == "good"


def test_fetched_responses_are_cached(lab, server):
    j = lab.j["gd"]
    source = _source()
    for _ in range(3):
        assert source.ocsp_for(j.leaf, j.ca)
        assert source.crls_for(j.leaf, j.ca)
    assert server.requests["/ocsp"] == 1
    assert server.requests["/crl/gd.crl"] == 1


def test_same_crl_for_100_concurrent_validations_is_fetched_once(lab, server):
    server.knobs.delay = 0.2  # keep the first fetch in flight while the others arrive
    j = lab.j["hk"]
    source = _source(fetch_ocsp=False, timeout=2.0)
    barrier = threading.Barrier(100)

    def validate(_):
        barrier.wait()
        return source.crls_for(j.leaf, j.ca)

    with ThreadPoolExecutor(max_workers=100) as pool:
        results = list(pool.map(validate, range(100)))
    assert all(len(r) == 1 and r[0] == results[0][0] for r in results)
    assert server.requests["/crl/hk.crl"] == 1


def test_loopback_responder_is_refused_unless_allowed(lab, server):
    j = lab.j["mo"]
    source = FetchingRevocationSource(timeout=0.5)
    assert source.ocsp_for(j.leaf, j.ca) == []
    assert all("loopback" in p.reason for p in source.problems_for(j.leaf))
    assert sum(server.requests.values()) == 0


def test_fresh_supplied_crl_is_used_without_network_and_a_stale_one_is_topped_up(lab, server):
    from trustsvc.demo.revocation import make_crl

    j = lab.j["mo"]
    fresh = make_crl(j.ca, j.ca_key, [], this_update=NOW, next_update=NOW + timedelta(days=1))
    assert _source(crls=[fresh], fetch_ocsp=False).crls_for(j.leaf, j.ca) == [fresh]
    assert sum(server.requests.values()) == 0
    stale = make_crl(j.ca, j.ca_key, [], this_update=NOW - timedelta(days=9), next_update=NOW - timedelta(days=2))
    got = _source(crls=[stale], fetch_ocsp=False).crls_for(j.leaf, j.ca)
    assert got[0] == stale and len(got) == 2 and server.requests["/crl/mo.crl"] == 1


def test_fetching_source_satisfies_the_revocation_source_protocol():
    from trustsvc.revocation.source import RevocationSource

    assert isinstance(_source(), RevocationSource)
