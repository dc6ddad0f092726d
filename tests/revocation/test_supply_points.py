"""Trust-list supply points come before the certificate's own CRL DPs and AIA OCSP URLs."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

from tests.revocation.revocation_fixtures import NOW
from trustsvc import validate_certificate
from trustsvc.demo.revocation import Revoked, generate_key, issue_certificate
from trustsvc.reports import Indication, SubIndication
from trustsvc.revocation.online import FetchingRevocationSource
from trustsvc.revocation.supply_points import trust_list_supply_points
from trustsvc.trustlist.model import DigitalIdentity, Service, StatusChange, status_uri


def _store(ca, points):
    svc = Service(name="listed CA", provider="p", type="http://uri.etsi.org/TrstSvc/Svctype/CA/QC",
                  identities=(DigitalIdentity.of(ca),), history=(StatusChange(status_uri("granted"), NOW),),
                  supply_points=tuple(points))
    return SimpleNamespace(lists={"HK": SimpleNamespace(trust_list=SimpleNamespace(services=(svc,)))})


def test_supply_points_of_the_issuers_service_by_kind(lab):
    j = lab.j["hk"]
    store = _store(j.ca, ["https://ca.example/", "http://ca.example/hk.crl", "http://ocsp.ca.example/"])
    points = trust_list_supply_points(lambda: store)
    assert points(j.leaf, j.ca, "crl") == ["http://ca.example/hk.crl"]
    assert points(j.leaf, j.ca, "ocsp") == ["http://ocsp.ca.example/"]
    assert points(j.leaf, lab.j["mo"].ca, "crl") == []  # another issuer: not its service


def test_a_certificate_without_pointers_is_checked_through_the_trust_list_supply_point(lab, server):
    j = lab.j["gd"]
    key = generate_key("ecdsa")
    bare = issue_certificate("GD bidder without CDP/AIA", key, j.ca, j.ca_key, not_before=NOW - timedelta(days=1),
                             not_after=NOW + timedelta(days=30))
    server.knobs.revoked[bare.serial_number] = Revoked(bare.serial_number, NOW - timedelta(hours=1), "superseded")
    points = trust_list_supply_points(lambda: _store(j.ca, [server.crl_url("gd")]))
    source = FetchingRevocationSource(supply_points=points, allow_networks=["127.0.0.0/8"])
    report = validate_certificate(bare, trust_anchors=[j.ca], revocation="require", revocation_source=source)
    assert (report.indication, report.sub_indication) == (Indication.FAILED, SubIndication.REVOKED)
    assert report.revocation[-1].evidence[0].source == server.crl_url("gd")
