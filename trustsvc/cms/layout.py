"""SignedData as its received TLVs (RFC 5652 5.1, 5.3): read, and re-assembled with only the unsigned parts changed.

Augmentation (EN 319 122-1 B-LT / B-LTA) adds certificates, revocation values and unsigned attributes;
everything a signature or a timestamp covers (eContent, signed attributes, signature value) must keep
its exact octets. The archive-time-stamp-v3 imprint (EN 319 122-1 5.5.3) also hashes fields "in their
binary encoded form without any modification", so both come from this one TLV view.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from asn1crypto import parser

from trustsvc import tlv
from trustsvc.cms.signed_data import GMT_SIGNED_DATA, ID_SIGNED_DATA, CMSFormatError, _to_der


def _emit_constructed(class_: int, tag: int, contents: bytes) -> bytes:
    return parser.emit(class_, 1, tag, contents)


@dataclass(frozen=True)
class RawAttribute:
    """One Attribute (RFC 5652 5.3) as received: its type OID, the type's TLV, each value's TLV."""

    oid: str
    type_der: bytes
    values: tuple[bytes, ...]
    der: bytes

    @classmethod
    def read(cls, der: bytes) -> "RawAttribute":
        kind, values = tlv.constructed(parser.parse(der), tlv.SEQUENCE)
        vals = tuple(tlv.der(v) for v in tlv.constructed(values, tlv.SET))
        return cls(tlv.oid(kind), tlv.der(kind), vals, der)

    @classmethod
    def build(cls, oid_der: bytes, values: list[bytes]) -> "RawAttribute":
        der = _emit_constructed(0, tlv.SEQUENCE, oid_der + _emit_constructed(0, tlv.SET, b"".join(values)))
        return cls.read(der)


@dataclass(frozen=True)
class RawSignerInfo:
    """A SignerInfo's fields up to the signature value (as received) and its unsigned attributes."""

    signed_fields: tuple[bytes, ...]  # version, sid, digestAlgorithm, [0] signedAttrs?, signatureAlgorithm, signature
    unsigned: tuple[RawAttribute, ...] | None

    @property
    def signature_value_der(self) -> bytes:
        return self.signed_fields[-1]

    def der(self) -> bytes:
        body = b"".join(self.signed_fields)
        if self.unsigned is not None:
            body += _emit_constructed(2, 1, b"".join(a.der for a in self.unsigned))  # [1] IMPLICIT SET OF
        return _emit_constructed(0, tlv.SEQUENCE, body)

    def with_unsigned(self, attrs: list[RawAttribute]) -> "RawSignerInfo":
        return replace(self, unsigned=tuple(attrs))


@dataclass(frozen=True)
class RawSignedData:
    """A ContentInfo / SignedData split into the TLVs augmentation and archive timestamps work on."""

    content_type_der: bytes  # the ContentInfo contentType OID TLV
    head: tuple[bytes, ...]  # version, digestAlgorithms, encapContentInfo
    econtent_type_der: bytes  # the eContentType OID TLV inside encapContentInfo
    certificates: tuple[bytes, ...] | None  # CertificateChoices TLVs ([0] absent: None)
    crls: tuple[bytes, ...] | None  # RevocationInfoChoice TLVs ([1] absent: None)
    signers: tuple[RawSignerInfo, ...] = field(default=())

    def der(self) -> bytes:
        body = b"".join(self.head)
        if self.certificates is not None:
            body += _emit_constructed(2, 0, b"".join(self.certificates))
        if self.crls is not None:
            body += _emit_constructed(2, 1, b"".join(self.crls))
        body += _emit_constructed(0, tlv.SET, b"".join(s.der() for s in self.signers))
        sd = _emit_constructed(0, tlv.SEQUENCE, body)
        return _emit_constructed(0, tlv.SEQUENCE, self.content_type_der + _emit_constructed(2, 0, sd))


def read_layout(data: bytes | str) -> RawSignedData:
    """Split a ContentInfo holding SignedData into its TLVs; CMSFormatError if it is not one."""
    der = _to_der(data)
    try:
        return _read(der)
    except (ValueError, TypeError, KeyError, IndexError, OverflowError) as exc:
        raise CMSFormatError(f"CMS: cannot read the SignedData layout ({str(exc).splitlines()[0] if str(exc) else type(exc).__name__})") from None


def _read(der: bytes) -> RawSignedData:
    ci = tlv.constructed(parser.parse(der), tlv.SEQUENCE)
    if len(ci) != 2 or tlv.oid(ci[0]) not in (ID_SIGNED_DATA, GMT_SIGNED_DATA):
        raise CMSFormatError("CMS: not a SignedData ContentInfo")
    (sd,) = tlv.constructed(ci[1], 0, tlv.CONTEXT)
    fields = tlv.constructed(sd, tlv.SEQUENCE)
    head = tuple(tlv.der(f) for f in fields[:3])
    econtent_type_der = tlv.der(tlv.constructed(fields[2], tlv.SEQUENCE)[0])
    rest = fields[3:]
    certs = crls = None
    if rest and rest[0][0] == tlv.CONTEXT and rest[0][2] == 0:
        certs = tuple(tlv.der(c) for c in tlv.children(rest.pop(0)[4]))
    if rest and rest[0][0] == tlv.CONTEXT and rest[0][2] == 1:
        crls = tuple(tlv.der(c) for c in tlv.children(rest.pop(0)[4]))
    if len(rest) != 1:
        raise CMSFormatError("CMS: unexpected SignedData fields")
    signers = []
    for si in tlv.constructed(rest[0], tlv.SET):
        parts = tlv.constructed(si, tlv.SEQUENCE)
        unsigned = None
        if parts[-1][0] == tlv.CONTEXT and parts[-1][2] == 1:
            unsigned = tuple(RawAttribute.read(tlv.der(a)) for a in tlv.children(parts.pop()[4]))
        signers.append(RawSignerInfo(tuple(_signed_field(p) for p in parts), unsigned))
    if not signers:
        raise CMSFormatError("CMS: SignedData has no SignerInfo")
    return RawSignedData(tlv.der(ci[0]), head, econtent_type_der, certs, crls, tuple(signers))


def _signed_field(part: tlv.Tlv) -> bytes:
    # Signed attributes keep their received [0] IMPLICIT encoding: they are DER (RFC 5652 5.3) and the
    # archive-time-stamp-v3 imprint hashes them as they appear in the SignerInfo.
    return tlv.der(part)
