"""TS 119 612 XML: an independent parser (pyHanko's, xsdata-generated) reads our export; import round-trips."""

from __future__ import annotations

from datetime import timedelta

import pytest
from asn1crypto import x509 as ax

from trustsvc.errors import InvalidSignatureError
from trustsvc.trustlist.jws import canonical_json
from trustsvc.trustlist.model import Criteria, TrustListFormatError
from trustsvc.trustlist.ts119612 import export_xml, import_xml
from tests.trustlist.conftest import HK_POLICY, T0, hk_list, lotl, svc

eutl = pytest.importorskip("pyhanko.sign.validation.qualified.eutl_parse")


@pytest.fixture(scope="module")
def rich_list(pki):
    services = [
        svc("Hongkong Post e-Cert CA", pki.hk_root, ("granted", T0 - timedelta(days=400)),
            ("withdrawn", T0 - timedelta(days=200)), ("granted", T0 - timedelta(days=100)),
            usages=("e-tendering", "e-signature"), type_="CA/QC", criteria=Criteria((HK_POLICY,), ("digital_signature",)),
            provider="Hongkong Post"),
        svc("Hongkong Post TSA", pki.hk_ca, ("granted", T0 - timedelta(days=50)), usages=("timestamping",),
            type_="TSA/QTST", provider="Hongkong Post"),
        svc("Old CA", pki.mo_root, ("granted", T0 - timedelta(days=900)), ("withdrawn", T0 - timedelta(days=10)),
            type_="CA/PKC", provider="Other"),
    ]
    return hk_list(pki, 7, services=services, announced=[pki.hk_next[1]])


def test_pyhanko_parses_our_services(pki, rich_list):
    xml = export_xml(rich_list, key=pki.ops["HK"][0], cert=pki.ops["HK"][1]).decode()
    parsed = eutl._raw_tl_parse(xml)
    assert parsed.scheme_information.tslsequence_number == 7
    theirs = set()
    for tsp in parsed.trust_service_provider_list.trust_service_provider:
        provider = tsp.tspinformation.tspname.name[0].value
        for s in tsp.tspservices.tspservice:
            info = s.service_information
            certs = tuple(ax.Certificate.load(d.x509_certificate).sha256.hex() for d in
                          info.service_digital_identity.digital_id if d.x509_certificate)
            history = sorted([(h.service_status.value, h.status_starting_time.to_datetime()) for h in
                              (s.service_history.service_history_instance if s.service_history else ())]
                             + [(info.service_status.value, info.status_starting_time.to_datetime())], key=lambda h: h[1])
            theirs.add((provider, info.service_name.name[0].value, info.service_type_identifier.value, certs, tuple(history)))
    ours = {(s.provider, s.name, s.type, tuple(i.certificate.sha256 for i in s.identities),
             tuple((h.status, h.start) for h in s.history)) for s in rich_list.services}
    assert theirs == ours


def test_pyhanko_verifies_signature_and_registers_granted_services(pki, rich_list):
    xml = export_xml(rich_list, key=pki.ops["HK"][0], cert=pki.ops["HK"][1]).decode()
    registry, errors = eutl.trust_list_to_registry(xml, [ax.Certificate.load(pki.ops["HK"][1].der)])
    assert errors == []
    # pyHanko registers CA/QC services granted now or in history; QTST too.
    cas = {a.certificate.sha256.hex() for a in registry.known_certificate_authorities}
    assert cas == {pki.hk_root.sha256}
    # Usages are standard AdditionalServiceInformation URIs that pyHanko surfaces.
    authority = next(iter(registry.known_certificate_authorities))
    infos = list(registry.applicable_service_definitions(authority, T0))
    uris = {a.uri for i in infos for a in i.base_info.other_additional_info}
    assert uris == {"urn:trustsvc:usage:e-tendering", "urn:trustsvc:usage:e-signature"}
    with pytest.raises(Exception):
        eutl.trust_list_to_registry(xml, [ax.Certificate.load(pki.rogue[1].der)])


def test_pyhanko_parses_our_list_of_lists(pki):
    tl = lotl(pki, 3)
    result = eutl.parse_lotl_unsafe(export_xml(tl, key=pki.ops["GBA"][0], cert=pki.ops["GBA"][1]).decode())
    theirs = {(r.location_uri, r.territory, tuple(c.sha256.hex() for c in r.tlso_certs)) for r in result.references}
    assert theirs == {(p.location, p.territory, tuple(c.sha256 for c in p.signing_certificates)) for p in tl.pointers}


def test_import_round_trips_to_the_same_canonical_json(pki, rich_list):
    xml = export_xml(rich_list, key=pki.ops["HK"][0], cert=pki.ops["HK"][1])
    back = import_xml(xml, pinned=[pki.ops["HK"][1]])
    assert canonical_json(back.to_dict()) == canonical_json(rich_list.to_dict())
    assert canonical_json(import_xml(export_xml(lotl(pki)), pinned=None).to_dict()) == canonical_json(
        lotl(pki).to_dict())


def test_import_rejects_wrong_signer_and_tampering(pki, rich_list):
    xml = export_xml(rich_list, key=pki.ops["HK"][0], cert=pki.ops["HK"][1])
    with pytest.raises(InvalidSignatureError):
        import_xml(xml, pinned=[pki.rogue[1]])
    with pytest.raises(InvalidSignatureError):
        import_xml(xml.replace(b"e-signature", b"e-guarantee"), pinned=[pki.ops["HK"][1]])


@pytest.mark.parametrize("payload", [
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY l2 "&lol;&lol;">]><x>&l2;</x>',
    b'<?xml version="1.0"?><!DOCTYPE x SYSTEM "http://127.0.0.1/evil.dtd"><x/>',
    b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><x>&xxe;</x>',
    b"<not-closed>",
    b'<x xmlns="urn:other"/>',
])
def test_hostile_or_foreign_xml_is_rejected(payload):
    with pytest.raises(TrustListFormatError):
        import_xml(payload, pinned=None)


def test_import_applies_the_json_rules(pki):
    xml = export_xml(hk_list(pki))
    with pytest.raises(TrustListFormatError, match="unknown usage 'bogus'"):
        import_xml(xml.replace(b"urn:trustsvc:usage:e-tendering", b"urn:trustsvc:usage:bogus"), pinned=None)
    # Territories are data (any ISO 3166 shape, CN-xx regions included); a name is not a territory code.
    with pytest.raises(TrustListFormatError, match="territory 'Hong Kong'"):
        import_xml(xml.replace(b"<tsl:SchemeTerritory>HK<", b"<tsl:SchemeTerritory>Hong Kong<"), pinned=None)
    assert import_xml(xml.replace(b"<tsl:SchemeTerritory>HK<", b"<tsl:SchemeTerritory>CN-SZ<"),
                      pinned=None).territory == "CN-SZ"
