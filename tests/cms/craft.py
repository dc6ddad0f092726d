"""Hand-built CMS SignedData with every encoding choice open, as real signing tools make them (RFC 5652 5).

The library's builder (`trustsvc.cms.builder`) always writes clean DER; these helpers let a test write the
deviations real artefacts have: signed attributes out of DER order or in BER, duplicated or multi-valued
attributes, SHA-3 or bare-key signature algorithm OIDs, countersignatures and broken signature timestamps.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Callable, Sequence

from asn1crypto import cms, core, parser
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa

from trustsvc.cms.signed_data import compute_digest
from trustsvc.x509.certificate import Certificate
from trustsvc.x509.sm2 import SM2PrivateKey

ID_DATA = "1.2.840.113549.1.7.1"
ID_SIGNED_DATA = "1.2.840.113549.1.7.2"
CONTENT_TYPE, MESSAGE_DIGEST, SIGNING_TIME = "1.2.840.113549.1.9.3", "1.2.840.113549.1.9.4", "1.2.840.113549.1.9.5"
COUNTERSIGNATURE = "1.2.840.113549.1.9.6"
SIGNATURE_TIMESTAMP = "1.2.840.113549.1.9.16.2.14"
SIGNING_CERTIFICATE_V2 = "1.2.840.113549.1.9.16.2.47"

DIGEST_OIDS = {"sha256": "2.16.840.1.101.3.4.2.1", "sha384": "2.16.840.1.101.3.4.2.2", "sha512": "2.16.840.1.101.3.4.2.3",
               "sha3_224": "2.16.840.1.101.3.4.2.7", "sha3_256": "2.16.840.1.101.3.4.2.8",
               "sha3_384": "2.16.840.1.101.3.4.2.9", "sha3_512": "2.16.840.1.101.3.4.2.10", "sm3": "1.2.156.10197.1.401"}
_CRYPTO = {"sha256": hashes.SHA256, "sha384": hashes.SHA384, "sha512": hashes.SHA512, "sha3_224": hashes.SHA3_224,
           "sha3_256": hashes.SHA3_256, "sha3_384": hashes.SHA3_384, "sha3_512": hashes.SHA3_512}
# RFC 4055 / RFC 5758 / NIST CSOR sigAlgs: (key kind, hash) -> signatureAlgorithm OID
SIGNATURE_OIDS = {
    ("rsa", "sha256"): "1.2.840.113549.1.1.11", ("rsa", "sha384"): "1.2.840.113549.1.1.12",
    ("rsa", "sha3_224"): "2.16.840.1.101.3.4.3.13", ("rsa", "sha3_256"): "2.16.840.1.101.3.4.3.14",
    ("rsa", "sha3_384"): "2.16.840.1.101.3.4.3.15", ("rsa", "sha3_512"): "2.16.840.1.101.3.4.3.16",
    ("ec", "sha256"): "1.2.840.10045.4.3.2", ("ec", "sha3_224"): "2.16.840.1.101.3.4.3.9",
    ("ec", "sha3_256"): "2.16.840.1.101.3.4.3.10", ("ec", "sha3_384"): "2.16.840.1.101.3.4.3.11",
    ("ec", "sha3_512"): "2.16.840.1.101.3.4.3.12",
}
RSA_ENCRYPTION, EC_PUBLIC_KEY, SM2_WITH_SM3 = "1.2.840.113549.1.1.1", "1.2.840.10045.2.1", "1.2.156.10197.1.501"


def tlv(class_: int, constructed: int, tag: int, contents: bytes) -> bytes:
    return parser.emit(class_, constructed, tag, contents)


def seq(*parts: bytes) -> bytes:
    return tlv(0, 1, 16, b"".join(parts))


def set_of(parts: Sequence[bytes], *, sort: bool = True) -> bytes:
    return tlv(0, 1, 17, b"".join(sorted(parts) if sort else parts))


def oid(dotted: str) -> bytes:
    return core.ObjectIdentifier(dotted).dump()


def octets(value: bytes) -> bytes:
    return core.OctetString(value).dump()


def algorithm(dotted: str, params: bytes | None = None) -> bytes:
    return seq(oid(dotted), params or b"")


def attribute(type_oid: str, *values: bytes) -> bytes:
    """Attribute ::= SEQUENCE { attrType, attrValues SET OF AttributeValue } (RFC 5652 5.3)."""
    return seq(oid(type_oid), set_of(values))


def utc_time(t: datetime) -> bytes:
    return cms.Time({"utc_time": t}).dump()


def ess_cert_id_v2(cert: Certificate) -> bytes:
    """SigningCertificateV2 { certs SEQUENCE OF ESSCertIDv2 { certHash } } with the SHA-256 default (RFC 5035)."""
    return seq(seq(seq(octets(compute_digest("sha256", cert.der)))))


def standard_attrs(cert: Certificate, content_digest: bytes, *, content_type: str | None = ID_DATA,
                   signing_time: datetime | None = None) -> list[bytes]:
    attrs = [attribute(MESSAGE_DIGEST, octets(content_digest)), attribute(SIGNING_CERTIFICATE_V2, ess_cert_id_v2(cert))]
    if content_type is not None:
        attrs.insert(0, attribute(CONTENT_TYPE, oid(content_type)))
    if signing_time is not None:
        attrs.append(attribute(SIGNING_TIME, utc_time(signing_time)))
    return attrs


def key_kind(key: Any) -> str:
    if isinstance(key, SM2PrivateKey):
        return "sm2"
    return "rsa" if isinstance(key, rsa.RSAPrivateKey) else "ec"


def sign(key: Any, data: bytes, hash_name: str, sm2_id: bytes | None = None) -> bytes:
    if isinstance(key, SM2PrivateKey):
        return key.sign(data) if sm2_id is None else key.sign(data, sm2_id)
    h = _CRYPTO[hash_name]()
    if isinstance(key, rsa.RSAPrivateKey):
        return key.sign(data, padding.PKCS1v15(), h)
    if isinstance(key, ec.EllipticCurvePrivateKey):
        return key.sign(data, ec.ECDSA(h))
    raise TypeError(type(key).__name__)


def received_attrs(attrs: Sequence[bytes], *, sort: bool = True, indefinite: bool = False) -> bytes:
    """The [0] IMPLICIT SignedAttributes as sent: DER order or the order given, definite or indefinite length."""
    body = b"".join(sorted(attrs) if sort else attrs)
    return b"\xa0\x80" + body + b"\x00\x00" if indefinite else tlv(2, 1, 0, body)


def signer_info(cert: Certificate, key: Any, *, attrs: Sequence[bytes] | None, content: bytes = b"",
                digest: str = "sha256", signature_algorithm: str | None = None, sort: bool = True,
                indefinite: bool = False, sign_der: bool = False, unsigned: Sequence[bytes] = (),
                sign_over: Callable[[bytes], bytes] | None = None, sm2_id: bytes | None = None,
                digest_oid: str | None = None) -> bytes:
    """A SignerInfo (RFC 5652 5.3) over `attrs` sent as `received_attrs(attrs, sort, indefinite)`.

    The signature covers the attributes as sent, re-tagged as a SET OF, or their DER with `sign_der`
    (RFC 5652 5.4). Without attributes it covers `content`. The signature algorithm defaults to the one
    the key and digest name (`SIGNATURE_OIDS`), or SM2-with-SM3.
    """
    kind = key_kind(key)
    sig_oid = signature_algorithm or (SM2_WITH_SM3 if kind == "sm2" else SIGNATURE_OIDS[(kind, digest)])
    if attrs is None:
        sent, signed_bytes = b"", content
    else:
        sent = received_attrs(attrs, sort=sort, indefinite=indefinite)
        signed_bytes = set_of(attrs) if sign_der else b"\x31" + sent[1:]
    if sign_over is not None:
        signed_bytes = sign_over(signed_bytes)
    signature = sign(key, signed_bytes, digest, sm2_id)
    sid = seq(cert.issuer.dump(), core.Integer(cert.serial_number).dump())
    params = core.Null().dump() if sig_oid.startswith("1.2.840.113549.1.1.") else None
    unsigned_der = tlv(2, 1, 1, b"".join(unsigned)) if unsigned else b""
    return seq(core.Integer(1).dump(), sid, algorithm(digest_oid or DIGEST_OIDS[digest]), sent, algorithm(sig_oid, params),
               octets(signature), unsigned_der)


def signature_value(signer_info_der: bytes) -> bytes:
    """The signature OCTET STRING's contents of a SignerInfo made here (what a countersignature signs)."""
    info = cms.SignerInfo.load(signer_info_der)
    return info["signature"].native


def signed_data(content: bytes | None, signer_infos: Sequence[bytes], certs: Sequence[Certificate],
                digests: Sequence[str] = ("sha256",)) -> bytes:
    """ContentInfo { id-signedData, SignedData } (RFC 5652 3, 5.1); `content` None makes it detached."""
    eci = seq(oid(ID_DATA), tlv(2, 1, 0, octets(content)) if content is not None else b"")
    sd = seq(core.Integer(1).dump(), set_of([algorithm(DIGEST_OIDS[d]) for d in digests]), eci,
             tlv(2, 1, 0, b"".join(c.der for c in certs)), set_of(signer_infos, sort=False))
    return seq(oid(ID_SIGNED_DATA), tlv(2, 1, 0, sd))


def simple(content: bytes, cert: Certificate, key: Any, chain: Sequence[Certificate] = (), *, digest: str = "sha256",
           detached: bool = False, attrs: Sequence[bytes] | None = None, **kw: Any) -> bytes:
    """One signer over `content` with the standard attributes unless `attrs` is given."""
    if attrs is None:
        attrs = standard_attrs(cert, compute_digest(digest, content))
    si = signer_info(cert, key, attrs=attrs, digest=digest, **kw)
    return signed_data(None if detached else content, [si], [cert, *chain], digests=[digest])


def with_unsigned(signer_info_der: bytes, unsigned: Sequence[bytes]) -> bytes:
    """The same SignerInfo (signed bytes untouched) with `unsigned` as its [1] unsignedAttrs (RFC 5652 5.3)."""
    outer = parser.parse(signer_info_der)
    body, fields, pos = outer[4], [], 0
    while pos < len(body):
        part = parser.parse(body[pos:])
        end = pos + len(part[3]) + len(part[4]) + len(part[5])
        fields.append(body[pos:end])
        pos = end
    fields = [f for f in fields if f[0] != 0xA1]
    return seq(*fields, tlv(2, 1, 1, b"".join(unsigned)) if unsigned else b"")


def countersignature(parent_si: bytes, cert: Certificate, key: Any, *, digest: str = "sha256",
                     attrs: Sequence[bytes] | None | bool = True, over: bytes | None = None, **kw: Any) -> bytes:
    """A SignerInfo countersigning `parent_si` (RFC 5652 11.4): its content is the parent's signature value.

    `attrs=True` gives the standard attributes without content-type (message-digest of that value,
    signing-certificate-v2); `attrs=None` signs the value itself; `over` signs other bytes instead (a forgery).
    """
    value = over if over is not None else signature_value(parent_si)
    if attrs is True:
        attrs = standard_attrs(cert, compute_digest(digest, value), content_type=None)
    return signer_info(cert, key, attrs=attrs or None, content=value, digest=digest, **kw)


def countersigned(parent_si: bytes, *countersignatures: bytes) -> bytes:
    """`parent_si` with an id-countersignature attribute holding `countersignatures` (one value each)."""
    return with_unsigned(parent_si, [attribute(COUNTERSIGNATURE, *countersignatures)])
