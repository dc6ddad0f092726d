"""Certificates in the shape public RFC 5280 conformance corpora give a validator (x509-limbo's `rfc5280::*`
cases): an EC P-256 root valid from 1970-01-01T00:00:01 for a thousand years (basicConstraints critical,
keyUsage keyCertSign, subjectKeyIdentifier, SAN example.com, no AKI), intermediates below it (AKI from the
parent's SKI) and leaves (SKI, AKI from the issuer's key, keyUsage digitalSignature, EKU serverAuth, SAN
example.com, no basicConstraints). Built with `cryptography`; `resign` re-signs a certificate after a raw DER
edit for the malformations cryptography refuses to emit (duplicate extensions, negative serials, mismatched
signature algorithms). Our own builder: the corpus is read for intent, its code is not used.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Callable

from asn1crypto import x509 as ax
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

EPOCH = datetime(1970, 1, 1, 0, 0, 1, tzinfo=timezone.utc)
FAR = EPOCH + timedelta(days=365 * 1000)
UNKNOWN_OID = x509.ObjectIdentifier("1.3.6.1.4.1.55738.666.1")


@dataclass
class Pair:
    cert: x509.Certificate
    key: ec.EllipticCurvePrivateKey

    @property
    def der(self) -> bytes:
        return self.cert.public_bytes(Encoding.DER)


def name(cn: str | None) -> x509.Name:
    return x509.Name([]) if cn is None else x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def key_usage(**bits: bool) -> x509.KeyUsage:
    names = ("digital_signature", "content_commitment", "key_encipherment", "data_encipherment", "key_agreement",
             "key_cert_sign", "crl_sign", "encipher_only", "decipher_only")
    return x509.KeyUsage(**{n: bits.get(n, False) for n in names})


def san(*names: x509.GeneralName) -> x509.SubjectAlternativeName:
    return x509.SubjectAlternativeName(list(names))


DEFAULT = object()  # "the builder's usual extension"; None drops it; (value, critical) replaces it


def _add(builder: x509.CertificateBuilder, given, default: tuple[x509.ExtensionType, bool] | None):
    chosen = default if given is DEFAULT else given
    if chosen is None:
        return builder
    value, critical = chosen
    return builder.add_extension(value, critical=critical)


def _cert(*, subject: x509.Name, issuer: x509.Name, key, signer, serial: int | None, not_before: datetime,
          not_after: datetime, exts: list[tuple[object, tuple | None]], extra: list[tuple] = ()) -> x509.Certificate:
    b = (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer).public_key(key.public_key())
         .serial_number(x509.random_serial_number() if serial is None else serial)
         .not_valid_before(not_before).not_valid_after(not_after))
    for given, default in exts:
        b = _add(b, given, default)
    for value, critical in extra:
        b = b.add_extension(value, critical=critical)
    return b.sign(signer, hashes.SHA256())


def root(cn: str = "x509-limbo-root", *, subject: x509.Name | None = None, key=None, bc=DEFAULT, ku=DEFAULT,
         alt=DEFAULT, aki=None, ski=DEFAULT, nc=None, extra=(), not_before: datetime = EPOCH,
         not_after: datetime = FAR, serial: int | None = None, issuer: x509.Name | None = None) -> Pair:
    key = key or ec.generate_private_key(ec.SECP256R1())
    iname = issuer if issuer is not None else name(cn)
    sname = subject if subject is not None else iname
    cert = _cert(subject=sname, issuer=iname, key=key, signer=key, serial=serial, not_before=not_before,
                 not_after=not_after, extra=extra, exts=[
                     (bc, (x509.BasicConstraints(ca=True, path_length=None), True)),
                     (ku, (key_usage(key_cert_sign=True), False)),
                     (alt, (san(x509.DNSName("example.com")), False)),
                     (aki, None),
                     (ski, (x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)),
                     (nc, None)])
    return Pair(cert, key)


def ica(parent: Pair, *, pathlen: int | None = None, subject: x509.Name | None = None,
        issuer: x509.Name | None = None, key=None, bc=DEFAULT, ku=DEFAULT, alt=DEFAULT, aki=DEFAULT, ski=DEFAULT,
        nc=None, extra=(), not_before: datetime = EPOCH, not_after: datetime = FAR) -> Pair:
    key = key or ec.generate_private_key(ec.SECP256R1())
    parent_ski = parent.cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    sname = subject if subject is not None else x509.Name.from_rfc4514_string(
        f"CN=x509-limbo-intermediate-pathlen-{pathlen},OU={parent.cert.serial_number}")
    cert = _cert(subject=sname, issuer=issuer if issuer is not None else parent.cert.subject, key=key,
                 signer=parent.key, serial=None, not_before=not_before, not_after=not_after, extra=extra, exts=[
                     (bc, (x509.BasicConstraints(ca=True, path_length=pathlen), True)),
                     (ku, (key_usage(key_cert_sign=True), False)),
                     (alt, (san(x509.DNSName("example.com")), False)),
                     (aki, (x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(parent_ski), False)),
                     (ski, (x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)),
                     (nc, None)])
    return Pair(cert, key)


def leaf(parent: Pair, *, subject: x509.Name | None = DEFAULT, issuer: x509.Name | None = None, key=None,
         bc=None, ku=DEFAULT, eku=DEFAULT, alt=DEFAULT, aki=DEFAULT, extra=(), serial: int | None = None,
         not_before: datetime = EPOCH, not_after: datetime = FAR) -> Pair:
    key = key or ec.generate_private_key(ec.SECP256R1())
    sname = name("example.com") if subject is DEFAULT else subject
    cert = _cert(subject=sname, issuer=issuer if issuer is not None else parent.cert.subject, key=key,
                 signer=parent.key, serial=serial, not_before=not_before, not_after=not_after, extra=extra, exts=[
                     ((x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False), None),
                     (bc, None),
                     (aki, (x509.AuthorityKeyIdentifier.from_issuer_public_key(parent.key.public_key()), False)),
                     (ku, (key_usage(digital_signature=True), False)),
                     (eku, (x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), False)),
                     (alt, (san(x509.DNSName("example.com")), False))])
    return Pair(cert, key)


def raw(oid: x509.ObjectIdentifier | str, value: bytes) -> x509.UnrecognizedExtension:
    """An extension with exactly these extnValue octets (cryptography emits them without a check)."""
    return x509.UnrecognizedExtension(oid if isinstance(oid, x509.ObjectIdentifier) else x509.ObjectIdentifier(oid),
                                      value)


def resign(pair: Pair, signer: Pair, edit: Callable[[ax.TbsCertificate], None], *,
           outer_algorithm: str = "sha256_ecdsa") -> bytes:
    """`pair`'s certificate with its TBSCertificate edited by `edit` (asn1crypto), signed again by `signer`."""
    cert = ax.Certificate.load(pair.der)
    tbs = cert["tbs_certificate"].copy()
    edit(tbs)
    tbs_der = tbs.dump(force=True)
    sig = signer.key.sign(tbs_der, ec.ECDSA(hashes.SHA256()))
    out = ax.Certificate({"tbs_certificate": ax.TbsCertificate.load(tbs_der),
                          "signature_algorithm": {"algorithm": outer_algorithm}, "signature_value": sig})
    return out.dump()


def _tlv_length(n: int) -> bytes:
    if n < 0x80:
        return bytes([n])
    octets = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(octets)]) + octets


def resign_tbs(pair: Pair, signer: Pair, edit: Callable[[bytes], bytes]) -> bytes:
    """`pair`'s certificate with the *contents* of its TBSCertificate rewritten byte for byte by `edit` (for
    encodings no ASN.1 library will emit, such as a UTCTime without seconds), signed again by `signer`."""
    cert = ax.Certificate.load(pair.der)
    tbs = cert["tbs_certificate"]
    body = edit(tbs.contents)
    tbs_der = b"\x30" + _tlv_length(len(body)) + body
    sig = signer.key.sign(tbs_der, ec.ECDSA(hashes.SHA256()))
    alg = cert["signature_algorithm"].dump()
    bits = b"\x00" + sig
    outer = tbs_der + alg + b"\x03" + _tlv_length(len(bits)) + bits
    return b"\x30" + _tlv_length(len(outer)) + outer
