"""RFC 5280 4.1 / 4.2 certificate profile and RFC 5937 trust-anchor constraints: one passing and one failing chain
per rule, built here; strict by default, and what the lenient profile lets through (always with a warning)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from asn1crypto import x509 as ax

from tests.path.rawpki import NOW, build, ca, dn, gn, leaf, nc, raw_ext, root
from trustsvc import validate_certificate
from trustsvc.reports import Indication, SubIndication

FORMAT, CHAIN = SubIndication.FORMAT_FAILURE, SubIndication.CHAIN_CONSTRAINTS_FAILURE
UNKNOWN_OID = "1.3.6.1.4.1.55738.666.1"


def run(target, *, inter=(), anchors=(), at: datetime = NOW, **kw):
    return validate_certificate(target.der, intermediates=[c.der for c in inter], trust_anchors=[a.der for a in anchors],
                                at=at, revocation="off", **kw)


def passes(report) -> bool:
    return report.indication is Indication.PASSED


# --- every case: (id, build -> (target, intermediates, anchors), expected sub-indication or None = passes) ----------
def _simple(**leaf_kw):
    def make():
        r = root()
        return leaf(r, **leaf_kw), [], [r]
    return make


def _root(**root_kw):
    def make():
        r = root(**root_kw)
        return leaf(r), [], [r]
    return make


def _ica(**ica_kw):
    def make():
        r = root()
        i = ca(r, **ica_kw)
        return leaf(i), [i], [r]
    return make


def _neg_serial():
    r = root()
    return leaf(r, serial=-5), [], [r]


def _v1_with_extensions():
    r = root()
    return leaf(r, version="v1"), [], [r]


def _duplicate_extensions():
    r = root()
    san = ax.Extension({"extn_id": "subject_alt_name", "critical": False, "extn_value": [gn("dns_name", "example.com")]})
    return leaf(r, exts={"subject_alt_name": None}, extra=[san, san]), [], [r]


def _cross_signed_anchor_missing_aki():
    other = root("Other root")
    r = ca(other, "Cross-signed root", exts={"authority_key_identifier": None})
    return leaf(r), [], [r]


def _sig_alg_mismatch():
    r = root()
    return leaf(r, inner_alg={"algorithm": "sha384_ecdsa"}), [], [r]


def _empty_issuer():
    r = root()
    return leaf(r, issuer_name=dn(None)), [], [r]


def _ca_empty_subject():
    r = root(subject_name=dn(None), issuer_name=dn(None))
    return leaf(r, issuer_name=dn(None)), [], [r]


CASES = [
    # RFC 5280 4.1.2.2 serial number
    ("serial-ok-20-octets", _simple(serial=(1 << 159) - 1), None),
    ("serial-zero", _simple(serial=0), FORMAT),
    ("serial-negative", _neg_serial, FORMAT),
    ("serial-22-octets", _simple(serial=(1 << 175) + 1), FORMAT),
    # RFC 5280 4.1.2.1 version
    ("version-v3-with-extensions", _simple(), None),
    ("version-v1-with-extensions", _v1_with_extensions, FORMAT),
    # RFC 5280 4.2 duplicate extensions
    ("duplicate-extensions", _duplicate_extensions, FORMAT),
    # RFC 5280 4.2.1.1 authorityKeyIdentifier
    ("aki-missing-leaf", _simple(exts={"authority_key_identifier": None}), FORMAT),
    ("aki-missing-intermediate", _ica(exts={"authority_key_identifier": None}), FORMAT),
    ("aki-missing-self-signed-root", _root(exts={"authority_key_identifier": None}), None),
    ("aki-missing-cross-signed-anchor", _cross_signed_anchor_missing_aki, FORMAT),
    ("aki-critical", _simple(exts={"authority_key_identifier": ({"key_identifier": b"\x01" * 20}, True)}), FORMAT),
    # RFC 5280 4.2.1.2 subjectKeyIdentifier
    ("ski-missing-root", _root(exts={"key_identifier": None}), FORMAT),
    ("ski-missing-intermediate", _ica(exts={"key_identifier": None}), FORMAT),
    ("ski-missing-leaf", _simple(exts={"key_identifier": None}), None),
    ("ski-critical", _root(exts={"key_identifier": (b"\x02" * 20, True)}), FORMAT),
    # RFC 5280 4.2.1.9 basicConstraints
    ("bc-root-non-critical", _root(exts={"basic_constraints": ({"ca": True}, False)}), FORMAT),
    ("bc-leaf-absent", _simple(exts={"basic_constraints": None}), None),
    ("bc-intermediate-absent", _ica(exts={"basic_constraints": None, "key_usage": None}), CHAIN),
    ("bc-intermediate-ca-false", _ica(exts={"basic_constraints": ({"ca": False}, True), "key_usage": None}), CHAIN),
    ("bc-intermediate-absent-keycertsign", _ica(exts={"basic_constraints": None}), FORMAT),
    # RFC 5280 4.2.1.3 / 4.2.1.9 keyCertSign only with cA
    ("ku-leaf-keycertsign", _simple(exts={"key_usage": ({"digital_signature", "key_cert_sign"}, True)}), FORMAT),
    ("ku-leaf-digital-signature", _simple(exts={"key_usage": ({"digital_signature"}, True)}), None),
    ("ku-leaf-absent", _simple(exts={"key_usage": None}), None),
    ("ku-intermediate-no-keycertsign", _ica(exts={"key_usage": ({"crl_sign"}, True)}), CHAIN),
    # RFC 5280 4.2.1.12 extKeyUsage
    ("eku-empty", _simple(exts={"extended_key_usage": ([], False)}), FORMAT),
    ("eku-absent", _simple(exts={"extended_key_usage": None}), None),
    # RFC 5280 4.1.2.6 / 4.2.1.6 empty subject
    ("empty-subject-critical-san", _simple(subject_name=dn(None), exts={
        "subject_alt_name": ([gn("dns_name", "example.com")], True)}), None),
    ("empty-subject-non-critical-san", _simple(subject_name=dn(None)), FORMAT),
    ("ca-empty-subject", _ca_empty_subject, FORMAT),
    # RFC 5280 4.2.1.6 subjectAltName syntax
    ("san-wildcard", _simple(san=[gn("dns_name", "*.example.com")]), None),
    ("san-underscore", _simple(san=[gn("dns_name", "foo_bar.example.com")]), FORMAT),
    ("san-empty-label", _simple(san=[gn("dns_name", "foo..example.com")]), FORMAT),
    ("san-mailbox-ok", _simple(san=[gn("rfc822_name", "a@example.com")]), None),
    ("san-mailbox-bad", _simple(san=[gn("rfc822_name", "a@b@example.com")]), FORMAT),
    ("san-uri-ok", _simple(san=[gn("uniform_resource_identifier", "https://example.com/x")]), None),
    ("san-uri-relative", _simple(san=[gn("uniform_resource_identifier", "//example.com/x")]), FORMAT),
    ("san-empty", _simple(san=[]), FORMAT),
    ("san-undecodable", _simple(exts={"subject_alt_name": None}, extra=[raw_ext("2.5.29.17", b"example.com")]), FORMAT),
    # RFC 5280 4.2.1.10 nameConstraints profile
    ("nc-in-end-entity", _simple(exts={"name_constraints": (nc([gn("dns_name", "example.com")]), True)}), FORMAT),
    ("nc-non-critical", _root(exts={"name_constraints": (nc([gn("dns_name", "example.com")]), False)}), FORMAT),
    ("nc-wildcard-base", _root(exts={"name_constraints": (nc([gn("dns_name", "*.example.com")]), True)}), FORMAT),
    ("nc-leading-period-dns", _root(exts={"name_constraints": (nc([gn("dns_name", ".example.com")]), True)}), FORMAT),
    ("nc-ip-without-mask", _root(exts={"name_constraints": (nc([ax.GeneralName.load(b"\x87\x04\x7f\x00\x00\x01")]), True)}),
     FORMAT),
    ("nc-bad-mailbox", _root(exts={"name_constraints": (nc([gn("rfc822_name", "a@b@example.com")]), True)}), FORMAT),
    ("nc-empty", _root(extra=[raw_ext("2.5.29.30", b"\x30\x00", True)]), FORMAT),
    ("nc-ok", _root(exts={"name_constraints": (nc([gn("dns_name", "example.com")]), True)}), None),
    # RFC 5280 4.2.1.4 certificatePolicies: each policy OID once
    ("cp-duplicate", _simple(exts={"certificate_policies": ([{"policy_identifier": "1.2.3.4"},
                                                             {"policy_identifier": "1.2.3.4"}], False)}), FORMAT),
    ("cp-distinct", _simple(exts={"certificate_policies": ([{"policy_identifier": "1.2.3.4"},
                                                            {"policy_identifier": "1.2.3.5"}], False)}), None),
    # RFC 5280 4.2.1.11 policyConstraints
    ("pc-ok", _ica(exts={"policy_constraints": ({"require_explicit_policy": 3}, True)}), None),
    ("pc-empty", _ica(extra=[raw_ext("2.5.29.36", b"\x30\x00", True)]), FORMAT),
    ("pc-anchor-non-critical", _root(exts={"policy_constraints": ({"require_explicit_policy": 3}, False)}), FORMAT),
    # RFC 5280 4.2.2.1 authorityInfoAccess
    ("aia-non-critical", _simple(exts={"authority_information_access": ([{
        "access_method": "ca_issuers", "access_location": gn("uniform_resource_identifier", "http://example.com/ca")}],
        False)}), None),
    ("aia-critical", _simple(exts={"authority_information_access": ([{
        "access_method": "ca_issuers", "access_location": gn("uniform_resource_identifier", "http://example.com/ca")}],
        True)}), FORMAT),
    # RFC 5280 4.1.1.2 signature algorithm
    ("signature-algorithm-mismatch", _sig_alg_mismatch, FORMAT),
    # RFC 5280 4.1.2.5 validity encoding
    ("validity-utctime-without-seconds", _simple(raw_times=(b"2501010000Z", b"3001010000Z")), FORMAT),
    ("validity-utctime-not-zulu", _simple(raw_times=(b"250101000000+0100", b"300101000000Z")), FORMAT),
    ("validity-generalized-before-2050", _simple(time_kind="generalized"), None),
    # RFC 5280 6.1.4 (o): unknown critical extensions, anywhere on the path
    ("unknown-critical-leaf", _simple(extra=[raw_ext(UNKNOWN_OID, b"\x05\x00", True)]), CHAIN),
    ("unknown-critical-root", _root(extra=[raw_ext(UNKNOWN_OID, b"\x05\x00", True)]), CHAIN),
    ("unknown-non-critical-root", _root(extra=[raw_ext(UNKNOWN_OID, b"\x05\x00", False)]), None),
]


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_strict_profile_rule(case) -> None:
    _id, make, expected = case
    target, inter, anchors = make()
    report = run(target, inter=inter, anchors=anchors)
    detail = f"{report.indication} {report.sub_indication} {report.reasons}"
    if expected is None:
        assert passes(report), detail
    else:
        assert report.indication is Indication.INDETERMINATE, detail
        assert report.sub_indication is expected, detail
        assert report.reasons, detail


# --- lenient: slips pass with a warning naming the rule; meaning-changing findings still fail ---------------
LENIENT_PASSES = {
    "serial-22-octets": "serial number",
    "serial-zero": "serial number",
    "aki-missing-leaf": "authorityKeyIdentifier",
    "ski-missing-root": "subjectKeyIdentifier",
    "ski-missing-intermediate": "subjectKeyIdentifier",
    "bc-root-non-critical": "basicConstraints",
    "aki-critical": "authorityKeyIdentifier",
    "san-underscore": "dNSName",
    "aia-critical": "authorityInfoAccess",
    "validity-utctime-without-seconds": "validity time",
}
LENIENT_FAILS = ["ku-leaf-keycertsign", "nc-in-end-entity", "nc-non-critical", "nc-wildcard-base", "eku-empty",
                 "duplicate-extensions", "signature-algorithm-mismatch", "unknown-critical-leaf", "ca-empty-subject",
                 "empty-subject-non-critical-san", "san-undecodable"]
_BY_ID = {c[0]: c for c in CASES}


@pytest.mark.parametrize("case_id", sorted(LENIENT_PASSES))
def test_lenient_tolerates_slip_with_warning(case_id: str) -> None:
    _id, make, _expected = _BY_ID[case_id]
    target, inter, anchors = make()
    assert not passes(run(target, inter=inter, anchors=anchors))
    report = run(target, inter=inter, anchors=anchors, profile="lenient")
    assert passes(report), report.reasons
    assert any(LENIENT_PASSES[case_id] in w and "lenient" in w for w in report.warnings), report.warnings


@pytest.mark.parametrize("case_id", LENIENT_FAILS)
def test_lenient_still_refuses_meaning_changes(case_id: str) -> None:
    _id, make, expected = _BY_ID[case_id]
    target, inter, anchors = make()
    report = run(target, inter=inter, anchors=anchors, profile="lenient")
    assert report.indication is Indication.INDETERMINATE and report.sub_indication is expected, report.reasons


def test_unknown_profile_is_a_typed_refusal() -> None:
    r = root()
    report = run(leaf(r), anchors=[r], profile="relaxed")
    assert report.indication is Indication.INDETERMINATE and "profile" in report.reasons[0]


def test_tolerated_generalized_time_is_named_in_warnings() -> None:
    r = root()
    report = run(leaf(r, time_kind="generalized"), anchors=[r])
    assert passes(report)
    assert any("GeneralizedTime" in w for w in report.warnings)


def test_intermediate_non_critical_basic_constraints_warns_but_passes() -> None:
    # PKITS 4.6.4: 6.1.4 (k) reads basicConstraints whatever its criticality
    r = root()
    i = ca(r, exts={"basic_constraints": ({"ca": True}, False)})
    report = run(leaf(i), inter=[i], anchors=[r])
    assert passes(report), report.reasons
    assert any("basicConstraints" in w for w in report.warnings)


# --- RFC 5937 trust-anchor constraints --------------------------------------------------------------------
def test_expired_anchor_is_not_an_anchor() -> None:
    r = root(not_before=datetime(2016, 1, 1, tzinfo=timezone.utc), not_after=datetime(2020, 1, 1, tzinfo=timezone.utc))
    i = ca(r, not_before=datetime(2016, 1, 1, tzinfo=timezone.utc), not_after=datetime(2026, 1, 1, tzinfo=timezone.utc))
    lf = leaf(i, not_before=datetime(2018, 1, 1, tzinfo=timezone.utc), not_after=datetime(2023, 1, 1, tzinfo=timezone.utc))
    at = datetime(2022, 1, 1, tzinfo=timezone.utc)
    report = run(lf, inter=[i], anchors=[r], at=at)
    assert report.sub_indication is SubIndication.OUT_OF_BOUNDS_NO_POE, report.reasons
    assert "trust anchor" in report.reasons[0]
    assert passes(run(lf, inter=[i], anchors=[r], at=datetime(2019, 1, 1, tzinfo=timezone.utc)))


def test_anchor_not_yet_valid() -> None:
    r = root(not_before=NOW + timedelta(days=1))
    report = run(leaf(r), anchors=[r])
    assert report.sub_indication is SubIndication.NOT_YET_VALID, report.reasons


@pytest.mark.parametrize("exts", [{"basic_constraints": None, "key_usage": None},
                                  {"basic_constraints": ({"ca": False}, True), "key_usage": None}])
def test_v3_anchor_must_assert_ca(exts) -> None:
    r = root(exts=exts)
    report = run(leaf(r), anchors=[r])
    assert report.sub_indication is CHAIN, report.reasons


def test_anchor_key_usage_must_allow_keycertsign() -> None:
    r = root(exts={"key_usage": ({"digital_signature"}, True)})
    report = run(leaf(r), anchors=[r])
    assert report.sub_indication is CHAIN and "keyCertSign" in report.reasons[0], report.reasons
    ok = root(exts={"key_usage": ({"key_cert_sign"}, True)})
    assert passes(run(leaf(ok), anchors=[ok]))


def test_anchor_path_length_constraint_applies() -> None:
    r = root(pathlen=0)
    i = ca(r)
    report = run(leaf(i), inter=[i], anchors=[r])
    assert report.sub_indication is CHAIN and "path length" in report.reasons[0], report.reasons
    r1 = root(pathlen=1)
    i1 = ca(r1)
    assert passes(run(leaf(i1), inter=[i1], anchors=[r1]))
    assert passes(run(leaf(r), anchors=[r]))  # pathLen 0 still issues end entities


def test_anchor_name_constraints_apply() -> None:
    r = root(exts={"name_constraints": (nc([gn("dns_name", "example.com")]), True)})
    bad = run(leaf(r, san=[gn("dns_name", "not-example.com")]), anchors=[r])
    assert bad.sub_indication is CHAIN and "name constraints" in bad.reasons[0], bad.reasons
    assert passes(run(leaf(r, san=[gn("dns_name", "foo.bar.example.com")]), anchors=[r]))


def test_anchor_self_signature_is_not_judged_by_algorithm_policy() -> None:
    # A SHA-1 self-signature on a root says nothing: trust in it comes from the anchor list, not its signature.
    r = root(sig_alg="sha1_ecdsa")
    assert passes(run(leaf(r), anchors=[r]))
    # ... while a SHA-1 signature on a certificate of the path is judged (made after the SHA-1 cut-off)
    lf = build("example.com", r, ca=False, sig_alg="sha1_ecdsa")
    assert run(lf, anchors=[r]).sub_indication is SubIndication.CRYPTO_CONSTRAINTS_FAILURE


def test_empty_issuer_is_a_profile_finding() -> None:
    from trustsvc.path.profile import findings
    from trustsvc.x509.certificate import Certificate

    r = root()
    assert "issuer-empty" in {f.rule for f in findings(Certificate.from_der(leaf(r, issuer_name=dn(None)).der))}
    assert not findings(Certificate.from_der(leaf(r).der))
    assert not passes(_run_empty_issuer())


def _run_empty_issuer():
    target, inter, anchors = _empty_issuer()
    return run(target, inter=inter, anchors=anchors)


def test_validity_is_judged_at_one_second_granularity() -> None:
    nb, na = datetime(2024, 3, 1, tzinfo=timezone.utc), datetime(2024, 4, 1, tzinfo=timezone.utc)
    r = root(not_before=nb, not_after=na)
    i = ca(r, not_before=nb, not_after=na)
    lf = leaf(i, not_before=nb + timedelta(seconds=1), not_after=na)
    assert passes(run(lf, inter=[i], anchors=[r], at=na))  # notAfter is inclusive
    assert passes(run(lf, inter=[i], anchors=[r], at=na + timedelta(milliseconds=5)))  # still that second
    assert not passes(run(lf, inter=[i], anchors=[r], at=na + timedelta(seconds=1)))
    assert not passes(run(lf, inter=[i], anchors=[r], at=nb + timedelta(milliseconds=999)))  # before notBefore


@pytest.mark.parametrize(("wanted", "ok"), [(["serverAuth"], True), (["server_auth"], True),
                                            (["1.3.6.1.5.5.7.3.1"], True), (["clientAuth"], False),
                                            (["no-such-purpose"], False)])
def test_extended_key_usage_names(wanted, ok) -> None:
    r = root()
    report = run(leaf(r), anchors=[r], extended_key_usage=wanted)  # the leaf asserts serverAuth only
    assert passes(report) is ok, report.reasons
    if not ok:
        assert report.sub_indication is CHAIN


def test_extended_key_usage_absent_means_any_purpose() -> None:
    r = root()
    assert passes(run(leaf(r, exts={"extended_key_usage": None}), anchors=[r], extended_key_usage=["clientAuth"]))


def test_key_usage_names() -> None:
    r = root()
    assert passes(run(leaf(r), anchors=[r], key_usage=["digitalSignature"]))
    assert not passes(run(leaf(r), anchors=[r], key_usage=["keyEncipherment"]))


def test_trust_list_service_may_declare_the_lenient_profile() -> None:
    from trustsvc.path.anchor import TrustAnchor
    from trustsvc.x509.certificate import Certificate

    r = root(exts={"key_identifier": None})
    lf = leaf(r)
    cert = Certificate.from_der(r.der)
    strict_anchor = TrustAnchor(cert, "trust-list", "HK / strict CA")
    assert run(lf, anchors=[]).indication is Indication.INDETERMINATE
    report = validate_certificate(lf.der, trust_anchors=[strict_anchor], at=NOW, revocation="off")
    assert report.sub_indication is FORMAT
    declared = TrustAnchor(cert, "trust-list", "HK / legacy CA", profile="lenient")
    report = validate_certificate(lf.der, trust_anchors=[declared], at=NOW, revocation="off")
    assert passes(report), report.reasons
    assert any("declared" in w and "HK / legacy CA" in w for w in report.warnings), report.warnings
    assert any("subjectKeyIdentifier" in w for w in report.warnings)


def test_quick_pass_never_hides_a_finding() -> None:
    """`_plainly_conforming` (the cheap pass a busy service runs on every new leaf) must answer True only for a
    certificate the full check finds nothing in: every certificate these tests build is run through both."""
    from tests.path import test_name_constraints_complete as nct
    from trustsvc.errors import InputFormatError
    from trustsvc.path.profile import _all_findings, _plainly_conforming
    from trustsvc.x509.certificate import Certificate

    ders = []
    for _id, make, _expected in CASES:
        target, inter, anchors = make()
        ders += [c.der for c in (target, *inter, *anchors)]
    for _id, nc_kw, leaf_kw, _expected in nct.CASES:
        r = nct.constrained_root(**nc_kw)
        kw = dict(leaf_kw)
        ders += [r.der, leaf(r, kw.pop("cn", "leaf"), **kw).der]
    quick = 0
    for der in ders:
        try:
            cert = Certificate.from_der(der)
        except InputFormatError:
            continue
        if _plainly_conforming(cert):
            quick += 1
            assert _all_findings(cert) == (), cert
    assert quick > 50  # the quick pass does take the usual certificate
