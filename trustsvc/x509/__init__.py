"""X.509 parsing, signature verification (incl. SM2) and the algorithm policy."""

from trustsvc.x509.algorithm_policy import AlgorithmPolicy, DEFAULT_POLICY
from trustsvc.x509.certificate import Certificate
from trustsvc.x509.load import load_certificate, load_certificates, load_crl
from trustsvc.x509.signature import PublicKey, load_public_key, verify_signature

__all__ = [
    "AlgorithmPolicy",
    "DEFAULT_POLICY",
    "Certificate",
    "PublicKey",
    "load_certificate",
    "load_certificates",
    "load_crl",
    "load_public_key",
    "verify_signature",
]
