"""CAdES LT / LTA signatures in every encoding EU DSS writes (and the older C / X / XL / A forms) validate as DSS
validates them: offline, with `revocation="require"`, after every certificate has expired. What cannot be read
gives INDETERMINATE with a reason, never a crash."""

from __future__ import annotations

import hashlib

import pytest

from tests.longterm import dss_encodings as enc
from tests.longterm.conftest import TERRITORIES
from trustsvc.cms.builder import sign_cms
from trustsvc.reports import SignatureIndication, SubIndication
from trustsvc.validation.signature import validate_signature

CONTENT = b"e-guarantee No. 2026-117, enveloped as DSS signs by default\n"
_PASS, _INDET, _FAIL = SignatureIndication.TOTAL_PASSED, SignatureIndication.INDETERMINATE, SignatureIndication.TOTAL_FAILED


class Material:
    """An attached B-T signature and the values a DSS LT extension would gather for it."""

    def __init__(self, demo, kind: str) -> None:
        leaf, ca, root, tsa = TERRITORIES[kind]
        self.demo, self.kind, self.root, self.tsa_id = demo, kind, demo.cert(root), tsa
        self.bt = sign_cms(CONTENT, demo.cert(leaf), demo.key(leaf), detached=False, extra_certs=[demo.cert(ca)],
                           timestamper=demo.tsa(tsa))
        self.ca = demo.cert(ca).der
        self.root_crl = demo.crl(root)  # the CA certificate's status
        self.ocsp = [enc.ocsp_response(demo, leaf, ca), enc.ocsp_response(demo, tsa, ca)]  # leaf and TSA
        self.tsa = demo.tsa(tsa)

    def validate(self, sig: bytes, **kw):
        return validate_signature(sig, trust_anchors=[self.root], revocation="require",
                                  at=self.demo.after_everything_expired(), **kw)


@pytest.fixture(scope="module", params=["ecdsa", "rsa", "sm2"])
def m(demo, request) -> Material:
    return Material(demo, request.param)


@pytest.fixture(scope="module")
def ec(demo) -> Material:
    return Material(demo, "ecdsa")


# --- B-LT encodings ------------------------------------------------------------------------------
def _lt_ocsp_response(m: Material) -> bytes:
    """DSS 5.x+: OCSP as RevocationInfoChoice other / id-ri-ocsp-response (RFC 5940 4.1), an OCSPResponse."""
    return enc.with_signed_data(m.bt, revocation=[m.root_crl] + [enc.other_revocation(enc.ID_RI_OCSP_RESPONSE, o)
                                                                 for o in m.ocsp])


def _lt_ocsp_basic(m: Material) -> bytes:
    """Older DSS: OCSP as RevocationInfoChoice other / id-pkix-ocsp-basic, a bare BasicOCSPResponse."""
    return enc.with_signed_data(m.bt, revocation=[m.root_crl] + [enc.other_revocation(enc.ID_PKIX_OCSP_BASIC,
                                                                                      enc.basic(o)) for o in m.ocsp])


def _lt_attributes(m: Material) -> bytes:
    """TS 101 733 / EN 319 122-2: certificate-values and revocation-values unsigned attributes (RFC 5126 6.3.3/6.3.4)."""
    return enc.with_unsigned(m.bt, (enc.CERT_VALUES, enc.certificate_values([m.ca])),
                             (enc.REVOCATION_VALUES, enc.revocation_values([m.root_crl], m.ocsp)))


LT_ENCODINGS = {"ocsp-response": _lt_ocsp_response, "basic-ocsp": _lt_ocsp_basic, "attributes": _lt_attributes}


@pytest.mark.parametrize("encoding", sorted(LT_ENCODINGS))
def test_lt_encodings_validate_offline_years_later(m, encoding):
    lt = LT_ENCODINGS[encoding](m)
    r = m.validate(lt)
    assert r.indication is _PASS, r.reasons
    assert r.signers[0].level == "CAdES-BASELINE-LT"
    used = {e.kind for e in r.signers[0].revocation_evidence}
    assert "ocsp" in used  # the leaf's status came from the embedded OCSP response
    assert m.validate(m.bt).indication is _INDET  # the same signature without the values


def test_lt_values_in_attributes_tampered_leave_the_status_unknown(ec):
    lt = _lt_attributes(ec)
    basic = enc.basic(ec.ocsp[0])
    i = lt.index(basic) + len(basic) - 1  # last byte of the leaf response's signature
    r = ec.validate(lt[:i] + bytes([lt[i] ^ 1]) + lt[i + 1:])
    assert r.indication is _INDET
    assert r.sub_indication in (SubIndication.TRY_LATER, SubIndication.OUT_OF_BOUNDS_NO_POE)


# --- B-LTA: archive-time-stamp-v3 with each hash index version -------------------------------------
def _lta(m: Material, lt: bytes, version: int, *, explicit_algorithm: bool, imprint_with_algorithm: bool | str = False,
         skip: tuple[str, ...] = ()) -> bytes:
    index = enc.ats_hash_index(lt, version, explicit_algorithm=explicit_algorithm, skip=skip)
    covered = index
    if imprint_with_algorithm == "null":  # the same, written with NULL parameters (RFC 5754 3 allows both)
        covered = enc.ats_hash_index(lt, version, explicit_algorithm=True, skip=skip)
    elif imprint_with_algorithm:  # DSS 5.2+ for -v2/-v3 without hashIndAlgorithm: the imprint writes SHA-256 out
        covered = enc.with_sha256_written(index)
    token = enc.token_with_index(m.tsa(enc.archive_v3_imprint(lt, covered), "sha256"), version, index)
    return enc.with_unsigned(lt, (enc.ARCHIVE_V3, token))


LTA_VARIANTS = {
    # (hash index version, hashIndAlgorithm written, imprint over the index with the algorithm written out)
    "v1-default-algorithm": (1, False, False),  # DSS 4.x / 5.0: ats-hash-index, SHA-256 left implicit
    "v2-default-algorithm": (2, False, True),
    "v2-explicit-algorithm": (2, True, False),
    "v3-explicit-algorithm": (3, True, False),  # EN 319 122-1 as DSS writes it today
    "v3-default-algorithm": (3, False, True),
    "v3-default-algorithm-null-parameters": (3, False, "null"),
}


@pytest.mark.parametrize("variant", sorted(LTA_VARIANTS))
@pytest.mark.parametrize("encoding", ["ocsp-response", "attributes"])
def test_lta_with_each_hash_index_version_validates(ec, variant, encoding):
    version, explicit, with_alg = LTA_VARIANTS[variant]
    lta = _lta(ec, LT_ENCODINGS[encoding](ec), version, explicit_algorithm=explicit, imprint_with_algorithm=with_alg)
    r = ec.validate(lta)
    assert r.indication is _PASS, r.reasons
    s = r.signers[0]
    assert s.level == "CAdES-BASELINE-LTA" and s.validation_process == "long-term"
    assert [t.kind for t in s.timestamps] == ["signature", "archive"] and s.timestamps[1].passed
    # The archive timestamp proves each value it covers existed at its genTime.
    proved = {p.sha256 for p in s.poe if p.sha256}
    assert hashlib.sha256(ec.root_crl).hexdigest() in proved


def test_lta_whose_index_leaves_out_the_value_attributes_validates(ec):
    # DSS 5.0 excluded certificate-values and revocation-values from the index: only what is listed must match.
    lta = _lta(ec, _lt_attributes(ec), 1, explicit_algorithm=False, skip=(enc.CERT_VALUES, enc.REVOCATION_VALUES))
    r = ec.validate(lta)
    assert r.indication is _PASS, r.reasons


@pytest.mark.parametrize("version", [1, 2])
def test_older_hash_index_detects_a_changed_crl(ec, version):
    lta = _lta(ec, _lt_ocsp_response(ec), version, explicit_algorithm=False, imprint_with_algorithm=version == 2)
    i = lta.index(ec.root_crl) + len(ec.root_crl) - 1
    r = ec.validate(lta[:i] + bytes([lta[i] ^ 1]) + lta[i + 1:])
    assert r.indication is _FAIL and r.sub_indication is SubIndication.HASH_FAILURE
    assert r.signers[0].timestamps[-1].sub_indication is SubIndication.HASH_FAILURE


def test_archive_timestamp_without_any_hash_index_fails_with_a_reason(ec):
    lt = _lt_ocsp_response(ec)
    token = ec.tsa(enc.archive_v3_imprint(lt, b""), "sha256")
    r = ec.validate(enc.with_unsigned(lt, (enc.ARCHIVE_V3, token)))
    archive = r.signers[0].timestamps[-1]
    assert archive.sub_indication is SubIndication.HASH_FAILURE
    assert "ats-hash-index" in " ".join(archive.reasons)


# --- CAdES-C / -X / -XL / -A (RFC 5126, TS 101 733) ----------------------------------------------
def _c(m: Material) -> bytes:
    return enc.with_unsigned(m.bt, (enc.CERT_REFS, enc.certificate_refs([m.ca])),
                             (enc.REVOCATION_REFS, enc.revocation_refs([m.root_crl], m.ocsp)))


def _x(m: Material, kind: str = enc.ESC_TIMESTAMP, tamper: bool = False) -> bytes:
    c = _c(m)
    data = enc.x_timestamp_data(c, kind) + (b"x" if tamper else b"")
    return enc.with_unsigned(c, (kind, m.tsa(hashlib.sha256(data).digest(), "sha256")))


def _xl(m: Material, kind: str = enc.ESC_TIMESTAMP) -> bytes:
    return enc.with_unsigned(_x(m, kind), (enc.CERT_VALUES, enc.certificate_values([m.ca])),
                             (enc.REVOCATION_VALUES, enc.revocation_values([m.root_crl], m.ocsp)))


@pytest.mark.parametrize("kind,name", [(enc.ESC_TIMESTAMP, "sig-and-refs"), (enc.CERT_CRL_TIMESTAMP, "refs-only")])
def test_cades_xl_validates_and_names_its_timestamps(m, kind, name):
    r = m.validate(_xl(m, kind))
    assert r.indication is _PASS, r.reasons
    s = r.signers[0]
    assert s.level == "CAdES-XL"
    assert [t.kind for t in s.timestamps] == ["signature", name] and all(t.passed for t in s.timestamps)


def test_cades_c_and_x_without_values_are_indeterminate_offline(ec):
    for sig, level in ((_c(ec), "CAdES-C"), (_x(ec), "CAdES-X")):
        r = ec.validate(sig)
        assert r.indication is _INDET and r.signers[0].level == level
        assert r.sub_indication in (SubIndication.TRY_LATER, SubIndication.OUT_OF_BOUNDS_NO_POE)


def test_esc_timestamp_over_other_data_proves_nothing_but_does_not_fail_the_values(ec):
    sig = enc.with_unsigned(_x(ec, tamper=True), (enc.CERT_VALUES, enc.certificate_values([ec.ca])),
                            (enc.REVOCATION_VALUES, enc.revocation_values([ec.root_crl], ec.ocsp)))
    r = ec.validate(sig)
    x = r.signers[0].timestamps[1]
    assert x.kind == "sig-and-refs" and x.sub_indication is SubIndication.HASH_FAILURE
    assert r.indication is _PASS  # EN 319 102-1 5.6.2.3: an invalid timestamp only gives no POE
    assert any("CAdES-X" in reason for reason in r.reasons)


def test_cades_a_archive_timestamp_v2_over_xl_validates(ec):
    from tests.longterm.test_archive_v2 import _v2_input

    xl = _xl(ec)
    token = ec.tsa(hashlib.sha256(_v2_input(xl)).digest(), "sha256")
    r = ec.validate(enc.with_unsigned(xl, ("1.2.840.113549.1.9.16.2.48", token)))
    assert r.indication is _PASS, r.reasons
    s = r.signers[0]
    assert s.level == "CAdES-A" and [t.kind for t in s.timestamps] == ["signature", "sig-and-refs", "archive"]
    assert s.validation_process == "long-term"


# --- what cannot be read -------------------------------------------------------------------------
def test_unreadable_or_unsupported_values_are_indeterminate_with_a_reason(ec):
    cases = {
        "otherRevVals": enc.with_unsigned(ec.bt, (enc.REVOCATION_VALUES, enc.revocation_values(
            other=b"\x04\x03abc"))),
        "other revocation format": enc.with_signed_data(ec.bt, revocation=[enc.other_revocation(
            "1.3.6.1.5.5.7.16.4", b"\x04\x03abc")]),
        "unreadable": enc.with_unsigned(ec.bt, (enc.REVOCATION_VALUES, b"\x30\x03\xa0\x01\x05"),
                                        (enc.CERT_VALUES, b"\x30\x03\x02\x01\x05")),
    }
    for what, sig in cases.items():
        r = ec.validate(sig)
        assert r.indication is _INDET, what
        assert any(what.split()[0].lower() in reason.lower() or "could not be used" in reason
                   for reason in r.reasons), (what, r.reasons)


def test_garbage_in_every_long_term_attribute_never_crashes(ec):
    junk = [b"\x05\x00", b"\x30\x00", b"\x04\x01\x00", b"\x30\x80\x00\x00"]
    oids = [enc.CERT_VALUES, enc.REVOCATION_VALUES, enc.CERT_REFS, enc.REVOCATION_REFS, enc.ESC_TIMESTAMP,
            enc.CERT_CRL_TIMESTAMP, enc.ARCHIVE_V3, "1.2.840.113549.1.9.16.2.48"]
    for oid in oids:
        for value in junk:
            try:
                sig = enc.with_unsigned(ec.bt, (oid, value))
            except ValueError:
                continue  # not even a TLV: the splice refuses it
            r = ec.validate(sig)
            assert r.indication in (_INDET, _FAIL), (oid, value)
            assert r.reasons


# --- BER (BouncyCastle writes CMSSignedData with indefinite lengths) ------------------------------
def test_ber_encoded_lt_lta_and_xl_validate(ec):
    long_content = CONTENT * 60  # several eContent segments
    leaf, ca, _root, tsa = TERRITORIES["ecdsa"]
    for sig in (_lta(ec, _lt_ocsp_response(ec), 3, explicit_algorithm=True), _xl(ec), _lt_attributes(ec)):
        ber = enc.to_ber(sig)
        assert ber[:2] == b"\x30\x80" and ber != sig
        r = ec.validate(ber)
        assert r.indication is _PASS, r.reasons
        assert r.signers[0].level == ec.validate(sig).signers[0].level
    bt = sign_cms(long_content, ec.demo.cert(leaf), ec.demo.key(leaf), detached=False, extra_certs=[ec.demo.cert(ca)],
                  timestamper=ec.demo.tsa(tsa))
    ber = enc.to_ber(bt, chunk=500)
    lta = _lta(ec, enc.with_signed_data(ber, revocation=[ec.root_crl] + [
        enc.other_revocation(enc.ID_RI_OCSP_RESPONSE, o) for o in ec.ocsp]), 3, explicit_algorithm=True)
    r = ec.validate(lta)
    assert r.indication is _PASS, r.reasons


def test_extending_a_ber_signature_keeps_what_it_signs(ec):
    from trustsvc.validation.extend import extend_signature

    ber = enc.to_ber(ec.bt)
    lta = extend_signature(ber, level="B-LTA", trust_anchors=[ec.root], crls=[ec.root_crl, ec.demo.crl(TERRITORIES["ecdsa"][1])],
                           ocsp_responses=ec.ocsp, timestamper=ec.tsa)
    r = ec.validate(lta)
    assert r.indication is _PASS, r.reasons
    assert r.signers[0].level == "CAdES-BASELINE-LTA"


def test_index_over_the_der_of_a_value_received_in_ber_matches(ec):
    """BouncyCastle and DSS hash the DER of each value; a signature timestamp token kept in BER still matches."""
    from dataclasses import replace

    from trustsvc.cms.layout import RawAttribute, read_layout

    lt = _lt_ocsp_response(ec)
    index = enc.ats_hash_index(lt, 3, explicit_algorithm=True)  # over the DER token
    layout = read_layout(lt)
    si = layout.signers[0]
    attrs = [RawAttribute.build(a.type_der, [enc.to_ber(v) for v in a.values]) if a.oid == enc.SIGNATURE_TIMESTAMP
             else a for a in si.unsigned]
    ber_token = replace(layout, signers=(si.with_unsigned(attrs),)).der()
    assert ber_token != lt
    token = enc.token_with_index(ec.tsa(enc.archive_v3_imprint(ber_token, index), "sha256"), 3, index)
    r = ec.validate(enc.with_unsigned(ber_token, (enc.ARCHIVE_V3, token)))
    assert r.indication is _PASS, r.reasons
    assert all(t.passed for t in r.signers[0].timestamps)


def test_archive_imprint_over_the_der_of_signed_attributes_received_unsorted(ec):
    """Signed attributes sent as an unsorted SET (BER) are signed, and archive-timestamped by DSS, as DER."""
    from dataclasses import replace

    from asn1crypto import parser

    from trustsvc.cms.layout import read_layout

    lt = _lt_ocsp_response(ec)
    index = enc.ats_hash_index(lt, 3, explicit_algorithm=True)
    imprint = enc.archive_v3_imprint(lt, index)  # over the DER fields
    layout = read_layout(lt)
    si = layout.signers[0]
    signed = si.signed_fields[3]
    assert signed[:1] == b"\xa0"
    attrs = enc._tlvs(parser.parse(signed)[4])
    unsorted = parser.emit(2, 1, 0, b"".join(a[3] + a[4] + a[5] for a in reversed(attrs)))
    fields = (*si.signed_fields[:3], unsorted, *si.signed_fields[4:])
    received = replace(layout, signers=(replace(si, signed_fields=fields),)).der()
    assert ec.validate(received).indication is _PASS  # the signature value is over the DER of the SET
    token = enc.token_with_index(ec.tsa(imprint, "sha256"), 3, index)
    r = ec.validate(enc.with_unsigned(received, (enc.ARCHIVE_V3, token)))
    assert r.indication is _PASS, r.reasons
    assert r.signers[0].timestamps[-1].passed


def test_archive_timestamp_v2_of_a_ber_signature_over_its_der(ec):
    """DSS computes an archive-time-stamp-v2 imprint over the DER of each component, also for a BER signature."""
    from tests.longterm.test_archive_v2 import _v2_input

    xl = _xl(ec)
    token = ec.tsa(hashlib.sha256(_v2_input(xl)).digest(), "sha256")  # over the DER signature
    received = enc.to_ber(enc.with_unsigned(xl, ("1.2.840.113549.1.9.16.2.48", token)), chunk=16)
    r = ec.validate(received)
    assert r.indication is _PASS, r.reasons
    assert r.signers[0].timestamps[-1].kind == "archive" and r.signers[0].timestamps[-1].passed


def test_esc_timestamp_over_the_der_of_a_signature_timestamp_received_in_ber(ec):
    from dataclasses import replace

    from trustsvc.cms.layout import RawAttribute, read_layout

    c = _c(ec)
    data = enc.x_timestamp_data(c, enc.ESC_TIMESTAMP)  # DER attributes, as DSS hashes them
    layout = read_layout(c)
    si = layout.signers[0]
    attrs = [RawAttribute.build(a.type_der, [enc.to_ber(v) for v in a.values]) if a.oid == enc.SIGNATURE_TIMESTAMP
             else a for a in si.unsigned]
    received = replace(layout, signers=(si.with_unsigned(attrs),)).der()
    sig = enc.with_unsigned(received, (enc.ESC_TIMESTAMP, ec.tsa(hashlib.sha256(data).digest(), "sha256")),
                            (enc.CERT_VALUES, enc.certificate_values([ec.ca])),
                            (enc.REVOCATION_VALUES, enc.revocation_values([ec.root_crl], ec.ocsp)))
    r = ec.validate(sig)
    assert r.indication is _PASS, r.reasons
    assert [t.kind for t in r.signers[0].timestamps] == ["signature", "sig-and-refs"]
    assert all(t.passed for t in r.signers[0].timestamps)


def test_changed_revocation_values_attribute_breaks_the_archive_timestamp(ec):
    lta = _lta(ec, _lt_attributes(ec), 3, explicit_algorithm=True)
    basic = enc.basic(ec.ocsp[0])
    i = lta.index(basic) + len(basic) - 1
    r = ec.validate(lta[:i] + bytes([lta[i] ^ 1]) + lta[i + 1:])
    assert r.indication is _FAIL and r.sub_indication is SubIndication.HASH_FAILURE
    assert "unsigned attribute value" in " ".join(r.signers[0].timestamps[-1].reasons)


@pytest.mark.parametrize("build", ["attributes", "xl"])
def test_extending_a_dss_encoded_signature_to_lta(ec, build):
    from trustsvc.validation.extend import extend_signature

    sig = _lt_attributes(ec) if build == "attributes" else _xl(ec)
    lta = extend_signature(sig, level="B-LTA", trust_anchors=[ec.root], timestamper=ec.tsa)
    r = ec.validate(lta)
    assert r.indication is _PASS, r.reasons
    s = r.signers[0]
    assert s.validation_process == "long-term" and s.timestamps[-1].kind == "archive" and s.timestamps[-1].passed
    assert s.level == ("CAdES-BASELINE-LTA" if build == "attributes" else "CAdES-A")
