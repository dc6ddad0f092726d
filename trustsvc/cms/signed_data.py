"""Parse CMS SignedData (RFC 5652, PKCS #7 and GM/T 0010 OIDs) and check each signer's cryptography."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from functools import cached_property
from dataclasses import dataclass, field
from datetime import datetime

from asn1crypto import algos, cms, core, parser, pem, x509

from trustsvc import tlv
from trustsvc.cache import memoize

from trustsvc.errors import InputFormatError, InvalidSignatureError, TrustsvcError, UnsupportedAlgorithmError, UnusableKeyError
from trustsvc.failures import Failure
from trustsvc.reports import Indication, SubIndication
from trustsvc.x509 import armor
from trustsvc.x509.certificate import Certificate
from trustsvc.x509.signature import SignatureAlgorithm, signature_hash_of, verify_signature
from trustsvc.x509.sm2 import SM2_WITH_SM3_OID, SM3_OID, sm3

# RFC 5652 / PKCS #7 content types and their GM/T 0010-2012 equivalents.
ID_DATA = "1.2.840.113549.1.7.1"
ID_SIGNED_DATA = "1.2.840.113549.1.7.2"
GMT_DATA = "1.2.156.10197.6.1.4.2.1"
GMT_SIGNED_DATA = "1.2.156.10197.6.1.4.2.2"
ID_CT_TSTINFO = "1.2.840.113549.1.9.16.1.4"
DATA_TYPES = frozenset({ID_DATA, GMT_DATA})

# Hostile input costs bounded work: a CMS blob larger than this is refused before parsing.
MAX_CMS_BYTES = 256 * 1024 * 1024
MAX_SIGNERS = 64


class CMSFormatError(InputFormatError):
    """Bytes that are not a well-formed CMS SignedData."""


class _P7ContentInfo(cms.ContentInfo):
    # PKCS #7 v1 encapsulated content: GM/T data is an OCTET STRING like id-data.
    _oid_specs = {**cms.ContentInfo._oid_specs, GMT_DATA: core.OctetString}


class _SignedData(cms.SignedData):
    def _encap_spec(self):
        return _P7ContentInfo if self["version"].native == "v1" else cms.EncapsulatedContentInfo

    _spec_callbacks = {"encap_content_info": _encap_spec}


class ContentInfo(cms.ContentInfo):
    """ContentInfo that also knows the GM/T 0010 signedData OID."""

    _oid_specs = {**cms.ContentInfo._oid_specs, "signed_data": _SignedData, GMT_SIGNED_DATA: _SignedData}


_HASHLIB = {"sha1", "sha224", "sha256", "sha384", "sha512", "sha3_224", "sha3_256", "sha3_384", "sha3_512", "md5"}


def digest_name(alg: cms.DigestAlgorithm) -> str:
    """Name of a DigestAlgorithm ('sha256', 'sm3', ...); unknown OIDs come back dotted."""
    return oid_digest_name(alg["algorithm"].dotted)


_NAME_ALIASES = {"sha-1": "sha1", "sha-224": "sha224", "sha-256": "sha256", "sha-384": "sha384", "sha-512": "sha512",
                 "sha3-224": "sha3_224", "sha3-256": "sha3_256", "sha3-384": "sha3_384", "sha3-512": "sha3_512"}


def digest_algorithm_name(algorithm: str) -> str:
    """'sha256', 'SHA-256', '2.16.840.1.101.3.4.2.1', 'sm3' or '1.2.156.10197.1.401' -> the name used here ('sha256').

    Raises UnsupportedAlgorithmError for anything that is not a digest algorithm computed here.
    """
    if not isinstance(algorithm, str) or not algorithm.strip():
        raise UnsupportedAlgorithmError(repr(algorithm), "digest algorithm")
    text = algorithm.strip()
    name = oid_digest_name(text) if text[:1].isdigit() else _NAME_ALIASES.get(text.lower(), text.lower())
    if name != "sm3" and name not in _HASHLIB:
        raise UnsupportedAlgorithmError(text, "digest algorithm")
    return name


def digest_spec(digest: object) -> tuple[str | None, bytes]:
    """A caller's digest of detached content: (algorithm, value) with the value as bytes or hex, or bare bytes/hex.

    The algorithm is a name or dotted OID (`digest_algorithm_name`); None when only a value was given.
    Raises InputFormatError / UnsupportedAlgorithmError on anything else.
    """
    algorithm = None
    if isinstance(digest, (tuple, list)):
        if len(digest) != 2:
            raise InputFormatError("digest must be (algorithm, value)")
        algorithm, digest = digest_algorithm_name(digest[0]), digest[1]
    if isinstance(digest, str):
        try:
            digest = bytes.fromhex(digest.strip())
        except ValueError:
            raise InputFormatError("digest must be hexadecimal") from None
    if not isinstance(digest, (bytes, bytearray, memoryview)) or not digest:
        raise InputFormatError("digest must be non-empty bytes or hexadecimal")
    return algorithm, bytes(digest)


def compute_digest(name: str, data: bytes) -> bytes:
    """Hash `data` with a named algorithm; SM3 through the C library."""
    if name == "sm3":
        return sm3(data)
    if name in _HASHLIB:
        return hashlib.new(name.replace("_", "-") if name.startswith("sha3") else name, data).digest()
    raise UnsupportedAlgorithmError(name, "digest algorithm")


@dataclass
class Attribute:
    """One CMS Attribute (RFC 5652 5.3) as read: its type and the raw SET OF values, parsed on demand."""

    oid: str
    values_contents: bytes
    der: bytes

    def values(self) -> list[bytes]:
        """Each AttributeValue's encoding; ValueError on a malformed SET (attribute values parse lazily)."""
        return [tlv.der(t) for t in tlv.children(self.values_contents)]


@dataclass
class SignerInfo:
    """One SignerInfo with what validation needs, pulled out once (raw bytes; typed only on demand)."""

    index: int
    der: bytes
    sid_issuer_serial: tuple[bytes, int] | None
    sid_ski: bytes | None
    digest_algorithm: str
    signature_algorithm: bytes  # the DER AlgorithmIdentifier, as verify_signature takes it
    signature: bytes
    signed_attrs_encoding: bytes | None  # the whole [0] IMPLICIT SignedAttributes TLV, as received
    signed: list[Attribute] | None
    unsigned: list[Attribute] | None

    @cached_property
    def asn1(self) -> cms.SignerInfo:
        return cms.SignerInfo.load(self.der)

    @cached_property
    def sid_issuer(self) -> x509.Name | None:
        return x509.Name.load(self.sid_issuer_serial[0]) if self.sid_issuer_serial is not None else None

    @property
    def signed_attrs_der(self) -> bytes | None:
        """The signed attributes as a SET OF, what the signature covers (RFC 5652 5.4), as received.

        Only the [0] IMPLICIT tag octet becomes the universal SET OF tag (0xA0 -> 0x31): length octets and
        contents stay exactly as sent, so a SET OF that is not in DER order (several national signing
        tools) or BER verifies as it was signed, as DSS and BouncyCastle do.
        """
        if self.signed_attrs_encoding is None:
            return None
        return b"\x31" + self.signed_attrs_encoding[1:]

    def signed_attrs_candidates(self) -> Iterator[bytes]:
        """What the signature may cover: the attributes as received, then their DER re-encoding if that differs.

        RFC 5652 5.4 says the signature is over the DER; a signer whose encoder sent BER (indefinite lengths)
        still signed the DER. Both are encodings of the same attribute values, so either binds them. Lazy: the
        re-encoding (a walk of every attribute) is only made when the received bytes do not verify.
        """
        received = self.signed_attrs_der
        if received is None:
            return
        yield received
        try:
            canonical = tlv.to_der(received)
        except ValueError:
            return
        if canonical != received:
            yield canonical

    def values(self, oid: str, *, signed: bool = True) -> list[bytes]:
        """Encodings of every value of the signed (or unsigned) attributes of type `oid`; ValueError if malformed."""
        attrs = self.signed if signed else self.unsigned
        return [v for a in attrs or () if a.oid == oid for v in a.values()]

    def find_certificate(self, certs: list[Certificate]) -> Certificate | None:
        for c in certs:
            if self.sid_issuer_serial is not None:
                issuer_der, serial = self.sid_issuer_serial
                if c.serial_number == serial and c.issuer.dump() == issuer_der:
                    return c
                if c.serial_number == serial and _names_equal(c.issuer, self.sid_issuer):
                    return c
            elif self.sid_ski is not None and c.ski == self.sid_ski:
                return c
        return None


@dataclass
class SignedData:
    """A parsed SignedData: content (if attached), certificates, CRLs and signers."""

    content_info_type: str
    econtent_type: str
    econtent: bytes | None
    certificates: list[Certificate]
    crls: list[bytes]
    signers: list[SignerInfo]
    der: bytes = field(repr=False)
    unparsable_certificates: int = 0
    trailing_bytes: int = 0  # bytes after the ContentInfo, tolerated (DSS, OpenSSL) and reported as a warning

    @property
    def detached(self) -> bool:
        return self.econtent is None

    @cached_property
    def asn1(self) -> cms.SignedData:
        return ContentInfo.load(self.der)["content"]


def _names_equal(a: x509.Name, b: x509.Name) -> bool:
    """RFC 5280 7.1 name comparison; a malformed name simply does not match."""
    try:
        return a == b
    except (ValueError, TypeError, KeyError):
        return False


@memoize("cms.certificates", 4096)
def _certificate(der: bytes) -> Certificate:
    # Certificates are immutable: a bid opening sees the same signer / CA / TSA certificates in
    # every signature, so their (slow, full) parse is memoised by DER.
    return Certificate.from_der(der)


def first_line(exc: BaseException) -> str:
    """asn1crypto errors carry a multi-line parse trail; reports want one line."""
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


def _to_der(data: bytes | str) -> bytes:
    if isinstance(data, str):
        data = data.encode("ascii", "replace")
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise CMSFormatError(f"CMS: expected bytes, got {type(data).__name__}")
    data = bytes(data)
    if len(data) > MAX_CMS_BYTES:
        raise CMSFormatError(f"CMS: {len(data)} bytes exceeds the {MAX_CMS_BYTES}-byte limit")
    if pem.detect(data):
        try:
            (_label, der), *_ = armor.unarmor(data)  # linear in the input (asn1crypto's is quadratic)
        except ValueError as exc:
            raise CMSFormatError(f"CMS: malformed PEM ({exc})") from None
        return der
    return data


def _econtent_bytes(eci: core.Asn1Value) -> bytes | None:
    value = eci["content"]
    if isinstance(value, core.Void) or value.contents is None:
        return None
    if isinstance(value, core.ParsableOctetString):
        return bytes(value)
    if isinstance(value, core.OctetString):
        return value.native
    # PKCS #7 v1 with another content type: the content is ANY; the digest covers its contents octets.
    return value.contents if not isinstance(value, core.Any) else value.parsed.contents


def parse_signed_data(data: bytes | str | cms.ContentInfo) -> SignedData:
    """Parse a ContentInfo holding SignedData (DER or PEM); raise CMSFormatError on anything else."""
    if isinstance(data, cms.ContentInfo):
        # Already parsed (e.g. a timestamp token inside an unsigned attribute): no second parse.
        return _parse_typed(data, data.dump())
    der, trailing = split_trailing(_to_der(data))
    try:
        sd = _parse_plain(der)
    except TrustsvcError:
        raise
    except (ValueError, TypeError, KeyError, OverflowError, IndexError):
        # Not the plain shape (BER constructed strings, PKCS #7 v1 ANY content, odd tags) or malformed:
        # asn1crypto's typed parser decides, and names what is wrong.
        sd = _parse_typed(None, der)
    sd.trailing_bytes = trailing
    return sd


def split_trailing(data: bytes) -> tuple[bytes, int]:
    """The first BER value of `data` and how many bytes follow it (X.690 8.1.1: a value ends where its length says).

    Files padded after the ContentInfo (zero fill from fixed-size buffers, a newline) are common in real CMS;
    DSS and OpenSSL read the ContentInfo and ignore the rest. Input that is not even one TLV comes back whole
    for the parser to reject.
    """
    try:
        _info, end = parser._parse(data, len(data))  # noqa: SLF001 - only the end offset is wanted
    except (ValueError, TypeError, IndexError, OverflowError):
        return data, 0
    return (data, 0) if end >= len(data) else (data[:end], len(data) - end)


def _parse_plain(der: bytes) -> SignedData:
    """SignedData read TLV by TLV (RFC 5652 5.1), typing only the fields validation reads.

    asn1crypto's typed trees build an object per child; a bid opening reads a few fields of each
    structure, so the walk is several times cheaper. Anything unexpected raises ValueError.
    """
    ci = tlv.constructed(parser.parse(der, strict=True), tlv.SEQUENCE)
    ci_type = tlv.oid(ci[0])
    if len(ci) != 2 or ci_type not in (ID_SIGNED_DATA, GMT_SIGNED_DATA):
        raise tlv.NotPlain("not a SignedData ContentInfo")
    (sd_tlv,) = tlv.constructed(ci[1], 0, tlv.CONTEXT)
    fields = tlv.constructed(sd_tlv, tlv.SEQUENCE)
    tlv.primitive(fields[0], tlv.INTEGER)
    tlv.expect(fields[1], tlv.UNIVERSAL, tlv.SET, True)
    eci = tlv.constructed(fields[2], tlv.SEQUENCE)
    econtent_type = tlv.oid(eci[0])
    econtent = None
    if len(eci) == 2:
        (inner,) = tlv.constructed(eci[1], 0, tlv.CONTEXT)
        econtent = tlv.primitive(inner, tlv.OCTET_STRING)
    elif len(eci) != 1:
        raise tlv.NotPlain("EncapsulatedContentInfo")
    rest = fields[3:]
    certs: list[Certificate] = []
    crls: list[bytes] = []
    bad = 0
    if rest and rest[0][0] == tlv.CONTEXT and rest[0][2] == 0:
        for c in tlv.constructed(rest.pop(0), 0, tlv.CONTEXT):  # CertificateChoices (RFC 5652 10.2.2)
            if c[0] == tlv.UNIVERSAL and c[2] == tlv.SEQUENCE:
                try:
                    certs.append(_certificate(tlv.der(c)))
                except InputFormatError:
                    bad += 1
            elif not (c[0] == tlv.CONTEXT and c[2] in (0, 1, 2, 3)):
                raise tlv.NotPlain("CertificateChoices")
    if rest and rest[0][0] == tlv.CONTEXT and rest[0][2] == 1:
        for c in tlv.constructed(rest.pop(0), 1, tlv.CONTEXT):  # RevocationInfoChoice (RFC 5652 10.2.1)
            if c[0] == tlv.UNIVERSAL and c[2] == tlv.SEQUENCE:
                crls.append(tlv.der(c))
            elif not (c[0] == tlv.CONTEXT and c[2] == 1):
                raise tlv.NotPlain("RevocationInfoChoice")
    if len(rest) != 1:
        raise tlv.NotPlain("SignedData fields")
    infos = tlv.constructed(rest[0], tlv.SET)
    if len(infos) > MAX_SIGNERS:
        raise CMSFormatError(f"CMS: {len(infos)} signers exceeds the limit of {MAX_SIGNERS}")
    if not infos:
        raise CMSFormatError("CMS: SignedData has no SignerInfo")
    signers = [_signer_plain(i, si) for i, si in enumerate(infos)]
    return SignedData(ci_type, econtent_type, econtent, certs, crls, signers, der, bad)


def _signer_plain(i: int, si: tlv.Tlv) -> SignerInfo:
    f = tlv.constructed(si, tlv.SEQUENCE)
    tlv.primitive(f[0], tlv.INTEGER)
    sid = f[1]
    issuer_serial = ski = None
    if sid[0] == tlv.UNIVERSAL and sid[2] == tlv.SEQUENCE and sid[1]:
        issuer, serial = tlv.children(sid[4])
        tlv.expect(issuer, tlv.UNIVERSAL, tlv.SEQUENCE, True)
        issuer_serial = (tlv.der(issuer), tlv.integer(serial))
    else:
        ski = tlv.expect(sid, tlv.CONTEXT, 0, False)  # [0] SubjectKeyIdentifier
    digest = oid_digest_name(tlv.oid(tlv.constructed(f[2], tlv.SEQUENCE)[0]))
    k = 3
    signed_encoding = signed = unsigned = None
    if f[k][0] == tlv.CONTEXT and f[k][2] == 0:
        signed = _attributes(tlv.expect(f[k], tlv.CONTEXT, 0, True))
        signed_encoding = tlv.der(f[k])
        k += 1
    tlv.oid(tlv.constructed(f[k], tlv.SEQUENCE)[0])
    signature_algorithm = tlv.der(f[k])
    signature = tlv.primitive(f[k + 1], tlv.OCTET_STRING)
    k += 2
    if k < len(f):
        unsigned = _attributes(tlv.expect(f[k], tlv.CONTEXT, 1, True))
        k += 1
    if k != len(f):
        raise tlv.NotPlain("SignerInfo fields")
    return SignerInfo(i, tlv.der(si), issuer_serial, ski, digest, signature_algorithm, signature,
                      signed_encoding, signed, unsigned)


def parse_signer_info(der: bytes, index: int = 0) -> SignerInfo:
    """One SignerInfo on its own, e.g. the value of a countersignature attribute (RFC 5652 11.4).

    Raises CMSFormatError when the bytes are not a readable SignerInfo.
    """
    try:
        return _signer_plain(index, parser.parse(der, strict=True))
    except TrustsvcError:
        raise
    except (ValueError, TypeError, KeyError, OverflowError, IndexError):
        try:  # not the plain DER shape: asn1crypto's typed parser decides
            info = cms.SignerInfo.load(der, strict=True)
            return _signer_typed(index, info)
        except (ValueError, TypeError, KeyError, OverflowError, AttributeError, IndexError) as exc:
            raise CMSFormatError(f"CMS: malformed SignerInfo ({first_line(exc)})") from None


def _attributes(contents: bytes) -> list[Attribute]:
    out = []
    for a in tlv.children(contents):
        kind, values = tlv.constructed(a, tlv.SEQUENCE)
        out.append(Attribute(tlv.oid(kind), tlv.expect(values, tlv.UNIVERSAL, tlv.SET, True), tlv.der(a)))
    return out


def oid_digest_name(oid: str) -> str:
    """Name of a digest algorithm OID ('sha256', 'sm3', ...); unknown OIDs come back dotted.

    Some signing tools put a signature algorithm OID (sha256WithRSAEncryption, SM2-with-SM3) in a
    digestAlgorithm field; like BouncyCastle's CMSSignedHelper, its hash is the digest meant.
    """
    if oid in (SM3_OID, SM2_WITH_SM3_OID):
        return "sm3"
    name = algos.DigestAlgorithmId.map(oid)
    if name == oid:
        hash_name = signature_hash_of(oid)
        return hash_name or oid
    return name


def _parse_typed(ci: cms.ContentInfo | None, der: bytes) -> SignedData:
    try:
        if ci is None:
            ci = ContentInfo.load(der, strict=True)
        ci_type = ci["content_type"].dotted
        if ci_type not in (ID_SIGNED_DATA, GMT_SIGNED_DATA):
            raise CMSFormatError(f"CMS: content type {ci_type} is not signedData")
        sd = ci["content"]
        eci = sd["encap_content_info"]
        econtent_type = eci["content_type"].dotted
        econtent = _econtent_bytes(eci)
        certs: list[Certificate] = []
        bad = 0
        for choice in [] if isinstance(sd["certificates"], core.Void) else sd["certificates"]:
            if choice.name != "certificate":
                continue
            try:
                certs.append(_certificate(choice.chosen.dump()))
            except InputFormatError:
                bad += 1
        crls = []
        for choice in [] if isinstance(sd["crls"], core.Void) else sd["crls"]:
            if choice.name == "crl":
                crls.append(choice.chosen.dump())
        signers = []
        infos = sd["signer_infos"]
        if len(infos) > MAX_SIGNERS:
            raise CMSFormatError(f"CMS: {len(infos)} signers exceeds the limit of {MAX_SIGNERS}")
        for i, si in enumerate(infos):
            signers.append(_signer_typed(i, si))
        if not signers:
            raise CMSFormatError("CMS: SignedData has no SignerInfo")
    except TrustsvcError:
        raise
    except (ValueError, TypeError, KeyError, OverflowError, AttributeError, IndexError) as exc:
        raise CMSFormatError(f"CMS: malformed SignedData ({first_line(exc)})") from None
    return SignedData(ci_type, econtent_type, econtent, certs, crls, signers, der, bad)


def _signer_typed(i: int, si: cms.SignerInfo) -> SignerInfo:
    sid = si["sid"]
    issuer_serial = ski = None
    if sid.name == "issuer_and_serial_number":
        issuer_serial = (sid.chosen["issuer"].dump(), sid.chosen["serial_number"].native)
    else:
        ski = sid.chosen.native
    attrs: list[list[Attribute] | None] = []
    # Force the attribute parse here so malformed attributes fail as FORMAT_FAILURE, not later.
    for name in ("signed_attrs", "unsigned_attrs"):
        value = si[name]
        attrs.append(None if value.contents is None else
                     [Attribute(a["type"].dotted, a["values"].contents, a.dump()) for a in value])
    si["signature_algorithm"]["algorithm"].dotted
    return SignerInfo(
        index=i,
        der=si.dump(),
        sid_issuer_serial=issuer_serial,
        sid_ski=ski,
        digest_algorithm=digest_name(si["digest_algorithm"]),
        signature_algorithm=si["signature_algorithm"].dump(),
        signature=si["signature"].native,
        signed_attrs_encoding=_received(si["signed_attrs"]),
        signed=attrs[0],
        unsigned=attrs[1],
    )


def _received(value: core.Asn1Value) -> bytes | None:
    """A parsed value's encoding exactly as it arrived (header, contents, end-of-contents), or None if absent."""
    if value.contents is None:
        return None
    header = value._header if value._header is not None else b""  # noqa: SLF001 - asn1crypto keeps the received header
    return header + value.contents + (value._trailer or b"")  # noqa: SLF001


@dataclass
class CryptoCheck:
    """Outcome of the cryptographic checks of one signer (EN 319 102-1 5.2.7).

    `failure` is the EN 319 102-1 sub-indication (HASH_FAILURE, SIG_CRYPTO_FAILURE, FORMAT_FAILURE or
    SIGNED_DATA_NOT_FOUND); `detail` the English reason, rendered for readers at the edge (validation/messages.py).
    """

    ok: bool
    failure: SubIndication | None = None
    detail: str = ""
    algorithm: SignatureAlgorithm | None = None
    content_digest: bytes | None = None

    @property
    def indication(self) -> Indication | None:
        """FAILED for a broken signature or format; INDETERMINATE when the signed data is missing (EN 319 102-1
        5.2.7); None when the checks passed."""
        if self.failure is None:
            return None
        return Indication.INDETERMINATE if self.failure is SubIndication.SIGNED_DATA_NOT_FOUND else Indication.FAILED

    def as_failure(self) -> Failure | None:
        """The core's typed failure for this check (None when it passed)."""
        if self.failure is None or self.indication is None:
            return None
        return Failure(self.indication, self.failure, self.detail, rule="EN 319 102-1 5.2.7")


def verify_signer_crypto(
    signer: SignerInfo,
    cert: Certificate,
    *,
    econtent_type: str | None,
    content: bytes | None = None,
    content_digest: bytes | None = None,
    sm2_id: bytes | None = None,
) -> CryptoCheck:
    """Check the signed attributes' rules, message-digest and content-type, and the signature value under `cert`.

    `content_digest` may be given instead of `content` (already hashed with the signer's digest).
    `econtent_type` None checks a countersignature (RFC 5652 11.4): its content is the countersigned
    signature value and its signed attributes carry no content-type.
    """
    try:
        return _verify_signer_crypto(signer, cert, econtent_type, content, content_digest, sm2_id)
    except (ValueError, TypeError, KeyError, IndexError, OverflowError, AttributeError) as exc:
        # Lazily parsed attribute values of hostile input fail here: a format failure, not a crash.
        return CryptoCheck(False, SubIndication.FORMAT_FAILURE, f"malformed signer information ({first_line(exc)})")


def _verify_signer_crypto(signer: SignerInfo, cert: Certificate, econtent_type: str | None, content: bytes | None,
                          content_digest: bytes | None, sm2_id: bytes | None) -> CryptoCheck:
    from trustsvc.cms.attributes import attribute_rule_violation

    try:
        if content_digest is None:
            if content is None:
                return CryptoCheck(False, SubIndication.SIGNED_DATA_NOT_FOUND, "no content to check the signature against")
            content_digest = compute_digest(signer.digest_algorithm, content)
    except UnsupportedAlgorithmError as exc:
        return CryptoCheck(False, SubIndication.FORMAT_FAILURE, str(exc))
    if signer.signed is not None:
        problem = attribute_rule_violation(signer, countersignature=econtent_type is None)
        if problem is not None:
            return CryptoCheck(False, SubIndication.FORMAT_FAILURE, problem)
        failure = _check_digest_and_type(signer, econtent_type, content_digest)
        if failure is not None:
            return failure
        candidates: Iterable[bytes] = signer.signed_attrs_candidates()
    else:
        if econtent_type is not None and econtent_type not in DATA_TYPES:
            return CryptoCheck(False, SubIndication.FORMAT_FAILURE, "signed attributes are required when eContentType is not id-data (RFC 5652 5.3)")
        if content is None:
            return CryptoCheck(False, SubIndication.SIGNED_DATA_NOT_FOUND, "signature without signed attributes needs the content itself")
        candidates = [content]
    return _verify_value(signer, cert, candidates, content_digest, sm2_id)


def _check_digest_and_type(signer: SignerInfo, econtent_type: str | None, content_digest: bytes) -> CryptoCheck | None:
    from trustsvc.cms.attributes import ID_CONTENT_TYPE, ID_MESSAGE_DIGEST

    # RFC 5652 5.3 / 11.1-11.2: with signed attributes, content-type (none in a countersignature, 11.4) and
    # message-digest are mandatory.
    md = signer.values(ID_MESSAGE_DIGEST)
    ct = signer.values(ID_CONTENT_TYPE)
    if len(md) != 1:
        return CryptoCheck(False, SubIndication.FORMAT_FAILURE, "signed attributes must hold exactly one message-digest (RFC 5652 5.3)")
    if econtent_type is None:
        if ct:
            return CryptoCheck(False, SubIndication.FORMAT_FAILURE, "a countersignature must not carry a content-type attribute (RFC 5652 11.4)")
    elif len(ct) != 1:
        return CryptoCheck(False, SubIndication.FORMAT_FAILURE, "signed attributes must hold exactly one content-type (RFC 5652 5.3)")
    else:
        ct_oid = core.ObjectIdentifier.load(ct[0], strict=True).dotted
        if ct_oid != econtent_type:
            return CryptoCheck(False, SubIndication.FORMAT_FAILURE, f"content-type attribute {ct_oid} differs from eContentType {econtent_type} (RFC 5652 11.1)")
    if core.OctetString.load(md[0], strict=True).native != content_digest:
        return CryptoCheck(False, SubIndication.HASH_FAILURE, f"message-digest attribute does not match the {signer.digest_algorithm} digest of the content", content_digest=content_digest)
    return None


def _verify_value(signer: SignerInfo, cert: Certificate, candidates: Iterable[bytes], content_digest: bytes,
                  sm2_id: bytes | None) -> CryptoCheck:
    """RFC 5652 5.6: the signature value over the signed attributes (as received, then as DER) or the content."""
    error: InvalidSignatureError | None = None
    for signed_bytes in candidates:
        try:
            used = verify_signature(
                cert.spki_der, signer.signature_algorithm, signer.signature, signed_bytes,
                digest_algorithm=signer.digest_algorithm, sm2_id=sm2_id,
            )
        except InvalidSignatureError as exc:
            error = error or exc
            continue
        except (UnsupportedAlgorithmError, UnusableKeyError, InputFormatError) as exc:
            return CryptoCheck(False, SubIndication.FORMAT_FAILURE, str(exc), content_digest=content_digest)
        return CryptoCheck(True, None, "", used, content_digest)
    return CryptoCheck(False, SubIndication.SIG_CRYPTO_FAILURE, str(error), content_digest=content_digest)


def signing_time(signer: SignerInfo) -> datetime | None:
    """The claimed signing time (RFC 5652 11.3): a claim by the signer, not a proof."""
    from trustsvc.cms.attributes import ID_SIGNING_TIME

    try:  # attribute values parse lazily: a malformed SET OF Time must not escape (found by tests/fuzz)
        values = signer.values(ID_SIGNING_TIME)
        return cms.Time.load(values[0], strict=True).native if values else None
    except (ValueError, TypeError):
        return None
