"""Builders for CAdES signatures in the encodings EU DSS (and older TS 101 733 signers) write, with asn1crypto.

Everything here is computed from the standards independently of trustsvc/cms/archive.py and
validation_data.py (which are under test); trustsvc's TLV layout is only used to splice the
finished attributes into a signature without re-encoding what it signs.

* B-LT values in SignedData: OCSP as RevocationInfoChoice `other` with id-ri-ocsp-response (RFC 5940,
  an OCSPResponse; DSS 5.x and later) or id-pkix-ocsp-basic (a BasicOCSPResponse; older DSS);
* B-LT values as unsigned attributes: certificate-values and revocation-values (RFC 5126 6.3.3, 6.3.4);
* archive-time-stamp-v3 with ats-hash-index (TS 101 733 v2.2.1), -v2 (EN 319 122-1 V1.0) or -v3;
* CAdES-C / -X: complete-certificate-references, complete-revocation-references (RFC 5126 6.2.1, 6.2.2)
  and the ESC / cert-CRL timestamps over them (6.3.5, 6.3.6).
"""

from __future__ import annotations

import hashlib
from dataclasses import replace
from datetime import datetime, timedelta, timezone

from asn1crypto import algos, cms, core, crl, ocsp, parser, x509

from trustsvc.cms.layout import RawAttribute, read_layout
from trustsvc.demo.revocation import make_ocsp_response

ID_RI_OCSP_RESPONSE = "1.3.6.1.5.5.7.16.2"
ID_PKIX_OCSP_BASIC = "1.3.6.1.5.5.7.48.1.1"
CERT_VALUES = "1.2.840.113549.1.9.16.2.23"
REVOCATION_VALUES = "1.2.840.113549.1.9.16.2.24"
CERT_REFS = "1.2.840.113549.1.9.16.2.21"
REVOCATION_REFS = "1.2.840.113549.1.9.16.2.22"
ESC_TIMESTAMP = "1.2.840.113549.1.9.16.2.25"
CERT_CRL_TIMESTAMP = "1.2.840.113549.1.9.16.2.26"
SIGNATURE_TIMESTAMP = "1.2.840.113549.1.9.16.2.14"
ARCHIVE_V3 = "0.4.0.1733.2.4"
ATS_HASH_INDEX = {1: "0.4.0.1733.2.5", 2: "0.4.0.19122.1.4", 3: "0.4.0.19122.1.5"}


# --- RFC 5126 / EN 319 122 ASN.1 (explicit tags, as the CAdES modules are written) ---------------
class _Certificates(core.SequenceOf):
    _child_spec = x509.Certificate


class _CRLs(core.SequenceOf):
    _child_spec = crl.CertificateList


class _BasicResponses(core.SequenceOf):
    _child_spec = ocsp.BasicOCSPResponse


class _OtherRevVals(core.Sequence):
    _fields = [("other_rev_val_type", core.ObjectIdentifier), ("other_rev_vals", core.Any)]


class RevocationValues(core.Sequence):
    _fields = [("crl_vals", _CRLs, {"explicit": 0, "optional": True}),
               ("ocsp_vals", _BasicResponses, {"explicit": 1, "optional": True}),
               ("other_rev_vals", _OtherRevVals, {"explicit": 2, "optional": True})]


class _Octets(core.SequenceOf):
    _child_spec = core.OctetString


class ATSHashIndex(core.Sequence):
    _fields = [("hash_ind_algorithm", algos.DigestAlgorithm, {"optional": True}),
               ("certificates_hash_index", _Octets), ("crls_hash_index", _Octets),
               ("unsigned_attrs_hash_index", _Octets)]


class _OtherHashAlgAndValue(core.Sequence):
    _fields = [("hash_algorithm", algos.DigestAlgorithm), ("hash_value", core.OctetString)]


class _OtherHash(core.Choice):
    _alternatives = [("sha1_hash", core.OctetString), ("other_hash", _OtherHashAlgAndValue)]


class _OtherCertID(core.Sequence):
    _fields = [("other_cert_hash", _OtherHash), ("issuer_serial", cms.IssuerSerial, {"optional": True})]


class CompleteCertificateRefs(core.SequenceOf):
    _child_spec = _OtherCertID


class _CrlValidatedID(core.Sequence):
    _fields = [("crl_hash", _OtherHash)]


class _CrlValidatedIDs(core.SequenceOf):
    _child_spec = _CrlValidatedID


class _CRLListID(core.Sequence):
    _fields = [("crls", _CrlValidatedIDs)]


class _OcspIdentifier(core.Sequence):
    _fields = [("ocsp_responder_id", ocsp.ResponderId), ("produced_at", core.GeneralizedTime)]


class _OcspResponsesID(core.Sequence):
    _fields = [("ocsp_identifier", _OcspIdentifier), ("ocsp_rep_hash", _OtherHash, {"optional": True})]


class _OcspResponsesIDs(core.SequenceOf):
    _child_spec = _OcspResponsesID


class _OcspListID(core.Sequence):
    _fields = [("ocsp_responses", _OcspResponsesIDs)]


class _CrlOcspRef(core.Sequence):
    _fields = [("crlids", _CRLListID, {"explicit": 0, "optional": True}),
               ("ocspids", _OcspListID, {"explicit": 1, "optional": True})]


class CompleteRevocationRefs(core.SequenceOf):
    _child_spec = _CrlOcspRef


# --- material ------------------------------------------------------------------------------------
def ocsp_response(demo, eid: str, issuer_eid: str) -> bytes:
    """A good OCSPResponse for `eid` from its issuer's delegated demo responder (RFC 6960)."""
    responder = issuer_eid.split("-")[0] + "-ocsp"
    now = datetime.now(timezone.utc).replace(microsecond=0)
    return make_ocsp_response(demo.cert(eid).serial_number, demo.cert(issuer_eid), demo.cert(responder),
                              demo.key(responder), this_update=now, next_update=now + timedelta(days=7))


def basic(ocsp_der: bytes) -> bytes:
    return ocsp.OCSPResponse.load(ocsp_der)["response_bytes"]["response"].parsed.dump()


def _hash(data: bytes) -> _OtherHash:
    return _OtherHash({"other_hash": {"hash_algorithm": {"algorithm": "sha256"},
                                      "hash_value": hashlib.sha256(data).digest()}})


# --- splicing ------------------------------------------------------------------------------------
def with_unsigned(sig: bytes, *attrs: tuple[str, bytes]) -> bytes:
    """`sig` with unsigned attributes (oid, one value DER) appended to its first signer."""
    layout = read_layout(sig)
    si = layout.signers[0]
    new = [RawAttribute.build(core.ObjectIdentifier(oid).dump(), [value]) for oid, value in attrs]
    return replace(layout, signers=(si.with_unsigned([*(si.unsigned or ()), *new]),)).der()


def with_signed_data(sig: bytes, *, certificates: list[bytes] = (), revocation: list[bytes] = ()) -> bytes:
    """`sig` with CertificateChoices / RevocationInfoChoices appended to SignedData.certificates / crls."""
    layout = read_layout(sig)
    return replace(layout, certificates=(*(layout.certificates or ()), *certificates),
                   crls=(*(layout.crls or ()), *revocation)).der()


def other_revocation(fmt: str, info: bytes) -> bytes:
    """RevocationInfoChoice `other` [1] IMPLICIT OtherRevocationInfoFormat (RFC 5652 10.2.1)."""
    body = core.ObjectIdentifier(fmt).dump() + info
    return b"\xa1" + _length(body) + body


def _length(body: bytes) -> bytes:
    n = len(body)
    if n < 0x80:
        return bytes([n])
    raw = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(raw)]) + raw


# --- the attributes ------------------------------------------------------------------------------
def certificate_values(certs: list[bytes]) -> bytes:
    return _Certificates([x509.Certificate.load(c) for c in certs]).dump()


def revocation_values(crls: list[bytes] = (), ocsp_responses: list[bytes] = (), other: bytes | None = None) -> bytes:
    value: dict = {}
    if crls:
        value["crl_vals"] = [crl.CertificateList.load(c) for c in crls]
    if ocsp_responses:
        value["ocsp_vals"] = [ocsp.BasicOCSPResponse.load(basic(o)) for o in ocsp_responses]
    if other is not None:
        value["other_rev_vals"] = {"other_rev_val_type": "1.2.3.4.5", "other_rev_vals": core.Any.load(other)}
    return RevocationValues(value).dump()


def certificate_refs(certs: list[bytes]) -> bytes:
    return CompleteCertificateRefs([{"other_cert_hash": _hash(c)} for c in certs]).dump()


def revocation_refs(crls: list[bytes], ocsp_responses: list[bytes]) -> bytes:
    refs = [{"crlids": {"crls": [{"crl_hash": _hash(c)} for c in crls]}}] if crls else []
    for o in ocsp_responses:
        tbs = ocsp.BasicOCSPResponse.load(basic(o))["tbs_response_data"]
        refs.append({"ocspids": {"ocsp_responses": [{"ocsp_identifier": {
            "ocsp_responder_id": tbs["responder_id"], "produced_at": tbs["produced_at"].native},
            "ocsp_rep_hash": _hash(o)}]}})
    return CompleteRevocationRefs(refs).dump()


def x_timestamp_data(sig: bytes, kind: str) -> bytes:
    """RFC 5126 6.3.5 / 6.3.6: [the signature value octets, signature timestamps,] then both refs attributes,
    each attribute as attrType || attrValues (NOTE 2: without the enclosing SEQUENCE)."""
    si = cms.ContentInfo.load(sig)["content"]["signer_infos"][0]
    attrs = {}
    for a in si["unsigned_attrs"]:
        attrs.setdefault(a["type"].dotted, []).append(a["type"].dump() + a["values"].dump())
    refs = b"".join(attrs.get(CERT_REFS, [])) + b"".join(attrs.get(REVOCATION_REFS, []))
    if kind == CERT_CRL_TIMESTAMP:
        return refs
    return si["signature"].native + b"".join(attrs.get(SIGNATURE_TIMESTAMP, [])) + refs


def ats_hash_index(sig: bytes, version: int, *, explicit_algorithm: bool, skip: tuple[str, ...] = ()) -> bytes:
    """The ATSHashIndex(-v2/-v3) value over `sig` (TS 101 733 v2.2.1 / EN 319 122-1 5.5.2); `skip` leaves attributes
    out of it, as DSS 5.0 left out certificate-values and revocation-values."""
    sd = cms.ContentInfo.load(sig)["content"]
    si = sd["signer_infos"][0]
    h = lambda b: hashlib.sha256(b).digest()  # noqa: E731
    certs = [h(c.dump()) for c in sd["certificates"]] if sd["certificates"].native is not None else []
    crls = [h(c.dump()) for c in sd["crls"]] if sd["crls"].native is not None else []
    attrs = []
    for a in si["unsigned_attrs"]:
        if a["type"].dotted in skip:
            continue
        if version == 3:  # one hash per value: attrType || AttributeValue
            attrs += [h(a["type"].dump() + v.dump()) for v in a["values"]]
        else:  # one hash per Attribute
            attrs.append(h(a.dump()))
    value = {"certificates_hash_index": certs, "crls_hash_index": crls, "unsigned_attrs_hash_index": attrs}
    if explicit_algorithm:
        value["hash_ind_algorithm"] = {"algorithm": "sha256"}
    return ATSHashIndex(value).dump()


def with_sha256_written(index: bytes) -> bytes:
    """The index with hashIndAlgorithm written as DSS writes the default: the SHA-256 OID, parameters absent."""
    body = ATSHashIndex.load(index).contents
    if body.startswith(b"\x30\x0b\x06\x09"):
        return index
    algorithm = b"\x30\x0b" + core.ObjectIdentifier("2.16.840.1.101.3.4.2.1").dump()
    inner = algorithm + body
    return b"\x30" + _length(inner) + inner


def archive_v3_imprint(sig: bytes, index: bytes) -> bytes:
    """EN 319 122-1 5.5.3: eContentType, the content's hash, the SignerInfo fields up to the signature, the index."""
    sd = cms.ContentInfo.load(sig)["content"]
    si = sd["signer_infos"][0]
    eci = sd["encap_content_info"]
    out = eci["content_type"].dump() + hashlib.sha256(eci["content"].native).digest()
    for name in ("version", "sid", "digest_algorithm", "signed_attrs", "signature_algorithm", "signature"):
        out += si[name].dump()
    return hashlib.sha256(out + index).digest()


def token_with_index(token: bytes, version: int, index: bytes) -> bytes:
    """The archive timestamp token with the hash index in its own unsigned attributes."""
    return with_unsigned(token, (ATS_HASH_INDEX[version], index))


# --- BER, as BouncyCastle writes a CMSSignedData ---------------------------------------------------
def _indefinite(identifier: int, body: bytes) -> bytes:
    return bytes([identifier]) + b"\x80" + body + b"\x00\x00"


def _tlvs(contents: bytes) -> list[tuple]:
    out, pointer = [], 0
    while pointer < len(contents):
        info, pointer = parser._parse(contents, len(contents), pointer)  # noqa: SLF001
        out.append(info)
    return out


def to_ber(der: bytes, chunk: int = 1000) -> bytes:
    """ContentInfo, [0], SignedData, encapContentInfo, eContent (a constructed OCTET STRING in `chunk`-byte
    segments), certificates, crls and signerInfos re-written with indefinite lengths (X.690 8.1.3.6), as
    BouncyCastle's BER classes write them. What a signature or timestamp covers keeps its DER."""
    content_type, explicit = _tlvs(parser.parse(der)[4])
    fields = []
    for i, f in enumerate(_tlvs(parser.parse(explicit[4])[4])):
        if i == 2:  # encapContentInfo
            inner = _tlvs(f[4])
            body = inner[0][3] + inner[0][4]
            if len(inner) > 1:
                octets = parser.parse(inner[1][4])[4]
                segments = b"".join(parser.emit(0, 0, 4, octets[j:j + chunk]) for j in range(0, len(octets), chunk))
                body += _indefinite(0xA0, _indefinite(0x24, segments))
            fields.append(_indefinite(0x30, body))
        elif f[0] == 2 and f[2] in (0, 1):  # certificates [0], crls [1]
            fields.append(_indefinite(0xA0 | f[2], f[4]))
        elif f[0] == 0 and f[2] == 17:  # signerInfos
            fields.append(_indefinite(0x31, f[4]))
        else:
            fields.append(f[3] + f[4] + f[5])
    signed_data = _indefinite(0x30, b"".join(fields))
    return _indefinite(0x30, content_type[3] + content_type[4] + _indefinite(0xA0, signed_data))
