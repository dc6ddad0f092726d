"""CMS / CAdES attributes: OIDs and the signing-certificate (ESSCertID, ESSCertIDv2) binding."""

from __future__ import annotations

from dataclasses import dataclass

from asn1crypto import cms, core, tsp

from trustsvc.cms.signed_data import SignerInfo, compute_digest
from trustsvc.errors import UnsupportedAlgorithmError
from trustsvc.x509.certificate import Certificate
from trustsvc.x509.sm2 import SM3_OID

ID_CONTENT_TYPE = "1.2.840.113549.1.9.3"  # RFC 5652 11.1
ID_MESSAGE_DIGEST = "1.2.840.113549.1.9.4"  # RFC 5652 11.2
ID_SIGNING_TIME = "1.2.840.113549.1.9.5"  # RFC 5652 11.3
ID_AA_SIGNING_CERTIFICATE = "1.2.840.113549.1.9.16.2.12"  # RFC 2634 5.4
ID_AA_SIGNING_CERTIFICATE_V2 = "1.2.840.113549.1.9.16.2.47"  # RFC 5035 3
ID_AA_SIGNATURE_TIMESTAMP = "1.2.840.113549.1.9.16.2.14"  # RFC 3161 appendix A, EN 319 122-1 5.3


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
        v1 = signer.values(ID_AA_SIGNING_CERTIFICATE)
        if v2:
            ids = tsp.SigningCertificateV2.load(v2[0], strict=True)["certs"]
            if len(ids) == 0:
                return CertBinding(True, False, 2, "signing-certificate-v2 lists no certificate")
            first = ids[0]
            alg_oid = first["hash_algorithm"]["algorithm"].dotted
            alg = "sm3" if alg_oid == SM3_OID else first["hash_algorithm"]["algorithm"].native
            expected = first["cert_hash"].native
            version = 2
        elif v1:
            first = tsp.SigningCertificate.load(v1[0], strict=True)["certs"][0]
            alg, expected, version = "sha1", first["cert_hash"].native, 1
        else:
            return CertBinding(False, True, None, "no signing-certificate attribute")
        try:
            actual = compute_digest(alg, cert.der)
        except UnsupportedAlgorithmError:
            return CertBinding(True, False, version, f"signing-certificate hash algorithm {alg} is not supported")
        if actual != expected:
            return CertBinding(True, False, version, f"signing-certificate{'-v2' if version == 2 else ''} "
                                                     f"{alg} hash does not match the signer's certificate")
        issuer_serial = first["issuer_serial"]
        if not isinstance(issuer_serial, core.Void):
            serial = issuer_serial["serial_number"].native
            names = [g.chosen for g in issuer_serial["issuer"] if g.name == "directory_name"]
            if serial != cert.serial_number or (names and not any(_same_name(n, cert.issuer) for n in names)):
                return CertBinding(True, False, version, "signing-certificate issuerSerial does not name the signer's certificate")
        return CertBinding(True, True, version, "")
    except (ValueError, TypeError, KeyError, IndexError) as exc:
        return CertBinding(True, False, None, f"malformed signing-certificate attribute ({exc})")


def _same_name(a, b) -> bool:
    # Byte-identical DER first (the common case); RFC 5280 7.1 comparison only when they differ.
    try:
        return a.chosen.dump() == b.chosen.dump() or a == b
    except (ValueError, TypeError):
        return False


def signature_timestamp_tokens(signer: SignerInfo) -> list[cms.ContentInfo]:
    """Signature timestamp tokens in the unsigned attributes (id-aa-signatureTimeStampToken)."""
    return [cms.ContentInfo.load(der) for der in signature_timestamp_token_ders(signer)]


def signature_timestamp_token_ders(signer: SignerInfo) -> list[bytes]:
    """The same tokens as their encodings, for parse_timestamp_token (no typed tree built twice)."""
    return signer.values(ID_AA_SIGNATURE_TIMESTAMP, signed=False)
