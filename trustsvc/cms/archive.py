"""Archive timestamps: the ATSHashIndexV3 and archive-time-stamp-v3 imprint (EN 319 122-1 5.5.2, 5.5.3), and the
older archive-time-stamp-v2 imprint (ETSI TS 101 733 / RFC 5126 6.4.1, Annex K), read for old signatures.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Callable

from asn1crypto import core, parser

from trustsvc import tlv
from trustsvc.cms.layout import RawAttribute, RawSignedData, RawSignerInfo
from trustsvc.cms.signed_data import compute_digest, oid_digest_name
from trustsvc.cms.validation_data import (
    ARCHIVE_TIMESTAMPS, ID_AA_ATS_HASH_INDEX, ID_AA_ATS_HASH_INDEX_V2, ID_AA_ATS_HASH_INDEX_V3,
)

# The hash index versions an archive-time-stamp-v3 may carry, newest first. Only v3 hashes each unsigned
# attribute VALUE (type || value); TS 101 733's ats-hash-index and EN 319 122-1 V1.0's v2 hash whole attributes.
HASH_INDEX_VERSIONS = (ID_AA_ATS_HASH_INDEX_V3, ID_AA_ATS_HASH_INDEX_V2, ID_AA_ATS_HASH_INDEX)
from trustsvc.x509.sm2 import SM3_OID

DEFAULT_HASH = "sha256"  # EN 319 122-1 5.5.2: hashIndAlgorithm DEFAULT id-sha256


def _algorithm_identifier(hash_name: str) -> bytes:
    oid = SM3_OID if hash_name == "sm3" else _DIGEST_OIDS[hash_name]
    # Written as DSS and BouncyCastle write it: the OID with absent parameters.
    return parser.emit(0, 1, 16, core.ObjectIdentifier(oid).dump())


_DIGEST_OIDS = {
    "sha1": "1.3.14.3.2.26", "sha224": "2.16.840.1.101.3.4.2.4", "sha256": "2.16.840.1.101.3.4.2.1",
    "sha384": "2.16.840.1.101.3.4.2.2", "sha512": "2.16.840.1.101.3.4.2.3", "sha3_256": "2.16.840.1.101.3.4.2.8",
    "sha3_384": "2.16.840.1.101.3.4.2.9", "sha3_512": "2.16.840.1.101.3.4.2.10",
}


def _seq_of_octets(hashes: list[bytes]) -> bytes:
    return parser.emit(0, 1, 16, b"".join(core.OctetString(h).dump() for h in hashes))


def attribute_value_inputs(attrs: tuple[RawAttribute, ...] | None, version: str = ID_AA_ATS_HASH_INDEX_V3) -> list[bytes]:
    # EN 319 122-1 5.5.2: one entry per AttributeValue, over attrType || AttributeValue as encoded;
    # the earlier versions hash each Attribute as encoded.
    if version != ID_AA_ATS_HASH_INDEX_V3:
        return [a.der for a in attrs or ()]
    return [a.type_der + v for a in attrs or () for v in a.values]


def hash_index_v3(layout: RawSignedData, signer: RawSignerInfo, hash_name: str = DEFAULT_HASH) -> bytes:
    """The DER ATSHashIndexV3 of `signer` as the signature is now (EN 319 122-1 5.5.2)."""
    h = lambda data: compute_digest(hash_name, data)  # noqa: E731
    body = (_algorithm_identifier(hash_name)
            + _seq_of_octets([h(c) for c in layout.certificates or ()])
            + _seq_of_octets([h(r) for r in layout.crls or ()])
            + _seq_of_octets([h(x) for x in attribute_value_inputs(signer.unsigned)]))
    return parser.emit(0, 1, 16, body)


@dataclass
class HashIndex:
    """A parsed ATSHashIndexV3 and what it references that the signature no longer holds."""

    hash_name: str
    der: bytes
    certificates: list[bytes]
    crls: list[bytes]
    attribute_values: list[bytes]
    missing: list[str] = field(default_factory=list)
    version: str = ID_AA_ATS_HASH_INDEX_V3
    explicit_algorithm: bool = True

    @property
    def intact(self) -> bool:
        return not self.missing


def read_hash_index(der: bytes, version: str = ID_AA_ATS_HASH_INDEX_V3) -> HashIndex:
    """Parse an ATSHashIndex(V2/V3) value; ValueError when malformed."""
    parts = tlv.constructed(parser.parse(der, strict=True), tlv.SEQUENCE)
    hash_name = DEFAULT_HASH
    explicit = len(parts) == 4
    if explicit:
        hash_name = oid_digest_name(tlv.oid(tlv.constructed(parts[0], tlv.SEQUENCE)[0]))
        parts = parts[1:]
    if len(parts) != 3:
        raise ValueError("ATSHashIndex has the wrong number of fields")
    lists = [[tlv.primitive(o, tlv.OCTET_STRING) for o in tlv.constructed(p, tlv.SEQUENCE)] for p in parts]
    return HashIndex(hash_name, der, *lists, version=version, explicit_algorithm=explicit)


def imprint_index_encodings(index: HashIndex) -> list[bytes]:
    """The hash index octets the imprint may have been computed over: as received, and, for a v2/v3 index
    without its hashIndAlgorithm, with the SHA-256 AlgorithmIdentifier written out (as DSS computes it)."""
    out = [index.der]
    if not index.explicit_algorithm and index.version != ID_AA_ATS_HASH_INDEX:
        body = b"".join(tlv.der(p) for p in tlv.constructed(parser.parse(index.der), tlv.SEQUENCE))
        out.append(parser.emit(0, 1, 16, _algorithm_identifier(DEFAULT_HASH) + body))
        # Some writers put NULL parameters in a SHA-2 AlgorithmIdentifier (RFC 5754 3 allows both).
        with_null = parser.emit(0, 1, 16, core.ObjectIdentifier(_DIGEST_OIDS[DEFAULT_HASH]).dump() + b"\x05\x00")
        out.append(parser.emit(0, 1, 16, with_null + body))
    return out


def check_hash_index(index: HashIndex, layout: RawSignedData, signer: RawSignerInfo) -> HashIndex:
    """EN 319 122-1 5.5.2: every hash in the index must reference an element the signature holds now."""
    h = lambda data: compute_digest(index.hash_name, data)  # noqa: E731
    have = {
        "certificate": {h(c) for c in layout.certificates or ()},
        "revocation value": {h(r) for r in layout.crls or ()},
        "unsigned attribute value": {h(x) for x in attribute_value_inputs(signer.unsigned, index.version)},
    }
    for what, listed in zip(have, (index.certificates, index.crls, index.attribute_values)):
        gone = [x for x in listed if x not in have[what]]
        if gone:  # a writer that re-encodes in DER (BouncyCastle, DSS) hashed the DER of a value received in BER
            gone = [x for x in gone if x not in _der_hashes(what, h, layout, signer, index.version)]
        if gone:
            index.missing.append(f"{len(gone)} {what} hash(es) of the ats-hash-index-v3 match nothing in the signature")
    return index


def _der_hashes(what: str, h: Callable[[bytes], bytes], layout: RawSignedData, signer: RawSignerInfo,
                version: str) -> set[bytes]:
    """Hashes of the elements re-encoded in DER (computed only when an index entry matched nothing as received)."""
    if what == "certificate":
        items = [_der(c) for c in layout.certificates or ()]
    elif what == "revocation value":
        items = [_der(r) for r in layout.crls or ()]
    elif version == ID_AA_ATS_HASH_INDEX_V3:
        items = [a.type_der + _der(v) for a in signer.unsigned or () for v in a.values]
    else:
        items = [_der(a.der) for a in signer.unsigned or ()]
    return {h(x) for x in items}


def _der_field(encoding: bytes) -> bytes:
    """A SignerInfo field in DER; signedAttrs is a [0] IMPLICIT SET OF, so its values are sorted too (X.690 11.6)."""
    try:
        t = parser.parse(encoding)
        if t[0] == tlv.CONTEXT and t[2] == 0 and t[1] == 1:
            return parser.emit(tlv.CONTEXT, 1, 0, b"".join(sorted(_der(tlv.der(c)) for c in tlv.children(t[4]))))
    except ValueError:
        return encoding
    return _der(encoding)


def _der(encoding: bytes) -> bytes:
    try:
        return tlv.to_der(encoding)
    except ValueError:
        return encoding


def archive_v3_input(layout: RawSignedData, signer: RawSignerInfo, content_digest: bytes, hash_index_der: bytes) -> bytes:
    """The octets whose hash is the archive-time-stamp-v3 message imprint (EN 319 122-1 5.5.3)."""
    # eContentType, the hash of the signed content, the SignerInfo fields up to the signature value,
    # then the ats-hash-index-v3 value: all as encoded, tag and length included.
    return layout.econtent_type_der + content_digest + b"".join(signer.signed_fields) + hash_index_der


def archive_v3_inputs(layout: RawSignedData, signer: RawSignerInfo, content_digest: bytes, index: HashIndex) -> list[bytes]:
    """Every candidate archive-time-stamp-v3 imprint input: each encoding of the index (imprint_index_encodings),
    over the signer's fields as received and, when they were not DER, as BouncyCastle / DSS re-encode them."""
    fields = [signer]
    der_fields = tuple(_der_field(f) for f in signer.signed_fields)
    if der_fields != signer.signed_fields:
        fields.append(RawSignerInfo(der_fields, signer.unsigned))
    return [archive_v3_input(layout, f, content_digest, enc) for enc in imprint_index_encodings(index) for f in fields]


def archive_v2_inputs(layout: RawSignedData, signer: RawSignerInfo, content: bytes | None, before: list[bytes]) -> list[bytes]:
    """Candidate octets of an archive-time-stamp-v2 imprint (RFC 5126 6.4.1, TS 101 733 Annex K).

    `before` are the unsigned attributes (DER) present when the timestamp was made. TS 101 733 v1.8.3
    left out the tag and length of the unsignedAttrs SET; v2.2.1 includes them: both are tried.
    """
    out = _v2_inputs(layout, signer, content, before, der=False, order=list)
    # BouncyCastle / DSS hash the DER of each component; a signature received in BER (indefinite lengths,
    # segmented eContent, unsorted SETs) is tried that way too, SET OF values in received and in DER order.
    for order in (list, sorted):
        for candidate in _v2_inputs(layout, signer, content, before, der=True, order=order):
            if candidate not in out:
                out.append(candidate)
    return out


def _v2_inputs(layout: RawSignedData, signer: RawSignerInfo, content: bytes | None, before: list[bytes], *,
               der: bool, order: Callable[[list[bytes]], list[bytes]]) -> list[bytes]:
    enc = _der if der else (lambda x: x)
    eci = layout.head[2]
    data = enc(eci) + (content if content is not None and _detached(eci) else b"")
    if layout.certificates is not None:
        data += parser.emit(2, 1, 0, b"".join(order([enc(c) for c in layout.certificates])))
    if layout.crls is not None:
        data += parser.emit(2, 1, 1, b"".join(order([enc(r) for r in layout.crls])))
    data += b"".join(_der_field(f) for f in signer.signed_fields) if der else b"".join(signer.signed_fields)
    attrs = b"".join(order([enc(a) for a in before]))
    return [data + parser.emit(2, 1, 1, attrs), data + attrs]


def _detached(eci_der: bytes) -> bool:
    return len(tlv.constructed(parser.parse(eci_der), tlv.SEQUENCE)) == 1


def attributes_before(signer: RawSignerInfo, position: int) -> list[RawAttribute]:
    """Unsigned attributes before position `position` (the attributes an archive timestamp there could see)."""
    return list((signer.unsigned or ())[:position])


def hash_index_of_token(token_signer: RawSignerInfo) -> bytes | None:
    """The ats-hash-index-v3 value in an archive timestamp token's own unsigned attributes."""
    found = hash_index_with_version(token_signer)
    return found[1] if found is not None and found[0] == ID_AA_ATS_HASH_INDEX_V3 else None


def hash_index_with_version(token_signer: RawSignerInfo) -> tuple[str, bytes] | None:
    """(version OID, value) of the newest hash index an archive timestamp token carries."""
    for version in HASH_INDEX_VERSIONS:
        for a in token_signer.unsigned or ():
            if a.oid == version and a.values:
                return version, a.values[0]
    return None


def is_archive_timestamp(oid: str) -> bool:
    return oid in ARCHIVE_TIMESTAMPS



def covered_objects(layout: RawSignedData, signer: RawSignerInfo, index: HashIndex | None,
                    before: list[RawAttribute]) -> list[tuple[str, bytes]]:
    """(kind, DER) of each certificate, CRL, OCSP response and timestamp token an archive timestamp covers.

    An archive-time-stamp-v3 covers what its ats-hash-index lists (EN 319 122-1 5.5.2); one without an
    index (archive-time-stamp-v2, RFC 5126 6.4.1) covers everything the signature held when it was made
    (`before`: the unsigned attributes older than it). Kinds: certificate, crl, ocsp, timestamp.
    """
    from trustsvc.cms.attributes import ID_AA_SIGNATURE_TIMESTAMP
    from trustsvc.cms.validation_data import from_attributes, from_signed_data

    certs, crls, attrs = list(layout.certificates or ()), list(layout.crls or ()), list(before)
    if index is not None:
        h = lambda data: compute_digest(index.hash_name, data)  # noqa: E731
        listed = set(index.certificates) | set(index.crls) | set(index.attribute_values)
        certs = [c for c in certs if h(c) in listed]
        crls = [r for r in crls if h(r) in listed]
        attrs = [a for a in (_listed_values(a, index.version, h, listed) for a in signer.unsigned or ()) if a.values]
    data = from_signed_data(replace(layout, certificates=tuple(certs), crls=tuple(crls), signers=()))
    data.extend(from_attributes(tuple(attrs)))
    out = [("certificate", c) for c in data.certificates] + [("crl", c) for c in data.crls]
    out += [("ocsp", o) for o in data.ocsp]
    return out + [("timestamp", v) for a in attrs
                  if a.oid == ID_AA_SIGNATURE_TIMESTAMP or is_archive_timestamp(a.oid) for v in a.values]


def _listed_values(attr: RawAttribute, version: str, h: Callable[[bytes], bytes], listed: set[bytes]) -> RawAttribute:
    """`attr` with only the values the hash index lists: v3 lists each value (type || value), v1/v2 the attribute."""
    if version != ID_AA_ATS_HASH_INDEX_V3:
        return attr if h(attr.der) in listed else replace(attr, values=())
    return replace(attr, values=tuple(v for v in attr.values if h(attr.type_der + v) in listed))
