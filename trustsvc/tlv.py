"""BER/DER TLVs read with asn1crypto's parser: children of a constructed value, no typed tree."""

from __future__ import annotations

from asn1crypto import core, parser, util

from trustsvc.cache import memoize

# (class, method, tag, header, contents, trailer), as asn1crypto.parser returns it.
Tlv = tuple

UNIVERSAL, CONTEXT = 0, 2
INTEGER, OCTET_STRING, OID, SEQUENCE, SET = 2, 4, 6, 16, 17


class NotPlain(ValueError):
    """The encoding is not the plain shape the TLV reader handles; the typed parser decides."""


def children(contents: bytes) -> list[Tlv]:
    """The TLVs inside a constructed value's contents octets (asn1crypto's BER header parser)."""
    out = []
    end = len(contents)
    pointer = 0
    while pointer < end:
        # parser.parse() would copy the remaining bytes for each child; _parse walks by offset.
        info, pointer = parser._parse(contents, end, pointer)  # noqa: SLF001
        out.append(info)
    return out


def der(tlv: Tlv) -> bytes:
    """The whole encoding of a TLV (header, contents, trailer)."""
    return tlv[3] + tlv[4] + tlv[5]


def expect(tlv: Tlv, class_: int, tag: int, constructed: bool | None = None) -> bytes:
    """The contents of `tlv` if it has this class and tag (and form); NotPlain otherwise."""
    if tlv[0] != class_ or tlv[2] != tag or (constructed is not None and tlv[1] != constructed):
        raise NotPlain(f"unexpected tag {tlv[0]}/{tlv[2]}")
    return tlv[4]


def primitive(tlv: Tlv, tag: int) -> bytes:
    """Contents of a primitive universal value (a definite-length encoding by X.690 8.1.3.2)."""
    return expect(tlv, UNIVERSAL, tag, False)


def constructed(tlv: Tlv, tag: int, class_: int = UNIVERSAL) -> list[Tlv]:
    """Children of a constructed value with this class and tag."""
    return children(expect(tlv, class_, tag, True))


@memoize("tlv.oids", 1024)
def dotted(contents: bytes) -> str:
    """An OBJECT IDENTIFIER's contents octets as dotted text (bounded memo: algorithm and type OIDs repeat)."""
    return core.ObjectIdentifier.load(parser.emit(UNIVERSAL, 0, OID, contents)).dotted


def oid(tlv: Tlv) -> str:
    return dotted(primitive(tlv, OID))


def integer(tlv: Tlv) -> int:
    """An INTEGER's value (X.690 8.3: two's complement contents octets)."""
    contents = primitive(tlv, INTEGER)
    if not contents:
        raise NotPlain("empty INTEGER")
    return util.int_from_bytes(contents, signed=True)


# X.690 8.23 / 10.2: the string types whose BER constructed form DER writes as one primitive value.
_STRING_TAGS = frozenset({3, 4, 12, 18, 19, 20, 21, 22, 25, 26, 27, 28, 30})
_MAX_DER_DEPTH = 64


def to_der(encoding: bytes, _depth: int = 0) -> bytes:
    """A BER encoding re-written in DER (X.690 10-11): definite minimal lengths, primitive strings, sorted SET OF.

    Used where a signer signed the DER of a value it then sent in BER (RFC 5652 5.4 signed attributes).
    ValueError on malformed input or nesting deeper than 64.
    """
    if _depth > _MAX_DER_DEPTH:
        raise ValueError("BER nesting too deep")
    class_, method, tag, _header, contents, _trailer = parser.parse(encoding, strict=True)
    if method == 0:
        return parser.emit(class_, 0, tag, contents)
    kids = [to_der(der(t), _depth + 1) for t in children(contents)]
    if class_ == UNIVERSAL and tag in _STRING_TAGS:
        # A constructed string: DER is the primitive form with the segments' contents concatenated (bit strings
        # keep one unused-bits octet, from the last segment).
        parts = [parser.parse(k)[4] for k in kids]
        if tag == 3 and parts:
            return parser.emit(class_, 0, tag, parts[-1][:1] + b"".join(p[1:] for p in parts))
        return parser.emit(class_, 0, tag, b"".join(parts))
    if class_ == UNIVERSAL and tag == SET:
        kids.sort()  # X.690 11.6: SET OF components in ascending order of their encodings
    return parser.emit(class_, 1, tag, b"".join(kids))
