"""RFC 5280 4.2.1.10 / 6.1.3 (b)-(c) name constraints: directoryName, rfc822Name, dNSName, URI, iPAddress.

Every name of a certificate is judged: the subject DN and its emailAddress attributes, and every subjectAltName
entry. A name of a form this engine does not process (otherName, x400Address, ediPartyName, registeredID) fails
when a constraint of that form is present, and so does a malformed name under a constraint of its form:
RFC 5280 4.2.1.10 says to process the constraint or reject the certificate, never to let the name through.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from asn1crypto import x509
from cryptography import x509 as cx509

from trustsvc.errors import PathError
from trustsvc.path.profile import name_syntax_problem, valid_mailbox
from trustsvc.x509.certificate import Certificate
from trustsvc.x509.names import asn1_rdn_keys, name_facts

SUPPORTED = ("directory_name", "rfc822_name", "dns_name", "uniform_resource_identifier", "ip_address")


class NameConstraintViolation(PathError):
    """A certificate name falls outside the permitted or inside the excluded subtrees."""


class DirectoryName:
    """A directoryName with its normalised RDNs (RFC 5280 7.1), computed once for many comparisons."""

    __slots__ = ("rdns", "label")

    def __init__(self, rdns: list[str], label: str) -> None:
        self.rdns, self.label = rdns, label

    @classmethod
    def of(cls, name: x509.Name) -> "DirectoryName":
        return cls(asn1_rdn_keys(name), name.human_friendly)


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


def _uri_host(uri: str) -> str | None:
    """The host of a URI (RFC 5280 4.2.1.10 constrains it), or None when it has none or is an IP literal."""
    try:
        host = urlsplit(uri).hostname
    except ValueError:
        return None
    if not host or host.startswith("[") or _is_ip_literal(host):
        return None
    return host


def _is_ip_literal(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def _uri_match(uri: str, base: str) -> bool:
    host, base = uri.lower(), base.lower()  # `certificate_names` already reduced the URI to its host
    if base.startswith("."):
        return host.endswith(base)
    return host == base


def _ip_match(addr: bytes, base: bytes) -> bool:
    half = len(base) // 2
    if len(addr) != half:
        return False
    net, mask = base[:half], base[half:]
    return all((a & m) == (n & m) for a, n, m in zip(addr, net, mask))


def _wildcard_may_match(name: str, base: str) -> bool:
    """True when some expansion of wildcard `name` (`*.example.com`) lies within excluded subtree `base`."""
    name, base = name.lower().rstrip("."), base.lower().rstrip(".").lstrip(".")
    rest = name[2:]
    if _dns_match(rest, base):
        return True  # the whole wildcard's domain is inside the subtree
    label, _dot, parent = base.partition(".")
    return bool(label) and parent == rest  # `*` can stand for the subtree's own leftmost label


def _match(kind: str, value, base, base_rdns: list[str] | None) -> bool:
    if kind == "directory_name":
        return value.rdns[: len(base_rdns)] == base_rdns
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
    return cert.derived("name_constraint_names", _certificate_names)


def _certificate_names(cert: Certificate) -> list[tuple[str, object]]:
    names: list[tuple[str, object]] = []
    rdns = cert.subject_rdn_keys
    if rdns:
        names.append(("directory_name", DirectoryName(rdns, cert.subject_str)))
        # RFC 5280 4.2.1.10: emailAddress in the subject DN
        for email in cert.subject_email_addresses:
            ok = valid_mailbox(email)
            names.append(("rfc822_name", email if ok else _Unprocessable(f"emailAddress {email!r} is not a mailbox")))
    for gn in cert.subject_alt_names:
        kind = gn.name
        if kind not in SUPPORTED:
            names.append((kind, _Unprocessable(f"{kind} subjectAltName")))
            continue
        problem = name_syntax_problem(gn) if kind != "directory_name" else None
        if problem:
            names.append((kind, _Unprocessable(problem)))
        elif kind == "uniform_resource_identifier" and _uri_host(gn.native) is None:
            names.append((kind, _Unprocessable(f"URI {gn.native!r} has no host name")))
        else:
            value = (DirectoryName.of(gn.chosen) if kind == "directory_name" else gn.chosen.contents if kind == "ip_address"
                     else _uri_host(gn.native) if kind == "uniform_resource_identifier" else gn.native)
            names.append((kind, value))
    return names


class _Unprocessable:
    """A name the engine cannot judge against a constraint of its form (unsupported form or malformed value)."""

    __slots__ = ("why",)

    def __init__(self, why: str) -> None:
        self.why = why


def _subtrees(subtrees) -> list[tuple[str, object, list[str] | None]]:
    out = []
    if not subtrees:
        return out
    for st in subtrees:
        gn = st["base"]
        kind = gn.name
        if kind == "directory_name":
            out.append((kind, gn.chosen, asn1_rdn_keys(gn.chosen)))
        elif kind == "ip_address":
            out.append((kind, gn.chosen.contents, None))
        else:
            out.append((kind, gn.native, None))
    return out


def _fast_subtrees(subtrees) -> list[tuple[str, object, list[str] | None]] | None:
    """directoryName / iPAddress subtrees from cryptography's parse; None when another form needs asn1crypto."""
    out = []
    for gn in subtrees or ():
        if isinstance(gn, cx509.DirectoryName):
            facts = name_facts(gn.value)
            if facts is None:
                return None
            out.append(("directory_name", None, facts[1]))
        elif isinstance(gn, cx509.IPAddress) and isinstance(gn.value, (ipaddress.IPv4Network, ipaddress.IPv6Network)):
            # RFC 5280 4.2.1.10: address followed by mask, as octets
            out.append(("ip_address", gn.value.network_address.packed + gn.value.netmask.packed, None))
        else:
            return None
    return out


class NameConstraints:
    """One CA certificate's nameConstraints, pre-parsed for matching."""

    @classmethod
    def of(cls, cert: Certificate) -> "NameConstraints":
        """The parsed nameConstraints of `cert` (which must have them), parsed once per certificate."""
        return cert.derived("name_constraints", cls._parse)

    @classmethod
    def _parse(cls, cert: Certificate) -> "NameConstraints":
        nc = cert.crypto_extension("2.5.29.30")
        if nc is not None:
            permitted, excluded = _fast_subtrees(nc.permitted_subtrees), _fast_subtrees(nc.excluded_subtrees)
            if permitted is not None and excluded is not None:
                return cls(permitted=permitted, excluded=excluded)
        return cls(cert.name_constraints)

    def __init__(self, value=None, *, permitted=None, excluded=None) -> None:
        self.permitted = _subtrees(value["permitted_subtrees"]) if value is not None else permitted
        self.excluded = _subtrees(value["excluded_subtrees"]) if value is not None else excluded
        self.permitted_kinds = {k for k, _b, _r in self.permitted}
        self.kinds = self.permitted_kinds | {k for k, _b, _r in self.excluded}

    def check(self, names: list[tuple[str, object]], budget) -> None:
        """Raise NameConstraintViolation if a name is not permitted or is excluded (RFC 5280 6.1.3 (b), (c))."""
        for kind, value in names:
            if isinstance(value, _Unprocessable):
                if kind in self.kinds:  # RFC 5280 4.2.1.10: process the constraint or reject the certificate
                    raise NameConstraintViolation(f"{value.why} cannot be checked against the {kind} constraints")
                continue
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
            wildcard = kind == "dns_name" and value.startswith("*.")
            for ek, base, rdns in self.excluded:
                if ek == kind:
                    budget.name_comparison()
                    if _match(kind, value, base, rdns) or (wildcard and _wildcard_may_match(value, base)):
                        raise NameConstraintViolation(f"{kind} {_show(value)} is within an excluded subtree")


def _show(value) -> str:
    if isinstance(value, DirectoryName):
        return value.label
    if isinstance(value, x509.Name):
        return value.human_friendly
    if isinstance(value, bytes):
        try:
            return str(ipaddress.ip_address(value))
        except ValueError:
            return value.hex()
    return str(value)
