"""The ETSI TS 119 102-2 XML report validates against the schema for passing, failing and indeterminate reports."""

from __future__ import annotations

import base64
import shutil
from pathlib import Path

import pytest
from asn1crypto import cms

etree = pytest.importorskip("lxml.etree")
pytest.importorskip("pyhanko.generated.etsi")
signxml = pytest.importorskip("signxml")

from tests.longterm.conftest import CONTENT, TERRITORIES  # noqa: E402
from trustsvc.reports import SignatureIndication  # noqa: E402
from trustsvc.validation.etsi_report import etsi_validation_report  # noqa: E402
from trustsvc.validation.extend import extend_signature  # noqa: E402
from trustsvc.validation.signature import validate_signature  # noqa: E402
from trustsvc.validation.timestamp import validate_timestamp  # noqa: E402

DATA = Path(__file__).parents[1] / "data" / "etsi"
NS = {"vr": "http://uri.etsi.org/19102/v1.2.1#"}
DS = "http://www.w3.org/2000/09/xmldsig#"


@pytest.fixture(scope="module")
def schema(tmp_path_factory):
    d = tmp_path_factory.mktemp("xsd")
    base = Path(signxml.__file__).parent
    shutil.copy(base / "schemas" / "xmldsig-core-schema.xsd", d / "xmldsig-core-schema.xsd")
    xades = (base / "xades" / "schemas" / "XAdES01903v132-201601.xsd").read_text()
    (d / "XAdES01903v132-201601.xsd").write_text(xades.replace("../../schemas/xmldsig-core-schema.xsd", "xmldsig-core-schema.xsd"))
    for name in ("TS119102-2-v131.xsd", "ts119612-types-used.xsd"):
        shutil.copy(DATA / name, d / name)
    return etree.XMLSchema(etree.parse(str(d / "TS119102-2-v131.xsd")))


def _valid(schema, xml: bytes):
    doc = etree.fromstring(xml)
    assert schema.validate(doc), schema.error_log
    return doc


def _signatures(demo):
    _leaf, _ca, root, tsa = TERRITORIES["sm2"]
    kw = dict(content=CONTENT, trust_anchors=[demo.cert(root)], crls=demo.crls("sm2"))
    bt = demo.sign_bt("sm2")
    return bt, extend_signature(bt, level="B-LTA", timestamper=demo.tsa(tsa), **kw), demo.cert(root)


def test_passing_lta_report_validates_and_names_level_process_and_timestamps(demo, schema):
    _bt, lta, root = _signatures(demo)
    r = validate_signature(lta, content=CONTENT, trust_anchors=[root], revocation="require", at=demo.after_everything_expired())
    assert r.indication is SignatureIndication.TOTAL_PASSED
    doc = _valid(schema, etsi_validation_report(r))
    assert doc.findtext(".//vr:MainIndication", namespaces=NS).endswith("total-passed")
    assert doc.findtext(".//vr:SignatureValidationProcessID", namespaces=NS).endswith(":LTA")
    assert "CAdES-BASELINE-LTA" in doc.findtext(".//vr:SignatureQualityInformation", namespaces=NS)
    assert doc.find(".//vr:ArchiveTimeStamp", NS) is not None and doc.find(".//vr:SignatureTimeStamp", NS) is not None
    assert doc.findall(".//vr:ValidationObject/vr:POE", NS)


def test_indeterminate_report_validates(demo, schema):
    bt, _lta, root = _signatures(demo)
    r = validate_signature(bt, content=CONTENT, trust_anchors=[root], revocation="require", at=demo.after_everything_expired())
    assert r.indication is SignatureIndication.INDETERMINATE
    doc = _valid(schema, etsi_validation_report(r))
    assert doc.findtext(".//vr:MainIndication", namespaces=NS).endswith("indeterminate")
    assert doc.findtext(".//vr:SubIndication", namespaces=NS).startswith("urn:etsi:019102:subindication:")


def test_failing_reports_validate(demo, schema):
    _bt, lta, root = _signatures(demo)
    r = validate_signature(lta, content=CONTENT + b"tampered", trust_anchors=[root])
    assert r.indication is SignatureIndication.TOTAL_FAILED
    doc = _valid(schema, etsi_validation_report(r))
    assert doc.findtext(".//vr:SubIndication", namespaces=NS).endswith("HASH_FAILURE")
    _valid(schema, etsi_validation_report(validate_signature(b"not a signature")))
    _valid(schema, etsi_validation_report(validate_timestamp(b"not a token")))



def _objects(doc) -> dict:
    return {vo.get("id"): vo for vo in doc.findall(".//vr:SignatureValidationObjects/vr:ValidationObject", NS)}


def test_lta_report_lists_objects_with_their_poe_and_identifies_the_signature(demo, schema):
    import hashlib

    _bt, lta, root = _signatures(demo)
    r = validate_signature(lta, content=CONTENT, trust_anchors=[root], revocation="require", at=demo.after_everything_expired())
    doc = _valid(schema, etsi_validation_report(r))
    # TS 119 102-2 4.3.2: the signature is identified by the digest of its value, with an id.
    ident = doc.find("vr:SignatureValidationReport/vr:SignatureIdentifier", NS)
    assert ident.get("id")
    digest = ident.findtext("vr:DigestAlgAndValue/ds:DigestValue", namespaces={**NS, "ds": DS})
    value = cms.ContentInfo.load(lta)["content"]["signer_infos"][0]["signature"].native
    assert base64.b64decode(digest) == hashlib.sha256(value).digest()
    # ETSI TS 119 192 level URI beside our own naming; the process applied.
    quality = [e.text for e in doc.findall(".//vr:SignatureQualityInformation", NS)]
    assert "http://uri.etsi.org/ades/191x2/level/baseline/B-LTA#" in quality
    objects = _objects(doc)
    kinds = {vo.findtext("vr:ObjectType", namespaces=NS).rsplit(":", 1)[1] for vo in objects.values()}
    assert {"certificate", "CRL", "timestamp"} <= kinds
    # Each timestamp attribute points at its token; the archive one provides POE for the rest.
    sig_ts = doc.find(".//vr:SignatureAttributes/vr:SignatureTimeStamp/vr:AttributeObject", NS).get("VOReference")
    ats = doc.find(".//vr:SignatureAttributes/vr:ArchiveTimeStamp/vr:AttributeObject", NS).get("VOReference")
    assert sig_ts in objects and ats in objects
    covered = {e.get("VOReference") for e in objects[ats].findall("vr:POEProvisioning/vr:ValidationObject", NS)}
    assert sig_ts in covered
    for vid, vo in objects.items():
        if vid == ats:
            continue
        assert vo.find("vr:POE/vr:POEObject", NS).get("VOReference") == ats, vid  # proven by the archive timestamp
        assert vid in covered
    assert objects[ats].find("vr:ValidationReport/vr:SignatureValidationStatus", NS) is not None


def test_dss_style_cades_a_report_names_every_timestamp_type_and_ocsp_objects(demo, schema):
    import hashlib

    from tests.longterm import dss_encodings as enc
    from tests.longterm.test_archive_v2 import _v2_input
    from tests.longterm.test_dss_encodings import Material, _xl

    m = Material(demo, "ecdsa")
    xl = _xl(m)
    sig = enc.with_unsigned(xl, ("1.2.840.113549.1.9.16.2.48", m.tsa(hashlib.sha256(_v2_input(xl)).digest(), "sha256")))
    r = m.validate(sig)
    assert r.indication is SignatureIndication.TOTAL_PASSED, r.reasons
    doc = _valid(schema, etsi_validation_report(r))
    attrs = doc.find(".//vr:SignatureValidationReport/vr:SignatureAttributes", NS)
    for name in ("SignatureTimeStamp", "SigAndRefsTimeStamp", "ArchiveTimeStamp", "CertificateValues", "RevocationValues"):
        assert attrs.find(f"vr:{name}", NS) is not None, name
    quality = [e.text for e in doc.findall(".//vr:SignatureQualityInformation", NS)]
    assert "http://uri.etsi.org/ades/191x2/level/extended/E-A#" in quality
    objects = _objects(doc)
    ocsp = [vo for vo in objects.values() if vo.findtext("vr:ObjectType", namespaces=NS).endswith(":OCSPResponse")]
    assert ocsp and all(vo.find("vr:POE/vr:POEObject", NS) is not None for vo in ocsp)
    held = {e.get("VOReference") for e in attrs.findall("vr:RevocationValues/vr:AttributeObject", NS)}
    assert {vo.get("id") for vo in ocsp} <= held


def test_timestamp_and_certificate_reports_validate(demo, schema):
    import hashlib

    from trustsvc.validation.certificate import validate_certificate

    _leaf, ca, root, tsa = TERRITORIES["ecdsa"]
    token = demo.tsa(tsa)(hashlib.sha256(CONTENT).digest(), "sha256")
    ts = validate_timestamp(token, content=CONTENT, trust_anchors=[demo.cert(root)], crls=demo.crls("ecdsa"),
                            other_certs=[demo.cert(ca)])
    assert ts.indication is SignatureIndication.TOTAL_PASSED, ts.reasons
    doc = _valid(schema, etsi_validation_report(ts))
    assert doc.findtext(".//vr:MainIndication", namespaces=NS).endswith("total-passed")
    assert doc.find(".//vr:SignerInformation/vr:SignerCertificate", NS).get("VOReference") in _objects(doc)
    cert = validate_certificate(demo.cert(ca), trust_anchors=[demo.cert(root)], at=demo.after_everything_expired())
    doc = _valid(schema, etsi_validation_report(cert))
    assert not doc.findtext(".//vr:MainIndication", namespaces=NS).endswith("total-passed")
