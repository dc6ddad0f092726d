"""Bridge cross-certification on the demo GBA PKI: path building and policy mapping through the bridge."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from trustsvc.demo.pki import NAMESPACES, POLICIES, DemoPKI
from trustsvc.reports import Indication
from trustsvc.validation.certificate import validate_certificate
from trustsvc.x509.builder import build_certificate

NOW = datetime(2026, 1, 1, tzinfo=timezone.utc)
AT = NOW + timedelta(days=30)


@pytest.fixture(scope="module")
def pki() -> DemoPKI:
    return DemoPKI(NOW)


def _pool(pki: DemoPKI, *, skip: tuple[str, ...] = ()) -> list:
    return [e.certificate for k, e in pki.entities.items() if k not in skip]


def _validate(pki, leaf="hk-leaf", anchor="gd-root", pool=None, **kw):
    return validate_certificate(pki.entities[leaf].certificate, intermediates=pool or _pool(pki, skip=(anchor,)),
                                trust_anchors=[pki.entities[anchor].certificate], at=AT, revocation="off", **kw)


def test_hk_leaf_validates_for_gd_relying_party_through_the_bridge(pki):
    report = _validate(pki, initial_policy_set=[POLICIES["CN-GD"]], explicit_policy=True)
    assert report.indication is Indication.PASSED, report.reasons
    subjects = [c.subject_str for c in report.path]
    assert "GBA Bridge" in subjects[1] and "HK Demo Root" in subjects[2]
    assert report.user_constrained_policy_set == {POLICIES["CN-GD"]}


def test_every_jurisdiction_pair_validates_through_the_bridge(pki):
    for leaf, anchor, policy in [("gd-leaf", "hk-root", "HK"), ("mo-leaf", "gd-root", "CN-GD"), ("hk-leaf", "mo-root", "MO")]:
        report = _validate(pki, leaf=leaf, anchor=anchor, initial_policy_set=[POLICIES[policy]], explicit_policy=True)
        assert report.indication is Indication.PASSED, (leaf, anchor, report.reasons)
        assert report.user_constrained_policy_set == {POLICIES[policy]}


def test_policy_mapping_inhibit_breaks_the_bridge_path(pki):
    report = _validate(pki, initial_policy_set=[POLICIES["CN-GD"]], explicit_policy=True, policy_mapping_inhibit=True)
    assert report.indication is not Indication.PASSED
    assert any("policy" in r for r in report.reasons)


def test_name_constraint_excluding_the_leaf_fails(pki):
    bridge, gd_root, hk_root = pki.entities["bridge"], pki.entities["gd-root"], pki.entities["hk-root"]
    # The bridge vouches for the HK root but excludes the HK namespace: the HK leaf must not validate.
    narrow = build_certificate(
        subject=hk_root.certificate.subject, issuer=bridge.certificate.subject,
        public_key_info=hk_root.signer.public_key_info, signer=bridge.signer, not_before=NOW - timedelta(days=1),
        not_after=NOW + timedelta(days=365), ca=True, policies=[POLICIES["GBA"]],
        policy_mappings=[(POLICIES["GBA"], POLICIES["HK"])], excluded_subtrees=[NAMESPACES["HK"]],
    )
    pool = [c for c in _pool(pki, skip=("gd-root", "hk-root-by-bridge"))] + [narrow]
    report = _validate(pki, pool=pool)
    assert report.indication is not Indication.PASSED
    assert any("name constraints" in r for r in report.reasons), report.reasons


def test_cross_certificate_cycles_terminate(pki):
    # An anchor nobody chains to: the builder must walk the bridge <-> root cycles and stop.
    other = pki.entities["gd-tsa"].certificate
    report = validate_certificate(pki.entities["hk-leaf"].certificate, intermediates=_pool(pki) * 3,
                                  trust_anchors=[other], at=AT, revocation="off")
    assert report.indication is Indication.INDETERMINATE
    assert report.attempts
