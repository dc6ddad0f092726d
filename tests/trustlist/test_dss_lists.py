"""Real lists from the EU DSS test corpus, and the variants EU DSS tests them with, with DSS's outcomes.

EU DSS (dss-tsl-validation TLValidationJobTest / TLValidatorTaskTest): a list verifies (TOTAL_PASSED) as
published, with a UTF-8 BOM and with whitespace; altered content is TOTAL_FAILED/HASH_FAILURE; 0 or 2
signatures are refused ("Number of signatures must be equal to 1"); a truncated document does not parse.
"""

from __future__ import annotations

import base64
from datetime import datetime, timezone
from pathlib import Path

import pytest

from trustsvc.reports import SubIndication
from trustsvc.trustlist.model import TrustListFormatError
from trustsvc.trustlist.ts119612 import import_signed_xml, import_xml, parse_hardened
from trustsvc.trustlist.xades import XmlSignatureError
from trustsvc.x509 import load_certificate

DATA = Path(__file__).resolve().parents[1] / "data" / "interop" / "trust-lists" / "dss"
DS = "{http://www.w3.org/2000/09/xmldsig#}"


def _key_info_signer(data: bytes):
    e = parse_hardened(data).find(f"{DS}Signature/{DS}KeyInfo/{DS}X509Data/{DS}X509Certificate")
    return load_certificate(base64.b64decode("".join(e.text.split())))


@pytest.fixture(scope="module")
def dk() -> bytes:
    return (DATA / "dss-dk-tl.xml").read_bytes()


def _signature_span(data: bytes) -> tuple[int, int]:
    return data.index(b"<ds:Signature"), data.index(b"</ds:Signature>") + len(b"</ds:Signature>")


def test_danish_list_verifies_at_its_issue_time_and_reads_its_content(dk):
    signer = _key_info_signer(dk)
    tl, used = import_signed_xml(dk, [signer])
    assert used.der == signer.der
    assert (tl.territory, tl.sequence_number, tl.version) == ("DK", 22, 5)
    assert tl.issued_at == datetime(2019, 8, 5, 1, tzinfo=timezone.utc)
    (root,) = tl.services
    assert root.provider == "Nets DanID A/S" and root.type.endswith("/Svctype/CA/PKC")
    assert [h.status.rsplit("/", 1)[-1] for h in root.history] == ["accredited", "recognisedatnationallevel"]
    # The critical extension is AdditionalServiceInformation: understood, so the service stays usable.
    assert root.unusable is None and root.additional_info[0].endswith("/ForeSignatures")
    (lotl,) = tl.pointers
    assert lotl.territory == "EU" and len(lotl.signing_certificates) == 8


@pytest.mark.parametrize("prefix", [b"\xef\xbb\xbf", b"\r\n  \n", b"\xef\xbb\xbf\n"])
def test_bom_and_whitespace_before_the_declaration_still_verify(dk, prefix):
    assert import_signed_xml(prefix + dk, [_key_info_signer(dk)])[0].sequence_number == 22


def test_altered_list_is_hash_failure(dk):
    broken = dk.replace(b"Nets DanID A/S", b"Nets DanlD A/S")
    with pytest.raises(XmlSignatureError) as exc:
        import_signed_xml(broken, [_key_info_signer(dk)])
    assert exc.value.failure.sub_indication is SubIndication.HASH_FAILURE


@pytest.mark.parametrize("count", [0, 2])
def test_zero_or_two_signatures_are_refused(dk, count):
    i, j = _signature_span(dk)
    data = dk[:i] + dk[i:j] * count + dk[j:]
    with pytest.raises(XmlSignatureError) as exc:
        import_signed_xml(data, [_key_info_signer(dk)])
    assert exc.value.failure.sub_indication is SubIndication.FORMAT_FAILURE
    assert f"found {count}" in str(exc.value)


def test_truncated_list_does_not_parse(dk):
    with pytest.raises(TrustListFormatError) as exc:
        import_xml(dk[:20000], pinned=None)
    assert str(exc.value).startswith("XML: not well formed") and "\n" not in str(exc.value)


def test_signer_not_given_by_the_pointer_is_no_certificate_chain_found(dk):
    peru = (DATA / "dss-peru-lotl.xml").read_bytes()
    with pytest.raises(XmlSignatureError) as exc:
        import_signed_xml(dk, [_key_info_signer(peru)])
    assert exc.value.failure.sub_indication is SubIndication.NO_CERTIFICATE_CHAIN_FOUND


def test_dss_test_lotl_verifies_and_points_to_peru():
    data = (DATA / "dss-peru-lotl.xml").read_bytes()
    tl, signer = import_signed_xml(data, [_key_info_signer(data)])
    assert tl.is_lotl and tl.territory == "EU" and "good-user" in signer.subject_str
    (pe,) = tl.pointers
    assert pe.territory == "PE" and pe.location.endswith("tsl-pe.xml") and len(pe.signing_certificates) == 1


def test_cli_shows_the_real_list_with_a_bom(dk, tmp_path):
    from tests.trustlist.test_cli import run

    path = tmp_path / "DK.xml"
    path.write_bytes(b"\xef\xbb\xbf" + dk)
    code, out, err = run("trust-list", "show", str(path), "--summary", "--at", "2019-09-01")
    assert code == 0, err
    assert "(DK) #22" in out and "recognisedatnationallevel" in out


def test_third_country_list_reads_mra_under_the_pilot_namespace():
    data = (DATA / "dss-mra-tl-zz.xml").read_bytes()
    tl = import_xml(data, pinned=None)
    (svc,) = tl.services
    assert svc.type == "http://zz-trusted-list.go.zz/TrstSvc/Svctype/CA/QC/for-eSig" and svc.unusable is None
    assert svc.qualifications[0].qualifiers == ("http://zz-trusted-list.go.zz/TrstSvc/TrustedList/SvcInfoExt/QCWithQSCD",)
    (eu,) = tl.pointers
    (equivalence,) = eu.mutual_recognition.equivalences
    assert equivalence.legal_identifier == "QCForESig"
    state = equivalence.state_at(datetime(2023, 1, 1, tzinfo=timezone.utc))
    assert state.status.endswith("/enacted") and len(state.qualifiers) == 8 and len(state.content) == 3
    assert state.pointing_kinds[0].type.endswith("/CA/QC/for-eSig")  # whitespace around URIs trimmed
    assert state.pointed_kinds[0].additional_info == "http://uri.etsi.org/TrstSvc/TrustedList/SvcInfoExt/ForeSignatures"
    # Its list digest does not match what was signed: never trusted.
    with pytest.raises(XmlSignatureError) as exc:
        import_signed_xml(data, [_key_info_signer(data)])
    assert exc.value.failure.sub_indication is SubIndication.HASH_FAILURE


def test_cli_self_check_with_the_key_info_certificate(dk, tmp_path):
    from tests.trustlist.test_cli import run

    path = tmp_path / "DK.xml"
    path.write_bytes(dk)
    code, out, err = run("trust-list", "verify", str(path), "--key-info", "--at", "2019-09-01")
    assert code == 0 and out.startswith("OK DK #22") and "self-check" in out, err
    path.write_bytes(dk.replace(b"Nets DanID A/S", b"Nets DanlD A/S"))
    code, out, err = run("trust-list", "verify", str(path), "--key-info", "--at", "2019-09-01")
    assert code == 1 and "HASH_FAILURE" in err
