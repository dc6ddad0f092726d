"""validate_signature: signed bids and e-guarantees judged at the proven time (EN 319 102-1)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pytest.importorskip("trustsvc.validation.certificate")

from tests.cms.conftest import pki  # noqa: E402,F401  (session fixture)
from tests.cms.pki import NOW, issue, make_crl, new_key  # noqa: E402
from trustsvc import validate_signature  # noqa: E402
from trustsvc.cms.builder import LocalTSA, sign_cms  # noqa: E402
from trustsvc.path.anchor import TrustAnchor  # noqa: E402
from trustsvc.reports import SignatureIndication as SI  # noqa: E402
from trustsvc.reports import SubIndication as Sub  # noqa: E402
from trustsvc.validation.eguarantee import build_payload  # noqa: E402

BID = b"Tender GD-2026-0001 bid: 1,000,000.00 CNY\n" * 10


def _tsa(pki, at=NOW):
    return LocalTSA(pki.tsa.cert, pki.tsa.key, clock=lambda: at)


def _anchors(pki, kind):
    return [pki.root(kind).cert, pki.tsa_root.cert]


def _bid(pki, kind, *, at=NOW, signer=None, detached=True, content=BID, timestamp=True):
    leaf = signer or pki.leaf(kind)
    return sign_cms(content, leaf.cert, leaf.key, detached=detached, signing_time=at,
                    extra_certs=[pki.ca(kind).cert], timestamper=_tsa(pki, at) if timestamp else None)


@pytest.mark.parametrize("kind", ["rsa", "ecdsa", "sm2", "ed25519"])
def test_timestamped_bid_passes_and_is_judged_at_gen_time(pki, kind):
    report = validate_signature(_bid(pki, kind), content=BID, trust_anchors=_anchors(pki, kind), at=NOW + timedelta(days=3))
    assert report.indication is SI.TOTAL_PASSED, report.reasons
    signer = report.signers[0]
    assert signer.validation_time == NOW and signer.validation_time_source == "timestamp"
    assert signer.timestamps[0].passed and signer.timestamps[0].gen_time == NOW
    assert signer.path[-1] == pki.leaf(kind).cert
    d = report.to_dict()
    assert d["indication"] == "TOTAL-PASSED" and d["signers"][0]["validation_time_source"] == "timestamp"


def test_attached_gmt_bid_passes(pki):
    leaf = pki.leaf("sm2")
    sig = sign_cms(BID, leaf.cert, leaf.key, detached=False, gmt_oids=True, extra_certs=[pki.ca("sm2").cert])
    report = validate_signature(sig, trust_anchors=[pki.root("sm2").cert], at=NOW)
    assert report.indication is SI.TOTAL_PASSED, report.reasons
    assert report.signers[0].validation_time_source == "now"


def test_tampered_content_is_hash_failure(pki):
    report = validate_signature(_bid(pki, "rsa"), content=BID + b".", trust_anchors=_anchors(pki, "rsa"), at=NOW)
    assert (report.indication, report.sub_indication) == (SI.TOTAL_FAILED, Sub.HASH_FAILURE)


def test_tampered_signature_is_sig_crypto_failure(pki):
    from trustsvc.cms.signed_data import parse_signed_data

    sig = _bid(pki, "ecdsa", timestamp=False)
    value = parse_signed_data(sig).signers[0].signature
    bad = sig.replace(value, value[:-4] + bytes([value[-4] ^ 0x40]) + value[-3:])
    report = validate_signature(bad, content=BID, trust_anchors=_anchors(pki, "ecdsa"), at=NOW)
    assert (report.indication, report.sub_indication) == (SI.TOTAL_FAILED, Sub.SIG_CRYPTO_FAILURE)


def test_detached_without_content_is_signed_data_not_found(pki):
    report = validate_signature(_bid(pki, "rsa"), trust_anchors=_anchors(pki, "rsa"), at=NOW)
    assert (report.indication, report.sub_indication) == (SI.INDETERMINATE, Sub.SIGNED_DATA_NOT_FOUND)


@pytest.fixture(scope="module")
def short_lived(pki):
    """An ECDSA signer whose certificate expires one day after NOW."""
    return issue("short-lived bidder", new_key("ecdsa"), pki.ca("ecdsa"), not_before=NOW - timedelta(days=30),
                 not_after=NOW + timedelta(days=1))


def test_expired_now_but_valid_at_gen_time_passes(pki, short_lived):
    sig = _bid(pki, "ecdsa", signer=short_lived)
    report = validate_signature(sig, content=BID, trust_anchors=_anchors(pki, "ecdsa"), at=NOW + timedelta(days=60))
    assert report.indication is SI.TOTAL_PASSED, report.reasons


def test_expired_without_timestamp_is_out_of_bounds_no_poe(pki, short_lived):
    sig = _bid(pki, "ecdsa", signer=short_lived, timestamp=False)
    report = validate_signature(sig, content=BID, trust_anchors=_anchors(pki, "ecdsa"), at=NOW + timedelta(days=60))
    assert report.indication is SI.INDETERMINATE
    assert report.sub_indication in (Sub.OUT_OF_BOUNDS_NO_POE, Sub.OUT_OF_BOUNDS_NOT_REVOKED)


def test_signing_time_claim_is_used_only_when_asked_and_reported_as_a_claim(pki, short_lived):
    sig = _bid(pki, "ecdsa", signer=short_lived, timestamp=False)
    report = validate_signature(sig, content=BID, trust_anchors=_anchors(pki, "ecdsa"), at=NOW + timedelta(days=60),
                                use_signing_time_claim=True)
    assert report.signers[0].validation_time_source == "signing-time-claim"
    assert report.signers[0].validation_time == NOW


def test_revoked_before_gen_time_is_revoked(pki):
    leaf = issue("revoked bidder", new_key("rsa"), pki.ca("rsa"))
    crl = make_crl(pki.ca("rsa"), [(leaf.cert, NOW - timedelta(days=2))], this_update=NOW - timedelta(days=1))
    report = validate_signature(_bid(pki, "rsa", signer=leaf), content=BID, trust_anchors=_anchors(pki, "rsa"),
                                crls=[crl], at=NOW + timedelta(days=5))
    assert (report.indication, report.sub_indication) == (SI.TOTAL_FAILED, Sub.REVOKED), report.reasons


def test_revoked_after_gen_time_still_passes(pki):
    leaf = issue("later revoked bidder", new_key("rsa"), pki.ca("rsa"))
    crl = make_crl(pki.ca("rsa"), [(leaf.cert, NOW + timedelta(days=2))], this_update=NOW + timedelta(days=3))
    report = validate_signature(_bid(pki, "rsa", signer=leaf), content=BID, trust_anchors=_anchors(pki, "rsa"),
                                crls=[crl], at=NOW + timedelta(days=5))
    assert report.indication is SI.TOTAL_PASSED, report.reasons


def test_gen_time_after_deadline_fails_naming_both_times(pki):
    deadline = NOW - timedelta(hours=1)
    report = validate_signature(_bid(pki, "sm2"), content=BID, trust_anchors=_anchors(pki, "sm2"), at=NOW, deadline=deadline)
    assert report.indication is SI.TOTAL_FAILED
    text = " ".join(report.reasons)
    assert "2026-03-01T12:00:00Z" in text and "2026-03-01T11:00:00Z" in text


def test_deadline_met(pki):
    report = validate_signature(_bid(pki, "sm2"), content=BID, trust_anchors=_anchors(pki, "sm2"), at=NOW,
                                deadline=(NOW + timedelta(hours=1)).isoformat())
    assert report.indication is SI.TOTAL_PASSED, report.reasons


def test_deadline_without_timestamp_is_indeterminate(pki):
    report = validate_signature(_bid(pki, "rsa", timestamp=False), content=BID, trust_anchors=_anchors(pki, "rsa"),
                                at=NOW, deadline=NOW + timedelta(hours=1))
    assert (report.indication, report.sub_indication) == (SI.INDETERMINATE, Sub.NO_POE)


def test_untrusted_tsa_gives_no_proof_of_time(pki):
    report = validate_signature(_bid(pki, "rsa"), content=BID, trust_anchors=[pki.root("rsa").cert], at=NOW,
                                deadline=NOW + timedelta(hours=1))
    assert report.indication is SI.INDETERMINATE
    assert not report.signers[0].timestamps[0].passed


def test_untrusted_signer_is_no_certificate_chain_found(pki):
    report = validate_signature(_bid(pki, "rsa"), content=BID, trust_anchors=[pki.root("ecdsa").cert, pki.tsa_root.cert], at=NOW)
    assert (report.indication, report.sub_indication) == (SI.INDETERMINATE, Sub.NO_CERTIFICATE_CHAIN_FOUND)


def test_several_signers_each_reported(pki):
    sig = sign_cms(BID, pki.leaf("rsa").cert, pki.leaf("rsa").key, extra_certs=[pki.ca("rsa").cert, pki.ca("sm2").cert],
                   co_signers=[(pki.leaf("sm2").cert, pki.leaf("sm2").key)])
    report = validate_signature(sig, content=BID, trust_anchors=[pki.root("rsa").cert], at=NOW)
    by_signer = {s.signer: s.indication for s in report.signers}  # SignerInfos is a SET OF: any order
    assert by_signer == {pki.leaf("rsa").cert: SI.TOTAL_PASSED, pki.leaf("sm2").cert: SI.INDETERMINATE}
    assert report.indication is SI.INDETERMINATE


GUARANTEE = dict(guarantee_number="MOB-1", issuer="Banco Demo", beneficiary="GD Trading Centre", tender_id="GD-2026-0001",
                 amount="500000.00", currency="CNY", valid_from="2026-03-01T00:00:00Z", valid_until="2026-09-01T00:00:00Z")


def test_eguarantee_matching_expected_passes(pki):
    leaf = pki.leaf("ecdsa")
    sig = sign_cms(build_payload(**GUARANTEE), leaf.cert, leaf.key, detached=False, extra_certs=[pki.ca("ecdsa").cert])
    report = validate_signature(sig, trust_anchors=[pki.root("ecdsa").cert], at=NOW,
                                expected={"amount": "500000", "currency": "CNY", "tender_id": "GD-2026-0001"})
    assert report.indication is SI.TOTAL_PASSED, report.reasons
    assert report.to_dict()["signers"][0]["eguarantee"]["amount"] == "500000.00"


@pytest.mark.parametrize("lang,word", [("en", "amount"), ("zh-Hans", "电子保函"), ("zh-Hant", "電子保函")])
def test_eguarantee_mismatch_fails_naming_the_field(pki, lang, word):
    leaf = pki.leaf("ecdsa")
    sig = sign_cms(build_payload(**GUARANTEE), leaf.cert, leaf.key, detached=False, extra_certs=[pki.ca("ecdsa").cert])
    report = validate_signature(sig, trust_anchors=[pki.root("ecdsa").cert], at=NOW, lang=lang,
                                expected={"amount": "600000.00"})
    assert report.indication is SI.TOTAL_FAILED
    assert "amount" in report.reasons[-1] and word in report.reasons[-1]


def test_eguarantee_usage_needs_a_valid_payload(pki):
    leaf = pki.leaf("ecdsa")
    sig = sign_cms(b"not json", leaf.cert, leaf.key, detached=False, extra_certs=[pki.ca("ecdsa").cert])
    report = validate_signature(sig, trust_anchors=[pki.root("ecdsa").cert], at=NOW, expected={})
    assert report.indication is SI.TOTAL_FAILED


# --- trust lists: the TSA must be a TSA service granted for timestamping ----------------------

@dataclass
class _Rec:
    recognised: bool
    reason: str
    snapshot_id: str = "test-snapshot"

    def to_dict(self):
        return {"recognised": self.recognised, "reason": self.reason, "snapshot_id": self.snapshot_id}


class FakeStore:
    """A stand-in TrustStore: `services` maps a certificate to (service type, usages)."""

    snapshot_id = "test-snapshot"

    def __init__(self, services):
        self.services = services

    def anchors(self):
        return [TrustAnchor(c, source="trust-list") for c in self.services]

    def recognise(self, path, *, usage, at, service_types=None):
        for cert in reversed(path):
            if cert in self.services:
                stype, usages = self.services[cert]
                if service_types is not None and stype not in service_types:
                    continue
                ok = usage is None or usage in usages
                return _Rec(ok, f"{stype} {'granted' if ok else 'not granted'} for {usage}")
        return _Rec(False, "no listed service on the path")


TSA_TYPE = "http://uri.etsi.org/TrstSvc/Svctype/TSA/QTST"
CA_TYPE = "http://uri.etsi.org/TrstSvc/Svctype/CA/PKC"


def test_tsa_listed_as_tsa_service_gives_proof_of_time(pki):
    store = FakeStore({pki.root("rsa").cert: (CA_TYPE, ("e-tendering",)), pki.tsa.cert: (TSA_TYPE, ("timestamping",))})
    report = validate_signature(_bid(pki, "rsa"), content=BID, trust=store, usage="e-tendering", at=NOW + timedelta(days=1),
                                deadline=NOW + timedelta(hours=1))
    assert report.indication is SI.TOTAL_PASSED, report.reasons
    assert report.signers[0].timestamps[0].recognition.recognised


def test_tsa_not_in_trust_list_is_not_accepted(pki):
    # The TSA's root is listed, but only as a CA service: no TSA-type service for timestamping.
    store = FakeStore({pki.root("rsa").cert: (CA_TYPE, ("e-tendering",)), pki.tsa_root.cert: (CA_TYPE, ("e-tendering",))})
    report = validate_signature(_bid(pki, "rsa"), content=BID, trust=store, usage="e-tendering", at=NOW,
                                deadline=NOW + timedelta(hours=1))
    ts = report.signers[0].timestamps[0]
    assert not ts.passed and ts.sub_indication is Sub.NO_CERTIFICATE_CHAIN_FOUND
    assert report.indication is SI.INDETERMINATE


# --- hostile input never raises ---------------------------------------------------------------

@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(blob=st.binary(max_size=400))
def test_random_bytes_are_format_failure(blob):
    report = validate_signature(blob, content=BID, at=NOW)
    assert report.indication in (SI.TOTAL_FAILED, SI.INDETERMINATE)


_SIG: dict = {}


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_mutated_signatures_never_raise(pki, data):
    sig = _SIG.setdefault("s", _bid(pki, "ecdsa"))
    pos = data.draw(st.integers(0, len(sig) - 1))
    mutated = sig[:pos] + bytes([data.draw(st.integers(0, 255))]) + sig[pos + 1:]
    report = validate_signature(mutated, content=BID, trust_anchors=_anchors(pki, "ecdsa"), at=NOW)
    assert report.indication in (SI.TOTAL_PASSED, SI.TOTAL_FAILED, SI.INDETERMINATE)
    report.to_dict()
