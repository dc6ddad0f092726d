"""trustsvc's own path engine over the demo PKI: every relying root reaches every foreign leaf via the bridge."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from trustsvc.demo.pki import NAMESPACES, POLICIES
from trustsvc.x509 import load_certificate
from trustsvc.x509.builder import Signer, build_certificate

vc = pytest.importorskip("trustsvc.validation.certificate", reason="path engine not landed yet")
from trustsvc.reports import Indication  # noqa: E402

TERRITORY = {"gd": "CN-GD", "hk": "HK", "mo": "MO"}
PAIRS = [(r, f) for r in TERRITORY for f in TERRITORY if r != f]


def _c(d, index, ident):
    return load_certificate((d / index["entities"][ident]["cert_der"]).read_bytes())


def _pool(d, index):
    # Every CA and cross-certificate (SM2 ones included): the engine must pick the right candidates.
    return [_c(d, index, i) for i, e in index["entities"].items() if e["role"] in ("ca", "cross")]


@pytest.mark.parametrize("relying,foreign", PAIRS)
def test_foreign_leaf_validates_through_the_bridge_with_policy_mapping(demo_pki, relying, foreign):
    d, index = demo_pki
    at = datetime.fromisoformat(index["created_at"]) + timedelta(hours=1)
    r = vc.validate_certificate(_c(d, index, f"{foreign}-leaf"), intermediates=_pool(d, index),
                                trust_anchors=[_c(d, index, f"{relying}-root")], at=at,
                                initial_policy_set={POLICIES[TERRITORY[relying]]}, explicit_policy=True,
                                revocation="soft-fail")
    assert r.indication == Indication.PASSED, r.reasons
    assert [c.sha256 for c in r.path] == [_c(d, index, i).sha256 for i in (
        f"{relying}-root", f"bridge-by-{relying}-root", f"{foreign}-root-by-bridge", f"{foreign}-ca",
        f"{foreign}-leaf")]


def test_bridge_cannot_vouch_for_the_relying_partys_own_names(demo_pki):
    d, index = demo_pki
    at = datetime.fromisoformat(index["created_at"]) + timedelta(hours=1)
    bridge = _c(d, index, "bridge")
    bridge_key = Signer.from_pem((d / index["entities"]["bridge"]["key"]).read_bytes())
    key = Signer.generate("ecdsa-p256")
    rogue = build_certificate(subject={**NAMESPACES["HK"], "common_name": "Rogue HK signer"}, issuer=bridge.subject,
                              public_key_info=key.public_key_info, signer=bridge_key,
                              not_before=at - timedelta(hours=2), not_after=at + timedelta(days=30),
                              policies=[POLICIES["GBA"]])
    r = vc.validate_certificate(rogue, intermediates=[_c(d, index, "bridge-by-hk-root")],
                                trust_anchors=[_c(d, index, "hk-root")], at=at, revocation="soft-fail")
    assert r.indication != Indication.PASSED
    assert any("name" in reason.lower() or "subtree" in reason.lower() for reason in r.reasons), r.reasons
