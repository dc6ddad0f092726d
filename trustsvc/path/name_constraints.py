"""RFC 5280 4.2.1.10 / 6.1.3 (b)-(c) name constraints: directoryName, rfc822Name, dNSName, URI, iPAddress."""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from asn1crypto import x509

from trustsvc.x509.certificate import Certificate

_EMAIL_OID = "1.2.840.113549.1.9.1"
SUPPORTED = ("directory_name", "rfc822_name", "dns_name", "uniform_resource_identifier", "ip_address")


class NameConstraintViolation(Exception):
    """A certificate name falls outside the permitted or inside the excluded subtrees."""


def _rdns(name: x509.Name) -> list[str]:
    return [rdn.hashable for rdn in name.chosen]


def _dns_match(name: str, base: str) -> bool:
    name, base = name.lower().rstrip("."), base.lower().rstrip(".")
    if not base:
        return True
    if base.startswith("."):
        return name.endswith(base)
    return name == base or name.endswith("." + base)


def _email_match(addr: str, base: str) -> bool:
    addr, base = addr.lower(), base.lower()
    if "@" in base:  # a particular mailbox
        return addr == base
    host = addr.rpartition("@")[2]
    if base.startswith("."):  # any host in the domain
        return host.endswith(base)
    return host == base  # all mailboxes on one host


def _uri_match(uri: str, base: str) -> bool:
    try:
        host = urlsplit(uri).hostname or ""
    except ValueError:
        return False
    host, base = host.lower(), base.lower()
    if base.startswith("."):
        return host.endswith(base)
    return host == base


def _ip_match(addr: bytes, base: bytes) -> bool:
    half = len(base) // 2
    if len(addr) != half:
        return False
    net, mask = base[:half], base[half:]
    return all((a & m) == (n & m) for a, n, m in zip(addr, net, mask))


def _match(kind: str, value, base, base_rdns: list[str] | None) -> bool:
    if kind == "directory_name":
        rdns = _rdns(value)
        return rdns[: len(base_rdns)] == base_rdns
    if kind == "dns_name":
        return _dns_match(value, base)
    if kind == "rfc822_name":
        return _email_match(value, base)
    if kind == "uniform_resource_identifier":
        return _uri_match(value, base)
    if kind == "ip_address":
        return _ip_match(value, base)
    return False


def certificate_names(cert: Certificate) -> list[tuple[str, object]]:
    """The names of `cert` that name constraints apply to: subject DN, its emails, and the SAN."""
    names: list[tuple[str, object]] = []
    if len(cert.subject.chosen):
        names.append(("directory_name", cert.subject))
        for rdn in cert.subject.chosen:  # RFC 5280 4.2.1.10: emailAddress in the subject DN
            for atv in rdn:
                if atv["type"].dotted == _EMAIL_OID:
                    names.append(("rfc822_name", str(atv["value"].native)))
    for gn in cert.subject_alt_names:
        kind = gn.name
        if kind in SUPPORTED:
            value = gn.chosen if kind == "directory_name" else gn.chosen.contents if kind == "ip_address" else gn.native
            names.append((kind, value))
    return names


def _subtrees(subtrees) -> list[tuple[str, object, list[str] | None]]:
    out = []
    if not subtrees:
        return out
    for st in subtrees:
        gn = st["base"]
        kind = gn.name
        if kind == "directory_name":
            out.append((kind, gn.chosen, _rdns(gn.chosen)))
        elif kind == "ip_address":
            out.append((kind, gn.chosen.contents, None))
        else:
            out.append((kind, gn.native, None))
    return out


class NameConstraints:
    """One CA certificate's nameConstraints, pre-parsed for matching."""

    def __init__(self, value) -> None:
        self.permitted = _subtrees(value["permitted_subtrees"])
        self.excluded = _subtrees(value["excluded_subtrees"])
        self.permitted_kinds = {k for k, _b, _r in self.permitted}

    def check(self, names: list[tuple[str, object]], budget) -> None:
        """Raise NameConstraintViolation if a name is not permitted or is excluded (RFC 5280 6.1.3 (b), (c))."""
        for kind, value in names:
            if kind in self.permitted_kinds:
                ok = False
                for pk, base, rdns in self.permitted:
                    if pk == kind:
                        budget.name_comparison()
                        if _match(kind, value, base, rdns):
                            ok = True
                            break
                if not ok:
                    raise NameConstraintViolation(f"{kind} {_show(value)} is not within the permitted subtrees")
            for ek, base, rdns in self.excluded:
                if ek == kind:
                    budget.name_comparison()
                    if _match(kind, value, base, rdns):
                        raise NameConstraintViolation(f"{kind} {_show(value)} is within an excluded subtree")


def _show(value) -> str:
    if isinstance(value, x509.Name):
        return value.human_friendly
    if isinstance(value, bytes):
        try:
            return str(ipaddress.ip_address(value))
        except ValueError:
            return value.hex()
    return str(value)
