"""A public RFC 5280 conformance corpus, case by case (x509-limbo's `rfc5280::*` intents, our own certificates).

Each case says what the corpus asks of a validator (the RFC clause in its name) and is mapped to our API the way
a harness would: trusted certificates -> `trust_anchors=`, untrusted intermediates -> `intermediates=`, the peer
certificate -> the certificate, the validation time -> `at=`, a required EKU -> `extended_key_usage=`, CRLs ->
`crls=` with revocation required. Every must-fail case must not pass, with the sub-indication EN 319 102-1 gives
the reason; every must-succeed case must pass under the strict profile. Cases whose only reason is a host name
the caller expects are not ours (validate_certificate takes no peer name) and are not listed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network

import pytest
from asn1crypto import core
from cryptography import x509
from cryptography.x509.oid import NameOID
from cryptography.hazmat.primitives.asymmetric import ec

from tests.path.corpus_pki import (EPOCH as EPOCH_, FAR as FAR_, UNKNOWN_OID, Pair, ica, key_usage, leaf, name, raw,
                                   resign, resign_tbs, root, san)
from trustsvc import validate_certificate
from trustsvc.reports import Indication, SubIndication

FORMAT, CHAIN = SubIndication.FORMAT_FAILURE, SubIndication.CHAIN_CONSTRAINTS_FAILURE
NO_CHAIN = SubIndication.NO_CERTIFICATE_CHAIN_FOUND
EXPIRED = {SubIndication.OUT_OF_BOUNDS_NO_POE, SubIndication.OUT_OF_BOUNDS_NOT_REVOKED, SubIndication.EXPIRED}
AT = datetime(2025, 6, 1, tzinfo=timezone.utc)
PASS = None
ANY_FAILURE = "any"  # must not pass; the reason is a missing path (no sub-indication names it better)


@dataclass
class Case:
    target: bytes
    anchors: list[bytes]
    inter: list[bytes] = field(default_factory=list)
    at: datetime = AT
    kw: dict = field(default_factory=dict)


def _ders(*pairs: Pair) -> list[bytes]:
    return [p.der for p in pairs]


def simple(**leaf_kw) -> Case:
    r = root()
    return Case(leaf(r, **leaf_kw).der, _ders(r))


def with_root(**root_kw) -> Case:
    r = root(**root_kw)
    return Case(leaf(r).der, _ders(r))


def with_ica(*, give_ica: bool = True, **ica_kw) -> Case:
    r = root()
    i = ica(r, **ica_kw)
    return Case(leaf(i).der, _ders(r), _ders(i) if give_ica else [])


# --- rfc5280 (top level) -------------------------------------------------------------------------------------
def ee_empty_issuer() -> Case:
    r = root()
    return Case(leaf(r, issuer=x509.Name([]), subject=name("empty-issuer")).der, _ders(r))


def ca_empty_subject() -> Case:
    return with_root(subject=x509.Name([]))


def duplicate_extensions() -> Case:
    r = root()
    lf = leaf(r)

    def twice(tbs):
        exts = tbs["extensions"]
        sans = [e for e in exts if e["extn_id"].native == "subject_alt_name"]
        exts.append(sans[0].copy())
    return Case(resign(lf, r, twice), _ders(r))


def mismatching_signature_algorithm() -> Case:
    # the anchor's outer signatureAlgorithm differs from its TBSCertificate.signature (RFC 5280 4.1.1.2)
    r = root()
    i = ica(r)
    lf = leaf(i)
    bad_root = resign(r, r, lambda tbs: None, outer_algorithm="sha384_ecdsa")
    return Case(lf.der, [bad_root], _ders(i))


def ca_as_leaf() -> Case:
    r = root()
    i = ica(r, alt=(san(x509.DNSName("ca.example.com")), False))
    return Case(i.der, _ders(r))


def root_and_intermediate_swapped() -> Case:
    r = root()
    i = ica(r)
    return Case(leaf(i).der, _ders(i), _ders(r))


def chain_untrusted_root() -> Case:
    r = root()
    i = ica(r, pathlen=0)
    other = root(issuer=name("x509-limbo-unrelated-root"))
    return Case(leaf(i).der, _ders(other), _ders(r, i))


def multiple_chains_expired_intermediate() -> Case:
    # the "chain of pain": a cross-certificate of the trusted root, expired, must not stop the direct path
    r = root()
    r2 = root(issuer=name("x509-limbo-root-2"))
    ski = x509.SubjectKeyIdentifier.from_public_key(r.key.public_key())
    cross = ica(r2, pathlen=1, subject=r.cert.subject, key=r.key, ski=(ski, False),
                not_after=datetime(1988, 11, 25, tzinfo=timezone.utc))
    return Case(leaf(r).der, _ders(r, r2), _ders(cross))


def cross_signed_root_missing_aki() -> Case:
    xsigner = root()
    r = ica(xsigner, pathlen=0, aki=None)
    return Case(leaf(r).der, _ders(r))


def critical_aki() -> Case:
    key = ec.generate_private_key(ec.SECP256R1())
    return with_root(key=key, aki=(x509.AuthorityKeyIdentifier.from_issuer_public_key(key.public_key()), True))


def critical_ski() -> Case:
    key = ec.generate_private_key(ec.SECP256R1())  # not the root's key: the corpus builds it so
    return with_root(ski=(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), True))


def leaf_serial(serial: int) -> Case:
    # cryptography refuses to emit these serials: set it in the TBSCertificate and sign again
    r = root()

    def put(tbs):
        tbs["serial_number"] = core.Integer(serial)
    return Case(resign(leaf(r), r, put), _ders(r))


def serial_negative() -> Case:
    # a self-signed certificate trusted and validated at once, its serial number negative
    r = root(serial=0x55)

    def negate(tbs):
        tbs["serial_number"] = core.Integer(-0x55)
    der = resign(r, r, negate)
    return Case(der, [der])


def validity(root_span, ica_span, leaf_span, at) -> Case:
    def span(s):
        return {"not_before": datetime.fromisoformat(s[0]), "not_after": datetime.fromisoformat(s[1])}
    r = root(**span(root_span))
    i = ica(r, **span(ica_span))
    lf = leaf(i, **span(leaf_span))
    return Case(lf.der, _ders(r), _ders(i), at=datetime.fromisoformat(at) if isinstance(at, str) else at)


_MAR, _APR = "2024-03-01T00:00:00+00:00", "2024-04-01T00:00:00+00:00"
_MAR1 = "2024-03-01T00:00:01+00:00"


def ica_noncritical_pc() -> Case:
    return with_ica(extra=[(x509.PolicyConstraints(require_explicit_policy=3, inhibit_policy_mapping=None), False)])


def aia(critical: bool) -> Case:
    return simple(extra=[(x509.AuthorityInformationAccess(
        [x509.AccessDescription(x509.oid.AuthorityInformationAccessOID.CA_ISSUERS, x509.DNSName("example.com"))]),
        critical)])


def empty_ku() -> x509.KeyUsage:
    return key_usage()


TOP = [
    ("ee-empty-issuer", ee_empty_issuer, FORMAT),
    ("ca-empty-subject", ca_empty_subject, FORMAT),
    ("unknown-critical-extension-ee", lambda: simple(extra=[(raw(UNKNOWN_OID, b""), True)]), CHAIN),
    ("unknown-critical-extension-root", lambda: with_root(extra=[(raw(UNKNOWN_OID, b""), True)]), CHAIN),
    ("unknown-critical-extension-intermediate",
     lambda: with_ica(pathlen=0, extra=[(raw(UNKNOWN_OID, b""), True)]), CHAIN),
    ("chain-untrusted-root", chain_untrusted_root, NO_CHAIN),
    ("intermediate-ca-without-ca-bit", lambda: with_ica(bc=(x509.BasicConstraints(False, None), True)), {CHAIN, FORMAT}),
    ("intermediate-ca-missing-basic-constraints", lambda: with_ica(bc=None, give_ica=False), ANY_FAILURE),
    ("root-missing-basic-constraints", lambda: with_root(bc=None), {CHAIN, FORMAT}),
    ("root-non-critical-basic-constraints", lambda: with_root(bc=(x509.BasicConstraints(True, None), False)), FORMAT),
    ("root-inconsistent-ca-extensions", lambda: with_root(ku=(empty_ku(), False)), {CHAIN, FORMAT}),
    ("ica-ku-keycertsign", lambda: with_ica(pathlen=0, ku=(empty_ku(), False), give_ica=False), ANY_FAILURE),
    ("ica-ku-keycertsign-given", lambda: with_ica(pathlen=0, ku=(empty_ku(), False)), {CHAIN, FORMAT}),
    ("leaf-ku-keycertsign", lambda: simple(bc=(x509.BasicConstraints(False, None), True),
                                           ku=(key_usage(digital_signature=True, key_cert_sign=True), False)), FORMAT),
    ("ee-aia", lambda: aia(False), PASS),
    ("ee-critical-aia-invalid", lambda: aia(True), FORMAT),
    ("duplicate-extensions", duplicate_extensions, FORMAT),
    ("no-keyusage", lambda: simple(ku=None), PASS),
    ("no-basicconstraints", lambda: simple(bc=None), PASS),
    ("mismatching-signature-algorithm", mismatching_signature_algorithm, FORMAT),
    ("ca-as-leaf", ca_as_leaf, PASS),
    ("root-and-intermediate-swapped", root_and_intermediate_swapped, PASS),
    ("multiple-chains-expired-intermediate", multiple_chains_expired_intermediate, PASS),
    # aki
    ("aki::critical-aki", critical_aki, FORMAT),
    ("aki::leaf-missing-aki", lambda: simple(aki=None), FORMAT),
    ("aki::intermediate-missing-aki", lambda: with_ica(pathlen=0, aki=None), FORMAT),
    ("aki::self-signed-root-missing-aki", lambda: with_root(aki=None), PASS),
    ("aki::cross-signed-root-missing-aki", cross_signed_root_missing_aki, FORMAT),
    # ski
    ("ski::critical-ski", critical_ski, {FORMAT, NO_CHAIN}),
    ("ski::root-missing-ski", lambda: with_root(ski=None), FORMAT),
    ("ski::intermediate-missing-ski", lambda: with_ica(ski=None), FORMAT),
    # serial
    ("serial::serial-number-too-long", lambda: leaf_serial((1 << 175) | 0x1234), FORMAT),
    ("serial::serial-number-zero", lambda: leaf_serial(0), FORMAT),
    ("serial::serial-number-negative", serial_negative, FORMAT),
    # validity
    ("validity::expired-root", lambda: validity(("2016-01-01T00:00:00+00:00", "2020-01-01T00:00:00+00:00"),
                                                ("2016-01-01T00:00:00+00:00", "2026-01-01T00:00:00+00:00"),
                                                ("2018-01-01T00:00:00+00:00", "2023-01-01T00:00:00+00:00"),
                                                "2022-01-01T00:00:00+00:00"), EXPIRED),
    ("validity::expired-intermediate", lambda: validity(("2016-01-01T00:00:00+00:00", "2026-01-01T00:00:00+00:00"),
                                                        ("2016-01-01T00:00:00+00:00", "2020-01-01T00:00:00+00:00"),
                                                        ("2018-01-01T00:00:00+00:00", "2023-01-01T00:00:00+00:00"),
                                                        "2022-01-01T00:00:00+00:00"), EXPIRED),
    ("validity::expired-leaf", lambda: validity(("2016-01-01T00:00:00+00:00", "2026-01-01T00:00:00+00:00"),
                                                ("2016-01-01T00:00:00+00:00", "2026-01-01T00:00:00+00:00"),
                                                ("2018-01-01T00:00:00+00:00", "2021-01-01T00:00:00+00:00"),
                                                "2022-01-01T00:00:00+00:00"), EXPIRED),
    ("validity::notbefore-exact", lambda: validity((_MAR, _APR), (_MAR, _APR), (_MAR, _APR), _MAR), PASS),
    ("validity::notbefore-fractional", lambda: validity(
        (_MAR1, _APR), (_MAR1, _APR), (_MAR1, _APR),
        datetime.fromisoformat(_MAR1) - timedelta(milliseconds=1)), {SubIndication.NOT_YET_VALID}),
    ("validity::notafter-exact", lambda: validity((_MAR, _APR), (_MAR, _APR), (_MAR, _APR), _APR), PASS),
    ("validity::notafter-fractional", lambda: validity(
        (_MAR, _APR), (_MAR, _APR), (_MAR, _APR), datetime.fromisoformat(_APR) + timedelta(milliseconds=5)), PASS),
    # eku
    ("eku::ee-wrong-eku", lambda: _with_kw(simple(eku=(x509.ExtendedKeyUsage([x509.OID_CLIENT_AUTH]), False)),
                                           extended_key_usage=["serverAuth"]), CHAIN),
    ("eku::ee-without-eku", lambda: simple(eku=None), PASS),
    # pc
    ("pc::ica-noncritical-pc", ica_noncritical_pc, FORMAT),
    # san
    ("san::malformed", lambda: simple(alt=None, extra=[(raw(x509.OID_SUBJECT_ALTERNATIVE_NAME, b"example.com"), False)]),
     FORMAT),
    ("san::noncritical-with-empty-subject", lambda: simple(subject=x509.Name([])), FORMAT),
]


def _with_kw(case: Case, **kw) -> Case:
    case.kw.update(kw)
    return case


# --- rfc5280::nc ---------------------------------------------------------------------------------------------
def _nc(permitted=None, excluded=None, critical: bool = True):
    return (x509.NameConstraints(permitted_subtrees=permitted, excluded_subtrees=excluded), critical)


def _raw_nc(permitted_der: bytes, critical: bool = True):
    """A NameConstraints whose only permitted subtree's base is `permitted_der` (a GeneralName, as encoded)."""
    subtree = b"\x30" + bytes([len(permitted_der)]) + permitted_der
    permitted = b"\xa0" + bytes([len(subtree)]) + subtree
    value = b"\x30" + bytes([len(permitted)]) + permitted
    return (raw(x509.oid.ExtensionOID.NAME_CONSTRAINTS, value), critical)


def _ia5(tag: int, text: str) -> bytes:
    data = text.encode()
    return bytes([tag, len(data)]) + data


def root_nc(nc, *leaf_names: x509.GeneralName, subject: x509.Name | None = None, **leaf_kw) -> Case:
    if isinstance(nc[0], x509.UnrecognizedExtension):
        r = root(extra=[nc])
    else:
        r = root(nc=nc)
    if leaf_names:
        leaf_kw["alt"] = (san(*leaf_names), False)
    if subject is not None:
        leaf_kw["subject"] = subject
    return Case(leaf(r, **leaf_kw).der, _ders(r))


def ica_nc(nc, *leaf_names: x509.GeneralName, ica_alt=None, **leaf_kw) -> Case:
    r = root()
    i = ica(r, nc=nc, alt=ica_alt)
    if leaf_names:
        leaf_kw["alt"] = (san(*leaf_names), False)
    return Case(leaf(i, **leaf_kw).der, _ders(r), _ders(i))


def dns(v: str) -> x509.DNSName:
    return x509.DNSName(v)


def dn(s: str) -> x509.Name:
    return x509.Name.from_rfc4514_string(s)


def permitted_self_issued() -> Case:
    nx = name("not-example.com")
    nx_san = (san(dns("not-example.com")), False)
    r = root(issuer=nx, subject=nx, alt=nx_san, nc=_nc([dns("example.com")]))
    i = ica(r, issuer=nx, subject=nx, alt=nx_san)
    return Case(leaf(i).der, _ders(r), _ders(i))


def excluded_self_issued_leaf() -> Case:
    nx = name("not-example.com")
    nx_san = (san(dns("not-example.com")), False)
    r = root(nc=_nc([dns("example.com")]))
    i = ica(r, subject=nx, alt=nx_san)
    lf = leaf(i, issuer=nx, subject=nx, alt=nx_san)
    return Case(lf.der, _ders(r), _ders(i))


def intermediate_san_rejected(by_root: bool) -> Case:
    nc = _nc([dns("permitted.example.com")], [dns("forbidden.example.com")])
    r = root(nc=nc) if by_root else root()
    i1 = ica(r) if by_root else ica(r, nc=nc)
    i2 = ica(i1, alt=(san(dns("forbidden.example.com")), False))
    lf = leaf(i2, alt=(san(dns("permitted.example.com")), False))
    return Case(lf.der, _ders(r), _ders(i1, i2))


def restrictive_permits(first: list[str], second: list[str]) -> Case:
    r = root()
    i1 = ica(r, nc=_nc([dns(d) for d in first]))
    i2 = ica(i1, nc=_nc([dns(d) for d in second]))
    lf = leaf(i2, alt=(san(dns("foo.example.com")), False))
    return Case(lf.der, _ders(r), _ders(i1, i2))


def nc_forbids_alternate_chain_ica() -> Case:
    discarded, trusted = root(alt=None), root(alt=None)
    ica_a = ica(trusted, nc=_nc([dns("permitted.example.com")], [dns("forbidden.example.com")]), alt=None)
    key = ec.generate_private_key(ec.SECP256R1())
    b1 = ica(discarded, key=key, subject=dn("CN=an-intermediate"), alt=(san(dns("forbidden.example.com")), False))
    b2 = ica(ica_a, key=key, subject=dn("CN=an-intermediate"), alt=None)
    lf = leaf(b1, subject=dn("CN=permitted.example.com"), alt=(san(dns("permitted.example.com")), False))
    return Case(lf.der, _ders(trusted), _ders(ica_a, b1, b2))


def nc_forbids_same_chain_ica() -> Case:
    root_a, root_b = root(alt=None), root(alt=None)
    ica_a = ica(root_a, nc=_nc(None, [dns("forbidden.example.com")]), alt=None)
    key = ec.generate_private_key(ec.SECP256R1())
    b1 = ica(ica_a, key=key, subject=dn("CN=an-intermediate"), alt=(san(dns("forbidden.example.com")), False))
    b2 = ica(root_b, key=key, subject=dn("CN=an-intermediate"), alt=(san(dns("unconstrained-ica.example.com")), False))
    lf = leaf(b1, subject=dn("CN=unconstrained.example.com"), alt=(san(dns("unconstrained.example.com")), False))
    return Case(lf.der, _ders(root_a, root_b), _ders(ica_a, b1, b2))


_ON_OID = x509.ObjectIdentifier("1.3.6.1.4.1.55738.666.3")
_CLIENT = {"eku": (x509.ExtendedKeyUsage([x509.OID_CLIENT_AUTH]), False)}


def _client(case: Case) -> Case:
    return _with_kw(case, extended_key_usage=["clientAuth"])


def _bad_email_san(tbs) -> None:
    # cryptography refuses to emit `invalid@address@example.com`: add it to the SAN as encoded octets
    for e in tbs["extensions"]:
        if e["extn_id"].native == "subject_alt_name":
            names = e["extn_value"].parsed
            from asn1crypto import x509 as ax
            names.append(ax.GeneralName.load(_ia5(0x81, "invalid@address@example.com")))
            e["extn_value"] = ax.GeneralNames.load(names.dump(force=True))


def nc_permits_invalid_email_san() -> Case:
    r = root()
    i = ica(r, nc=_nc([x509.RFC822Name("example.com")]))
    lf = leaf(i, alt=(san(x509.RFC822Name("good@example.com"), x509.RFC822Name("alsogood@example.com")), False),
              **_CLIENT)
    return _client(Case(resign(lf, i, _bad_email_san), _ders(r), _ders(i)))


DEFAULT_ALT = (san(x509.DNSName("example.com")), False)  # the corpus's intermediates carry it unless told not to

NC = [
    ("nc::permitted-dns-mismatch", lambda: root_nc(_nc([dns("example.com")]), dns("not-example.com")), CHAIN),
    ("nc::excluded-dns-match", lambda: ica_nc(_nc(None, [dns("example.com")]), dns("example.com"),
                                              ica_alt=DEFAULT_ALT), CHAIN),
    ("nc::permitted-dns-match", lambda: root_nc(_nc([dns("example.com")]), dns("example.com")), PASS),
    ("nc::permitted-dns-match-noncritical", lambda: root_nc(_nc([dns("example.com")], critical=False),
                                                            dns("example.com")), FORMAT),
    ("nc::permitted-dns-match-more", lambda: root_nc(_nc([dns("example.com")]), dns("foo.bar.example.com")), PASS),
    ("nc::excluded-dns-match-second", lambda: root_nc(_nc(None, [dns("not-allowed.example.com")]), dns("example.com"),
                                                      dns("not-allowed.example.com")), CHAIN),
    ("nc::permitted-ip-mismatch", lambda: root_nc(_nc([x509.IPAddress(IPv4Network("192.0.2.0/24"))]),
                                                  x509.IPAddress(IPv4Address("192.0.3.1"))), CHAIN),
    ("nc::excluded-ipv4-match", lambda: root_nc(_nc(None, [x509.IPAddress(IPv4Network("192.0.2.0/24"))]),
                                                x509.IPAddress(IPv4Address("192.0.2.1"))), CHAIN),
    ("nc::excluded-ipv6-match", lambda: root_nc(_nc(None, [x509.IPAddress(IPv6Network("::1/128"))]),
                                                x509.IPAddress(IPv6Address("::1"))), CHAIN),
    ("nc::permitted-ipv4-match", lambda: root_nc(_nc([x509.IPAddress(IPv4Network("192.0.2.0/24"))]),
                                                 x509.IPAddress(IPv4Address("192.0.2.1"))), PASS),
    ("nc::permitted-ipv6-match", lambda: root_nc(_nc([x509.IPAddress(IPv6Network("::1/128"))]),
                                                 x509.IPAddress(IPv6Address("::1"))), PASS),
    ("nc::permitted-dn-mismatch", lambda: root_nc(_nc([x509.DirectoryName(dn("CN=foo"))]),
                                                  x509.DirectoryName(dn("CN=not-foo")), subject=dn("CN=not-foo")), CHAIN),
    ("nc::excluded-dn-match", lambda: root_nc(_nc(None, [x509.DirectoryName(dn("CN=foo"))]),
                                              x509.DirectoryName(dn("CN=foo")), subject=dn("CN=foo")), CHAIN),
    ("nc::permitted-dn-match", lambda: root_nc(_nc([x509.DirectoryName(dn("CN=foo"))]),
                                               x509.DirectoryName(dn("CN=foo")), subject=dn("CN=foo")), PASS),
    ("nc::permitted-dn-match-subject-san-mismatch", lambda: root_nc(
        _nc([x509.DirectoryName(dn("CN=foo"))]), x509.DirectoryName(dn("CN=foo")), subject=dn("CN=not-foo")), CHAIN),
    ("nc::excluded-dn-match-sub-mismatch", lambda: root_nc(
        _nc(None, [x509.DirectoryName(dn("CN=foo"))]), x509.DirectoryName(dn("CN=not-foo")), subject=dn("CN=foo")),
     CHAIN),
    ("nc::permitted-self-issued", permitted_self_issued, PASS),
    ("nc::excluded-self-issued-leaf", excluded_self_issued_leaf, CHAIN),
    ("nc::excluded-match-permitted-and-excluded", lambda: root_nc(_nc([dns("example.com")], [dns("example.com")]),
                                                                  dns("example.com")), CHAIN),
    ("nc::permitted-different-constraint-type", lambda: root_nc(
        _nc([x509.IPAddress(IPv4Network("192.0.2.0/24"))]), dns("example.com")), PASS),
    ("nc::excluded-different-constraint-type", lambda: root_nc(
        _nc(None, [x509.IPAddress(IPv4Network("192.0.2.0/24"))]), dns("example.com")), PASS),
    ("nc::invalid-dnsname-wildcard", lambda: root_nc(_raw_nc(_ia5(0x82, "*.example.com")), dns("foo.example.com")),
     FORMAT),
    ("nc::invalid-dnsname-leading-period", lambda: root_nc(_raw_nc(_ia5(0x82, ".example.com")),
                                                           dns("foo.example.com")), FORMAT),
    ("nc::invalid-ipv4-address", lambda: root_nc(_raw_nc(b"\x87\x04\x7f\x00\x00\x01"),
                                                 x509.IPAddress(IPv4Address("127.0.0.1"))), FORMAT),
    ("nc::invalid-ipv6-address", lambda: root_nc(_raw_nc(b"\x87\x10" + b"\x00" * 15 + b"\x01"),
                                                 x509.IPAddress(IPv6Address("::1"))), FORMAT),
    ("nc::invalid-email-address", lambda: _client(root_nc(_raw_nc(_ia5(0x81, "invalid@invalid@example.com")),
                                                          x509.RFC822Name("example@example.com"), **_CLIENT)), FORMAT),
    ("nc::not-allowed-in-ee-noncritical", lambda: simple(extra=[_nc([dns("example.com")], critical=False)]), FORMAT),
    ("nc::not-allowed-in-ee-critical", lambda: simple(extra=[_nc([dns("example.com")])]), FORMAT),
    ("nc::intermediate-with-san-rejected-by-intermediate-nc", lambda: intermediate_san_rejected(False), CHAIN),
    ("nc::intermediate-with-san-rejected-by-root-nc", lambda: intermediate_san_rejected(True), CHAIN),
    ("nc::restrictive-permits-in-intermediates-narrows", lambda: restrictive_permits(
        ["foo.example.com", "bar.example.com"], ["bar.example.com"]), CHAIN),
    ("nc::restrictive-permits-in-intermediates-widens", lambda: restrictive_permits(
        ["bar.example.com"], ["foo.example.com", "bar.example.com"]), CHAIN),
    ("nc::nc-permits-invalid-dns-san", lambda: ica_nc(_nc([dns("example.com")]), dns(".example.com"),
                                                      dns("foo.example.com"), ica_alt=DEFAULT_ALT), {CHAIN, FORMAT}),
    ("nc::nc-permits-invalid-ip-san", lambda: ica_nc(_nc([x509.IPAddress(IPv4Network("192.0.2.0/24"))]),
                                                     x509.IPAddress(IPv4Network("192.0.2.0/24")),
                                                     x509.IPAddress(IPv4Address("192.0.2.1")), ica_alt=DEFAULT_ALT),
     {CHAIN, FORMAT}),
    ("nc::nc-permits-invalid-email-san", nc_permits_invalid_email_san, {CHAIN, FORMAT}),
    ("nc::nc-forbids-alternate-chain-ica", nc_forbids_alternate_chain_ica, PASS),
    ("nc::nc-forbids-same-chain-ica", nc_forbids_same_chain_ica, PASS),
    ("nc::nc-permits-email-exact", lambda: _client(ica_nc(_nc([x509.RFC822Name("foo@example.com")]),
                                                          x509.RFC822Name("foo@example.com"), **_CLIENT)), PASS),
    ("nc::nc-permits-email-domain", lambda: _client(ica_nc(_nc([x509.RFC822Name("example.com")]),
                                                           x509.RFC822Name("foo@example.com"), **_CLIENT)), PASS),
    ("nc::nc-forbids-othername", lambda: ica_nc(_nc([dns("example.com")], [x509.OtherName(_ON_OID, b"\x05\x00")]),
                                                dns("example.com"), x509.OtherName(_ON_OID, b"\x05\x00")), CHAIN),
    ("nc::nc-forbids-othername-noop", lambda: ica_nc(
        _nc([dns("example.com")], [x509.OtherName(_ON_OID, b"\x05\x00")]), dns("example.com")), PASS),
]


CASES = TOP + NC


def run(case: Case, **extra):
    kw = {"revocation": "off", **case.kw, **extra}
    return validate_certificate(case.target, intermediates=case.inter, trust_anchors=case.anchors, at=case.at, **kw)


def check(expected, report) -> None:
    detail = f"{report.indication} {report.sub_indication} {report.reasons}"
    if expected is PASS:
        assert report.indication is Indication.PASSED, detail
        return
    assert report.indication is not Indication.PASSED, detail
    assert report.reasons, detail
    if expected == ANY_FAILURE:
        return
    allowed = expected if isinstance(expected, (set, frozenset)) else {expected}
    assert report.sub_indication in allowed, detail


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_corpus_case(case) -> None:
    _id, make, expected = case
    check(expected, run(make()))


def test_non_critical_policy_constraints_in_a_ca_hold_when_the_path_carries_a_policy() -> None:
    # The passing twin of pc::ica-noncritical-pc (PKITS 4.8-4.10 ship such CAs): every certificate asserts a
    # policy, so the constraint held; the slip is named in the warnings.
    policy = x509.CertificatePolicies([x509.PolicyInformation(x509.ObjectIdentifier("2.16.840.1.101.3.2.1.48.1"), None)])
    r = root(extra=[(policy, False)])
    i = ica(r, extra=[(x509.PolicyConstraints(require_explicit_policy=0, inhibit_policy_mapping=None), False),
                      (policy, False)])
    report = run(Case(leaf(i, extra=[(policy, False)]).der, _ders(r), _ders(i)))
    assert report.indication is Indication.PASSED, report.reasons
    assert any("policyConstraints is not critical" in w for w in report.warnings), report.warnings
    failed = run(ica_noncritical_pc())
    assert "rule pc-critical" in failed.reasons[0] and "certificate 1" in failed.reasons[0], failed.reasons


# --- rfc5280::crl (CRLs given with the request, revocation required) ----------------------------------------
CRL_AT = datetime(2024, 1, 1, tzinfo=timezone.utc)
_DAY = timedelta(days=1)
_NUMBER = object()


def crl(signer: Pair | None, *, issuer: x509.Name | None = None, revoked=(), last: datetime = EPOCH_,
        nxt: datetime = FAR_, number=_NUMBER, aki: bool = True, extra=()) -> bytes:
    """A CRL in the corpus's default shape (cRLNumber non-critical, AKI, EPOCH .. a thousand years); `signer` None
    signs with a key nobody holds a certificate for. `revoked`: (serial, date, [(extension, critical)])."""
    key = signer.key if signer is not None else ec.generate_private_key(ec.SECP256R1())
    b = (x509.CertificateRevocationListBuilder().issuer_name(issuer if issuer is not None else signer.cert.subject)
         .last_update(last).next_update(nxt))
    if number is _NUMBER:
        number = (x509.CRLNumber(1), False)
    if number is not None:
        b = b.add_extension(number[0], critical=number[1])
    if aki:
        pub = (signer.key if signer is not None else key).public_key()
        b = b.add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(pub), critical=False)
    for value, critical in extra:
        b = b.add_extension(value, critical=critical)
    for serial, when, exts in revoked:
        rb = x509.RevokedCertificateBuilder().serial_number(serial).revocation_date(when)
        for value, critical in exts:
            rb = rb.add_extension(value, critical=critical)
        b = b.add_revoked_certificate(rb.build())
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.serialization import Encoding
    return b.sign(key, hashes.SHA256()).public_bytes(Encoding.DER)


def crl_root(**kw) -> Pair:
    kw.setdefault("ku", (key_usage(key_cert_sign=True, crl_sign=True), False))
    return root(**kw)


def crl_case(lf: Pair, anchors: list[Pair], crls: list[bytes], at: datetime = CRL_AT) -> Case:
    return Case(lf.der, _ders(*anchors), at=at, kw={"crls": crls, "revocation": "require"})


def _random_serial() -> int:
    return x509.random_serial_number()


def revoked_certificate_with_crl() -> Case:
    r = crl_root()
    lf = leaf(r, subject=name("revoked.example.com"), alt=(san(dns("revoked.example.com")), False))
    return crl_case(lf, [r], [crl(r, revoked=[(lf.cert.serial_number, CRL_AT - _DAY, [])])])


def invalid_crl_for(**crl_kw) -> Case:
    # the leaf is not listed: only the CRL's own defect can make the path fail
    r = crl_root()
    lf = leaf(r)
    at = EPOCH_ + timedelta(seconds=2)
    return crl_case(lf, [r], [crl(r, revoked=[(_random_serial(), EPOCH_ + timedelta(seconds=1), [])], **crl_kw)], at)


def one_crl(root_kw: dict | None = None, *, revoke_leaf_at: datetime | None = None, entry_exts=(), leaf_kw=None,
            **crl_kw) -> Case:
    r = crl_root(**(root_kw or {}))
    lf = leaf(r, **(leaf_kw or {}))
    serial = lf.cert.serial_number if revoke_leaf_at is not None else _random_serial()
    when = revoke_leaf_at if revoke_leaf_at is not None else CRL_AT - _DAY
    return crl_case(lf, [r], [crl(r, revoked=[(serial, when, list(entry_exts))], **crl_kw)])


def serial_on_other_issuers_crl() -> Case:
    r1, r2 = crl_root(issuer=name("Root CA 1")), crl_root(issuer=name("Root CA 2"))
    lf = leaf(r1)
    return crl_case(lf, [r1, r2], [crl(r1), crl(r2, revoked=[(lf.cert.serial_number, CRL_AT - _DAY, [])])])


def crl_wrong_signing_key() -> Case:
    r1, r2 = crl_root(issuer=name("Root CA 1")), crl_root(issuer=name("Root CA 2"))
    lf = leaf(r1)
    return crl_case(lf, [r1, r2], [crl(r2, issuer=r1.cert.subject, revoked=[(_random_serial(), CRL_AT - _DAY, [])])])


def crl_invalid_signature() -> Case:
    r = crl_root()
    lf = leaf(r)
    return crl_case(lf, [r], [crl(None, issuer=r.cert.subject, revoked=[(_random_serial(), CRL_AT - _DAY, [])])])


def crl_very_large() -> Case:
    r = crl_root()
    lf = leaf(r)
    return crl_case(lf, [r], [crl(r, revoked=[(_random_serial(), EPOCH_, []) for _ in range(10_000)])])


def crl_validity_no_overlap() -> Case:
    r = crl_root()
    old = crl(r, last=CRL_AT - 365 * _DAY, nxt=CRL_AT - 180 * _DAY)
    lf = leaf(r, not_before=CRL_AT - 30 * _DAY, not_after=CRL_AT + 30 * _DAY)
    return crl_case(lf, [r], [old])


_UNKNOWN = (raw(UNKNOWN_OID, b""),)
REVOKED = SubIndication.REVOKED
NOT_USABLE = ANY_FAILURE  # no usable CRL and revocation required: INDETERMINATE, the reason names the CRL's defect

CRL_CASES = [
    ("crl::revoked-certificate-with-crl", revoked_certificate_with_crl, REVOKED),
    ("crl::crlnumber-missing", lambda: invalid_crl_for(number=None), NOT_USABLE),
    ("crl::certificate-not-on-crl", lambda: one_crl(), PASS),
    ("crl::certificate-serial-on-crl-different-issuer", serial_on_other_issuers_crl, PASS),
    ("crl::crlnumber-critical", lambda: invalid_crl_for(number=(x509.CRLNumber(12345), True)), NOT_USABLE),
    ("crl::issuer-missing-crlsign", lambda: one_crl({"ku": (key_usage(key_cert_sign=True), False)}), NOT_USABLE),
    ("crl::issuer-no-keyusage-extension", lambda: one_crl({"ku": None}), PASS),
    ("crl::issuer-valid-crlsign-and-keycertsign", lambda: one_crl(), PASS),
    ("crl::crl-invalid-signature", crl_invalid_signature, NOT_USABLE),
    ("crl::crl-wrong-signing-key", crl_wrong_signing_key, NOT_USABLE),
    ("crl::crl-empty", lambda: crl_case(*(lambda r: (leaf(r), [r], [crl(r)]))(crl_root())), PASS),
    ("crl::crl-very-large", crl_very_large, PASS),
    ("crl::crl-unknown-critical-extension", lambda: one_crl(extra=[(_UNKNOWN[0], True)]), NOT_USABLE),
    ("crl::crl-unknown-noncritical-extension", lambda: one_crl(extra=[(_UNKNOWN[0], False)]), PASS),
    ("crl::entry-unknown-critical-extension", lambda: one_crl(revoke_leaf_at=CRL_AT - _DAY,
                                                              entry_exts=[(_UNKNOWN[0], True)]), ANY_FAILURE),
    ("crl::entry-unknown-noncritical-extension", lambda: one_crl(revoke_leaf_at=CRL_AT - _DAY,
                                                                 entry_exts=[(_UNKNOWN[0], False)]), REVOKED),
    # A deliberate divergence (docs/path.md): the corpus reads the validation time as "now", so a CRL issued a day
    # later is "not yet effective". Here the validation time is the time the status is asked about, and a CRL
    # issued after it is the best evidence about it (EN 319 102-1 5.2.5; how a timestamped bid stays valid): the
    # CRL says the certificate was not revoked, and the path passes.
    ("crl::this-update-in-future", lambda: crl_case(*(lambda r: (leaf(r), [r], [
        crl(r, last=CRL_AT + _DAY, nxt=CRL_AT + 30 * _DAY)]))(crl_root())), PASS),
    ("crl::next-update-in-past", lambda: crl_case(*(lambda r: (leaf(r), [r], [
        crl(r, last=CRL_AT - 60 * _DAY, nxt=CRL_AT - 30 * _DAY)]))(crl_root())), NOT_USABLE),
    ("crl::revocation-date-in-future", lambda: one_crl(revoke_leaf_at=CRL_AT + _DAY, last=CRL_AT - _DAY,
                                                       nxt=CRL_AT + 30 * _DAY), REVOKED),
    ("crl::revocation-date-before-not-before", lambda: one_crl(
        revoke_leaf_at=CRL_AT - 60 * _DAY, last=CRL_AT - _DAY, nxt=CRL_AT + 30 * _DAY,
        leaf_kw={"not_before": CRL_AT - 30 * _DAY}), REVOKED),
    ("crl::crl-validity-no-overlap", crl_validity_no_overlap, NOT_USABLE),
]


@pytest.mark.parametrize("case", CRL_CASES, ids=[c[0] for c in CRL_CASES])
def test_corpus_crl_case(case) -> None:
    _id, make, expected = case
    check(expected, run(make()))


def test_a_target_no_path_reaches_names_the_rule_it_breaks() -> None:
    report = run(ee_empty_issuer())
    assert report.sub_indication is FORMAT, report.reasons
    assert report.reasons[0].startswith("end entity (Common Name: empty-issuer)") and "rule issuer-empty" in report.reasons[0]
    # a conforming target that merely has no path stays NO_CERTIFICATE_CHAIN_FOUND
    assert run(chain_untrusted_root()).sub_indication is NO_CHAIN


# --- the same shapes for the rule groups of issue 16 the corpus files above do not spell out ------------------
def _raw_san(*ders: bytes):
    body = b"".join(ders)
    return (raw(x509.OID_SUBJECT_ALTERNATIVE_NAME, b"\x30" + bytes([len(body)]) + body), False)


def _policies(*oids: str):
    """certificatePolicies with these policy OIDs in this order (cryptography would refuse a repeat)."""
    body = b"".join(b"\x30" + bytes([len(o) + 2]) + b"\x06" + bytes([len(o)]) + o for o in map(_oid_der, oids))
    return (raw(x509.oid.ExtensionOID.CERTIFICATE_POLICIES, b"\x30" + bytes([len(body)]) + body), False)


def _oid_der(dotted: str) -> bytes:
    return core.ObjectIdentifier(dotted).contents


def _email_subject(addr: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "x"), x509.NameAttribute(NameOID.EMAIL_ADDRESS, addr)])


EXTRA = [
    ("san-dns-underscore", lambda: simple(alt=None, extra=[_raw_san(_ia5(0x82, "foo_bar.example.com"))]), FORMAT),
    ("san-dns-empty-label", lambda: simple(alt=None, extra=[_raw_san(_ia5(0x82, "foo..example.com"))]), FORMAT),
    ("san-dns-wildcard-not-leftmost", lambda: simple(alt=None, extra=[_raw_san(_ia5(0x82, "foo.*.example.com"))]),
     FORMAT),
    ("san-empty-sequence", lambda: simple(alt=None, extra=[(raw(x509.OID_SUBJECT_ALTERNATIVE_NAME, b"\x30\x00"), False)]),
     FORMAT),
    ("san-ip-5-octets", lambda: simple(alt=None, extra=[_raw_san(b"\x87\x05\x01\x02\x03\x04\x05")]), FORMAT),
    ("eku-empty", lambda: simple(eku=None, extra=[(raw(x509.oid.ExtensionOID.EXTENDED_KEY_USAGE, b"\x30\x00"), False)]),
     FORMAT),
    ("cp-duplicate-policy", lambda: simple(extra=[_policies("1.2.3.4", "1.2.3.4")]), FORMAT),
    ("cp-distinct-policies", lambda: simple(extra=[_policies("1.2.3.4", "1.2.3.5")]), PASS),
    ("nc-wildcard-san-excluded", lambda: ica_nc(_nc(None, [dns("bar.example.com")]), dns("*.example.com")), CHAIN),
    ("nc-wildcard-san-outside-permitted", lambda: ica_nc(_nc([dns("bar.example.com")]), dns("*.example.com")), CHAIN),
    ("nc-wildcard-san-inside-permitted", lambda: ica_nc(_nc([dns("example.com")]), dns("*.example.com")), PASS),
    ("nc-uri-host-excluded", lambda: ica_nc(_nc(None, [x509.UniformResourceIdentifier("example.com")]),
                                            x509.UniformResourceIdentifier("https://example.com/x")), CHAIN),
    ("nc-uri-without-host", lambda: ica_nc(_nc([x509.UniformResourceIdentifier(".example.com")]),
                                           x509.UniformResourceIdentifier("urn:example:x")), CHAIN),
    ("nc-uri-host-permitted", lambda: ica_nc(_nc([x509.UniformResourceIdentifier(".example.com")]),
                                             x509.UniformResourceIdentifier("https://www.example.com/x")), PASS),
    ("nc-subject-email-excluded", lambda: ica_nc(_nc(None, [x509.RFC822Name("example.com")]), dns("example.com"),
                                                 subject=_email_subject("a@example.com")), CHAIN),
    ("nc-subject-email-permitted", lambda: ica_nc(_nc([x509.RFC822Name("example.com")]), dns("example.com"),
                                                  subject=_email_subject("a@example.com")), PASS),
    ("nc-registered-id-san-under-its-constraint", lambda: ica_nc(
        (x509.NameConstraints(None, [x509.RegisteredID(x509.ObjectIdentifier("1.2.3.4"))]), True),
        x509.RegisteredID(x509.ObjectIdentifier("1.2.3.5")), dns("example.com")), CHAIN),
    ("nc-ip-mask-not-contiguous", lambda: root_nc(_raw_nc(b"\x87\x08\xc0\x00\x02\x00\xff\x00\xff\x00"),
                                                  x509.IPAddress(IPv4Address("192.0.2.1"))), FORMAT),
    ("nc-both-subtrees-absent", lambda: with_root(extra=[(raw(x509.oid.ExtensionOID.NAME_CONSTRAINTS, b"\x30\x00"),
                                                          True)]), FORMAT),
    ("aki-without-key-identifier", lambda: simple(aki=(x509.AuthorityKeyIdentifier(
        None, [x509.DirectoryName(dn("CN=x509-limbo-root"))], 1), False)), FORMAT),
    ("path-length-exceeded", lambda: (lambda r: (lambda i1: (lambda i2: Case(leaf(i2).der, _ders(r), _ders(i1, i2)))(
        ica(i1)))(ica(r, pathlen=0)))(root()), CHAIN),
    ("intermediate-without-key-usage", lambda: with_ica(ku=None), PASS),
    ("empty-subject-critical-san", lambda: simple(subject=x509.Name([]), alt=(san(dns("example.com")), True)), PASS),
]


@pytest.mark.parametrize("case", EXTRA, ids=[c[0] for c in EXTRA])
def test_issue_rule_in_corpus_shape(case) -> None:
    _id, make, expected = case
    check(expected, run(make()))


def test_quick_pass_agrees_on_every_corpus_certificate() -> None:
    """The profile's cheap pass (path/profile.py `_plainly_conforming`) clears only certificates the full check
    finds nothing in: every certificate of every case above goes through both."""
    from trustsvc.errors import InputFormatError
    from trustsvc.path.profile import _all_findings, _plainly_conforming
    from trustsvc.x509.certificate import Certificate

    quick = 0
    for _id, make, _expected in CASES + EXTRA:
        case = make()
        for der in (case.target, *case.inter, *case.anchors):
            try:
                cert = Certificate.from_der(der)
            except InputFormatError:
                continue
            if _plainly_conforming(cert):
                quick += 1
                assert _all_findings(cert) == (), (_id, _all_findings(cert))
    assert quick > 10  # most corpus certificates run to year 2969 (GeneralizedTime): the full check takes them


def _edited_leaf(edit) -> Case:
    r = root()
    return Case(resign(leaf(r), r, edit), _ders(r))


def _version(v: str):
    def edit(tbs):
        tbs["version"] = v
    return edit


def _validity(not_before: bytes, not_after: bytes, generalized: bool = False):
    """Validity times exactly as given (UTCTime, or GeneralizedTime with `generalized`), in place of the leaf's."""
    from asn1crypto import x509 as ax

    def make(r: Pair) -> bytes:
        lf = leaf(r)
        old = ax.Certificate.load(lf.der)["tbs_certificate"]["validity"].dump()
        tag = 0x18 if generalized else 0x17
        body = b"".join(bytes([tag, len(v)]) + v for v in (not_before, not_after))
        return resign_tbs(lf, r, lambda tbs: tbs.replace(old, b"\x30" + bytes([len(body)]) + body))
    return make


def _odd_validity(*args, **kw) -> Case:
    r = root()
    return Case(_validity(*args, **kw)(r), _ders(r))


VERSION_AND_VALIDITY = [
    ("version-v1-with-extensions", lambda: _edited_leaf(_version("v1")), FORMAT),
    ("version-v2-with-extensions", lambda: _edited_leaf(_version("v2")), FORMAT),
    ("validity-utctime-without-seconds", lambda: _odd_validity(b"2001010000Z", b"3001010000Z"), FORMAT),
    ("validity-utctime-with-offset", lambda: _odd_validity(b"200101000000+0100", b"300101000000Z"), FORMAT),
    ("validity-utctime-fraction", lambda: _odd_validity(b"200101000000.5Z", b"300101000000Z"), FORMAT),
    ("validity-generalized-with-fraction", lambda: _odd_validity(b"20200101000000.5Z", b"20300101000000Z",
                                                                         generalized=True), FORMAT),
    # A deliberate divergence (docs/path.md): GeneralizedTime before 2050 breaks 4.1.2.5, but the instant is
    # unambiguous and PKITS 4.2.4 holds such a certificate valid; a warning names it.
    ("validity-generalized-before-2050", lambda: _odd_validity(b"20200101000000Z", b"20300101000000Z",
                                                                       generalized=True), PASS),
]


@pytest.mark.parametrize("case", VERSION_AND_VALIDITY, ids=[c[0] for c in VERSION_AND_VALIDITY])
def test_version_and_validity_encoding(case) -> None:
    _id, make, expected = case
    check(expected, run(make()))


def test_every_rejection_names_the_rule_and_the_certificate() -> None:
    """A must-fail case's first reason says which certificate broke which rule (an RFC clause or a profile rule
    id); only "no path at all" and "not a certificate" have no rule to name."""
    for _id, make, expected in CASES + EXTRA + VERSION_AND_VALIDITY:
        if expected is PASS:
            continue
        report = run(make())
        first = report.reasons[0]
        if report.sub_indication is NO_CHAIN or first.startswith("end-entity certificate unreadable"):
            continue
        assert "RFC " in first, (_id, first)
        assert any(w in first for w in ("trust anchor", "certificate ", "end entity")), (_id, first)


def test_lenient_profile_names_the_non_critical_policy_constraints_and_passes() -> None:
    report = run(ica_noncritical_pc(), profile="lenient")
    assert report.indication is Indication.PASSED, report.reasons
    assert any("policyConstraints" in w and "lenient" in w for w in report.warnings), report.warnings


def test_entry_revoked_after_the_validation_time_in_a_later_crl_is_good_at_it() -> None:
    # The other side of crl::revocation-date-in-future: a CRL issued after the validation time that lists the
    # certificate as revoked later still says it was good at that time (revoked at R means revoked at T iff R <= T).
    r = crl_root()
    lf = leaf(r)
    later = crl(r, last=CRL_AT + 5 * _DAY, nxt=CRL_AT + 30 * _DAY, revoked=[(lf.cert.serial_number, CRL_AT + _DAY, [])])
    report = run(crl_case(lf, [r], [later]))
    assert report.indication is Indication.PASSED, report.reasons
    # ... and from the day of its revocation on, it is revoked
    assert run(crl_case(lf, [r], [later], at=CRL_AT + 2 * _DAY)).sub_indication is REVOKED
