"""Small certificate factories for path tests (keys generated per test session, never checked in)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

NOW = datetime(2026, 1, 1, tzinfo=timezone.utc)


def name(cn: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "trustsvc tests"), x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def issue(subject: str, subject_key, issuer: str, issuer_key, *, ca: bool = True, path_len: int | None = None,
          policies: list[str] | None = None, mappings: list[tuple[str, str]] | None = None,
          excluded_dns: list[x509.Name] | None = None, not_before: datetime | None = None,
          not_after: datetime | None = None, serial: int | None = None, extra=()) -> x509.Certificate:
    b = (x509.CertificateBuilder().subject_name(name(subject)).issuer_name(name(issuer))
         .public_key(subject_key.public_key()).serial_number(serial or x509.random_serial_number())
         .not_valid_before(not_before or NOW - timedelta(days=30)).not_valid_after(not_after or NOW + timedelta(days=365))
         .add_extension(x509.SubjectKeyIdentifier.from_public_key(subject_key.public_key()), critical=False)
         .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()), critical=False))
    if ca:
        b = b.add_extension(x509.BasicConstraints(ca=True, path_length=path_len), critical=True)
        b = b.add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True)
    else:
        b = b.add_extension(x509.KeyUsage(True, False, False, False, False, False, False, False, False), critical=True)
    if policies is not None:
        b = b.add_extension(x509.CertificatePolicies([x509.PolicyInformation(x509.ObjectIdentifier(p), None) for p in policies]), critical=False)
    if mappings:
        from cryptography.x509 import UnrecognizedExtension
        from asn1crypto import x509 as ax

        pm = ax.PolicyMappings([{"issuer_domain_policy": i, "subject_domain_policy": s} for i, s in mappings])
        b = b.add_extension(UnrecognizedExtension(x509.ObjectIdentifier("2.5.29.33"), pm.dump()), critical=True)
    if excluded_dns:
        b = b.add_extension(x509.NameConstraints(None, [x509.DirectoryName(n) for n in excluded_dns]), critical=True)
    for ext, crit in extra:
        b = b.add_extension(ext, critical=crit)
    return b.sign(issuer_key, hashes.SHA256())


def der(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.DER)
