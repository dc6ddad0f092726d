"""Parse CMS SignedData (RFC 5652, PKCS #7 and GM/T 0010 OIDs) and check each signer's cryptography."""

from __future__ import annotations

import hashlib
from functools import lru_cache
from dataclasses import dataclass, field
from datetime import datetime

from asn1crypto import cms, core, parser, pem, x509

from trustsvc.errors import InputFormatError, InvalidSignatureError, KeyError_, TrustsvcError, UnsupportedAlgorithmError
from trustsvc.x509.certificate import Certificate
from trustsvc.x509.signature import SignatureAlgorithm, verify_signature
from trustsvc.x509.sm2 import SM3_OID, sm3

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
    oid = alg["algorithm"].dotted
    return "sm3" if oid == SM3_OID else alg["algorithm"].native


def compute_digest(name: str, data: bytes) -> bytes:
    """Hash `data` with a named algorithm; SM3 through the C library."""
    if name == "sm3":
        return sm3(data)
    if name in _HASHLIB:
        return hashlib.new(name.replace("_", "-") if name.startswith("sha3") else name, data).digest()
    raise UnsupportedAlgorithmError(name, "digest algorithm")


@dataclass
class SignerInfo:
    """One SignerInfo with what validation needs, pulled out once."""

    index: int
    asn1: cms.SignerInfo
    sid_issuer_serial: tuple[bytes, int] | None
    sid_ski: bytes | None
    digest_algorithm: str
    signature_algorithm: cms.SignedDigestAlgorithm
    signature: bytes
    signed_attrs: cms.CMSAttributes | None
    unsigned_attrs: cms.CMSAttributes | None
    sid_issuer: x509.Name | None = None

    @property
    def signed_attrs_der(self) -> bytes | None:
        """The DER of the signed attributes as a SET OF, what the signature covers (RFC 5652 5.4)."""
        if self.signed_attrs is None:
            return None
        # The [0] IMPLICIT tag becomes the universal SET OF tag over the same contents octets. Not
        # untag().dump(): that copies the tree, and asn1crypto re-encodes (re-sorting the SET) any
        # value whose cached length ends in 0x80 (wbond/asn1crypto#249).
        return parser.emit(0, 1, 17, self.signed_attrs.contents)

    def attr_values(self, attrs: cms.CMSAttributes | None, oid: str) -> list:
        if attrs is None:
            return []
        return [v for a in attrs if a["type"].dotted == oid for v in a["values"]]

    def find_certificate(self, certs: list[Certificate]) -> Certificate | None:
        for c in certs:
            if self.sid_issuer_serial is not None:
                issuer_der, serial = self.sid_issuer_serial
                if c.serial_number == serial and c.issuer.dump() == issuer_der:
                    return c
                if c.serial_number == serial and self.sid_issuer is not None and _names_equal(c.issuer, self.sid_issuer):
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
    asn1: cms.SignedData
    unparsable_certificates: int = 0
    econtent_asn1: core.Asn1Value | None = field(default=None, repr=False)

    @property
    def detached(self) -> bool:
        return self.econtent is None


def _names_equal(a: x509.Name, b: x509.Name) -> bool:
    """RFC 5280 7.1 name comparison; a malformed name simply does not match."""
    try:
        return a == b
    except (ValueError, TypeError, KeyError):
        return False


@lru_cache(maxsize=4096)
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
            _label, _headers, der = pem.unarmor(data)
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
        ci, der = data, b""
    else:
        der = _to_der(data)
        ci = None
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
            signers.append(_signer(i, si))
        if not signers:
            raise CMSFormatError("CMS: SignedData has no SignerInfo")
    except TrustsvcError:
        raise
    except (ValueError, TypeError, KeyError, OverflowError, AttributeError, IndexError) as exc:
        raise CMSFormatError(f"CMS: malformed SignedData ({first_line(exc)})") from None
    return SignedData(ci_type, econtent_type, econtent, certs, crls, signers, sd, bad)


def _signer(i: int, si: cms.SignerInfo) -> SignerInfo:
    sid = si["sid"]
    issuer_serial = ski = None
    if sid.name == "issuer_and_serial_number":
        issuer_serial = (sid.chosen["issuer"].dump(), sid.chosen["serial_number"].native)
    else:
        ski = sid.chosen.native
    signed = si["signed_attrs"] if si["signed_attrs"].contents is not None else None
    unsigned = si["unsigned_attrs"] if si["unsigned_attrs"].contents is not None else None
    # Force the attribute parse here so malformed attributes fail as FORMAT_FAILURE, not later.
    for attrs in (signed, unsigned):
        if attrs is not None:
            for a in attrs:
                a["type"].dotted
                a["values"].contents
    si["signature_algorithm"]["algorithm"].dotted
    return SignerInfo(
        index=i,
        asn1=si,
        sid_issuer_serial=issuer_serial,
        sid_ski=ski,
        digest_algorithm=digest_name(si["digest_algorithm"]),
        signature_algorithm=si["signature_algorithm"],
        signature=si["signature"].native,
        signed_attrs=signed,
        unsigned_attrs=unsigned,
        sid_issuer=sid.chosen["issuer"] if issuer_serial is not None else None,
    )


@dataclass
class CryptoCheck:
    """Outcome of the cryptographic checks of one signer (EN 319 102-1 5.2.7)."""

    ok: bool
    failure: str | None = None  # "HASH_FAILURE" | "SIG_CRYPTO_FAILURE" | "FORMAT_FAILURE" | "NO_SIGNING_CERTIFICATE_FOUND"
    detail: str = ""
    algorithm: SignatureAlgorithm | None = None
    content_digest: bytes | None = None


def verify_signer_crypto(
    signer: SignerInfo,
    cert: Certificate,
    *,
    econtent_type: str,
    content: bytes | None = None,
    content_digest: bytes | None = None,
    sm2_id: bytes | None = None,
) -> CryptoCheck:
    """Check message-digest and content-type attributes and the signature value under `cert`.

    `content_digest` may be given instead of `content` (already hashed with the signer's digest).
    """
    try:
        return _verify_signer_crypto(signer, cert, econtent_type, content, content_digest, sm2_id)
    except (ValueError, TypeError, KeyError, IndexError, OverflowError, AttributeError) as exc:
        # Lazily parsed attribute values of hostile input fail here: a format failure, not a crash.
        return CryptoCheck(False, "FORMAT_FAILURE", f"malformed signer information ({first_line(exc)})")


def _verify_signer_crypto(signer: SignerInfo, cert: Certificate, econtent_type: str, content: bytes | None,
                          content_digest: bytes | None, sm2_id: bytes | None) -> CryptoCheck:
    from trustsvc.cms.attributes import ID_CONTENT_TYPE, ID_MESSAGE_DIGEST

    try:
        if content_digest is None:
            if content is None:
                return CryptoCheck(False, "SIGNED_DATA_NOT_FOUND", "no content to check the signature against")
            content_digest = compute_digest(signer.digest_algorithm, content)
    except UnsupportedAlgorithmError as exc:
        return CryptoCheck(False, "FORMAT_FAILURE", str(exc))
    if signer.signed_attrs is not None:
        # RFC 5652 5.3: with signed attributes, content-type and message-digest are mandatory.
        md = signer.attr_values(signer.signed_attrs, ID_MESSAGE_DIGEST)
        ct = signer.attr_values(signer.signed_attrs, ID_CONTENT_TYPE)
        if len(md) != 1 or len(ct) != 1:
            return CryptoCheck(False, "FORMAT_FAILURE", "signed attributes must hold exactly one content-type and one message-digest (RFC 5652 5.3)")
        if ct[0].dotted != econtent_type:
            return CryptoCheck(False, "FORMAT_FAILURE", f"content-type attribute {ct[0].dotted} differs from eContentType {econtent_type} (RFC 5652 11.1)")
        if md[0].native != content_digest:
            return CryptoCheck(False, "HASH_FAILURE", f"message-digest attribute does not match the {signer.digest_algorithm} digest of the content", content_digest=content_digest)
        signed_bytes = signer.signed_attrs_der
    else:
        if econtent_type not in DATA_TYPES:
            return CryptoCheck(False, "FORMAT_FAILURE", "signed attributes are required when eContentType is not id-data (RFC 5652 5.3)")
        if content is None:
            return CryptoCheck(False, "SIGNED_DATA_NOT_FOUND", "signature without signed attributes needs the content itself")
        signed_bytes = content
    try:
        used = verify_signature(
            cert.spki_der, signer.signature_algorithm, signer.signature, signed_bytes,
            digest_algorithm=signer.digest_algorithm, sm2_id=sm2_id,
        )
    except InvalidSignatureError as exc:
        return CryptoCheck(False, "SIG_CRYPTO_FAILURE", str(exc), content_digest=content_digest)
    except (UnsupportedAlgorithmError, KeyError_, InputFormatError) as exc:
        return CryptoCheck(False, "FORMAT_FAILURE", str(exc), content_digest=content_digest)
    return CryptoCheck(True, None, "", used, content_digest)


def signing_time(signer: SignerInfo) -> datetime | None:
    """The claimed signing time (RFC 5652 11.3): a claim by the signer, not a proof."""
    from trustsvc.cms.attributes import ID_SIGNING_TIME

    try:  # attribute values parse lazily: a malformed SET OF Time must not escape (found by tests/fuzz)
        values = signer.attr_values(signer.signed_attrs, ID_SIGNING_TIME)
        return values[0].native if values else None
    except (ValueError, TypeError):
        return None
