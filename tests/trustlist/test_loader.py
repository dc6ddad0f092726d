"""Fail-closed acceptance: each rejection carries its precise code and reason."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from trustsvc.trustlist.jws import canonical_json
from trustsvc.trustlist.loader import TrustListRejected, TrustState, accept_list, list_health
from tests.trustlist.conftest import T0, hk_list, lotl, signed


def _reject(state, doc, at=T0, **kw) -> TrustListRejected:
    with pytest.raises(TrustListRejected) as exc:
        accept_list(state, doc, at=at, **kw)
    return exc.value


def test_member_list_signed_by_pinned_operator_is_accepted(pki, state):
    accepted = accept_list(state, signed(hk_list(pki), pki.ops["HK"]), at=T0)
    assert accepted.territory == "HK" and accepted.sequence_number == 1 and len(accepted.sha256) == 64


def test_sm2_operator_list_is_accepted(pki, state):
    from trustsvc.trustlist.model import TrustList

    gd = TrustList("CN-GD", "Guangdong", "GD operator", 1, T0, T0 + timedelta(days=30))
    doc = signed(gd, pki.ops["CN-GD"])
    assert json.loads(doc)["jws"] and accept_list(state, doc, at=T0).signer == pki.ops["CN-GD"][1]


def test_rollback_is_rejected(pki, state):
    state = state.with_list(accept_list(state, signed(hk_list(pki, 5), pki.ops["HK"]), at=T0))
    for seq in (5, 4):
        err = _reject(state, signed(hk_list(pki, seq), pki.ops["HK"]))
        assert err.code == "rollback" and f"{seq} is not greater than the accepted 5" in str(err)
    assert accept_list(state, signed(hk_list(pki, 6), pki.ops["HK"]), at=T0).sequence_number == 6


def test_wrong_signer_is_rejected(pki, state):
    err = _reject(state, signed(hk_list(pki), pki.rogue))
    assert err.code == "unpinned_signer" and "Rogue" in str(err)
    # Another territory's operator cannot sign HK's list either.
    assert _reject(state, signed(hk_list(pki), pki.ops["MO"])).code == "unpinned_signer"


def test_tampered_list_is_rejected(pki, state):
    doc = json.loads(signed(hk_list(pki), pki.ops["HK"]))
    doc["trust_list"]["services"][0]["usages"].append("e-guarantee")
    err = _reject(state, canonical_json(doc))
    assert err.code == "bad_signature"


def test_garbage_is_malformed(pki, state):
    assert _reject(state, b"{not json").code == "malformed"
    assert _reject(state, b'{"trust_list": {}}').code == "malformed"
    doc = json.loads(signed(hk_list(pki), pki.ops["HK"]))
    doc["jws"] = doc["jws"].replace(".", "x", 1)
    assert _reject(state, canonical_json(doc)).code == "malformed"


def test_expired_list_is_rejected_after_grace_and_health_reports_it(pki, state):
    doc = signed(hk_list(pki, next_update=T0 + timedelta(days=1)), pki.ops["HK"])
    accepted = accept_list(state, doc, at=T0 + timedelta(days=1, hours=23))  # within 24 h grace
    assert list_health(accepted, at=T0 + timedelta(days=1, hours=23)).status == "due"
    assert list_health(accepted, at=T0 + timedelta(days=3)).status == "expired"
    err = _reject(state, doc, at=T0 + timedelta(days=2, minutes=1))
    assert err.code == "expired" and "next update was due 2026-01-02T00:00:00Z" in str(err)
    # grace is configurable
    assert _reject(state, doc, at=T0 + timedelta(days=1, hours=2), grace=timedelta(hours=1)).code == "expired"


def test_member_list_without_lotl_is_rejected(pki):
    err = _reject(TrustState((pki.ops["GBA"][1],)), signed(hk_list(pki), pki.ops["HK"]))
    assert err.code == "no_lotl"


def test_lotl_needs_the_bootstrap_pin(pki):
    err = _reject(TrustState((pki.ops["GBA"][1],)), signed(lotl(pki), pki.rogue))
    assert err.code == "unpinned_signer"


def test_member_key_rotation_announced_by_old_key(pki, state):
    new_key = pki.hk_next
    assert _reject(state, signed(hk_list(pki, 1), new_key)).code == "unpinned_signer"
    # seq 2, signed by the current key, announces the next key
    state = state.with_list(accept_list(state, signed(hk_list(pki, 2, announced=[new_key[1]]), pki.ops["HK"]), at=T0))
    # seq 3 signed by the announced key is accepted
    state = state.with_list(accept_list(state, signed(hk_list(pki, 3), new_key), at=T0))
    assert state.lists["HK"].signer == new_key[1]
    # seq 3 did not announce the key again and the LOTL pins the old key: the new key is no longer pinned
    assert _reject(state, signed(hk_list(pki, 4), new_key)).code == "unpinned_signer"
    assert accept_list(state, signed(hk_list(pki, 4), pki.ops["HK"]), at=T0).sequence_number == 4


def test_lotl_key_rotation(pki, state):
    old, new = pki.ops["GBA"], pki.gba_next
    # An LOTL signed by the new GBA key is refused until announced...
    assert _reject(state, signed(lotl(pki, 2), new)).code == "unpinned_signer"
    # ...the old key signs seq 2 pinning the new key for GBA (its own pointer)...
    state = state.with_list(accept_list(state, signed(lotl(pki, 2, gba_pins=[new[1]]), old), at=T0))
    # ...then the new key signs seq 3, and the old key is no longer accepted.
    state = state.with_list(accept_list(state, signed(lotl(pki, 3, gba_pins=[new[1]]), new), at=T0))
    assert _reject(state, signed(lotl(pki, 4), old)).code == "unpinned_signer"


def test_lotl_repins_member_key(pki, state):
    new = pki.hk_next
    state = state.with_list(accept_list(state, signed(lotl(pki, 2, hk_pins=[new[1]]), pki.ops["GBA"]), at=T0))
    assert accept_list(state, signed(hk_list(pki), new), at=T0).signer == new[1]
    assert _reject(state, signed(hk_list(pki), pki.ops["HK"])).code == "unpinned_signer"



_json = st.recursive(
    st.none() | st.integers() | st.text(max_size=8),
    lambda kids: st.lists(kids, max_size=3) | st.dictionaries(
        st.sampled_from(["jws", "trust_list", "format", "territory", "services", "history", "identities",
                         "sequence_number", "issued_at", "next_update", "name", "type", "status", "start",
                         "pointers"]), kids, max_size=5),
    max_leaves=20)


def test_hostile_documents_only_ever_raise_rejections(pki, state):
    good = json.loads(signed(hk_list(pki), pki.ops["HK"]))

    @settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
    @given(junk=_json, key=st.sampled_from(["trust_list", "format", "services", "sequence_number", "issued_at",
                                            "territory"]))
    def check(junk, key):
        doc = json.loads(json.dumps(good))
        if key == "trust_list":
            doc[key] = junk
        else:
            doc["trust_list"][key] = junk
        try:  # plain JSON: junk RFC 8785 cannot canonicalise (integers beyond 2^53) must be rejected too
            accept_list(state, json.dumps(doc).encode(), at=T0)
        except TrustListRejected as exc:
            assert exc.code in TrustListRejected.codes

    check()
    assert _reject(state, b"[" * 100000).code == "malformed"
    huge = json.loads(json.dumps(good))
    huge["trust_list"]["sequence_number"] = 2**60  # not canonical JSON (RFC 8785 3.2.2.3): refused, not a crash
    assert _reject(state, json.dumps(huge).encode()).code in TrustListRejected.codes


def test_list_signed_under_an_expired_operator_certificate_is_rejected(pki, state):
    from trustsvc.trustlist.operator_keys import issue_operator_certificate

    key = pki.ops["HK"][0]  # the pinned key, but re-certified with a validity that ended before the list was issued
    expired = issue_operator_certificate(key, name="HK operator", territory="HK",
                                         not_before=T0 - timedelta(days=400), not_after=T0 - timedelta(days=1))
    err = _reject(state, signed(hk_list(pki), (key, expired)))
    assert err.code == "signer_not_valid" and "outside its signer's certificate validity" in str(err)
