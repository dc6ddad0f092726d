"""Detached content given only as its digest: `validate_signature(..., digest=(algorithm, value))` (RFC 5652 5.4)."""

from __future__ import annotations

import hashlib

import pytest

from trustsvc.cms.signed_data import compute_digest, parse_signed_data
from trustsvc.trustlist.store import load_trust_store
from trustsvc.validation.signature import validate_signature


@pytest.fixture(scope="module")
def bid(tmp_path_factory):
    from trustsvc.demo.init import init_demo

    demo = tmp_path_factory.mktemp("digest-demo")
    init_demo(demo)
    sig = (demo / "bids" / "hk-bid.p7s").read_bytes()
    content = (demo / "bids" / "hk-bid.txt").read_bytes()
    return sig, content, load_trust_store(demo / "trust_lists")


def test_digest_only_content_verifies_like_the_content(bid):
    sig, content, store = bid
    name = parse_signed_data(sig).signers[0].digest_algorithm
    full = validate_signature(sig, content=content, trust=store, usage="e-tendering")
    for given in ((name, compute_digest(name, content)), (name, compute_digest(name, content).hex()),
                  compute_digest(name, content)):
        by_digest = validate_signature(sig, digest=given, trust=store, usage="e-tendering")
        assert by_digest.indication.value == full.indication.value == "TOTAL-PASSED"


def test_a_wrong_digest_fails_and_another_algorithm_is_refused(bid):
    sig, content, store = bid
    name = parse_signed_data(sig).signers[0].digest_algorithm
    wrong = validate_signature(sig, digest=(name, compute_digest(name, content + b"x")), trust=store)
    assert wrong.indication.value == "TOTAL-FAILED" and wrong.sub_indication.value == "HASH_FAILURE"
    other = "sha512" if name != "sha512" else "sha256"
    refused = validate_signature(sig, digest=(other, hashlib.new(other, content).digest()), trust=store)
    assert refused.indication.value != "TOTAL-PASSED"
    bad = validate_signature(sig, digest=("sha256", "not hex"), trust=store)
    assert bad.sub_indication.value == "FORMAT_FAILURE"
