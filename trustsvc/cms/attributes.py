"""CMS / CAdES attributes: OIDs and the signing-certificate (ESSCertID, ESSCertIDv2) binding."""

from __future__ import annotations

from dataclasses import dataclass

from asn1crypto import cms, core, parser, tsp, x509

from trustsvc import tlv
from trustsvc.cms.signed_data import SignerInfo, compute_digest, oid_digest_name
from trustsvc.errors import UnsupportedAlgorithmError
from trustsvc.x509.certificate import Certificate

ID_CONTENT_TYPE = "1.2.840.113549.1.9.3"  # RFC 5652 11.1
ID_MESSAGE_DIGEST = "1.2.840.113549.1.9.4"  # RFC 5652 11.2
ID_SIGNING_TIME = "1.2.840.113549.1.9.5"  # RFC 5652 11.3
ID_AA_SIGNING_CERTIFICATE = "1.2.840.113549.1.9.16.2.12"  # RFC 2634 5.4
ID_AA_SIGNING_CERTIFICATE_V2 = "1.2.840.113549.1.9.16.2.47"  # RFC 5035 3
ID_AA_SIGNATURE_TIMESTAMP = "1.2.840.113549.1.9.16.2.14"  # RFC 3161 appendix A, EN 319 122-1 5.3


ID_COUNTERSIGNATURE = "1.2.840.113549.1.9.6"  # RFC 5652 11.4

# RFC 5652 11.1-11.3: "SignedAttributes MUST NOT include multiple instances of" these, each "MUST have a single
# attribute value"; RFC 2634 5.4 / RFC 5035 3 (EN 319 122-1 5.2.2.3): one signing-certificate(-v2) of each kind.
_SINGLE_VALUED = {
    ID_CONTENT_TYPE: "content-type", ID_MESSAGE_DIGEST: "message-digest", ID_SIGNING_TIME: "signing-time",
    ID_AA_SIGNING_CERTIFICATE: "signing-certificate", ID_AA_SIGNING_CERTIFICATE_V2: "signing-certificate-v2",
}


def attribute_rule_violation(signer: SignerInfo, *, countersignature: bool = False) -> str | None:
    """The first RFC 5652 11 rule the signed attributes break (a duplicated or multi-valued attribute), or None."""
    seen: set[str] = set()
    for attr in signer.signed or ():
        name = _SINGLE_VALUED.get(attr.oid)
        if name is None:
            continue
        if attr.oid in seen:
            return f"the {name} attribute appears more than once in the signed attributes (RFC 5652 11)"
        seen.add(attr.oid)
        n = len(attr.values())
        if n != 1:
            return f"the {name} attribute has {n} values; it must have exactly one (RFC 5652 11)"
    return None


@dataclass(frozen=True)
class CertBinding:
    """Result of checking the signing-certificate(-v2) attribute against the signer's certificate."""

    present: bool
    ok: bool
    version: int | None = None
    detail: str = ""


def signing_certificate_binding(signer: SignerInfo, cert: Certificate) -> CertBinding:
    """EN 319 122-1 5.2.2.3 / RFC 5035: the first ESSCertID(v2) must identify the signer's certificate."""
    try:
        v2 = signer.values(ID_AA_SIGNING_CERTIFICATE_V2)
        v1 = [] if v2 else signer.values(ID_AA_SIGNING_CERTIFICATE)
        if not v2 and not v1:
            return CertBinding(False, True, None, "no signing-certificate attribute")
        version, value = (2, v2[0]) if v2 else (1, v1[0])
        try:
            first = _first_cert_id_plain(value, version)
        except ValueError:
            first = _first_cert_id_typed(value, version)  # not the plain DER shape: asn1crypto decides
        if first is None:
            return CertBinding(True, False, 2, "signing-certificate-v2 lists no certificate")
        alg, expected, issuer_serial = first
        try:
            actual = compute_digest(alg, cert.der)
        except UnsupportedAlgorithmError:
            return CertBinding(True, False, version, f"signing-certificate hash algorithm {alg} is not supported")
        if actual != expected:
            return CertBinding(True, False, version, f"signing-certificate{'-v2' if version == 2 else ''} "
                                                     f"{alg} hash does not match the signer's certificate")
        if issuer_serial is not None:
            serial, names = issuer_serial
            if serial != cert.serial_number or (names and not any(_same_name(n, cert.issuer) for n in names)):
                return CertBinding(True, False, version, "signing-certificate issuerSerial does not name the signer's certificate")
        return CertBinding(True, True, version, "")
    except (ValueError, TypeError, KeyError, IndexError) as exc:
        return CertBinding(True, False, None, f"malformed signing-certificate attribute ({exc})")


# (hash algorithm, certHash, (serial, [directoryName DER, ...]) or None); None when v2 lists no certificate.
_CertId = "tuple[str, bytes, tuple[int, list[bytes]] | None] | None"


def _first_cert_id_plain(value: bytes, version: int) -> _CertId:
    """The first ESSCertID(v2) read TLV by TLV (RFC 2634 5.4.1, RFC 5035 4); ValueError if not plain DER."""
    outer = tlv.constructed(parser.parse(value, strict=True), tlv.SEQUENCE)
    if len(outer) > 2 or (len(outer) == 2 and outer[1][2] != tlv.SEQUENCE):
        raise tlv.NotPlain("SigningCertificate")
    ids = tlv.constructed(outer[0], tlv.SEQUENCE)
    if not ids:
        if version == 1:
            raise tlv.NotPlain("SigningCertificate lists no certificate")
        return None
    first = tlv.constructed(ids[0], tlv.SEQUENCE)
    k, alg = 0, "sha1" if version == 1 else "sha256"  # RFC 5035 4: hashAlgorithm DEFAULT id-sha256
    if version == 2 and first[0][2] == tlv.SEQUENCE:
        alg = oid_digest_name(tlv.oid(tlv.constructed(first[0], tlv.SEQUENCE)[0]))
        k = 1
    expected = tlv.primitive(first[k], tlv.OCTET_STRING)
    k += 1
    issuer_serial = None
    if k < len(first):
        names_tlv, serial = tlv.constructed(first[k], tlv.SEQUENCE)
        names = [tlv.der(tlv.constructed(g, 4, tlv.CONTEXT)[0])  # directoryName [4] EXPLICIT Name
                 for g in tlv.constructed(names_tlv, tlv.SEQUENCE) if g[0] == tlv.CONTEXT and g[2] == 4]
        issuer_serial = (tlv.integer(serial), names)
        k += 1
    if k != len(first):
        raise tlv.NotPlain("ESSCertID fields")
    return alg, expected, issuer_serial


def _first_cert_id_typed(value: bytes, version: int) -> _CertId:
    if version == 2:
        ids = tsp.SigningCertificateV2.load(value, strict=True)["certs"]
        if len(ids) == 0:
            return None
        first = ids[0]
        alg = oid_digest_name(first["hash_algorithm"]["algorithm"].dotted)
    else:
        first = tsp.SigningCertificate.load(value, strict=True)["certs"][0]
        alg = "sha1"
    issuer_serial = first["issuer_serial"]
    if isinstance(issuer_serial, core.Void):
        return alg, first["cert_hash"].native, None
    names = [g.chosen.dump() for g in issuer_serial["issuer"] if g.name == "directory_name"]
    return alg, first["cert_hash"].native, (issuer_serial["serial_number"].native, names)


def _same_name(name_der: bytes, issuer: x509.Name) -> bool:
    # Byte-identical DER first (the common case); RFC 5280 7.1 comparison only when they differ.
    try:
        return name_der == issuer.dump() or x509.Name.load(name_der) == issuer
    except (ValueError, TypeError):
        return False


def signature_timestamp_tokens(signer: SignerInfo) -> list[cms.ContentInfo]:
    """Signature timestamp tokens in the unsigned attributes (id-aa-signatureTimeStampToken)."""
    return [cms.ContentInfo.load(der) for der in signature_timestamp_token_ders(signer)]


def signature_timestamp_token_ders(signer: SignerInfo) -> list[bytes]:
    """The same tokens as their encodings, for parse_timestamp_token (no typed tree built twice)."""
    return signer.values(ID_AA_SIGNATURE_TIMESTAMP, signed=False)
