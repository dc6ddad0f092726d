"""Real published TS 119 612 lists (tests/data/interop/trust-lists, see its README): the EU LOTL #388 (v6),
its pivots, the Belgian (v6) and Estonian (v5) trusted lists import, verify and recognise."""

from __future__ import annotations

import base64
from datetime import datetime, timezone
from pathlib import Path

import pytest
from lxml import etree
from typer.testing import CliRunner

from trustsvc.cli import _register, app
from trustsvc.errors import InvalidSignatureError
from trustsvc.trustlist.loader import TrustListRejected
from trustsvc.trustlist.lotl import load_lotl
from trustsvc.trustlist.model import short_name
from trustsvc.trustlist.store import TrustStore
from trustsvc.trustlist.ts119612 import import_signed_xml, import_xml
from trustsvc.x509.load import load_certificate, load_certificates

DATA = Path(__file__).resolve().parents[1] / "data" / "interop" / "trust-lists"
BE_ISSUED = datetime(2026, 6, 15, 15, tzinfo=timezone.utc)
EE_ISSUED = datetime(2025, 6, 12, 11, 57, 48, tzinfo=timezone.utc)

_register()


def _t(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=timezone.utc)


def _docs(*names: str) -> list[tuple[str, bytes]]:
    return [(n, (DATA / n).read_bytes()) for n in names]


def _pem(name: str):
    return load_certificates((DATA / name).read_bytes())


@pytest.fixture(scope="module")
def imported():
    return load_lotl(_docs("eu-lotl.xml", "tsl-be-v6.xml", "tsl-ee.xml"), signers=_pem("lotl-signer-latest.cert.pem"),
                     at=BE_ISSUED)


@pytest.fixture(scope="module")
def lists(imported):
    return {a.territory: a.trust_list for a in imported.accepted}


def test_lotl_and_both_national_lists_import_and_verify(imported, lists):
    assert set(lists) == {"EU", "BE", "EE"}
    lotl = lists["EU"]
    assert lotl.is_lotl and lotl.version == 6 and lotl.sequence_number == 388
    assert lists["BE"].version == 6 and lists["EE"].version == 5
    assert len(lists["BE"].services) > 100 and len(lists["EE"].services) > 50
    # Each national list verified with a certificate its LOTL pointer gives (at the list's issue time).
    for a in imported.lists.values():
        pinned = {c.der for p in lotl.pointers if p.territory == a.territory for c in p.signing_certificates}
        assert a.signer.der in pinned
    assert imported.problems == ()


def test_national_list_verifies_against_pointer_certificates_at_its_issue_date(lists):
    certs = [c for p in lists["EU"].pointers if p.territory == "EE" for c in p.signing_certificates]
    tl, signer = import_signed_xml((DATA / "tsl-ee.xml").read_bytes(), certs)
    assert tl.territory == "EE" and signer.not_before <= EE_ISSUED <= signer.not_after
    # The Estonian operator certificate: judged at the list's issue date, not at "now" (later lists expire).
    with pytest.raises(InvalidSignatureError):
        import_signed_xml((DATA / "tsl-ee.xml").read_bytes(), certs, at=_t("2040-01-01T00:00:00"))
    # A certificate the pointer of another territory gives does not verify it.
    be_certs = [c for p in lists["EU"].pointers if p.territory == "BE" for c in p.signing_certificates]
    with pytest.raises(InvalidSignatureError):
        import_signed_xml((DATA / "tsl-ee.xml").read_bytes(), be_certs)


def test_a_changed_byte_is_rejected_for_that_territory_only():
    be = (DATA / "tsl-be-v6.xml").read_bytes().replace(b"Zetes TSP PKI certification authority",
                                                         b"Zetes TSP PKI certification authoritx", 1)
    result = load_lotl([("eu-lotl.xml", (DATA / "eu-lotl.xml").read_bytes()), ("tsl-be-v6.xml", be),
                        ("tsl-ee.xml", (DATA / "tsl-ee.xml").read_bytes())],
                       signers=_pem("lotl-signer-latest.cert.pem"))
    assert set(result.lists) == {"EE"}
    assert any(p.startswith("BE ") and "rejected" in p for p in result.problems)


def test_lotl_authenticated_through_its_pivots():
    boot = _pem("lotl-signer-bootstrap-0.cert.pem")
    with pytest.raises(TrustListRejected) as exc:
        load_lotl(_docs("eu-lotl.xml"), signers=boot)
    assert exc.value.code == "bad_signature"
    pivots = [f"eu-lotl-pivot-{n}.xml" for n in (282, 300, 335, 341)]
    result = load_lotl(_docs("eu-lotl.xml", *pivots), signers=boot)
    assert result.pivots == (282, 300, 335, 341) and result.lotl.trust_list.sequence_number == 388
    # The missing pivot #378 is reported, not silently assumed.
    assert any("pivot-378" in p for p in result.problems)


def test_pivots_come_from_an_injected_fetch():
    asked: list[str] = []

    def fetch(url: str) -> bytes:
        asked.append(url)
        name = {"estonian-tsl.xml": "tsl-ee.xml"}.get(url.rsplit("/", 1)[-1], url.rsplit("/", 1)[-1])
        if (DATA / name).is_file():
            return (DATA / name).read_bytes()
        raise OSError(f"404 {url}")

    result = load_lotl(_docs("eu-lotl.xml"), signers=_pem("lotl-signer-bootstrap-0.cert.pem"), fetch=fetch,
                       territories=["EE"])
    assert result.pivots == (282, 300, 335, 341) and set(result.lists) == {"EE"}
    assert "https://ec.europa.eu/tools/lotl/eu-lotl-pivot-282.xml" in asked


def test_pointer_certificate_with_non_printable_string_loads(lists):
    ro = [c for p in lists["EU"].pointers if p.territory == "RO" for c in p.signing_certificates]
    assert any("AUTORITATEA PENTRU DIGITALIZAREA" in c.subject_str for c in ro)


def test_service_history_and_extensions_are_read(lists):
    swift = next(s for s in lists["BE"].services if s.name == "SWIFTNet PKI Certification Authority")
    assert [short_name(h.status) for h in swift.history] == [
        "undersupervision", "granted", "withdrawn", "granted", "withdrawn"]
    assert swift.qualifications and all(q.qualifiers for q in swift.qualifications)
    statuses = {short_name(s.status.status) for tl in lists.values() for s in tl.services}
    assert {"granted", "withdrawn"} <= statuses


def _service_cert(tl, name):
    svc = next(s for s in tl.services if s.name == name)
    return next(i.certificate for i in svc.identities if i.certificate is not None)


def test_qualified_service_recognised_for_e_signature_inside_its_history_only(imported, lists):
    store = TrustStore(imported.accepted, at_loaded=BE_ISSUED)
    root = _service_cert(lists["BE"], "CN=Belgium Root CA2, C=BE")
    inside = store.recognise([root], usage="e-signature", at=_t("2020-01-01T00:00:00"))
    assert inside.recognised and inside.territory == "BE" and short_name(inside.status) == "granted"
    after = store.recognise([root], usage="e-signature", at=_t("2026-06-01T00:00:00"))
    assert not after.recognised and "withdrawn" in after.reason
    before = store.recognise([root], usage="e-signature", at=_t("2007-01-01T00:00:00"))
    assert not before.recognised and "no status before" in before.reason
    assert not store.recognise([root], usage="e-seal", at=_t("2020-01-01T00:00:00")).recognised


def test_usage_follows_the_additional_service_information_in_force(imported, lists):
    store = TrustStore(imported.accepted, at_loaded=BE_ISSUED)
    swift = _service_cert(lists["BE"], "SWIFTNet PKI Certification Authority")
    # ForeSignatures 2016-06-30 .. 2017-07-03; ForeSeals 2017-10-11 .. 2022-08-05 (ServiceHistory).
    assert store.recognise([swift], usage="e-signature", at=_t("2017-01-01T00:00:00")).recognised
    assert not store.recognise([swift], usage="e-signature", at=_t("2019-01-01T00:00:00")).recognised
    assert store.recognise([swift], usage="e-seal", at=_t("2019-01-01T00:00:00")).recognised
    tsa = next(s for s in lists["BE"].services if short_name(s.type) == "TSA/QTST"
               and short_name(s.status.status) == "granted" and s.identities[0].certificate is not None)
    r = store.recognise([tsa.identities[0].certificate], usage="timestamping", at=BE_ISSUED)
    assert r.recognised, r.reason


def test_unknown_critical_extension_makes_only_that_service_unusable():
    root = etree.fromstring((DATA / "tsl-be-v6.xml").read_bytes())
    ns = {"tsl": "http://uri.etsi.org/02231/v2#"}
    info = root.find(".//tsl:TSPService/tsl:ServiceInformation", ns)
    exts = info.find("tsl:ServiceInformationExtensions", ns)
    if exts is None:
        exts = etree.SubElement(info, "{http://uri.etsi.org/02231/v2#}ServiceInformationExtensions")
    ext = etree.SubElement(exts, "{http://uri.etsi.org/02231/v2#}Extension", Critical="true")
    etree.SubElement(ext, "{urn:example:unknown}Whatever").text = "x"
    tl = import_xml(etree.tostring(root), pinned=None)
    unusable = [s for s in tl.services if s.unusable]
    assert len(unusable) == 1 and "urn:example:unknown" in unusable[0].unusable
    assert len(tl.services) > 100


def test_cli_imports_a_lotl_set_and_shows_it(tmp_path):
    out = tmp_path / "eu"
    result = CliRunner().invoke(app, ["trust-list", "import", str(DATA), "--pin",
                                      str(DATA / "lotl-signer-bootstrap-0.cert.pem"), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "OK BE #81" in result.stdout and "OK EE #68" in result.stdout and "pivot LOTLs #282" in result.stdout
    store = TrustStore.from_directory(out, at=BE_ISSUED)
    assert set(store.lists) == {"EU", "BE", "EE"}
    shown = CliRunner().invoke(app, ["trust-list", "show", str(out), "--at", "2026-06-15", "--summary"])
    assert shown.exit_code == 0, shown.output
    text = " ".join(shown.stdout.split())
    for needle in ("BE: services per type and status", "EE: services per type and status", "CA/QC", "TSA/QTST",
                   "territories BE, EE, EU"):
        assert needle in text, needle
    listed = CliRunner().invoke(app, ["trust-list", "show", str(DATA / "tsl-ee.xml"), "--at", "2025-06-12"])
    assert listed.exit_code == 0 and "ESTEID" in listed.stdout and "KLASS3" in listed.stdout.upper()


def test_pointer_certificates_are_the_lotl_signer_bootstrap():
    # The OJ bootstrap set verifies the oldest pivot: the chain starts from data published out of band.
    boot = _pem("lotl-signer-bootstrap-0.cert.pem")
    tl, signer = import_signed_xml((DATA / "eu-lotl-pivot-282.xml").read_bytes(), boot)
    assert tl.sequence_number == 282 and signer.der in {c.der for c in boot}
    raw = base64.b64encode(signer.der)
    assert load_certificate(base64.b64decode(raw)).sha256 == signer.sha256


def test_cli_verifies_a_national_list_with_its_pointer_certificates(lists, tmp_path):
    from asn1crypto import pem

    pins = tmp_path / "ee-pointer.pem"
    pins.write_bytes(b"".join(pem.armor("CERTIFICATE", c.der) for p in lists["EU"].pointers if p.territory == "EE"
                              for c in p.signing_certificates))
    ok = CliRunner().invoke(app, ["trust-list", "verify", str(DATA / "tsl-ee.xml"), "--pin", str(pins),
                                  "--at", "2025-07-01"])
    assert ok.exit_code == 0 and ok.stdout.startswith("OK EE #68"), ok.output
    stale = CliRunner().invoke(app, ["trust-list", "verify", str(DATA / "tsl-ee.xml"), "--pin", str(pins),
                                     "--at", "2026-06-01"])
    assert stale.exit_code == 1 and "expired" in stale.stderr
    wrong = CliRunner().invoke(app, ["trust-list", "verify", str(DATA / "tsl-ee.xml"), "--pin",
                                     str(DATA / "lotl-signer-latest.cert.pem")])
    assert wrong.exit_code == 1 and "bad_signature" in wrong.stderr


def test_trust_store_from_the_eu_lotl_validates_real_chains_like_a_gba_one(imported, lists):
    from trustsvc.reports import Indication
    from trustsvc.validation.certificate import validate_certificate

    store = TrustStore(imported.accepted, at_loaded=BE_ISSUED)
    at = BE_ISSUED
    tsu = _service_cert(lists["BE"], "ZetesConfidens EC Qualified TSU17")
    report = validate_certificate(tsu, trust=store, usage="timestamping", at=at, revocation="off")
    assert report.indication is Indication.PASSED, report.reasons
    assert report.recognition["territory"] == "BE" and report.recognition["service_name"].startswith("ZetesConfidens")
    esign = next(i.certificate for s in lists["BE"].services if s.name == "eSign CA eID" for i in s.identities
                 if i.certificate is not None)
    report = validate_certificate(esign, trust=store, usage="e-signature", at=at, revocation="off")
    assert report.indication is Indication.PASSED, report.reasons
    assert report.recognition["status"].endswith("/granted") and report.recognition["service_name"] == "eSign CA eID"
    # Before eSign CA eID itself was granted (2026-05-19) the chain counts only through its listed root.
    early = validate_certificate(esign, trust=store, usage="e-signature", at=_t("2026-01-01T00:00:00"),
                                 revocation="off")
    assert early.recognition is None or early.recognition["service_name"] != "eSign CA eID"
