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
    # True: outside the anchor, tolerated (with a warning) only when the path's policy processing ends with a valid
    # policy, i.e. the constraint demonstrably held (see pc-critical); the path fails the strict profile otherwise
    unless_policy: bool = False

    def render(self) -> str:
        return f"{self.text} ({self.clause})"


# Extension OIDs (RFC 5280 4.2.1.x, 4.2.2.1)
AKI, SKI, KU, SAN, BC, NC, PC, EKU, AIA = ("2.5.29.35", "2.5.29.14", "2.5.29.15", "2.5.29.17", "2.5.29.19",
                                           "2.5.29.30", "2.5.29.36", "2.5.29.37", "1.3.6.1.5.5.7.1.1")
CP = "2.5.29.32"
_GENERALIZED, _UTC = 24, 23
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_DNS_NAME = re.compile(rf"(?:{_LABEL}\.)*{_LABEL}")
_WILDCARD_DNS_NAME = re.compile(rf"(?:\*\.)?(?:{_LABEL}\.)*{_LABEL}")
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*")
# asn1crypto's spec for each extension it knows (to judge values cryptography left unparsed)
_SPECS = {oid: asn1_x509.Extension._oid_specs[name] for oid, name in asn1_x509.ExtensionId._map.items()
          if name in asn1_x509.Extension._oid_specs}


def findings(cert: Certificate) -> tuple[Finding, ...]:
    """Every profile finding of `cert` (computed once per certificate)."""
    return cert.derived("rfc5280_profile", _findings)


def _findings(cert: Certificate) -> tuple[Finding, ...]:
    if _plainly_conforming(cert):
        return ()
    return _all_findings(cert)


_V3 = cx509.Version.v3


def _plainly_conforming(cert: Certificate) -> bool:
    """A quick pass for the usual certificate (parsed by cryptography, v3, UTCTime validity, common extensions,
    nothing to find). True only when `_all_findings` would find nothing; anything unusual answers False and the
    full check decides (tests/path/test_profile.py holds the two to agreement). A busy service sees a new leaf
    on almost every call: this keeps the profile's cost to a few microseconds."""
    d = cert.__dict__
    fields = d.get("_tbs_fields")
    if fields is None or len(fields) != 7 or fields[6][0] != tlv.CONTEXT or fields[6][2] != 3:
        return False  # asn1crypto-parsed, no extensions, or unique identifiers: the full check
    rs = cert._rs  # noqa: SLF001
    serial = d["_serial"]
    if rs.version is not _V3 or not 0 < len(serial) <= 20 or serial[0] & 0x80 or serial == b"\x00":
        return False
    der = cert.der
    if not fields[2][4] or not fields[4][4] or not der.startswith(tlv.der(fields[1]), _header_length(der, 0) + len(cert.tbs_der)):
        return False
    v = fields[3][4]  # Validity: two UTCTime YYMMDDHHMMSSZ
    if len(v) != 30 or v[0] != 0x17 or v[1] != 13 or v[15] != 0x17 or v[16] != 13 or v[14] != 0x5A or v[29] != 0x5A \
            or not v[2:14].isdigit() or not v[17:29].isdigit():
        return False
    exts = d["_exts"]
    crit = d["critical_extension_oids"]
    if AKI in crit or SKI in crit or AIA in crit or NC in exts or PC in exts:
        return False
    if not cert.self_issued:
        aki = exts.get(AKI)
        if aki is None or aki.value.key_identifier is None:
            return False
    bc = exts.get(BC)
    ca = bc is not None and bc.value.ca
    if ca:
        if SKI not in exts or BC not in crit:
            return False
    elif bc is not None and bc.value.path_length is not None:
        return False
    ku = exts.get(KU)
    if ku is not None:
        k = ku.value
        if (k.key_cert_sign and not ca) or not (k.digital_signature or k.content_commitment or k.key_encipherment
                                                or k.data_encipherment or k.key_agreement or k.key_cert_sign
                                                or k.crl_sign):
            return False
    eku = exts.get(EKU)
    if eku is not None and len(eku.value) == 0:
        return False
    cp = exts.get(CP)
    if cp is not None and _repeats([info.policy_identifier for info in cp.value]):
        return False
    for oid, e in exts.items():
        if type(e.value) is cx509.UnrecognizedExtension and oid in _SPECS:
            return False
    san = exts.get(SAN)
    if san is not None:
        names = san.value
        if len(names) == 0:
            return False
        for gn in names:
            if type(gn) is not cx509.DNSName:
                return False
            name = gn.value
            if len(name) > 253 or not name.isascii() or _WILDCARD_DNS_NAME.fullmatch(name) is None:
                return False
    return True


def _all_findings(cert: Certificate) -> tuple[Finding, ...]:
    try:
        raw = _Raw(cert)
    except (ValueError, TypeError, IndexError, tlv.NotPlain) as exc:
        return (Finding("der", "RFC 5280 4.1", f"certificate structure not readable: {exc}"),)
    out: list[Finding] = []
    out.extend(_tbs_findings(cert, raw))
    if not any(f.rule in ("extension-duplicate", "extension-malformed") for f in out):
        out.extend(_extension_findings(cert, raw))
    return tuple(out)


def _header_length(der: bytes, at: int) -> int:
    """Octets of the DER identifier + length at `at` (X.690 8.1.3; single-octet tags)."""
    first = der[at + 1]
    return 2 if first < 0x80 else 2 + (first & 0x7F)


def _times(content: bytes) -> list[tuple[int, bytes]]:
    """(tag, contents) of the two Time values of a Validity SEQUENCE's contents (short definite lengths)."""
    out = []
    i = 0
    while i < len(content):
        tag, n = content[i], content[i + 1]
        if n >= 0x80:
            raise ValueError("validity time with a long length")
        out.append((tag, content[i + 2:i + 2 + n]))
        i += 2 + n
    return out


class _Raw:
    """The TBSCertificate fields as encoded (RFC 5280 4.1), for checks on the encoding itself. Reuses the split
    the certificate made at load when there is one (the check must stay cheap: a busy service sees new leaves)."""

    def __init__(self, cert: Certificate) -> None:
        der = cert.der
        fields = cert.__dict__.get("_tbs_fields")
        self.parsed_by_cryptography = fields is not None
        if fields is not None:
            # TBSCertificate as received is stored at load; the outer AlgorithmIdentifier follows it
            self.version = cert.version
            self.outer_at = _header_length(der, 0) + len(cert.tbs_der)
            self.outer_algorithm = None
        else:
            outer = tlv.children(tlv.children(der)[0][4])
            self.outer_algorithm = tlv.der(outer[1])
            fields = tlv.constructed(outer[0], tlv.SEQUENCE)
            self.version = 1
            if fields[0][0] == tlv.CONTEXT and fields[0][2] == 0:
                self.version = tlv.integer(tlv.children(fields[0][4])[0]) + 1
                fields = fields[1:]
        self.der = der
        self.serial = tlv.primitive(fields[0], tlv.INTEGER)
        self.inner_algorithm = tlv.der(fields[1])
        self.issuer_empty = not fields[2][4]
        self.times = _times(fields[3][4])
        self.subject_empty = not fields[4][4]
        self.optional = [f for f in fields[6:] if f[0] == tlv.CONTEXT]
        self.unique_ids = any(f[2] in (1, 2) for f in self.optional)
        self.has_extensions_field = any(f[2] == 3 for f in self.optional)
        self._extensions: list[tuple[str, bool, bytes]] | None = None

    @property
    def algorithms_match(self) -> bool:
        """RFC 5280 4.1.1.2: signatureAlgorithm is the same AlgorithmIdentifier as TBSCertificate.signature."""
        if self.outer_algorithm is None:
            return self.der.startswith(self.inner_algorithm, self.outer_at)
        return self.outer_algorithm == self.inner_algorithm

    @property
    def extensions(self) -> list[tuple[str, bool, bytes]]:
        """(OID, critical, extnValue octets) of every extension as encoded, duplicates included (walked on demand)."""
        if self._extensions is None:
            out = []
            for f in self.optional:
                if f[2] == 3:
                    for e in tlv.constructed(tlv.children(f[4])[0], tlv.SEQUENCE):
                        parts = tlv.children(e[4])
                        critical = len(parts) == 3 and parts[1][4] not in (b"", b"\x00")
                        out.append((tlv.oid(parts[0]), critical, parts[-1][4]))
            self._extensions = out
        return self._extensions

    def value(self, oid: str) -> bytes | None:
        return next((v for o, _c, v in self.extensions if o == oid), None)


def _extension_encoding_findings(cert: Certificate, raw: _Raw) -> list[Finding]:
    """RFC 5280 4.2: no duplicate extension, every extension this engine knows decodes. cryptography refuses
    duplicates and checks every extension it parses, so for what it accepted only its unrecognised ones remain."""
    if raw.parsed_by_cryptography:
        todo = [(oid, e.value.value) for oid, e in cert._exts.items()  # noqa: SLF001
                if type(e.value) is cx509.UnrecognizedExtension and oid in _SPECS]
        out = []
    else:
        oids = [oid for oid, _c, _v in raw.extensions]
        out = []
        if len(set(oids)) != len(oids):
            dup = sorted({o for o in oids if oids.count(o) > 1})
            out.append(Finding("extension-duplicate", "RFC 5280 4.2", f"extension(s) {dup} appear more than once"))
        todo = [(oid, value) for oid, _c, value in raw.extensions if oid in _SPECS]
    for oid, value in todo:
        try:
            _SPECS[oid].load(value, strict=True).native
        except (ValueError, TypeError, KeyError, OverflowError, AttributeError, IndexError) as exc:
            out.append(Finding("extension-malformed", "RFC 5280 4.2", f"extension {oid} is malformed: {exc}"))
    return out


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
    if not raw.algorithms_match:
        out.append(Finding("signature-algorithm-mismatch", "RFC 5280 4.1.1.2",
                           "signatureAlgorithm differs from the TBSCertificate signature field"))
    # RFC 5280 4.1.2.4: the issuer is a non-empty distinguished name
    if raw.issuer_empty:
        out.append(Finding("issuer-empty", "RFC 5280 4.1.2.4", "issuer name is empty"))
    out.extend(_validity_findings(raw))
    out.extend(_extension_encoding_findings(cert, raw))
    # RFC 5280 4.1.2.6: a CA's subject is a non-empty distinguished name
    if raw.subject_empty:
        if cert.is_ca:
            out.append(Finding("ca-subject-empty", "RFC 5280 4.1.2.6", "CA certificate with an empty subject"))
        elif SAN not in cert.critical_extension_oids:
            # RFC 5280 4.1.2.6 / 4.2.1.6: an empty subject needs a critical subjectAltName
            out.append(Finding("subject-empty-san", "RFC 5280 4.2.1.6",
                               "empty subject without a critical subjectAltName"))
    return out


def _validity_findings(raw: _Raw) -> list[Finding]:
    # RFC 5280 4.1.2.5: UTCTime through 2049, GeneralizedTime from 2050; seconds, Zulu, no fractions
    out = []
    for tag, value in raw.times:
        if tag == _UTC:
            ok = len(value) == 13 and value[12] == 0x5A and value[:12].isdigit()
        elif tag == _GENERALIZED:
            ok = len(value) == 15 and value[14] == 0x5A and value[:14].isdigit()
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


def _extension_findings(cert: Certificate, raw: _Raw) -> list[Finding]:
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
    cert_sign, no_bit = _key_usage_facts(cert)
    if cert_sign and not is_ca:
        out.append(Finding("ku-keycertsign", "RFC 5280 4.2.1.9", "keyCertSign asserted without cA"))
    if no_bit:
        out.append(Finding("ku-empty", "RFC 5280 4.2.1.3", "keyUsage asserts no bit"))
    # RFC 5280 4.2.1.12: KeyPurposeId SIZE (1..MAX)
    eku = cert.extended_key_usage
    if eku is not None and not eku:
        out.append(Finding("eku-empty", "RFC 5280 4.2.1.12", "extKeyUsage is empty"))
    # RFC 5280 4.2.1.4: a policy OID at most once in certificatePolicies
    if has(CP):
        oids = [info["policy_identifier"].dotted for info in asn1_x509.CertificatePolicies.load(raw.value(CP))]
        if _repeats(oids):
            out.append(Finding("cp-duplicate", "RFC 5280 4.2.1.4", "a policy OID appears more than once in "
                               "certificatePolicies"))
    # RFC 5280 4.2.1.11: policyConstraints critical and not empty
    if has(PC):
        if PC not in critical:
            # Processed whatever its criticality (6.1.4 (i)). A relying party that skips policy processing would
            # ignore a non-critical one, which is why the profile says critical. PKITS 4.8-4.10 ship it non-critical
            # in CAs on paths that carry a valid policy and hold them valid; a path through such a CA that ends
            # with no valid policy at all (the constraint honoured by nobody) fails the strict profile, and so
            # does a non-critical one in the anchor (the one certificate nobody validated).
            out.append(Finding("pc-critical", "RFC 5280 4.2.1.11", "policyConstraints is not critical", slip=True,
                               anchor_only=True, unless_policy=True))
        if cert.policy_constraints == (None, None):
            out.append(Finding("pc-empty", "RFC 5280 4.2.1.11", "policyConstraints is an empty sequence"))
    # RFC 5280 4.2.2.1: authorityInfoAccess never critical
    if AIA in critical:
        out.append(Finding("aia-critical", "RFC 5280 4.2.2.1", "authorityInfoAccess is critical", slip=True))
    if has(NC):
        out.extend(_nc_findings(asn1_x509.NameConstraints.load(raw.value(NC)), is_ca, NC in critical))
    if has(SAN):
        out.extend(_san_findings(cert, raw))
    return out


def _repeats(items: list) -> bool:
    return len(set(items)) != len(items)


def _key_usage_facts(cert: Certificate) -> tuple[bool, bool]:
    """(keyCertSign asserted, keyUsage present with no bit asserted), from cryptography's parse when there is one."""
    ku = cert.crypto_extension(KU)
    if ku is not None and cert._rs is not None:  # noqa: SLF001
        if ku.digital_signature or ku.content_commitment or ku.key_encipherment:
            return ku.key_cert_sign, False
        return ku.key_cert_sign, not (ku.data_encipherment or ku.key_agreement or ku.key_cert_sign or ku.crl_sign)
    names = cert.key_usage
    return names is not None and "key_cert_sign" in names, names is not None and not names


def _nc_findings(nc: asn1_x509.NameConstraints, is_ca: bool, critical: bool) -> list[Finding]:
    out: list[Finding] = []
    # RFC 5280 4.2.1.10: only in CA certificates, always critical
    if not is_ca:
        out.append(Finding("nc-not-ca", "RFC 5280 4.2.1.10", "nameConstraints in a certificate that is not a CA"))
    if not critical:
        out.append(Finding("nc-critical", "RFC 5280 4.2.1.10", "nameConstraints is not critical"))
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


def _san_findings(cert: Certificate, raw: _Raw) -> list[Finding]:
    san = cert.crypto_extension(SAN)
    # cryptography parsed it at load (no second parse on a new leaf); certificates it refused: asn1crypto
    names = [_crypto_name(gn) for gn in san] if isinstance(san, cx509.SubjectAlternativeName) else [
        (gn.name, _asn1_value(gn)) for gn in asn1_x509.GeneralNames.load(raw.value(SAN))]
    # RFC 5280 4.2.1.6: GeneralNames SIZE (1..MAX)
    if not names:
        return [Finding("san-empty", "RFC 5280 4.2.1.6", "subjectAltName has no entries")]
    out = []
    for kind, v in names:
        problem = value_syntax_problem(kind, v)
        if problem:
            out.append(Finding("san-syntax", "RFC 5280 4.2.1.6", problem, slip=True))
    return out


_CRYPTO_KINDS: dict[type, str] = {cx509.DNSName: "dns_name", cx509.RFC822Name: "rfc822_name",
                 cx509.UniformResourceIdentifier: "uniform_resource_identifier", cx509.IPAddress: "ip_address"}


def _crypto_name(gn) -> tuple[str, object]:
    kind = _CRYPTO_KINDS.get(type(gn))
    if kind is None:
        return "other", None
    value = gn.value
    if kind == "ip_address":
        # an address parses to 4 / 16 octets; cryptography reads 8 / 32 octets as address + mask
        return kind, value.packed if hasattr(value, "packed") else value.network_address.packed + value.netmask.packed
    return kind, value


def _asn1_value(gn: asn1_x509.GeneralName) -> object:
    if gn.name == "ip_address":
        return gn.chosen.contents
    if gn.name in ("dns_name", "rfc822_name", "uniform_resource_identifier"):
        return gn.native
    return None


# --- syntax of general names (RFC 5280 4.2.1.6, 4.2.1.10) -------------------------------------------

def valid_dns_name(name: str, *, wildcard: bool = False) -> bool:
    """A preferred-name-syntax DNS name (RFC 1034 3.5 as RFC 5280 4.2.1.6 and RFC 1123 2.1 say): LDH labels,
    none empty, no trailing dot; with `wildcard`, a leftmost `*` label is allowed."""
    if not name or len(name) > 253 or not name.isascii():
        return False
    return (_WILDCARD_DNS_NAME if wildcard else _DNS_NAME).fullmatch(name) is not None


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
    try:
        return value_syntax_problem(gn.name, _asn1_value(gn))
    except (ValueError, TypeError, UnicodeDecodeError) as exc:
        return f"{gn.name} unreadable: {exc}"


def value_syntax_problem(kind: str, value: object) -> str | None:
    """`name_syntax_problem` over a (form, value) pair: str for the IA5String forms, octets for iPAddress."""
    if kind == "dns_name":
        return None if valid_dns_name(value, wildcard=True) else f"dNSName {value!r} is not a valid DNS name"
    if kind == "rfc822_name":
        return None if valid_mailbox(value) else f"rfc822Name {value!r} is not a mailbox"
    if kind == "uniform_resource_identifier":
        return None if valid_uri(value) else f"URI {value!r} is not an absolute URI"
    if kind == "ip_address":
        n = len(value)
        return None if n in (4, 16) else f"iPAddress of {n} octets (4 or 16 expected)"
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

