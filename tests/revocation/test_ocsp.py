"""check_ocsp_response: RFC 6960 response validation for SM2, RSA and ECDSA, at a validation time."""

from __future__ import annotations

from datetime import timedelta

import pytest
from asn1crypto import ocsp

from tests.revocation.revocation_fixtures import NOW
from trustsvc.demo.revocation import generate_key, issue_certificate, make_ocsp_response, ocsp_error_response
from trustsvc.revocation.ocsp import build_ocsp_request, cert_id, check_ocsp_response
from trustsvc.x509.algorithm_policy import AlgorithmPolicy

JURISDICTIONS = ["gd", "hk", "mo"]


def _resp(j, status="good", *, by_ca=False, hash_algorithm="sha1", **kw):
    signer, key = (j.ca, j.ca_key) if by_ca else (j.responder, j.responder_key)
    kw.setdefault("this_update", NOW - timedelta(minutes=1))
    kw.setdefault("next_update", NOW + timedelta(hours=1))
    return make_ocsp_response(j.leaf.serial_number, j.ca, signer, kw.pop("key", key), status=status,
                              hash_algorithm=hash_algorithm, **kw)


@pytest.mark.parametrize("tag", JURISDICTIONS)
@pytest.mark.parametrize("by_ca", [True, False], ids=["ca-signed", "delegated"])
def test_good_response_from_ca_or_delegated_responder(lab, tag, by_ca):
    j = lab.j[tag]
    result = check_ocsp_response(j.leaf, j.ca, _resp(j, by_ca=by_ca), at=NOW)
    assert result.status == "good", result.error
    assert result.evidence.kind == "ocsp" and result.evidence.status == "good"
    assert result.evidence.sha256 and result.evidence.produced_at is not None
    assert result.responder_unchecked is None  # id-pkix-ocsp-nocheck present


@pytest.mark.parametrize("tag", JURISDICTIONS)
def test_revoked_before_validation_time_is_revoked_with_reason_and_time(lab, tag):
    j = lab.j[tag]
    when = NOW - timedelta(days=2)
    result = check_ocsp_response(j.leaf, j.ca, _resp(j, "revoked", revocation_time=when, reason="key_compromise"),
                                 at=NOW)
    assert (result.status, result.revocation_time, result.reason) == ("revoked", when, "key_compromise")


def test_revoked_after_validation_time_is_not_revoked_at_that_time(lab):
    j = lab.j["gd"]
    der = _resp(j, "revoked", revocation_time=NOW - timedelta(days=2), reason="superseded")
    result = check_ocsp_response(j.leaf, j.ca, der, at=NOW - timedelta(days=3))
    assert result.status == "good"
    assert result.revocation_time == NOW - timedelta(days=2)


def test_unknown_status(lab):
    j = lab.j["hk"]
    assert check_ocsp_response(j.leaf, j.ca, _resp(j, "unknown"), at=NOW).status == "unknown"


@pytest.mark.parametrize("hash_algorithm", ["sha1", "sha256"])
def test_sha1_and_sha256_cert_ids(lab, hash_algorithm):
    j = lab.j["mo"]
    assert check_ocsp_response(j.leaf, j.ca, _resp(j, hash_algorithm=hash_algorithm), at=NOW).status == "good"


def test_response_for_another_certificate_does_not_match(lab):
    j = lab.j["mo"]
    result = check_ocsp_response(j.leaf2, j.ca, _resp(j), at=NOW)
    assert (result.status, result.problem) == ("invalid", "no-match")


def test_stale_response_is_invalid(lab):
    j = lab.j["gd"]
    der = _resp(j, this_update=NOW - timedelta(days=8), next_update=NOW - timedelta(days=1))
    result = check_ocsp_response(j.leaf, j.ca, der, at=NOW)
    assert (result.status, result.problem) == ("invalid", "stale")
    # ...but it was a fine answer for a validation time inside its window
    assert check_ocsp_response(j.leaf, j.ca, der, at=NOW - timedelta(days=4)).status == "good"


def test_freshness_window_limits_the_age_of_this_update(lab):
    j = lab.j["hk"]
    der = _resp(j, this_update=NOW - timedelta(hours=5), next_update=NOW + timedelta(days=1))
    assert check_ocsp_response(j.leaf, j.ca, der, at=NOW).status == "good"
    result = check_ocsp_response(j.leaf, j.ca, der, at=NOW, freshness=timedelta(hours=1))
    assert result.problem == "stale"


def test_without_next_update_a_default_maximum_age_applies(lab):
    j = lab.j["hk"]
    old = _resp(j, this_update=NOW - timedelta(days=3), next_update=None)
    assert check_ocsp_response(j.leaf, j.ca, old, at=NOW).problem == "stale"
    fresh = _resp(j, this_update=NOW - timedelta(minutes=3), next_update=None)
    assert check_ocsp_response(j.leaf, j.ca, fresh, at=NOW).status == "good"


@pytest.mark.parametrize("tag", JURISDICTIONS)
def test_wrong_responder_key_fails_the_signature(lab, tag):
    j = lab.j[tag]
    other = generate_key({"gd": "sm2", "hk": "rsa", "mo": "ecdsa"}[tag])
    result = check_ocsp_response(j.leaf, j.ca, _resp(j, key=other), at=NOW)
    assert (result.status, result.problem) == ("invalid", "signature")


@pytest.mark.parametrize("tag", ["gd", "mo"])
def test_delegated_responder_without_ocsp_signing_eku_is_refused(lab, tag):
    j = lab.j[tag]
    key = generate_key("sm2" if tag == "gd" else "ecdsa")
    rogue = issue_certificate("No EKU responder", key, j.ca, j.ca_key, ocsp_signing=False, nocheck=True,
                              not_before=NOW - timedelta(days=1), not_after=NOW + timedelta(days=1))
    der = make_ocsp_response(j.leaf.serial_number, j.ca, rogue, key, this_update=NOW, next_update=NOW + timedelta(hours=1))
    result = check_ocsp_response(j.leaf, j.ca, der, at=NOW)
    assert (result.status, result.problem) == ("invalid", "responder")
    assert "id-kp-OCSPSigning" in result.error


def test_responder_certified_by_another_ca_is_refused(lab):
    gd, mo = lab.j["gd"], lab.j["mo"]
    der = make_ocsp_response(gd.leaf.serial_number, gd.ca, mo.responder, mo.responder_key, this_update=NOW,
                             next_update=NOW + timedelta(hours=1))
    assert check_ocsp_response(gd.leaf, gd.ca, der, at=NOW).problem == "responder"


def test_responder_without_nocheck_is_flagged_for_its_own_status_check(lab):
    j = lab.j["mo"]
    key = generate_key("ecdsa")
    responder = issue_certificate("Checked responder", key, j.ca, j.ca_key, ocsp_signing=True, nocheck=False,
                                  not_before=NOW - timedelta(days=1), not_after=NOW + timedelta(days=1))
    der = make_ocsp_response(j.leaf.serial_number, j.ca, responder, key, this_update=NOW,
                             next_update=NOW + timedelta(hours=1), by_key=False)
    result = check_ocsp_response(j.leaf, j.ca, der, at=NOW)
    assert result.status == "good"
    assert result.responder_unchecked == responder


def test_nonce_is_optional_but_must_match_when_present(lab):
    j = lab.j["gd"]
    assert check_ocsp_response(j.leaf, j.ca, _resp(j), at=NOW, nonce=b"n" * 16).status == "good"
    der = _resp(j, nonce=b"a" * 16)
    assert check_ocsp_response(j.leaf, j.ca, der, at=NOW, nonce=b"a" * 16).status == "good"
    assert check_ocsp_response(j.leaf, j.ca, der, at=NOW, nonce=b"b" * 16).problem == "nonce"


def test_error_statuses_and_garbage_are_invalid_not_exceptions(lab):
    j = lab.j["hk"]
    assert check_ocsp_response(j.leaf, j.ca, ocsp_error_response("try_later"), at=NOW).problem == "try-later"
    assert check_ocsp_response(j.leaf, j.ca, ocsp_error_response("unauthorized"), at=NOW).problem == "not-successful"
    for junk in (b"", b"\x30\x03\x0a\x01\x00", b"garbage" * 10):
        result = check_ocsp_response(j.leaf, j.ca, junk, at=NOW)
        assert result.status == "invalid" and result.error


def test_algorithm_policy_is_applied_at_produced_at(lab):
    j = lab.j["hk"]
    strict = AlgorithmPolicy(key_size_until={"rsa": ((4096, None),)})  # RSA-2048 responder key refused
    assert check_ocsp_response(j.leaf, j.ca, _resp(j), at=NOW, algorithm_policy=strict).problem == "algorithm"


def test_request_carries_cert_id_and_nonce(lab):
    j = lab.j["gd"]
    der, nonce = build_ocsp_request(j.leaf, j.ca, hash_algorithm="sha256")
    req = ocsp.OCSPRequest.load(der)
    cid = req["tbs_request"]["request_list"][0]["req_cert"]
    assert cid.dump() == cert_id(j.leaf, j.ca, "sha256").dump()
    assert req["tbs_request"]["request_extensions"][0]["extn_value"].parsed.native == nonce
