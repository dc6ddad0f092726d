"""Validation material embedded in a CAdES signature (EN 319 122-1 5.5, B-LT) and the OIDs of the long-term attributes.

Two encodings are read: the EN 319 122-1 one (SignedData.certificates, SignedData.crls with OCSP
responses as RevocationInfoChoice `other`, RFC 5940) and the older TS 101 733 / EN 319 122-2
unsigned attributes certificate-values and revocation-values. Only the first is written.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from asn1crypto import core, parser

from trustsvc import tlv
from trustsvc.cms.layout import RawAttribute, RawSignedData, RawSignerInfo

ID_AA_ETS_CERT_VALUES = "1.2.840.113549.1.9.16.2.23"  # RFC 5126 6.3.3
ID_AA_ETS_REVOCATION_VALUES = "1.2.840.113549.1.9.16.2.24"  # RFC 5126 6.3.4
ID_AA_ETS_CERTIFICATE_REFS = "1.2.840.113549.1.9.16.2.21"  # RFC 5126 6.2.1 (CAdES-C)
ID_AA_ETS_REVOCATION_REFS = "1.2.840.113549.1.9.16.2.22"  # RFC 5126 6.2.2 (CAdES-C)
ID_AA_ETS_ESC_TIMESTAMP = "1.2.840.113549.1.9.16.2.25"  # RFC 5126 6.3.5 (CAdES-X type 1)
ID_AA_ETS_CERT_CRL_TIMESTAMP = "1.2.840.113549.1.9.16.2.26"  # RFC 5126 6.3.6 (CAdES-X type 2)
ID_AA_ETS_ARCHIVE_TIMESTAMP_V2 = "1.2.840.113549.1.9.16.2.48"  # RFC 5126 6.4.1 / TS 101 733 Annex K
ID_AA_ETS_ARCHIVE_TIMESTAMP_V3 = "0.4.0.1733.2.4"  # EN 319 122-1 5.5.3
ID_AA_ATS_HASH_INDEX = "0.4.0.1733.2.5"  # TS 101 733 v2.2.1 (superseded)
ID_AA_ATS_HASH_INDEX_V2 = "0.4.0.19122.1.4"  # EN 319 122-1 V1.0.x (superseded)
ID_AA_ATS_HASH_INDEX_V3 = "0.4.0.19122.1.5"  # EN 319 122-1 5.5.2
ID_RI_OCSP_RESPONSE = "1.3.6.1.5.5.7.16.2"  # RFC 5940 4.1: otherRevInfo is an OCSPResponse
ID_PKIX_OCSP_BASIC = "1.3.6.1.5.5.7.48.1.1"  # some writers put a BasicOCSPResponse in `other`

ARCHIVE_TIMESTAMPS = (ID_AA_ETS_ARCHIVE_TIMESTAMP_V3, ID_AA_ETS_ARCHIVE_TIMESTAMP_V2)


@dataclass
class ValidationData:
    """Certificates, CRLs and OCSP responses (whole OCSPResponse DER) a signature carries."""

    certificates: list[bytes] = field(default_factory=list)
    crls: list[bytes] = field(default_factory=list)
    ocsp: list[bytes] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def extend(self, other: "ValidationData") -> None:
        for mine, theirs in ((self.certificates, other.certificates), (self.crls, other.crls), (self.ocsp, other.ocsp)):
            seen = set(mine)  # hostile signatures carry thousands of certificates: no quadratic scan
            for x in theirs:
                if x not in seen:
                    seen.add(x)
                    mine.append(x)
        self.problems.extend(other.problems)

    @property
    def has_revocation(self) -> bool:
        return bool(self.crls or self.ocsp)


def wrap_basic_ocsp(basic_der: bytes) -> bytes:
    """An OCSPResponse (RFC 6960 4.2.1, status successful) around a BasicOCSPResponse."""
    oid = core.ObjectIdentifier(ID_PKIX_OCSP_BASIC).dump()
    response_bytes = parser.emit(0, 1, 16, oid + core.OctetString(basic_der).dump())
    return parser.emit(0, 1, 16, b"\x0a\x01\x00" + parser.emit(2, 1, 0, response_bytes))


def ocsp_revocation_choice(ocsp_response_der: bytes) -> bytes:
    """RevocationInfoChoice `other` [1] IMPLICIT OtherRevocationInfoFormat with id-ri-ocsp-response (RFC 5940 4.1)."""
    return parser.emit(2, 1, 1, core.ObjectIdentifier(ID_RI_OCSP_RESPONSE).dump() + ocsp_response_der)


def from_signed_data(layout: RawSignedData) -> ValidationData:
    """What SignedData.certificates and SignedData.crls hold (RFC 5652 10.2.1, 10.2.2; RFC 5940)."""
    out = ValidationData()
    for c in layout.certificates or ():
        if c[:1] == b"\x30":  # a plain Certificate; other CertificateChoices carry nothing usable here
            out.certificates.append(c)
    for r in layout.crls or ():
        try:
            _revocation_choice(r, out)
        except ValueError as exc:
            out.problems.append(f"unreadable RevocationInfoChoice ({exc})")
    return out


def _revocation_choice(der: bytes, out: ValidationData) -> None:
    t = parser.parse(der)
    if t[0] == tlv.UNIVERSAL and t[2] == tlv.SEQUENCE:
        out.crls.append(der)
        return
    if t[0] == tlv.CONTEXT and t[2] == 1:
        kind, info = tlv.children(t[4])
        fmt = tlv.oid(kind)
        if fmt == ID_RI_OCSP_RESPONSE:
            out.ocsp.append(tlv.der(info))
        elif fmt == ID_PKIX_OCSP_BASIC:
            out.ocsp.append(wrap_basic_ocsp(tlv.der(info)))
        else:
            out.problems.append(f"other revocation format {fmt} is not read")


def from_attributes(attrs: tuple[RawAttribute, ...] | None) -> ValidationData:
    """certificate-values and revocation-values unsigned attributes (RFC 5126 6.3.3, 6.3.4)."""
    out = ValidationData()
    for a in attrs or ():
        try:
            if a.oid == ID_AA_ETS_CERT_VALUES:
                for v in a.values:
                    out.certificates.extend(tlv.der(c) for c in tlv.constructed(parser.parse(v), tlv.SEQUENCE))
            elif a.oid == ID_AA_ETS_REVOCATION_VALUES:
                for v in a.values:
                    _revocation_values(v, out)
        except ValueError as exc:
            out.problems.append(f"unreadable {a.oid} attribute ({exc})")
    return out


def _revocation_values(der: bytes, out: ValidationData) -> None:
    # RevocationValues ::= SEQUENCE { crlVals [0] SEQUENCE OF CertificateList OPTIONAL,
    #   ocspVals [1] SEQUENCE OF BasicOCSPResponse OPTIONAL, otherRevVals [2] OtherRevVals OPTIONAL }
    for part in tlv.constructed(parser.parse(der), tlv.SEQUENCE):
        if part[0] != tlv.CONTEXT:
            continue
        items = tlv.constructed(tlv.children(part[4])[0], tlv.SEQUENCE) if part[2] in (0, 1) else []
        if part[2] == 0:
            out.crls.extend(tlv.der(c) for c in items)
        elif part[2] == 1:
            out.ocsp.extend(wrap_basic_ocsp(tlv.der(b)) for b in items)
        else:  # RFC 5126 6.3.4 otherRevVals: a format named by OID that nothing here can check
            out.problems.append("revocation-values carries otherRevVals, which are not read")


def embedded(layout: RawSignedData, signer: RawSignerInfo) -> ValidationData:
    """All validation material of `signer`'s signature: SignedData fields first, then its attributes."""
    out = from_signed_data(layout)
    out.extend(from_attributes(signer.unsigned))
    return out


def attribute_values(signer: RawSignerInfo, oid: str) -> list[bytes]:
    return [v for a in signer.unsigned or () if a.oid == oid for v in a.values]
