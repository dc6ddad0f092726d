"""A certificate may name any number of CRL distribution points and OCSP URLs, each fetched in turn with its
own deadline: the request's limits (time, CPU, client gone) are checked before every fetch, so a hostile
certificate naming a thousand slow URLs cannot hold a worker for a thousand fetch deadlines."""

from __future__ import annotations

import threading

import httpx
import pytest
from cryptography import x509

from tests.path.pki import der, issue, key
from trustsvc.path.budget import Cancelled, limits
from trustsvc.revocation.fetch import Fetcher
from trustsvc.revocation.online import FetchingRevocationSource
from trustsvc.revocation.ssrf import SSRFGuard
from trustsvc.x509.certificate import Certificate

URLS = [f"http://crl{i}.example/ca.crl" for i in range(200)]


def _pair() -> tuple[Certificate, Certificate]:
    rk, lk = key(), key()
    dps = x509.CRLDistributionPoints([x509.DistributionPoint([x509.UniformResourceIdentifier(u)], None, None, None)
                                      for u in URLS])
    aia = x509.AuthorityInformationAccess([x509.AccessDescription(x509.oid.AuthorityInformationAccessOID.OCSP,
                                                                  x509.UniformResourceIdentifier(u)) for u in URLS])
    leaf = issue("Hostile leaf", lk, "Root", rk, ca=False, extra=[(dps, False), (aia, False)])
    return Certificate.from_der(der(leaf)), Certificate.from_der(der(issue("Root", rk, "Root", rk)))


@pytest.mark.parametrize("kind", ["crl", "ocsp"])
def test_fetching_stops_at_the_next_url_once_the_request_is_cancelled(kind):
    leaf, root = _pair()
    stop = threading.Event()
    fetched: list[str] = []

    def slow_server(request: httpx.Request) -> httpx.Response:
        fetched.append(str(request.url))
        stop.set()  # as if the request's time ran out (or its client left) during this fetch
        return httpx.Response(503)

    source = FetchingRevocationSource(fetcher=Fetcher(guard=SSRFGuard(resolver=lambda h, p: ["93.184.216.34"]),
                                                      transport=httpx.MockTransport(slow_server)))
    with limits(cancel=stop), pytest.raises(Cancelled):
        source.crls_for(leaf, root) if kind == "crl" else source.ocsp_for(leaf, root)
    assert len(fetched) == 1  # was 200: one fetch deadline per URL the certificate names


def test_without_limits_every_url_is_still_tried():
    leaf, root = _pair()
    fetched: list[str] = []
    source = FetchingRevocationSource(fetcher=Fetcher(
        guard=SSRFGuard(resolver=lambda h, p: ["93.184.216.34"]),
        transport=httpx.MockTransport(lambda r: fetched.append(str(r.url)) or httpx.Response(404))))
    assert source.crls_for(leaf, root) == []
    assert len(fetched) == len(URLS)
