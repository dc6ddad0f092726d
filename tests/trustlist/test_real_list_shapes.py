"""Trusted lists as their publishers make them: each defect class real EU lists showed, built and varied here.

Outcomes follow EU DSS (dss-tsl-validation's TLValidationJobTest / TLValidatorTaskTest): one signature exactly
(0 or 2: refused), an altered list is HASH_FAILURE, a list signed by a key the pointer does not give is
NO_CERTIFICATE_CHAIN_FOUND, BOM and whitespace are accepted; algorithms are judged at the signing time.
"""

from __future__ import annotations

import base64

import pytest
from lxml import etree

from trustsvc.reports import SubIndication
from trustsvc.trustlist.model import TrustListFormatError
from trustsvc.trustlist.ts119612 import import_signed_xml, import_xml
from trustsvc.trustlist.xades import XmlSignatureError

from tests.trustlist.real_shape import make_cert, make_key, national_list, sign

ALGORITHMS = [("rsa2048", "rsa", "sha256"), ("rsa2048", "rsa", "sha512"), ("rsa3072", "pss", "sha256"),
              ("p256", "ecdsa", "sha256"), ("p384", "ecdsa", "sha384"), ("bp256", "ecdsa", "sha256"),
              ("bp384", "ecdsa", "sha512")]


@pytest.fixture(scope="module")
def keys():
    out = {}
    for kind in {k for k, _, _ in ALGORITHMS}:
        key = make_key(kind)
        out[kind] = (key, make_cert(key, f"ZZ TL signer {kind}"))
    return out


@pytest.fixture(scope="module")
def signed(keys):
    key, cert = keys["rsa2048"]
    return sign(national_list(service_cert=cert), key, cert), cert


def _failure(data: bytes, pinned) -> XmlSignatureError:
    with pytest.raises(XmlSignatureError) as exc:
        import_signed_xml(data, pinned)
    return exc.value


@pytest.mark.parametrize("kind,scheme,hash_name", ALGORITHMS)
def test_publishers_signature_methods_verify(keys, kind, scheme, hash_name):
    key, cert = keys[kind]
    tl, signer = import_signed_xml(sign(national_list(service_cert=cert), key, cert, scheme=scheme,
                                        hash_name=hash_name), [cert])
    assert signer.der == cert.der
    assert tl.territory == "ZZ" and tl.sequence_number == 42 and len(tl.services) == 2


def test_sha1_list_verifies_when_sha1_was_acceptable_and_not_after(keys):
    key, cert = keys["rsa2048"]
    old = sign(national_list(issued="2012-06-01T00:00:00Z", service_cert=cert), key, cert, hash_name="sha1")
    assert import_signed_xml(old, [cert])[0].sequence_number == 42
    late = sign(national_list(issued="2020-06-01T00:00:00Z", service_cert=cert), key, cert, hash_name="sha1")
    failure = _failure(late, [cert]).failure
    assert failure.sub_indication is SubIndication.CRYPTO_CONSTRAINTS_FAILURE
    assert "sha1" in failure.detail


def test_bom_and_leading_whitespace_are_accepted(signed):
    data, cert = signed
    for variant in (b"\xef\xbb\xbf" + data, b"\n  \r\n" + data, b"\xef\xbb\xbf\n " + data):
        assert import_signed_xml(variant, [cert])[0].territory == "ZZ"
        assert import_xml(variant, pinned=None).territory == "ZZ"


def test_prefixed_namespace_reads_the_same(keys):
    key, cert = keys["p256"]
    plain = import_signed_xml(sign(national_list(service_cert=cert), key, cert, scheme="ecdsa"), [cert])[0]
    prefixed = import_signed_xml(sign(national_list(prefix="tsl", service_cert=cert), key, cert, scheme="ecdsa"),
                                 [cert])[0]
    assert plain.to_dict() == prefixed.to_dict()


def test_two_signatures_are_refused(signed):
    data, cert = signed
    root = etree.fromstring(data)
    root.append(etree.fromstring(etree.tostring(root.find("{http://www.w3.org/2000/09/xmldsig#}Signature"))))
    failure = _failure(etree.tostring(root), [cert]).failure
    assert failure.sub_indication is SubIndication.FORMAT_FAILURE and "found 2" in failure.detail


def test_unsigned_list_is_refused_but_parses(signed, keys):
    _, cert = keys["rsa2048"]
    unsigned = national_list(service_cert=cert)
    failure = _failure(unsigned, [cert]).failure
    assert failure.sub_indication is SubIndication.FORMAT_FAILURE and "found 0" in failure.detail
    assert import_xml(unsigned, pinned=None).sequence_number == 42


def test_altered_list_is_hash_failure_and_never_trusted(signed):
    data, cert = signed
    altered = data.replace(b"Zed national service", b"Zed rogue service")
    assert _failure(altered, [cert]).failure.sub_indication is SubIndication.HASH_FAILURE


def test_broken_signature_value_is_sig_crypto_failure(signed):
    data, cert = signed
    root = etree.fromstring(data)
    value = root.find(".//{http://www.w3.org/2000/09/xmldsig#}SignatureValue")
    raw = bytearray(base64.b64decode(value.text))
    raw[10] ^= 0xFF
    value.text = base64.b64encode(bytes(raw)).decode()
    assert _failure(etree.tostring(root), [cert]).failure.sub_indication is SubIndication.SIG_CRYPTO_FAILURE


def test_signer_the_pointer_does_not_give_is_no_certificate_chain_found(signed, keys):
    data, _ = signed
    failure = _failure(data, [keys["p256"][1]]).failure
    assert failure.sub_indication is SubIndication.NO_CERTIFICATE_CHAIN_FOUND


@pytest.mark.parametrize("garbage", [b"", b"   ", b"<TrustServiceStatusList", b"%PDF-1.4\n", b"\xef\xbb\xbf"])
def test_not_parsable_is_one_clear_line(garbage):
    with pytest.raises(TrustListFormatError) as exc:
        import_xml(garbage, pinned=None)
    assert "\n" not in str(exc.value) and str(exc.value).startswith("XML:")


def test_key_info_formatting_and_key_value_do_not_matter(keys):
    key, cert = keys["bp256"]
    b64 = base64.b64encode(cert.der).decode()
    wrapped = "&#13;\n    ".join(b64[i:i + 76] for i in range(0, len(b64), 76))
    data = sign(national_list(service_cert=cert), key, cert, scheme="ecdsa", cert_text="CERT")
    data = data.replace(b">CERT<", b">" + wrapped.encode() + b"<")
    root = etree.fromstring(data)
    key_info = root.find(".//{http://www.w3.org/2000/09/xmldsig#}KeyInfo")
    etree.SubElement(key_info, "{http://www.w3.org/2000/09/xmldsig#}KeyName").text = "unsigned extra"
    assert import_signed_xml(etree.tostring(root), [cert])[1].der == cert.der


def test_real_list_content_is_kept_as_data(signed):
    data, cert = signed
    tl, _ = import_signed_xml(data, [cert])
    qc, national = tl.services
    assert qc.type == "http://uri.etsi.org/TrstSvc/Svctype/CA/QC" and qc.unusable is None
    assert qc.provider == "Zed Vertrauensdienste" and tl.scheme_operator == "ZZ Supervisory Body"
    assert [h.status.rsplit("/", 1)[-1] for h in qc.history] == ["undersupervision", "granted"]
    assert qc.qualifications and qc.additional_info == (
        "http://uri.etsi.org/TrstSvc/TrustedList/SvcInfoExt/ForeSignatures",)
    # TS 119 612 5.5.9: an unknown critical extension makes that service unusable, not the list.
    assert national.status.status == "http://example.zz/Svcstatus/inaccord" and national.unusable
    assert tl.pointers == ()  # a generic backup pointer without a SchemeTerritory chains nothing


def test_empty_optional_elements_and_zone_less_times(keys):
    key, cert = keys["rsa2048"]
    tl = import_signed_xml(sign(national_list(service_cert=cert, next_update=None), key, cert), [cert])[0]
    assert tl.next_update == tl.issued_at  # TS 119 612 5.3.15: a closed list is stale at once
    assert tl.services[0].history[-1].start.tzinfo is not None


def test_pre_119612_list_without_scheme_territory_takes_the_operator_country(keys):
    key, cert = keys["p256"]
    data = sign(national_list(territory=None, version=3, service_cert=cert), key, cert, scheme="ecdsa")
    assert import_signed_xml(data, [cert])[0].territory == "ZZ"


def test_cli_show_and_verify_a_published_list_with_bom(signed, tmp_path):
    from asn1crypto import pem

    from tests.trustlist.test_cli import run

    data, cert = signed
    path = tmp_path / "zz.xml"
    path.write_bytes(b"\xef\xbb\xbf\r\n" + data)
    code, out, err = run("trust-list", "show", str(path), "--at", "2020-01-01")
    assert code == 0, err
    assert "ZZ: services per type and status" in out and "CA/QC" in out
    pin = tmp_path / "pin.pem"
    pin.write_bytes(pem.armor("CERTIFICATE", cert.der))
    code, out, err = run("trust-list", "verify", str(path), "--pin", str(pin), "--at", "2020-01-01")
    assert code == 0 and out.startswith("OK ZZ #42"), err
    path.write_bytes(data.replace(b"Zed national service", b"Zed rogue service"))
    code, out, err = run("trust-list", "verify", str(path), "--pin", str(pin), "--at", "2020-01-01")
    assert code == 1 and "HASH_FAILURE" in err and len(err.strip().splitlines()) == 1, err


def test_cli_not_parsable_list_is_one_line_exit_2(tmp_path):
    from tests.trustlist.test_cli import run

    path = tmp_path / "broken.xml"
    path.write_bytes(b"<?xml version='1.0'?><TrustServiceStatusList><SchemeInformation>")
    code, out, err = run("trust-list", "show", str(path))
    assert code == 2 and len(err.strip().splitlines()) == 1 and "not well formed" in err, err


def test_signing_certificate_may_name_issuers_the_key_info_does_not_carry(keys):
    key, cert = keys["rsa2048"]
    data = sign(national_list(service_cert=cert), key, cert, chain=(keys["p256"][1],))
    assert import_signed_xml(data, [cert])[1].der == cert.der
    # ...but the first Cert is the signing certificate: another certificate there breaks the binding.
    other = sign(national_list(service_cert=cert), key, keys["p256"][1])
    assert _failure(other, [cert]).failure.sub_indication is not None


def test_inclusive_c14n_three_references_and_a_sha1_key_info_digest(keys):
    from tests.trustlist.real_shape import sign_inclusive

    key, cert = keys["rsa2048"]
    data = sign_inclusive(national_list(prefix="tsl", issued="2018-11-29T21:00:00Z", service_cert=cert), key, cert)
    tl, signer = import_signed_xml(data, [cert])
    assert signer.der == cert.der and tl.territory == "ZZ"
    # The content itself under SHA-1 after 2016 is another matter: the list's digest must resist collisions.
    late = sign_inclusive(national_list(prefix="tsl", issued="2018-11-29T21:00:00Z", service_cert=cert), key, cert,
                          hash_name="sha1")
    assert _failure(late, [cert]).failure.sub_indication is SubIndication.CRYPTO_CONSTRAINTS_FAILURE


def test_signer_certified_after_the_issue_date_is_judged_at_the_signing_time():
    from datetime import datetime, timezone

    from tests.trustlist.real_shape import make_cert

    key = make_key("p256")
    cert = make_cert(key, "renewed signer", not_before=datetime(2019, 9, 4, 12, tzinfo=timezone.utc), years=2)
    doc = national_list(issued="2019-09-04T00:00:00Z", service_cert=cert)
    tl, signer = import_signed_xml(sign(doc, key, cert, scheme="ecdsa", signing_time="2019-09-05T08:00:00Z"), [cert])
    assert signer.der == cert.der and tl.issued_at.day == 4
    # Signed (by its own claim) before the certificate existed: not valid then, whichever time is used.
    early = sign(doc, key, cert, scheme="ecdsa", signing_time="2019-09-04T06:00:00Z")
    assert _failure(early, [cert]).failure.sub_indication is SubIndication.OUT_OF_BOUNDS_NO_POE


def test_uninterpreted_extensions_are_kept_as_data(signed):
    data, cert = signed
    qc, national = import_signed_xml(data, [cert])[0].services
    assert qc.other_extensions == ("1.2.276.0.76.4.74=oid_hba_enc",)
    assert national.other_extensions == ("1.2.3.99=",) and "1.2.3.99" in national.unusable
    assert qc.to_dict()["other_extensions"] == ["1.2.276.0.76.4.74=oid_hba_enc"]


def test_signed_properties_reference_without_transforms_uses_inclusive_c14n(keys):
    # The Liechtenstein list's shape: exclusive C14N for SignedInfo, none named for the SignedProperties.
    key, cert = keys["rsa2048"]
    data = sign(national_list(service_cert=cert), key, cert, props_transform=False)
    assert b'xmlns="http://uri.etsi.org/02231/v2#"' in data
    assert import_signed_xml(data, [cert])[1].der == cert.der


def test_cli_show_prints_names_with_brackets_as_data(keys, tmp_path):
    from tests.trustlist.test_cli import run

    key, cert = keys["rsa2048"]
    doc = national_list(service_cert=cert).replace(b"Zed Vertrauensdienste", b"Zed [/b] Dienste [bold]")
    path = tmp_path / "zz.xml"
    path.write_bytes(sign(doc, key, cert))
    code, out, err = run("trust-list", "show", str(path), "--at", "2020-01-01")
    assert code == 0, err
    assert "[/b]" in out


def test_territory_case_and_a_pointer_naming_no_territory(keys):
    key, cert = keys["rsa2048"]
    doc = national_list(territory="zz", service_cert=cert, zoneless=False).replace(
        b"<TextualInformation", b"<OtherInformation><SchemeTerritory>not a code</SchemeTerritory></OtherInformation>"
                                b"<TextualInformation")
    tl = import_signed_xml(sign(doc, key, cert), [cert])[0]
    assert tl.territory == "ZZ" and tl.pointers == ()
