"""TrustStore.recognise: status history, usages, criteria, freshness; anchors and snapshot ids."""

from __future__ import annotations

from datetime import timedelta

from trustsvc.trustlist.loader import accept_list
from trustsvc.trustlist.model import Criteria
from trustsvc.trustlist.store import TrustStore
from tests.trustlist.conftest import HK_POLICY, T0, hk_list, signed, svc

D = T0 + timedelta(days=10)  # the withdrawal date


def _store(pki, state, *services, at=T0, next_update=None, grace=timedelta(hours=24)) -> TrustStore:
    tl = hk_list(pki, services=services, next_update=next_update)
    accepted = accept_list(state, signed(tl, pki.ops["HK"]), at=T0)
    return TrustStore.from_lists([state.lotl, accepted], at_loaded=at, grace=grace)


def _path(pki):
    return [pki.hk_root, pki.hk_ca, pki.hk_leaf]


def test_withdrawn_ca_recognised_before_not_after(pki, state):
    store = _store(pki, state, svc("HK Post CA", pki.hk_root, ("granted", T0 - timedelta(days=100)),
                                   ("withdrawn", D)))
    before = store.recognise(_path(pki), usage="e-tendering", at=D - timedelta(days=1))
    assert before.recognised and before.territory == "HK" and before.sequence_number == 1
    assert before.service_name == "HK Post CA" and before.snapshot_id == store.snapshot_id
    after = store.recognise(_path(pki), usage="e-tendering", at=D + timedelta(days=1))
    assert not after.recognised
    assert "withdrawn since 2026-01-11T00:00:00Z" in after.reason and after.status.endswith("/withdrawn")
    assert after.status_since == D


def test_not_yet_granted(pki, state):
    store = _store(pki, state, svc("HK Post CA", pki.hk_root, ("granted", D)))
    r = store.recognise(_path(pki), usage="e-tendering", at=D - timedelta(days=1))
    assert not r.recognised and "no status before" in r.reason


def test_usage_scoping(pki, state):
    store = _store(pki, state, svc("Tender-only CA", pki.hk_root, ("granted", T0 - timedelta(days=1)),
                                   usages=("e-tendering",)))
    assert store.recognise(_path(pki), usage="e-tendering", at=T0).recognised
    r = store.recognise(_path(pki), usage="e-guarantee", at=T0)
    assert not r.recognised and "not recognised for usage e-guarantee (listed usages: e-tendering)" in r.reason


def test_policy_criteria(pki, state):
    store = _store(pki, state, svc("HK Post CA", pki.hk_root, ("granted", T0 - timedelta(days=1)),
                                   criteria=Criteria((HK_POLICY,))))
    assert store.recognise(_path(pki), usage="e-tendering", at=T0).recognised
    r = store.recognise([pki.hk_root, pki.hk_ca, pki.hk_leaf_other_policy], usage="e-tendering", at=T0)
    assert not r.recognised and HK_POLICY in r.reason


def test_intermediate_listed_and_service_types(pki, state):
    store = _store(pki, state, svc("HK sub CA", pki.hk_ca, ("granted", T0 - timedelta(days=1))))
    assert store.recognise(_path(pki), usage="e-tendering", at=T0).recognised
    r = store.recognise(_path(pki), usage="e-tendering", at=T0, service_types=["http://uri.etsi.org/TrstSvc/Svctype/TSA"])
    assert not r.recognised and "TSA" in r.reason


def test_unlisted_path(pki, state):
    store = _store(pki, state, svc("HK Post CA", pki.hk_root, ("granted", T0)))
    r = store.recognise([pki.mo_root, pki.mo_leaf], usage=None, at=T0)
    assert not r.recognised and "no certificate on the path" in r.reason


def test_expired_list_confers_no_trust(pki, state):
    services = [svc("HK Post CA", pki.hk_root, ("granted", T0 - timedelta(days=1)))]
    store = _store(pki, state, *services, next_update=T0 + timedelta(days=1), at=T0 + timedelta(days=3))
    r = store.recognise(_path(pki), usage="e-tendering", at=T0)
    assert not r.recognised and "expired" in r.reason
    assert {h.territory: h.status for h in store.health()}["HK"] == "expired"
    assert store.at_time(T0).recognise(_path(pki), usage="e-tendering", at=T0).recognised


def test_anchors_and_snapshot(pki, state):
    services = [svc("HK Post CA", pki.hk_root, ("granted", T0), ("withdrawn", D)),
                svc("HK OCSP", pki.hk_ca, ("granted", T0), type_="Certstatus/OCSP", usages=())]
    store = _store(pki, state, *services)
    anchors = store.anchors()
    assert [a.certificate for a in anchors] == [pki.hk_root]  # any status; CA/TSA types only
    assert anchors[0].source == "trust-list" and anchors[0].label == "HK / HK Post CA"
    other = _store(pki, state, services[0])
    assert len(store.snapshot_id) == 64 and store.snapshot_id != other.snapshot_id
    assert store.snapshot_id == _store(pki, state, *services).snapshot_id  # content, not signature bytes
    granted = store.services_granted(usage="e-tendering", at=T0)
    assert [s.name for _, s in granted] == ["HK Post CA"]


def test_closest_listed_service_is_named_and_withdrawal_anywhere_is_fatal(pki, state):
    granted = ("granted", T0 - timedelta(days=100))
    store = _store(pki, state, svc("HK Root", pki.hk_root, granted), svc("HK sub CA", pki.hk_ca, granted))
    assert store.recognise(_path(pki), usage="e-tendering", at=T0).service_name == "HK sub CA"
    store = _store(pki, state, svc("HK Root", pki.hk_root, granted),
                   svc("HK sub CA", pki.hk_ca, granted, ("withdrawn", D)))
    r = store.recognise(_path(pki), usage="e-tendering", at=D + timedelta(days=1))
    assert not r.recognised and r.service_name == "HK sub CA" and "withdrawn" in r.reason
