"""Every parser and validator entry survives random bytes and near-miss mutations of valid samples.

Property: the call returns a report/result that names its failure, or raises a `TrustsvcError`
(the documented typed errors); never any other exception. Bounded: a few hundred inputs a target.
The long run is `python tools/fuzz/run.py --minutes N`.
"""

from __future__ import annotations

import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.fuzz.targets import Corpus, mutate, mutate_json, run_one

TARGETS = ["load_certificate", "load_crl", "validate_certificate.ee", "validate_certificate.intermediate",
           "validate_certificate.crl", "check_ocsp_response", "validate_certificate.ocsp", "validate_signature",
           "validate_timestamp", "trustlist.accept_json", "trustlist.accept_lotl_json",
           "trustlist.import_xml_pinned", "trustlist.import_xml_unpinned"]

FUZZ = settings(max_examples=150, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


def _assert_ok(corpus: Corpus, name: str, data: bytes) -> None:
    crash = run_one(corpus.targets[name], data)
    assert crash is None, f"{name}: {type(crash).__name__}: {crash!s:.300} on input {data[:64]!r}..."


def test_every_target_accepts_its_valid_seeds(corpus):
    assert sorted(corpus.targets) == sorted(TARGETS)
    for name in TARGETS:
        for seed in corpus.targets[name].seeds:
            _assert_ok(corpus, name, seed)


@pytest.mark.parametrize("name", TARGETS)
@FUZZ
@given(data=st.binary(max_size=600))
def test_random_bytes(corpus, name, data):
    _assert_ok(corpus, name, data)


@pytest.mark.parametrize("name", TARGETS)
@FUZZ
@given(seed_index=st.integers(0, 50), rng_seed=st.integers(0, 2**32 - 1), rounds=st.sampled_from([1, 1, 2, 3, 8]))
def test_mutated_valid_samples(corpus, name, seed_index, rng_seed, rounds):
    target = corpus.targets[name]
    rnd = random.Random(rng_seed)
    seed = target.seeds[seed_index % len(target.seeds)]
    data = mutate_json(seed, rnd) if target.json_aware and rounds == 1 else mutate(seed, rnd, rounds)
    _assert_ok(corpus, name, data)


def test_truncated_signing_time_attribute_is_not_a_crash(corpus):
    """The first crash fuzzing found: a corrupted signingTime length inside signedAttrs."""
    from asn1crypto import cms

    target = corpus.targets["validate_signature"]
    for seed in target.seeds:
        ci = cms.ContentInfo.load(seed)
        raw = seed
        for si in ci["content"]["signer_infos"]:
            for attr in si["signed_attrs"]:
                if attr["type"].native == "signing_time":
                    body = attr["values"].dump()
                    at = raw.find(body)
                    if at >= 0:
                        # SET (0x31) length byte -> larger than what follows
                        raw = raw[:at + 1] + bytes([0x59]) + raw[at + 2:]
        _assert_ok(corpus, "validate_signature", raw)
