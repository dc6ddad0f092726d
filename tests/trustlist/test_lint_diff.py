"""lint gives actionable findings; diff names each change; JSON <-> XML round trips for arbitrary content."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from trustsvc.trustlist.diff import diff
from trustsvc.trustlist.jws import canonical_json
from trustsvc.trustlist.lint import lint
from trustsvc.trustlist.model import STATUSES, USAGES, Criteria, StatusChange, TrustList, status_uri
from trustsvc.trustlist.ts119612 import export_xml, import_xml
from tests.trustlist.conftest import T0, hk_list, lotl, svc


def test_lint_findings(pki):
    tl = hk_list(pki, services=[
        svc("Leaf as CA", pki.hk_leaf, ("granted", T0)),
        svc("TSA", pki.hk_ca, ("granted", T0), type_="TSA", usages=()),
        svc("Dup", pki.hk_root, ("granted", T0), criteria=Criteria(("not-an-oid",))),
        svc("Dup", pki.mo_root, ("granted", T0 + timedelta(days=5))),
    ], next_update=T0 + timedelta(days=365))
    msgs = [str(m) for m in lint(tl, at=T0)]
    assert "error: service 'Leaf as CA': certificate 'Common Name: HK bidder' is not a CA certificate but the " \
           "type is CA/PKC" in msgs
    assert any("TSA" in m and "without the timestamping usage" in m for m in msgs)
    assert any("duplicate service name" in m for m in msgs)
    assert any("'not-an-oid' is not a dotted OID" in m for m in msgs)
    assert any("more than 6 months" in m for m in msgs)
    assert any("after the list's issue date" in m for m in msgs)
    assert lint(hk_list(pki), at=T0) == []
    assert any("no GBA pointer" in str(m) for m in lint(replace(lotl(pki), pointers=lotl(pki).pointers[1:]), at=T0))


def test_diff_names_changes(pki):
    old = hk_list(pki, 1)
    svc0 = old.services[0]
    new = replace(old, sequence_number=2, services=(
        replace(svc0, history=svc0.history + (StatusChange(status_uri("withdrawn"), T0),), usages=("e-guarantee",)),
        svc("New TSA", pki.hk_ca, ("granted", T0), type_="TSA", usages=("timestamping",)),
    ))
    lines = diff(old, new)
    assert "~ sequence number 1 -> 2" in lines
    assert "~ service 'HK CA' status withdrawn from 2026-01-01T00:00:00Z" in lines
    assert "+ service 'HK CA' usage e-guarantee" in lines and "- service 'HK CA' usage e-tendering" in lines
    assert any(line.startswith("+ service 'New TSA' (TSA, granted") for line in lines)
    assert diff(old, old) == []


_text = st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=20).map(str.strip).filter(bool)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=_text, provider=_text, statuses=st.lists(st.sampled_from(STATUSES), min_size=1, max_size=4),
       usages=st.lists(st.sampled_from(USAGES), unique=True), seq=st.integers(1, 2**31),
       points=st.lists(st.sampled_from(["http://crl.example/a.crl", "http://ocsp.example"]), unique=True))
def test_json_xml_round_trip(pki, name, provider, statuses, usages, seq, points):
    history = tuple((s, T0 + timedelta(days=i)) for i, s in enumerate(statuses))
    service = replace(svc(name, pki.hk_root, *history, usages=tuple(usages), provider=provider),
                      supply_points=tuple(points))
    tl: TrustList = hk_list(pki, seq, services=[service])
    back = import_xml(export_xml(tl), pinned=None)
    assert canonical_json(back.to_dict()) == canonical_json(tl.to_dict())
