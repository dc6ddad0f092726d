"""Server-side request forgery guard: resolve a URL's host and refuse non-public addresses unless allowed."""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from urllib.parse import SplitResult, urlsplit

from trustsvc.errors import TrustsvcError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
Resolver = Callable[[str, int], Sequence[str]]

ALLOWED_SCHEMES = ("http", "https")

# Networks that are never "the public internet" even when the ipaddress flags miss them.
_EXTRA_BLOCKED: tuple[IPNetwork, ...] = tuple(
    ipaddress.ip_network(n)
    for n in (
        "0.0.0.0/8",  # "this network" (RFC 791); 0.0.0.0 reaches localhost on Linux
        "100.64.0.0/10",  # carrier-grade NAT (RFC 6598)
        "192.0.0.0/24",  # IETF protocol assignments (RFC 6890)
        "198.18.0.0/15",  # benchmarking (RFC 2544)
        "64:ff9b:1::/48",  # local-use NAT64 (RFC 8215)
        "fc00::/7",  # unique local (RFC 4193)
        "fec0::/10",  # deprecated site-local
    )
)

LOOPBACK_NETWORKS: tuple[IPNetwork, ...] = (ipaddress.ip_network("127.0.0.0/8"), ipaddress.ip_network("::1/128"))


class FetchRefused(TrustsvcError):
    """A URL the fetcher will not contact (scheme, address class, redirect target); carries the reason."""

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(f"refused to fetch {url}: {reason}")
        self.url = url
        self.reason = reason


def system_resolver(host: str, port: int) -> list[str]:
    """All addresses `host` resolves to (IPv4 and IPv6), via the system resolver."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise OSError(f"cannot resolve {host}: {exc}") from None
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def _normalise(ip: IPAddress) -> IPAddress:
    # An IPv4-mapped IPv6 address (::ffff:a.b.c.d) reaches the IPv4 host: judge it as IPv4.
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return ip.ipv4_mapped
        if ip.sixtofour is not None:  # 2002::/16 embeds an IPv4 address
            return ip.sixtofour
    return ip


def address_class(ip: IPAddress) -> str | None:
    """Why `ip` is not a public unicast address ("loopback", "private", ...), or None if it is public."""
    ip = _normalise(ip)
    if ip.is_unspecified:
        return "unspecified"
    if ip.is_loopback:
        return "loopback"
    if ip.is_link_local:
        return "link-local"
    if ip.is_multicast:
        return "multicast"
    if ip.is_reserved:
        return "reserved"
    if any(ip in net for net in _EXTRA_BLOCKED if net.version == ip.version):
        return "private"
    if ip.is_private:
        return "private"
    if not ip.is_global:
        return "non-global"
    return None


@dataclass(frozen=True)
class ResolvedTarget:
    """A URL checked by the guard, with the one address the connection must be pinned to."""

    url: str
    parts: SplitResult
    host: str
    port: int
    address: str


@dataclass(frozen=True)
class SSRFGuard:
    """Resolve, then refuse loopback/private/link-local/multicast/reserved/unspecified addresses.

    `allow` lists networks that are nevertheless allowed (e.g. `LOOPBACK_NETWORKS` for the demo
    responder, or a company's internal PKI subnet). Every resolved address must pass: a name that
    resolves to one public and one private address is refused (no choosing the "good" one).
    """

    allow: tuple[IPNetwork, ...] = ()
    resolver: Resolver = field(default=system_resolver)

    @classmethod
    def allowing(cls, networks: Iterable[str | IPNetwork], resolver: Resolver | None = None) -> "SSRFGuard":
        nets = tuple(ipaddress.ip_network(n) if isinstance(n, str) else n for n in networks)
        return cls(nets, resolver or system_resolver)

    def _allowed(self, ip: IPAddress) -> bool:
        candidates = {ip, _normalise(ip)}
        return any(c in net for c in candidates for net in self.allow if net.version == c.version)

    def check(self, url: str) -> ResolvedTarget:
        """Return the pinned target for `url`, or raise FetchRefused with the reason."""
        try:
            parts = urlsplit(url)
            port = parts.port
        except ValueError as exc:
            raise FetchRefused(url, f"malformed URL ({exc})") from None
        scheme = parts.scheme.lower()
        if scheme not in ALLOWED_SCHEMES:
            raise FetchRefused(url, f"scheme {scheme or '(none)'!r} is not http or https")
        host = parts.hostname
        if not host:
            raise FetchRefused(url, "no host")
        if parts.username or parts.password:
            raise FetchRefused(url, "credentials in the URL")
        port = port or (443 if scheme == "https" else 80)
        try:
            literal: IPAddress | None = ipaddress.ip_address(host)
        except ValueError:
            literal = None
        if literal is not None:
            addresses = [str(literal)]
        else:
            try:
                addresses = list(self.resolver(host, port))
            except OSError as exc:
                raise FetchRefused(url, str(exc)) from None
            if not addresses:
                raise FetchRefused(url, f"{host} resolves to no address")
        for text in addresses:
            try:
                ip = ipaddress.ip_address(text.split("%", 1)[0])
            except ValueError:
                raise FetchRefused(url, f"{host} resolved to a malformed address {text!r}") from None
            why = address_class(ip)
            if why is not None and not self._allowed(ip):
                raise FetchRefused(url, f"{host} resolves to {ip}, a {why} address (SSRF guard; not in the allow-list)")
        return ResolvedTarget(url, parts, host, port, addresses[0].split("%", 1)[0])
