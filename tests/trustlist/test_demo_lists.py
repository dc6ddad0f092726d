"""The demo writer produces signed lists that load through the fail-closed rules and recognise demo chains."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from asn1crypto import pem

from trustsvc.demo.trust_lists import write
from trustsvc.trustlist.loader import TrustListRejected
from trustsvc.trustlist.store import TrustStore, load_trust_store
from trustsvc.trustlist.ts119612 import import_xml
from tests.trustlist.conftest import T0


@pytest.fixture(scope="module")
def demo_dir(pki, tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("demo")
    (d / "certs").mkdir()
    entities = {}
    for ident, cert in {"hk-root": pki.hk_root, "mo-root": pki.mo_root, "gd-root": pki.ops["MO"][1]}.items():
        (d / "certs" / f"{ident}.pem").write_bytes(pem.armor("CERTIFICATE", cert.der))
        entities[ident] = {"cert": f"certs/{ident}.pem", "subject": cert.subject_str}
    index = {"version": 1, "created_at": T0.isoformat(), "entities": entities, "policies": {}}
    write(d, index)
    (d / "pki.json").write_text(json.dumps(index))
    return d


def test_demo_lists_load_and_recognise(pki, demo_dir):
    index = json.loads((demo_dir / "pki.json").read_text())
    assert {e for e, v in index["entities"].items() if v.get("role") == "operator"} == {
        "gba-operator", "gd-operator", "hk-operator", "mo-operator"}
    assert set(index["trust_lists"]["lists"]) == {"CN-GD", "HK", "MO"}
    store = TrustStore.from_directory(demo_dir / "trust_lists", at=T0 + timedelta(days=1))
    assert set(store.lists) == {"GBA", "CN-GD", "HK", "MO"}
    path = [pki.hk_root, pki.hk_ca, pki.hk_leaf]
    ok = store.recognise(path, usage="e-tendering", at=T0)
    assert ok.recognised and ok.territory == "HK" and ok.sequence_number == 1
    # HK's CA is listed for e-tendering and e-signature, not for e-guarantee (usage scoping).
    assert not store.recognise(path, usage="e-guarantee", at=T0).recognised
    assert store.recognise([pki.mo_root, pki.mo_leaf], usage="e-guarantee", at=T0).recognised
    assert load_trust_store(demo_dir, at=T0).snapshot_id == store.snapshot_id


def test_demo_dir_fails_closed_when_tampered_or_stale(demo_dir, tmp_path):
    import shutil

    copy = tmp_path / "tl"
    shutil.copytree(demo_dir / "trust_lists", copy)
    with pytest.raises(TrustListRejected) as exc:
        TrustStore.from_directory(copy, at=T0 + timedelta(days=200))
    assert exc.value.code == "expired"
    doc = json.loads((copy / "mo.json").read_text())
    doc["trust_list"]["services"][0]["usages"] = ["timestamping"]
    (copy / "mo.json").write_text(json.dumps(doc))
    with pytest.raises(TrustListRejected) as exc:
        TrustStore.from_directory(copy, at=T0)
    assert exc.value.code == "bad_signature"


def test_demo_xml_is_signed_by_the_operator(demo_dir):
    from trustsvc.x509 import load_certificate

    hk_op = load_certificate((demo_dir / "certs" / "hk-operator.pem").read_bytes())
    tl = import_xml((demo_dir / "trust_lists" / "xml" / "hk.xml").read_bytes(), pinned=[hk_op])
    assert tl.territory == "HK" and tl.services
