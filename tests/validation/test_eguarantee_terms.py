"""E-guarantee terms as platforms apply them: in force at the validation time, minimums, exact parties."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from tests.cms.conftest import pki  # noqa: F401  (session fixture)
from tests.cms.pki import NOW
from trustsvc import validate_signature
from trustsvc.cms.builder import LocalTSA, sign_cms
from trustsvc.reports import SignatureIndication as SI
from trustsvc.reports import SubIndication as Sub
from trustsvc.validation.eguarantee import TermFailure, build_payload, check_terms, parse_eguarantee

TERMS = dict(guarantee_number="MOB-1", issuer="Banco Demo", beneficiary="GD Trading Centre", tender_id="GD-2026-0001",
             amount="500000.00", currency="CNY", valid_from="2026-02-01T00:00:00Z", valid_until="2026-09-01T00:00:00Z")
G = parse_eguarantee(TERMS)
IN_FORCE = datetime(2026, 3, 1, tzinfo=timezone.utc)


def _signed(pki, **changes) -> bytes:
    leaf = pki.leaf("ecdsa")
    return sign_cms(build_payload(**{**TERMS, **changes}), leaf.cert, leaf.key, detached=False,
                    extra_certs=[pki.ca("ecdsa").cert])


def test_minimum_amount_and_minimum_validity_accept_more_than_required():
    assert check_terms(G, {"amount": "400000", "currency": "CNY", "valid_until": "2026-06-30T00:00:00+08:00",
                           "beneficiary": "GD Trading Centre", "tender_id": "GD-2026-0001"}, IN_FORCE) == []


@pytest.mark.parametrize("expected,term,rule", [
    ({"amount": "600000"}, "amount", "minimum"),
    ({"amount": "400000", "currency": "HKD"}, "currency", "exact"),
    ({"valid_until": "2026-12-31T00:00:00Z"}, "valid_until", "minimum"),
    ({"valid_from": "2026-01-01T00:00:00Z"}, "valid_from", "maximum"),
    ({"beneficiary": "HK Trading Centre"}, "beneficiary", "exact"),
    ({"tender_id": "GD-2026-0002"}, "tender_id", "exact"),
    ({"amount": "lots"}, "amount", "unreadable"),
    ({"colour": "red"}, "colour", "unknown"),
])
def test_each_term_fails_by_its_rule(expected, term, rule):
    [failure] = check_terms(G, expected, IN_FORCE)
    assert (failure.term, failure.rule) == (term, rule)


def test_validity_at_the_validation_time():
    assert check_terms(G, {}, datetime(2025, 6, 30, tzinfo=timezone.utc)) == [
        TermFailure("valid_from", "not_in_force_yet", "2026-02-01T00:00:00Z", "2025-06-30T00:00:00Z")]
    assert [f.rule for f in check_terms(G, {}, datetime(2026, 9, 2, tzinfo=timezone.utc))] == ["expired"]


def test_expired_guarantee_fails_naming_the_term(pki):
    # Issue 18: a guarantee whose valid_until was 2025-06-30 passed "today".
    sig = _signed(pki, valid_from="2025-01-01T00:00:00Z", valid_until="2025-06-30T00:00:00Z")
    report = validate_signature(sig, trust_anchors=[pki.root("ecdsa").cert], at=NOW, usage="e-guarantee")
    assert report.indication is SI.TOTAL_FAILED and report.sub_indication is Sub.SIG_CONSTRAINTS_FAILURE
    assert "valid_until" in report.reasons[-1] and "expired" in report.reasons[-1]


def test_not_yet_valid_guarantee_fails_naming_the_term(pki):
    sig = _signed(pki, valid_from="2026-06-01T00:00:00Z")
    report = validate_signature(sig, trust_anchors=[pki.root("ecdsa").cert], at=NOW, usage="e-guarantee", lang="zh-Hant")
    assert report.sub_indication is Sub.SIG_CONSTRAINTS_FAILURE
    assert "valid_from" in report.reasons[-1] and "生效" in report.reasons[-1]


def test_guarantee_above_the_minimums_passes(pki):
    sig = _signed(pki)
    report = validate_signature(sig, trust_anchors=[pki.root("ecdsa").cert], at=NOW,
                                expected={"amount": "400000", "currency": "CNY", "valid_until": "2026-06-30T00:00:00Z",
                                          "beneficiary": "GD Trading Centre", "tender_id": "GD-2026-0001"})
    assert report.indication is SI.TOTAL_PASSED, report.reasons


def test_in_force_is_judged_at_the_timestamp_not_now(pki):
    # A guarantee timestamped while in force stays proven in force later: the POE time is the validation time.
    leaf = pki.leaf("ecdsa")
    tsa = LocalTSA(pki.tsa.cert, pki.tsa.key, clock=lambda: NOW)
    sig = sign_cms(build_payload(**{**TERMS, "valid_until": (NOW + timedelta(days=1)).isoformat()}), leaf.cert, leaf.key,
                   detached=False, extra_certs=[pki.ca("ecdsa").cert], timestamper=tsa)
    report = validate_signature(sig, trust_anchors=[pki.root("ecdsa").cert, pki.tsa_root.cert],
                                at=NOW + timedelta(days=30), usage="e-guarantee")
    assert report.indication is SI.TOTAL_PASSED, report.reasons
