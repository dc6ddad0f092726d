"""A signature-timestamp attribute that cannot be read or does not match is a reported failed timestamp, never
ignored; when a deadline needs it the signature fails (EN 319 102-1 5.5.4, docs/signatures.md)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.cms import craft
from tests.cms.conftest import pki  # noqa: F401  (session fixture)
from tests.cms.pki import NOW, issue, new_key
from trustsvc import validate_signature
from trustsvc.cms.builder import LocalTSA
from trustsvc.cms.signed_data import compute_digest
from trustsvc.reports import SignatureIndication as SI
from trustsvc.reports import SubIndication as Sub
from trustsvc.validation.signature_report import WarningCode

DOC = b"Tender GD-2026-0099 bid\n" * 12


def _token(pki, data: bytes) -> bytes:
    return LocalTSA(pki.tsa.cert, pki.tsa.key, clock=lambda: NOW)(compute_digest("sha256", data), "sha256")


def _signed(pki, make_attr, signer=None):
    leaf = signer or pki.leaf("ecdsa")
    si = craft.signer_info(leaf.cert, leaf.key, attrs=craft.standard_attrs(leaf.cert, compute_digest("sha256", DOC)))
    si = craft.with_unsigned(si, [make_attr(craft.signature_value(si))])
    return craft.signed_data(DOC, [si], [leaf.cert, pki.ca("ecdsa").cert])


def _ts_attr(*values: bytes) -> bytes:
    return craft.attribute(craft.SIGNATURE_TIMESTAMP, *values)


BROKEN = {
    "garbage token": lambda pki, value: _ts_attr(craft.seq(b"\x02\x01\x05")),
    "token over other data": lambda pki, value: _ts_attr(_token(pki, b"not this signature")),
    "malformed value set": lambda pki, value: craft.seq(craft.oid(craft.SIGNATURE_TIMESTAMP), craft.tlv(0, 1, 17, b"\x30\x05\x02")),
    "no value": lambda pki, value: craft.seq(craft.oid(craft.SIGNATURE_TIMESTAMP), craft.tlv(0, 1, 17, b"")),
}
_SUBS = {"garbage token": Sub.FORMAT_FAILURE, "token over other data": Sub.HASH_FAILURE,
         "malformed value set": Sub.FORMAT_FAILURE, "no value": Sub.FORMAT_FAILURE}


def _anchors(pki):
    return [pki.root("ecdsa").cert, pki.tsa_root.cert]


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_a_broken_signature_timestamp_is_a_failed_entry_and_a_warning(pki, case):
    sig = _signed(pki, lambda value: BROKEN[case](pki, value))
    report = validate_signature(sig, trust_anchors=_anchors(pki), at=NOW)
    assert report.indication is SI.TOTAL_PASSED, report.reasons  # nothing needed the timestamp
    signer = report.signers[0]
    (ts,) = signer.timestamps
    assert (ts.indication, ts.sub_indication) == (SI.TOTAL_FAILED, _SUBS[case]) and ts.reasons
    assert signer.validation_time_source == "now"
    (warning,) = report.all_warnings
    assert warning.code is WarningCode.SIGNATURE_TIMESTAMP_FAILED
    assert report.to_dict()["signers"][0]["timestamps"][0]["indication"] == "TOTAL-FAILED"
    assert any("timestamp" in r for r in report.reasons)


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_a_deadline_resting_on_a_broken_timestamp_fails(pki, case):
    sig = _signed(pki, lambda value: BROKEN[case](pki, value))
    report = validate_signature(sig, trust_anchors=_anchors(pki), at=NOW, deadline=NOW + timedelta(hours=1))
    assert (report.indication, report.sub_indication) == (SI.TOTAL_FAILED, Sub.SIG_CONSTRAINTS_FAILURE)
    assert "deadline" in report.reasons[-1]


def test_a_broken_timestamp_beside_a_valid_one_still_gives_the_proof(pki):
    sig = _signed(pki, lambda value: _ts_attr(_token(pki, value), _token(pki, b"elsewhere")))
    report = validate_signature(sig, trust_anchors=_anchors(pki), at=NOW + timedelta(days=2),
                                deadline=NOW + timedelta(hours=1))
    assert report.indication is SI.TOTAL_PASSED, report.reasons
    assert sorted(t.indication.value for t in report.signers[0].timestamps) == ["TOTAL-FAILED", "TOTAL-PASSED"]
    assert [w.code for w in report.all_warnings] == [WarningCode.SIGNATURE_TIMESTAMP_FAILED]


def test_an_unverifiable_timestamp_with_a_deadline_stays_indeterminate(pki):
    sig = _signed(pki, lambda value: _ts_attr(_token(pki, value)))
    report = validate_signature(sig, trust_anchors=[pki.root("ecdsa").cert], at=NOW, deadline=NOW + timedelta(hours=1))
    assert (report.indication, report.sub_indication) == (SI.INDETERMINATE, Sub.NO_POE)


def test_a_proof_of_existence_resting_on_a_broken_timestamp_is_missing(pki):
    """The signer's certificate expired after signing: only a valid timestamp could prove the signature earlier."""
    short = issue("short-lived bidder", new_key("ecdsa"), pki.ca("ecdsa"), not_before=NOW - timedelta(days=10),
                  not_after=NOW + timedelta(days=1))
    sig = _signed(pki, lambda value: _ts_attr(_token(pki, b"another signature")), signer=short)
    report = validate_signature(sig, trust_anchors=_anchors(pki), at=NOW + timedelta(days=30))
    assert report.indication is SI.INDETERMINATE
    assert report.sub_indication in (Sub.OUT_OF_BOUNDS_NO_POE, Sub.OUT_OF_BOUNDS_NOT_REVOKED)
    assert report.signers[0].timestamps[0].sub_indication is Sub.HASH_FAILURE
