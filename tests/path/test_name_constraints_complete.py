"""RFC 5280 4.2.1.10 / 6.1.3 (b)-(c), complete: every name form, subject and SAN, wildcard SANs against excluded
subtrees, names the engine cannot process under a constraint of their form, malformed names. Chains built here."""

from __future__ import annotations

import pytest
from asn1crypto import core
from asn1crypto import x509 as ax

from tests.path.rawpki import build, ca, dn, gn, ip, leaf, nc, root
from tests.path.test_profile import run
from trustsvc.reports import Indication, SubIndication


def other_name(oid: str = "1.3.6.1.4.1.55738.666.3") -> ax.GeneralName:
    body = core.ObjectIdentifier(oid).dump() + b"\xa0\x02\x05\x00"
    return ax.GeneralName.load(b"\xa0" + bytes([len(body)]) + body)


def constrained_root(permitted=None, excluded=None):
    return root(exts={"name_constraints": (nc(permitted, excluded), True)})


def outcome(r, target, inter=(), **kw):
    report = run(target, inter=list(inter), anchors=[r], **kw)
    if report.indication is Indication.PASSED:
        return "pass"
    assert report.sub_indication is SubIndication.CHAIN_CONSTRAINTS_FAILURE, report.reasons
    assert "name constraints" in report.reasons[0], report.reasons
    return "fail"


D = lambda v: gn("dns_name", v)  # noqa: E731
M = lambda v: gn("rfc822_name", v)  # noqa: E731
U = lambda v: gn("uniform_resource_identifier", v)  # noqa: E731
V4, V6 = bytes([192, 0, 2, 0, 255, 255, 255, 0]), bytes(15) + b"\x01" + b"\xff" * 16


def dirname(cn: str) -> ax.GeneralName:
    return ax.GeneralName(name="directory_name", value=dn(cn))


CASES = [
    # dNSName
    ("dns-permitted-match", dict(permitted=[D("example.com")]), dict(san=[D("example.com")]), "pass"),
    ("dns-permitted-more-labels", dict(permitted=[D("example.com")]), dict(san=[D("foo.bar.example.com")]), "pass"),
    ("dns-permitted-mismatch", dict(permitted=[D("example.com")]), dict(san=[D("not-example.com")]), "fail"),
    ("dns-excluded-second-san", dict(excluded=[D("bad.example.com")]), dict(san=[D("example.com"), D("bad.example.com")]),
     "fail"),
    ("dns-permitted-and-excluded", dict(permitted=[D("example.com")], excluded=[D("example.com")]),
     dict(san=[D("example.com")]), "fail"),
    ("dns-other-form-constraint", dict(permitted=[ip(V4)]), dict(san=[D("example.com")]), "pass"),
    # wildcard SANs: `*.example.com` may stand for bar.example.com
    ("wildcard-excluded-by-child", dict(excluded=[D("bar.example.com")]), dict(san=[D("*.example.com")]), "fail"),
    ("wildcard-excluded-by-parent", dict(excluded=[D("example.com")]), dict(san=[D("*.example.com")]), "fail"),
    ("wildcard-excluded-unrelated", dict(excluded=[D("example.org")]), dict(san=[D("*.example.com")]), "pass"),
    ("wildcard-excluded-grandchild", dict(excluded=[D("a.b.example.com")]), dict(san=[D("*.example.com")]), "pass"),
    ("wildcard-permitted-narrower", dict(permitted=[D("bar.example.com")]), dict(san=[D("*.example.com")]), "fail"),
    ("wildcard-permitted-parent", dict(permitted=[D("example.com")]), dict(san=[D("*.example.com")]), "pass"),
    # malformed names under a constraint of their form
    ("dns-malformed-san", dict(permitted=[D("example.com")]), dict(san=[D(".example.com"), D("foo.example.com")]),
     "fail"),
    ("ip-san-with-mask", dict(permitted=[ip(V4)]), dict(san=[ip(V4), ip(bytes([192, 0, 2, 1]))]), "fail"),
    ("email-malformed-san", dict(permitted=[M("example.com")]), dict(san=[M("good@example.com"),
                                                                         M("bad@address@example.com")]), "fail"),
    # iPAddress
    ("ipv4-permitted-match", dict(permitted=[ip(V4)]), dict(san=[ip(bytes([192, 0, 2, 7]))]), "pass"),
    ("ipv4-permitted-mismatch", dict(permitted=[ip(V4)]), dict(san=[ip(bytes([192, 0, 3, 1]))]), "fail"),
    ("ipv4-excluded-match", dict(excluded=[ip(V4)]), dict(san=[ip(bytes([192, 0, 2, 1]))]), "fail"),
    ("ipv6-excluded-match", dict(excluded=[ip(V6)]), dict(san=[ip(bytes(15) + b"\x01")]), "fail"),
    ("ipv6-permitted-match", dict(permitted=[ip(V6)]), dict(san=[ip(bytes(15) + b"\x01")]), "pass"),
    ("ipv6-san-v4-only-permitted", dict(permitted=[ip(V4)]), dict(san=[ip(bytes(15) + b"\x01")]), "fail"),
    # rfc822Name
    ("email-exact", dict(permitted=[M("foo@example.com")]), dict(san=[M("foo@example.com")]), "pass"),
    ("email-exact-other", dict(permitted=[M("foo@example.com")]), dict(san=[M("bar@example.com")]), "fail"),
    ("email-host", dict(permitted=[M("example.com")]), dict(san=[M("foo@example.com")]), "pass"),
    ("email-host-not-subdomain", dict(permitted=[M("example.com")]), dict(san=[M("foo@mail.example.com")]), "fail"),
    ("email-domain", dict(permitted=[M(".example.com")]), dict(san=[M("foo@mail.example.com")]), "pass"),
    # URI host
    ("uri-host-match", dict(permitted=[U("example.com")]), dict(san=[U("https://example.com/a")]), "pass"),
    ("uri-host-mismatch", dict(permitted=[U("example.com")]), dict(san=[U("https://evil.com/example.com")]), "fail"),
    ("uri-domain", dict(permitted=[U(".example.com")]), dict(san=[U("https://www.example.com:8443/")]), "pass"),
    ("uri-without-host", dict(permitted=[U("example.com")]), dict(san=[U("urn:example:com")]), "fail"),
    ("uri-excluded-match", dict(excluded=[U("example.com")]), dict(san=[U("https://example.com/")]), "fail"),
    # forms the engine does not process: reject under a constraint of that form, ignore otherwise
    ("othername-constrained", dict(permitted=[D("example.com")], excluded=[other_name()]),
     dict(san=[D("example.com"), other_name()]), "fail"),
    ("othername-constraint-no-such-name", dict(permitted=[D("example.com")], excluded=[other_name()]),
     dict(san=[D("example.com")]), "pass"),
    ("othername-unconstrained", dict(permitted=[D("example.com")]), dict(san=[D("example.com"), other_name()]), "pass"),
    # directoryName: subject DN and every SAN directoryName
    ("dn-permitted-match", dict(permitted=[dirname("foo")]), dict(cn="foo", san=[dirname("foo")]), "pass"),
    ("dn-permitted-mismatch", dict(permitted=[dirname("foo")]), dict(cn="not-foo", san=[dirname("not-foo")]), "fail"),
    ("dn-subject-san-mismatch", dict(permitted=[dirname("foo")]), dict(cn="not-foo", san=[dirname("foo")]), "fail"),
    ("dn-excluded-subject-only", dict(excluded=[dirname("foo")]), dict(cn="foo", san=[dirname("not-foo")]), "fail"),
    ("dn-excluded-san-only", dict(excluded=[dirname("foo")]), dict(cn="not-foo", san=[dirname("foo")]), "fail"),
]


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_name_constraint(case) -> None:
    _id, nc_kw, leaf_kw, expected = case
    r = constrained_root(**nc_kw)
    cn = leaf_kw.pop("cn", "leaf")
    target = leaf(r, cn, **leaf_kw)
    if _id.endswith(("-malformed-san", "-san-with-mask")):
        # strict refuses the malformed SAN on its own (profile); lenient tolerates that slip, the constraint does not
        assert run(target, anchors=[r]).sub_indication is SubIndication.FORMAT_FAILURE
        assert outcome(r, target, profile="lenient") == expected
        return
    assert outcome(r, target) == expected


def test_subject_email_address_is_an_rfc822_name() -> None:
    r = constrained_root(excluded=[gn("rfc822_name", "example.com")])
    subject = ax.Name.build({"common_name": "someone", "email_address": "someone@example.com"})
    assert outcome(r, leaf(r, subject_name=subject, san=[gn("dns_name", "ok.example.org")])) == "fail"
    fine = ax.Name.build({"common_name": "someone", "email_address": "someone@example.org"})
    assert outcome(r, leaf(r, subject_name=fine, san=[gn("dns_name", "ok.example.org")])) == "pass"


def test_intermediate_names_are_judged_by_the_anchor_constraints() -> None:
    r = constrained_root(permitted=[gn("dns_name", "permitted.example.com")],
                         excluded=[gn("dns_name", "forbidden.example.com")])
    i1 = ca(r, "ICA1")
    i2 = ca(i1, "ICA2", san=[gn("dns_name", "forbidden.example.com")])
    assert outcome(r, leaf(i2, san=[gn("dns_name", "permitted.example.com")]), [i1, i2]) == "fail"
    ok = ca(i1, "ICA2", san=[gn("dns_name", "permitted.example.com")])
    assert outcome(r, leaf(ok, san=[gn("dns_name", "permitted.example.com")]), [i1, ok]) == "pass"


def test_permitted_subtrees_narrow_along_the_path() -> None:
    r = root()
    i1 = ca(r, "ICA1", exts={"name_constraints": (nc([gn("dns_name", "bar.example.com")]), True)})
    i2 = ca(i1, "ICA2", exts={"name_constraints": (nc([gn("dns_name", "foo.example.com"),
                                                          gn("dns_name", "bar.example.com")]), True)})
    assert outcome(r, leaf(i2, san=[gn("dns_name", "foo.example.com")]), [i1, i2]) == "fail"
    assert outcome(r, leaf(i2, san=[gn("dns_name", "bar.example.com")]), [i1, i2]) == "pass"


def test_self_issued_intermediate_is_exempt_but_self_issued_leaf_is_not() -> None:
    r = constrained_root(permitted=[gn("dns_name", "example.com")])
    same = dn("not-example.com")
    # self-issued intermediate (issuer == subject, signed by the root's key through a root-named issuer) ...
    i = ca(r, "not-example.com", san=[gn("dns_name", "example.com")])
    lf = build("not-example.com", i, ca=False, issuer_name=same, subject_name=same,
               san=[gn("dns_name", "not-example.com")])
    assert outcome(r, lf, [i]) == "fail"  # the final certificate is judged even when self-issued
