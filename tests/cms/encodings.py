"""Re-encode DER the way real signing tools send it: BER indefinite lengths, unsorted SET OF, trailing bytes."""

from __future__ import annotations

from asn1crypto import parser


def indefinite(der: bytes, depth: int = 3) -> bytes:
    """`der` with every constructed value down to `depth` levels re-encoded with an indefinite length (X.690 8.1.3.6).

    Context-specific [0] IMPLICIT SETs (signed attributes) are included, so the SignerInfo's signed
    attributes arrive in BER as well when `depth` reaches them.
    """
    cls, method, tag, header, contents, trailer = parser.parse(der)
    if method != 1 or depth <= 0:
        return der
    inner = b""
    pointer = 0
    while pointer < len(contents):
        child, pointer = parser._parse(contents, len(contents), pointer)  # noqa: SLF001
        inner += indefinite(child[3] + child[4] + child[5], depth - 1)
    assert tag < 31, "high tag numbers are not needed here"
    return header[:1] + b"\x80" + inner + b"\x00\x00"


def children(contents: bytes) -> list[bytes]:
    out, pointer = [], 0
    while pointer < len(contents):
        child, pointer = parser._parse(contents, len(contents), pointer)  # noqa: SLF001
        out.append(child[3] + child[4] + child[5])
    return out


def streamed(signed_data_der: bytes, chunk: int = 1000) -> bytes:
    """A DER ContentInfo { SignedData } re-sent as streaming encoders (BouncyCastle's CMSSignedDataStreamGenerator)
    write it: ContentInfo, SignedData and EncapsulatedContentInfo with indefinite lengths and the eContent as a
    constructed OCTET STRING of `chunk`-byte segments (X.690 8.7.3). Certificates and SignerInfos stay DER."""
    oid, wrapped = children(parser.parse(signed_data_der)[4])
    fields = children(parser.parse(parser.parse(wrapped)[4])[4])
    eci_parts = children(parser.parse(fields[2])[4])
    if len(eci_parts) == 2:
        content = parser.parse(parser.parse(eci_parts[1])[4])[4]
        segments = b"".join(parser.emit(0, 0, 4, content[i:i + chunk]) for i in range(0, len(content), chunk))
        eci_parts[1] = b"\xa0\x80" + b"\x24\x80" + segments + b"\x00\x00" + b"\x00\x00"
    fields[2] = b"\x30\x80" + b"".join(eci_parts) + b"\x00\x00"
    sd = b"\x30\x80" + b"".join(fields) + b"\x00\x00"
    return b"\x30\x80" + oid + b"\xa0\x80" + sd + b"\x00\x00" + b"\x00\x00"
