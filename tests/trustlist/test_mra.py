"""Mutual recognition the EU way (TS 119 612 MRA on a pointer) and attribution that follows the issuer."""

from __future__ import annotations

import json
from datetime import timedelta

from trustsvc.demo.pki import NAMESPACES, POLICIES, DemoPKI
from trustsvc.demo.trust_lists import MO_GUARANTEE_ASI
from trustsvc.reports import Indication
from trustsvc.trustlist.loader import AcceptedList
from trustsvc.trustlist.model import (
    SERVICE_TYPES, DigitalIdentity, Service, StatusChange, TrustList, status_uri,
)
from trustsvc.trustlist.store import TrustStore
from trustsvc.trustlist.ts119612 import export_xml, import_xml
from trustsvc.validation.certificate import validate_certificate
from trustsvc.x509.builder import build_certificate  # noqa: F401
from trustsvc.x509.builder import Signer
from tests.trustlist.test_demo_lists import T0, demo_dir  # noqa: F401 - the demo lists fixture


def test_service_recognised_only_through_an_equivalence(pki, demo_dir):  # noqa: F811
    store = TrustStore.from_directory(demo_dir / "trust_lists", at=T0 + timedelta(days=1))
    mo = store.lists["MO"].trust_list.service(pki.mo_root.subject.native["common_name"])
    # Macao lists its bank CA in its own vocabulary: no GBA e-guarantee usage of its own ...
    assert "e-guarantee" not in mo.usages and MO_GUARANTEE_ASI in mo.additional_info
    r = store.recognise([pki.mo_root, pki.mo_leaf], usage="e-guarantee", at=T0)
    # ... and the GBA list of lists' MRA on the MO pointer makes it count, naming the equivalence.
    assert r.recognised and r.territory == "MO", r.reason
    assert r.equivalence == "GBA e-guarantee issuer (MO)" and "equivalence 'GBA e-guarantee issuer (MO)'" in r.reason
    assert r.to_dict()["equivalence"] == "GBA e-guarantee issuer (MO)"
    # Directly recognised usages name no equivalence.
    direct = store.recognise([pki.mo_root, pki.mo_leaf], usage="e-tendering", at=T0)
    assert direct.recognised and direct.equivalence is None
    # Before the equivalence was enacted (and before the service was listed) nothing counts.
    early = store.recognise([pki.mo_root, pki.mo_leaf], usage="e-guarantee", at=T0 - timedelta(days=60))
    assert not early.recognised


def test_mra_survives_the_ts119612_xml_round_trip(demo_dir):  # noqa: F811
    lotl = json.loads((demo_dir / "trust_lists" / "gba-lotl.json").read_text())["trust_list"]
    tl = TrustList.from_dict(lotl)
    mo = next(p for p in tl.pointers if p.territory == "MO")
    assert mo.mutual_recognition is not None
    again = import_xml(export_xml(tl), pinned=None)
    assert next(p for p in again.pointers if p.territory == "MO").mutual_recognition == mo.mutual_recognition
    assert again.to_dict() == tl.to_dict()


def _listed(territory: str, cert, usages, at) -> AcceptedList:
    svc = Service(cert.subject_str, territory, SERVICE_TYPES["CA/PKC"], (DigitalIdentity.of(cert),),
                  (StatusChange(status_uri("granted"), at - timedelta(days=30)),), tuple(usages))
    tl = TrustList(territory, f"{territory} list", f"{territory} operator", 1, at - timedelta(days=1),
                   at + timedelta(days=90), services=(svc,))
    return AcceptedList(tl, b"", cert, territory, at)


def _bridge_leaf(pki: DemoPKI, at):
    bridge = pki.entities["bridge"]
    key = Signer.generate("ecdsa-p256")
    return build_certificate(subject={**NAMESPACES["HK"], "common_name": "Signer issued by the bridge"},
                             issuer=bridge.certificate.subject, public_key_info=key.public_key_info,
                             signer=bridge.signer, not_before=at - timedelta(days=1), not_after=at + timedelta(days=30),
                             policies=[POLICIES["GBA"]])


def test_attribution_follows_the_issuer_not_the_cross_certificate():
    at = T0 + timedelta(days=30)
    pki = DemoPKI(T0)
    gd_root, cross = pki.entities["gd-root"].certificate, pki.entities["bridge-by-gd-root"].certificate
    leaf = _bridge_leaf(pki, at)
    gd_only = TrustStore([_listed("CN-GD", gd_root, ("e-tendering",), at)], at_loaded=at)
    r = gd_only.recognise([gd_root, cross, leaf], usage="e-tendering", at=at)
    assert not r.recognised and "did not issue the end entity's chain" in r.reason and "GBA Bridge" in r.reason
    report = validate_certificate(leaf, intermediates=[cross], trust=gd_only, usage="e-tendering", at=at,
                                  revocation="off")
    assert report.indication is not Indication.PASSED
    # Listed itself for the usage, the bridge recognises what it issued, under its own name.
    with_bridge = TrustStore([_listed("CN-GD", gd_root, ("e-tendering",), at),
                              _listed("GBA", pki.entities["bridge"].certificate, ("e-tendering",), at)], at_loaded=at)
    ok = with_bridge.recognise([gd_root, cross, leaf], usage="e-tendering", at=at)
    assert ok.recognised and ok.territory == "GBA", ok.reason
    assert not with_bridge.recognise([gd_root, cross, leaf], usage="e-guarantee", at=at).recognised
    # A GD-issued chain through the same store is still GD's.
    gd_chain = [gd_root, pki.entities["gd-ca"].certificate, pki.entities["gd-leaf"].certificate]
    assert with_bridge.recognise(gd_chain, usage="e-tendering", at=at).territory == "CN-GD"


def test_foreign_chain_through_the_bridge_is_attributed_to_its_own_root():
    at = T0 + timedelta(days=30)
    pki = DemoPKI(T0)
    e = pki.entities
    store = TrustStore([_listed("CN-GD", e["gd-root"].certificate, ("e-tendering",), at),
                        _listed("HK", e["hk-root"].certificate, ("e-tendering",), at)], at_loaded=at)
    path = [e["gd-root"].certificate, e["bridge-by-gd-root"].certificate, e["hk-root-by-bridge"].certificate,
            e["hk-ca"].certificate, e["hk-leaf"].certificate]
    r = store.recognise(path, usage="e-tendering", at=at)
    assert r.recognised and r.territory == "HK", r.reason


def test_a_repealed_equivalence_recognises_nothing(pki, demo_dir):  # noqa: F811
    from dataclasses import replace

    from trustsvc.trustlist.mra import REPEALED, EquivalenceState

    store = TrustStore.from_directory(demo_dir / "trust_lists", at=T0 + timedelta(days=1))
    lists = store.lists
    lotl = lists["GBA"]
    repeal_at = T0 + timedelta(days=5)
    pointers = []
    for p in lotl.trust_list.pointers:
        if p.mutual_recognition is not None and p.territory == "MO":
            eq = p.mutual_recognition.equivalences[0]
            repealed = replace(eq, history=eq.history + (EquivalenceState(REPEALED, repeal_at),))
            p = replace(p, mutual_recognition=replace(p.mutual_recognition, equivalences=(repealed,)))
        pointers.append(p)
    changed = replace(lotl, trust_list=replace(lotl.trust_list, pointers=tuple(pointers)))
    store2 = TrustStore([changed, *(a for t, a in lists.items() if t != "GBA")], at_loaded=T0 + timedelta(days=1))
    path = [pki.mo_root, pki.mo_leaf]
    assert store2.recognise(path, usage="e-guarantee", at=T0 + timedelta(days=1)).recognised
    after = store2.recognise(path, usage="e-guarantee", at=repeal_at + timedelta(days=1))
    assert not after.recognised and "repealed" in after.reason
