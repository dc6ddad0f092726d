"""Algorithm expiry (EN 319 102-1 5.6.2.5): a SHA-1 signature needs a POE from before SHA-1's end (2016)."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from tests.cms.pki import hierarchy, issue, new_key
from trustsvc.cms.augment import add_archive_timestamp
from trustsvc.cms.builder import LocalTSA, sign_cms
from trustsvc.reports import SignatureIndication, SubIndication
from trustsvc.validation.signature import validate_signature

T2014, T2040 = datetime(2014, 1, 1, tzinfo=timezone.utc), datetime(2040, 1, 1, tzinfo=timezone.utc)
SIGNED, STAMPED = datetime(2015, 6, 1, tzinfo=timezone.utc), datetime(2015, 7, 1, tzinfo=timezone.utc)
CONTENT = b"a 2015 e-guarantee\n"


@pytest.fixture(scope="module")
def pki():
    root = issue("2014 root", new_key("ecdsa"), None, ca=True, not_before=T2014, not_after=T2040)
    leaf = issue("2014 signer", new_key("ecdsa"), root, not_before=T2014, not_after=T2040)
    tsa = issue("2014 tsa", new_key("ecdsa"), root, tsa=True, not_before=T2014, not_after=T2040)
    return root, leaf, tsa


def _validate(sig, root):
    return validate_signature(sig, content=CONTENT, trust_anchors=[root.cert], revocation="off",
                              at=datetime(2026, 6, 1, tzinfo=timezone.utc))


def test_sha1_signature_without_poe_is_crypto_constraints_failure_no_poe(pki):
    root, leaf, _tsa = pki
    sig = sign_cms(CONTENT, leaf.cert, leaf.key, digest="sha1", signing_time=SIGNED)
    r = _validate(sig, root)
    assert r.indication is SignatureIndication.INDETERMINATE
    assert r.sub_indication is SubIndication.CRYPTO_CONSTRAINTS_FAILURE_NO_POE


def test_sha1_signature_protected_by_an_earlier_archive_timestamp_passes(pki):
    root, leaf, tsa = pki
    sig = sign_cms(CONTENT, leaf.cert, leaf.key, digest="sha1", signing_time=SIGNED)
    stamped = add_archive_timestamp(sig, LocalTSA(tsa.cert, tsa.key, clock=lambda: STAMPED), content=CONTENT)
    r = _validate(stamped, root)
    assert r.indication is SignatureIndication.TOTAL_PASSED, r.reasons
    s = r.signers[0]
    assert s.validation_time == STAMPED and s.validation_time_source == "archive-timestamp"
    assert [t.kind for t in s.timestamps] == ["archive"]


def test_sha1_signature_with_a_2015_signature_timestamp_passes(pki):
    root, leaf, tsa = pki
    sig = sign_cms(CONTENT, leaf.cert, leaf.key, digest="sha1", signing_time=SIGNED,
                   timestamper=LocalTSA(tsa.cert, tsa.key, clock=lambda: SIGNED))
    assert _validate(sig, root).indication is SignatureIndication.TOTAL_PASSED
