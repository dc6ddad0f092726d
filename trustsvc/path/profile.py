"""RFC 5280 4.1 / 4.2 certificate profile: what a conforming certificate looks like, judged once per certificate.

Path validation (6.1) assumes well-formed input; a certificate that breaks the profile can make a validator
say yes to something its issuer never meant. Every certificate of a path (the trust anchor included) is
checked here. Each finding names the rule and the RFC clause, and says whether it is a *slip*: a CA-side
conformance error real CAs ship that does not change what the certificate means (a missing key identifier,
a non-critical basicConstraints, an over-long serial). The `lenient` profile tolerates slips with a warning;
`strict` (the default) tolerates nothing. Findings are computed once per certificate and cached on it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum

from asn1crypto import x509 as asn1_x509
from cryptography import x509 as cx509

from trustsvc import tlv
from trustsvc.x509.certificate import Certificate


class Profile(str, Enum):
    """Which certificate profile a validation enforces."""

    STRICT = "strict"
    LENIENT = "lenient"

    @classmethod
    def of(cls, value: "Profile | str | None") -> "Profile":
        """The profile named by `value` (None = strict); ValueError for anything else."""
        if value is None:
            return cls.STRICT
        if isinstance(value, Profile):
            return value
        try:
            return cls(str(value).strip().lower())
        except ValueError:
            raise ValueError(f"unknown profile {value!r} (expected 'strict' or 'lenient')") from None


@dataclass(frozen=True)
class Finding:
    """One way a certificate breaks the RFC 5280 profile."""

    rule: str  # short stable id, e.g. "aki-missing" (docs/path.md lists them)
    clause: str  # where the rule comes from, e.g. "RFC 5280 4.2.1.1"
    text: str  # what is wrong, in words
    slip: bool = False  # True: a CA-side slip the lenient profile tolerates (with a warning)
    tolerated: bool = False  # True: a warning under both profiles (relying parties accept it, e.g. PKITS 4.2.4)
    anchor_only: bool = False  # True: fails (strict) only in the trust anchor; a warning elsewhere (see bc-critical)

    def render(self) -> str:
        return f"{self.text} ({self.clause})"


# Extension OIDs (RFC 5280 4.2.1.x, 4.2.2.1)
AKI, SKI, KU, SAN, BC, NC, PC, EKU, AIA = ("2.5.29.35", "2.5.29.14", "2.5.29.15", "2.5.29.17", "2.5.29.19",
                                           "2.5.29.30", "2.5.29.36", "2.5.29.37", "1.3.6.1.5.5.7.1.1")
_GENERALIZED, _UTC = 24, 23
_UTC_TIME = re.compile(rb"\d{12}Z")
_GENERALIZED_TIME = re.compile(rb"\d{14}Z")
_LABEL = re.compile(r"[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?")
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*")
# asn1crypto's spec for each extension it knows (to judge values cryptography left unparsed)
_SPECS = {oid: asn1_x509.Extension._oid_specs[name] for oid, name in asn1_x509.ExtensionId._map.items()
          if name in asn1_x509.Extension._oid_specs}


def findings(cert: Certificate) -> tuple[Finding, ...]:
    """Every profile finding of `cert` (computed once per certificate)."""
    return cert.derived("rfc5280_profile", _findings)


def _findings(cert: Certificate) -> tuple[Finding, ...]:
    try:
        raw = _Raw(cert.der)
    except (ValueError, TypeError, IndexError, tlv.NotPlain) as exc:
        return (Finding("der", "RFC 5280 4.1", f"certificate structure not readable: {exc}"),)
    out: list[Finding] = []
    out.extend(_tbs_findings(cert, raw))
    if not any(f.rule in ("extension-duplicate", "extension-malformed") for f in out):
        out.extend(_extension_findings(cert))
    return tuple(out)


class _Raw:
    """The TBSCertificate fields as encoded (RFC 5280 4.1), for checks on the encoding itself."""

    def __init__(self, der: bytes) -> None:
        outer = tlv.constructed(tlv.children(der)[0], tlv.SEQUENCE)
        fields = tlv.constructed(outer[0], tlv.SEQUENCE)
        self.outer_algorithm = tlv.der(outer[1])
        self.version = 1
        if fields[0][0] == tlv.CONTEXT and fields[0][2] == 0:
            self.version = tlv.integer(tlv.children(fields[0][4])[0]) + 1
            fields = fields[1:]
        self.serial = tlv.primitive(fields[0], tlv.INTEGER)
        self.inner_algorithm = tlv.der(fields[1])
        self.issuer_empty = not fields[2][4]
        self.times = [(t[2], t[4]) for t in tlv.constructed(fields[3], tlv.SEQUENCE)]
        self.subject_empty = not fields[4][4]
        optional = [f for f in fields[6:] if f[0] == tlv.CONTEXT]
        self.unique_ids = any(f[2] in (1, 2) for f in optional)
        self.extensions: list[tuple[str, bool, bytes]] = []
        for f in optional:
            if f[2] == 3:
                for e in tlv.constructed(tlv.children(f[4])[0], tlv.SEQUENCE):
                    parts = tlv.children(e[4])
                    critical = len(parts) == 3 and parts[1][4] not in (b"", b"\x00")
                    self.extensions.append((tlv.oid(parts[0]), critical, parts[-1][4]))
        self.has_extensions_field = any(f[2] == 3 for f in optional)


def _tbs_findings(cert: Certificate, raw: _Raw) -> list[Finding]:
    out: list[Finding] = []
    # RFC 5280 4.1.2.1: extensions only in v3, unique identifiers only in v2 or v3
    if raw.has_extensions_field and raw.version != 3:
        out.append(Finding("version", "RFC 5280 4.1.2.1", f"v{raw.version} certificate carries extensions"))
    if raw.unique_ids and raw.version == 1:
        out.append(Finding("version", "RFC 5280 4.1.2.1", "v1 certificate carries unique identifiers"))
    # RFC 5280 4.1.2.2: a positive integer of at most 20 octets
    serial = int.from_bytes(raw.serial, "big", signed=True) if raw.serial else 0
    if serial <= 0:
        out.append(Finding("serial-positive", "RFC 5280 4.1.2.2", f"serial number {serial} is not positive", slip=True))
    if len(raw.serial) > 20:
        out.append(Finding("serial-length", "RFC 5280 4.1.2.2", f"serial number is {len(raw.serial)} octets (at most 20)",
                           slip=True))
    # RFC 5280 4.1.1.2: signatureAlgorithm MUST be the same as TBSCertificate.signature
    if raw.inner_algorithm != raw.outer_algorithm:
        out.append(Finding("signature-algorithm-mismatch", "RFC 5280 4.1.1.2",
                           "signatureAlgorithm differs from the TBSCertificate signature field"))
    # RFC 5280 4.1.2.4: the issuer is a non-empty distinguished name
    if raw.issuer_empty:
        out.append(Finding("issuer-empty", "RFC 5280 4.1.2.4", "issuer name is empty"))
    out.extend(_validity_findings(raw))
    # RFC 5280 4.2: at most one instance of a particular extension
    oids = [oid for oid, _c, _v in raw.extensions]
    if len(set(oids)) != len(oids):
        dup = sorted({o for o in oids if oids.count(o) > 1})
        out.append(Finding("extension-duplicate", "RFC 5280 4.2", f"extension(s) {dup} appear more than once"))
    for oid, _critical, value in raw.extensions:
        spec = _SPECS.get(oid)
        if spec is not None and _needs_reparse(cert, oid):
            try:
                spec.load(value, strict=True).native
            except (ValueError, TypeError, KeyError, OverflowError, AttributeError, IndexError) as exc:
                out.append(Finding("extension-malformed", "RFC 5280 4.2", f"extension {oid} is malformed: {exc}"))
    # RFC 5280 4.1.2.6: a CA's subject is a non-empty distinguished name
    if raw.subject_empty:
        if cert.is_ca:
            out.append(Finding("ca-subject-empty", "RFC 5280 4.1.2.6", "CA certificate with an empty subject"))
        elif SAN not in cert.critical_extension_oids:
            # RFC 5280 4.1.2.6 / 4.2.1.6: an empty subject needs a critical subjectAltName
            out.append(Finding("subject-empty-san", "RFC 5280 4.2.1.6",
                               "empty subject without a critical subjectAltName"))
    return out


def _needs_reparse(cert: Certificate, oid: str) -> bool:
    """True when cryptography did not already parse (and so check) this extension's value."""
    value = cert.crypto_extension(oid)
    return cert._rs is None or value is None or isinstance(value, cx509.UnrecognizedExtension)  # noqa: SLF001


def _validity_findings(raw: _Raw) -> list[Finding]:
    # RFC 5280 4.1.2.5: UTCTime through 2049, GeneralizedTime from 2050; seconds, Zulu, no fractions
    out = []
    for tag, value in raw.times:
        if tag == _UTC:
            ok = bool(_UTC_TIME.fullmatch(value))
        elif tag == _GENERALIZED:
            ok = bool(_GENERALIZED_TIME.fullmatch(value))
            if ok and int(value[:4]) < 2050:
                # A CA slip a relying party accepts (PKITS 4.2.4): the instant is unambiguous.
                out.append(Finding("validity-generalized", "RFC 5280 4.1.2.5",
                                   f"validity time {value.decode()} before 2050 encoded as GeneralizedTime",
                                   slip=True, tolerated=True))
        else:
            ok = False
        if not ok:
            kind = {_UTC: "UTCTime", _GENERALIZED: "GeneralizedTime"}.get(tag, f"tag {tag}")
            out.append(Finding("validity-encoding", "RFC 5280 4.1.2.5",
                               f"validity time {kind} {value.decode('ascii', 'replace')!r} is not encoded as the profile says",
                               slip=True))
    return out


def _extension_findings(cert: Certificate) -> list[Finding]:
    out: list[Finding] = []
    critical = cert.critical_extension_oids
    has = cert.has_extension
    is_ca = cert.is_ca
    # RFC 5280 4.2.1.1: keyIdentifier in every certificate but a self-signed one; never critical
    if AKI in critical:
        out.append(Finding("aki-critical", "RFC 5280 4.2.1.1", "authorityKeyIdentifier is critical", slip=True))
    if not cert.self_issued and not cert.aki:
        out.append(Finding("aki-missing", "RFC 5280 4.2.1.1", "authorityKeyIdentifier keyIdentifier missing", slip=True))
    # RFC 5280 4.2.1.2: in every CA certificate; never critical
    if SKI in critical:
        out.append(Finding("ski-critical", "RFC 5280 4.2.1.2", "subjectKeyIdentifier is critical", slip=True))
    if is_ca and not has(SKI):
        out.append(Finding("ski-missing", "RFC 5280 4.2.1.2", "CA certificate without subjectKeyIdentifier", slip=True))
    # RFC 5280 4.2.1.9: critical in CA certificates; pathLenConstraint only with cA
    if is_ca and BC not in critical:
        # 6.1.4 (k) reads basicConstraints whatever its criticality, so an intermediate's slip changes nothing (PKITS
        # 4.6.4 holds it valid); in the anchor, the one certificate nobody validated, the strict profile refuses it.
        out.append(Finding("bc-critical", "RFC 5280 4.2.1.9", "basicConstraints of a CA certificate is not critical",
                           slip=True, anchor_only=True))
    if not is_ca and cert.path_len_constraint is not None:
        out.append(Finding("bc-pathlen", "RFC 5280 4.2.1.9", "pathLenConstraint without cA"))
    # RFC 5280 4.2.1.3 / 4.2.1.9: keyCertSign only with cA = TRUE
    ku = cert.key_usage
    if ku is not None and "key_cert_sign" in ku and not is_ca:
        out.append(Finding("ku-keycertsign", "RFC 5280 4.2.1.9", "keyCertSign asserted without cA"))
    if ku is not None and not ku and has(KU):
        out.append(Finding("ku-empty", "RFC 5280 4.2.1.3", "keyUsage asserts no bit"))
    # RFC 5280 4.2.1.12: KeyPurposeId SIZE (1..MAX)
    eku = cert.extended_key_usage
    if eku is not None and not eku:
        out.append(Finding("eku-empty", "RFC 5280 4.2.1.12", "extKeyUsage is empty"))
    # RFC 5280 4.2.1.11: policyConstraints critical and not empty
    if has(PC):
        if PC not in critical:
            # Processed whatever its criticality (6.1.4 (i)); PKITS 4.8-4.10 ship it non-critical in CAs and hold
            # those paths valid, so like bc-critical it fails the strict profile only in the anchor.
            out.append(Finding("pc-critical", "RFC 5280 4.2.1.11", "policyConstraints is not critical", slip=True,
                               anchor_only=True))
        if cert.policy_constraints == (None, None):
            out.append(Finding("pc-empty", "RFC 5280 4.2.1.11", "policyConstraints is an empty sequence"))
    # RFC 5280 4.2.2.1: authorityInfoAccess never critical
    if AIA in critical:
        out.append(Finding("aia-critical", "RFC 5280 4.2.2.1", "authorityInfoAccess is critical", slip=True))
    if has(NC):
        out.extend(_nc_findings(cert, is_ca, NC in critical))
    if has(SAN):
        out.extend(_san_findings(cert))
    return out


def _nc_findings(cert: Certificate, is_ca: bool, critical: bool) -> list[Finding]:
    out: list[Finding] = []
    # RFC 5280 4.2.1.10: only in CA certificates, always critical
    if not is_ca:
        out.append(Finding("nc-not-ca", "RFC 5280 4.2.1.10", "nameConstraints in a certificate that is not a CA"))
    if not critical:
        out.append(Finding("nc-critical", "RFC 5280 4.2.1.10", "nameConstraints is not critical"))
    nc = cert.name_constraints
    permitted, excluded = nc["permitted_subtrees"], nc["excluded_subtrees"]
    # RFC 5280 4.2.1.10: permittedSubtrees or excludedSubtrees present, neither an empty sequence
    if (not permitted and not excluded) or (permitted.native is not None and len(permitted) == 0) or (
            excluded.native is not None and len(excluded) == 0):
        out.append(Finding("nc-empty", "RFC 5280 4.2.1.10", "nameConstraints with an empty or absent set of subtrees"))
    for subtrees in (permitted, excluded):
        for st in subtrees or ():
            # RFC 5280 4.2.1.10: minimum MUST be zero, maximum MUST be absent
            if st["minimum"].native != 0 or st["maximum"].native is not None:
                out.append(Finding("nc-syntax", "RFC 5280 4.2.1.10", "subtree with a minimum or maximum"))
            problem = constraint_syntax_problem(st["base"])
            if problem:
                out.append(Finding("nc-syntax", "RFC 5280 4.2.1.10", problem))
    return out


def _san_findings(cert: Certificate) -> list[Finding]:
    names = cert.subject_alt_names
    # RFC 5280 4.2.1.6: GeneralNames SIZE (1..MAX)
    if not names:
        return [Finding("san-empty", "RFC 5280 4.2.1.6", "subjectAltName has no entries")]
    out = []
    for gn in names:
        problem = name_syntax_problem(gn)
        if problem:
            out.append(Finding("san-syntax", "RFC 5280 4.2.1.6", problem, slip=True))
    return out


# --- syntax of general names (RFC 5280 4.2.1.6, 4.2.1.10) -------------------------------------------

def valid_dns_name(name: str, *, wildcard: bool = False) -> bool:
    """A preferred-name-syntax DNS name (RFC 1034 3.5 as RFC 5280 4.2.1.6 and RFC 1123 2.1 say): LDH labels,
    none empty, no trailing dot; with `wildcard`, a leftmost `*` label is allowed."""
    if not name or len(name) > 253 or not name.isascii():
        return False
    labels = name.split(".")
    if wildcard and labels[0] == "*" and len(labels) > 1:
        labels = labels[1:]
    return all(_LABEL.fullmatch(label) for label in labels)


def valid_mailbox(value: str) -> bool:
    """An RFC 5280 4.2.1.6 rfc822Name: an addr-spec local-part@domain (one @, a DNS domain)."""
    local, at, domain = value.rpartition("@")
    return bool(at) and bool(local) and "@" not in local and value.isascii() and valid_dns_name(domain) and not any(
        c.isspace() for c in local)


def valid_uri(value: str) -> bool:
    """An absolute URI (RFC 3986 4.3; RFC 5280 4.2.1.6: not a relative reference) with a scheme."""
    scheme, colon, rest = value.partition(":")
    return bool(colon) and bool(_SCHEME.fullmatch(scheme)) and value.isascii() and not any(c.isspace() for c in value) \
        and bool(rest)


def name_syntax_problem(gn: asn1_x509.GeneralName) -> str | None:
    """Why a subjectAltName entry is not in the syntax RFC 5280 4.2.1.6 gives its form, or None."""
    kind = gn.name
    try:
        if kind == "dns_name":
            value = gn.native
            return None if valid_dns_name(value, wildcard=True) else f"dNSName {value!r} is not a valid DNS name"
        if kind == "rfc822_name":
            value = gn.native
            return None if valid_mailbox(value) else f"rfc822Name {value!r} is not a mailbox"
        if kind == "uniform_resource_identifier":
            value = gn.native
            return None if valid_uri(value) else f"URI {value!r} is not an absolute URI"
        if kind == "ip_address":
            n = len(gn.chosen.contents)
            return None if n in (4, 16) else f"iPAddress of {n} octets (4 or 16 expected)"
    except (ValueError, TypeError, UnicodeDecodeError) as exc:
        return f"{kind} unreadable: {exc}"
    return None


def constraint_syntax_problem(gn: asn1_x509.GeneralName) -> str | None:
    """Why a name-constraint base is not in the syntax RFC 5280 4.2.1.10 gives its form, or None."""
    kind = gn.name
    try:
        if kind == "dns_name":
            value = gn.native
            # host.example.com: no wildcard, no leading period (that form is URI's and rfc822Name's only)
            return None if value == "" or valid_dns_name(value) else f"dNSName constraint {value!r} is not a DNS name"
        if kind == "rfc822_name":
            value = gn.native
            host = value[1:] if value.startswith(".") else value
            ok = valid_mailbox(value) if "@" in value else valid_dns_name(host)
            return None if ok else f"rfc822Name constraint {value!r} is not a mailbox, host or domain"
        if kind == "uniform_resource_identifier":
            value = gn.native
            host = value[1:] if value.startswith(".") else value
            return None if valid_dns_name(host) else f"URI constraint {value!r} is not a host or domain"
        if kind == "ip_address":
            return _ip_constraint_problem(gn.chosen.contents)
    except (ValueError, TypeError, UnicodeDecodeError) as exc:
        return f"{kind} constraint unreadable: {exc}"
    return None


def _ip_constraint_problem(octets: bytes) -> str | None:
    # RFC 5280 4.2.1.10: address followed by mask, 8 octets (IPv4) or 32 (IPv6); a CIDR mask
    if len(octets) not in (8, 32):
        return f"iPAddress constraint of {len(octets)} octets (8 or 32 expected)"
    half = len(octets) // 2
    mask = int.from_bytes(octets[half:], "big")
    bits = half * 8
    inverted = ~mask & ((1 << bits) - 1)
    if inverted & (inverted + 1):
        return "iPAddress constraint mask is not contiguous"
    return None

