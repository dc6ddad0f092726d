"""SSRF guard: non-public addresses are refused after resolution unless the allow-list opens them."""

from __future__ import annotations

import pytest

from trustsvc.revocation.fetch import Fetcher
from trustsvc.revocation.online import FetchingRevocationSource
from trustsvc.revocation.ssrf import FetchRefused, SSRFGuard

REFUSED = [
    ("http://127.0.0.1/crl", "loopback"),
    ("http://localhost:8081/ocsp", "loopback"),
    ("http://10.1.2.3/x.crl", "private"),
    ("http://192.168.0.1/x.crl", "private"),
    ("http://172.16.5.4/x.crl", "private"),
    ("http://169.254.169.254/latest/meta-data/", "link-local"),
    ("http://[::1]:8080/ocsp", "loopback"),
    ("http://[::ffff:127.0.0.1]/ocsp", "loopback"),
    ("http://[::ffff:169.254.169.254]/", "link-local"),
    ("http://[fe80::1]/", "link-local"),
    ("http://[fd00::1]/", "private"),
    ("http://0.0.0.0/", "unspecified"),
    ("http://224.0.0.1/", "multicast"),
    ("http://240.0.0.1/", "reserved"),
    ("http://100.64.0.1/", "private"),
]


@pytest.mark.parametrize("url,why", REFUSED)
def test_non_public_addresses_are_refused_by_default(url, why):
    with pytest.raises(FetchRefused, match=why):
        SSRFGuard().check(url)


@pytest.mark.parametrize("url", ["ldap://ldap.example/cn=CA", "file:///etc/passwd", "gopher://x/", "ftp://x/y",
                                 "http://user:pw@example.com/"])
def test_only_plain_http_and_https_urls(url):
    with pytest.raises(FetchRefused):
        SSRFGuard(resolver=lambda h, p: ["93.184.216.34"]).check(url)


def test_names_are_judged_by_what_they_resolve_to():
    guard = SSRFGuard(resolver=lambda host, port: {"metadata.internal": ["169.254.169.254"],
                                                   "crl.example": ["93.184.216.34"],
                                                   "split.example": ["93.184.216.34", "10.0.0.7"]}[host])
    with pytest.raises(FetchRefused, match="169.254.169.254"):
        guard.check("http://metadata.internal/latest/meta-data/iam")
    with pytest.raises(FetchRefused, match="10.0.0.7"):  # any bad address spoils the name
        guard.check("http://split.example/x.crl")
    target = guard.check("http://crl.example/ca.crl")
    assert (target.host, target.address, target.port) == ("crl.example", "93.184.216.34", 80)


@pytest.mark.parametrize("url,network", [
    ("http://127.0.0.1/crl", "127.0.0.0/8"),
    ("http://localhost/crl", "127.0.0.0/8"),
    ("http://10.1.2.3/x.crl", "10.0.0.0/8"),
    ("http://169.254.169.254/", "169.254.169.254/32"),
    ("http://[::1]:8080/ocsp", "::1/128"),
])
def test_allowed_only_when_configured(url, network):
    resolver = lambda host, port: ["127.0.0.1"] if host == "localhost" else []  # noqa: E731
    assert SSRFGuard.allowing([network], resolver).check(url).address
    with pytest.raises(FetchRefused):
        SSRFGuard.allowing(["192.0.2.0/24"], resolver).check(url)


def test_allowing_loopback_does_not_open_private_networks():
    guard = SSRFGuard.allowing(["127.0.0.0/8", "::1/128"])
    with pytest.raises(FetchRefused):
        guard.check("http://10.0.0.1/")
    with pytest.raises(FetchRefused):
        guard.check("http://169.254.169.254/")


def test_connection_is_pinned_to_the_checked_address(monkeypatch):
    """DNS rebinding: the name is resolved once; the request goes to that address with the original Host."""
    import httpx

    seen = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append((request.url.host, request.headers["host"]))
        return httpx.Response(200, stream=httpx.ByteStream(b"ok"))

    answers = iter([["93.184.216.34"], ["127.0.0.1"]])  # a rebinding resolver
    fetcher = Fetcher(guard=SSRFGuard(resolver=lambda h, p: next(answers)), transport=httpx.MockTransport(handler))
    assert fetcher.get("http://crl.example/ca.crl") == b"ok"
    assert seen == [("93.184.216.34", "crl.example")]


def test_redirect_to_a_disallowed_host_is_refused():
    import httpx

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(302, headers={"location": "http://169.254.169.254/latest/"})

    fetcher = Fetcher(guard=SSRFGuard(resolver=lambda h, p: ["93.184.216.34"]), transport=httpx.MockTransport(handler))
    with pytest.raises(FetchRefused, match="link-local"):
        fetcher.get("http://crl.example/ca.crl")


def test_refusal_is_reported_as_missing_evidence(lab):
    j = lab.j["gd"]
    source = FetchingRevocationSource(
        supply_points=lambda c, i, kind: ["http://metadata.internal/latest/" + kind],
        resolver=lambda host, port: ["169.254.169.254"] if host == "metadata.internal" else ["127.0.0.1"])
    assert source.ocsp_for(j.leaf, j.ca) == []
    reasons = source.reasons_for(j.leaf)
    assert any("metadata.internal" in r and "link-local" in r for r in reasons)
    assert any("loopback" in r for r in reasons)
