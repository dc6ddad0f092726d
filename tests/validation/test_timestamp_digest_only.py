"""validate_timestamp(..., digest=(algorithm, value)): a token over data known only by its digest (RFC 3161 2.4.2)."""

from __future__ import annotations

import hashlib

import pytest

from tests.cms.conftest import pki  # noqa: F401  (session fixture)
from tests.cms.pki import NOW
from trustsvc import validate_timestamp
from trustsvc.cms.builder import LocalTSA
from trustsvc.reports import SignatureIndication as SI
from trustsvc.reports import SubIndication as Sub

DATA = b"Tender MO-2026-0005 bid, timestamped on its own\n" * 5


@pytest.fixture(scope="module")
def token(pki):
    return LocalTSA(pki.tsa.cert, pki.tsa.key, clock=lambda: NOW)(hashlib.sha256(DATA).digest(), "sha256")


def _check(pki, token, **kw):
    return validate_timestamp(token, trust_anchors=[pki.tsa_root.cert], **kw)


@pytest.mark.parametrize("algorithm", ["sha256", "SHA-256", "2.16.840.1.101.3.4.2.1"])
@pytest.mark.parametrize("as_hex", [False, True])
def test_named_digest_verifies_like_the_content(pki, token, algorithm, as_hex):
    value = hashlib.sha256(DATA).hexdigest() if as_hex else hashlib.sha256(DATA).digest()
    report = _check(pki, token, digest=(algorithm, value))
    assert report.indication is SI.TOTAL_PASSED and report.imprint_checked, report.reasons
    assert _check(pki, token, content=DATA).indication is SI.TOTAL_PASSED


def test_bare_digest_keywords_still_work(pki, token):
    assert _check(pki, token, digest=hashlib.sha256(DATA).hexdigest()).passed
    assert _check(pki, token, digest=hashlib.sha256(DATA).digest()).passed


def test_a_wrong_named_digest_is_a_hash_failure(pki, token):
    report = _check(pki, token, digest=("sha256", hashlib.sha256(DATA + b"!").digest()))
    assert (report.indication, report.sub_indication) == (SI.TOTAL_FAILED, Sub.HASH_FAILURE)


@pytest.mark.parametrize("digest", [("sha512", hashlib.sha512(DATA).digest()), ("sha256", b"\x01" * 20),
                                    ("sha256", "zz"), ("md4-ish", "00"), ("sha256",)])
def test_another_algorithm_or_a_malformed_digest_is_a_format_failure(pki, token, digest):
    report = _check(pki, token, digest=digest)
    assert (report.indication, report.sub_indication) == (SI.TOTAL_FAILED, Sub.FORMAT_FAILURE)
    assert report.reasons
