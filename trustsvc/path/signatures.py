"""Certificate and CRL signature checks through the one registry, with a bounded cache for CA and service certificates."""

from __future__ import annotations

from asn1crypto import keys

from trustsvc.cache import BoundedCache
from trustsvc.errors import InputFormatError, InvalidSignatureError, UnsupportedAlgorithmError, UnusableKeyError
from trustsvc.path.budget import Budget
from trustsvc.x509.certificate import Certificate
from trustsvc.x509.signature import PublicKey, SignatureAlgorithm, is_simple_algorithm, load_public_key, verify_signature

_DSA_OID = "1.2.840.10040.4.1"
SignatureError = (InvalidSignatureError, UnsupportedAlgorithmError, UnusableKeyError)

_CACHE_SIZE = 8192
# (issuer SPKI DER, SM2 signer ID, certificate sha256) -> SignatureAlgorithm or the error message.
_cache: BoundedCache[tuple[bytes, bytes | None, str], SignatureAlgorithm | str] = BoundedCache(
    "path.signatures", _CACHE_SIZE)
# Service certificates a platform sees on every token or response, cached like CA certificates:
# id-kp-timeStamping (RFC 3161 2.3) and id-kp-OCSPSigning (RFC 6960 4.2.2.2).
_SERVICE_EKUS = frozenset({"1.3.6.1.5.5.7.3.8", "1.3.6.1.5.5.7.3.9"})


def clear_cache() -> None:
    """Forget every cached signature result (`trustsvc.cache.clear_all()` empties this and every other memo)."""
    _cache.clear()


def dsa_params_of(spki: keys.PublicKeyInfo) -> keys.DSAParams | None:
    """The DSA domain parameters carried by `spki`, if any (RFC 3279 2.3.2)."""
    alg = spki["algorithm"]
    if alg["algorithm"].native == "dsa" and alg["parameters"].native is not None:
        return alg["parameters"]
    return None


def issuer_key(spki: keys.PublicKeyInfo, inherited: keys.DSAParams | None) -> PublicKey:
    """Load a key, inheriting DSA parameters when the key omits them (RFC 5280 6.1.4 (f))."""
    return load_public_key(spki, dsa_params=inherited if dsa_params_of(spki) is None else None)


def certificate_key(cert: Certificate, inherited: keys.DSAParams | None) -> PublicKey:
    """The subject key of `cert` on a path: its own, or with DSA parameters inherited (RFC 5280 6.1.4 (f))."""
    try:
        if cert.key_algorithm_oid == _DSA_OID:
            return issuer_key(cert.spki, inherited)
        return cert.public_key
    except InputFormatError as exc:
        # A malformed key is a property of this certificate on this path, not a malformed request.
        raise UnusableKeyError(f"subject key of {cert.subject_str!r} is unusable: {exc}") from None


def verify_certificate_signature(
    cert: Certificate, key: PublicKey, budget: Budget, *, sm2_id: bytes | None = None, cache: bool = True
) -> SignatureAlgorithm:
    """Verify `cert`'s signature with `key` (RFC 5280 6.1.3 (a)(1)); raise a SignatureError on failure."""
    if key.family == "dsa":  # inherited DSA parameters are not part of spki_der: memo per call only
        cache = False
    shared = cache and _long_lived(cert)
    # The SM2 signer ID is part of what was verified (GM/T 0009 Z value), so it is part of the key.
    # The per-call memo holds the certificate itself (its DER bytes hash once); the shared cache a digest.
    ckey = (key.spki_der, sm2_id, cert.sha256 if shared else cert.der)
    hit = _cache.get(ckey) if shared else budget.verified.get(ckey)
    if hit is not None:
        if isinstance(hit, str):
            raise InvalidSignatureError(hit)
        return hit
    budget.signature()
    oid = cert.signature_algorithm_oid
    algorithm = oid if is_simple_algorithm(oid) else cert.signature_algorithm
    try:
        used: SignatureAlgorithm | str = verify_signature(key, algorithm, cert.signature, cert.tbs_der, sm2_id=sm2_id)
    except InvalidSignatureError as exc:
        used = str(exc)
    if shared:
        _cache.put(ckey, used)
    else:
        budget.verified[ckey] = used
    if isinstance(used, str):
        budget.rejected()  # a key that does not verify ends this candidate: its own, larger allowance
        raise InvalidSignatureError(used)
    return used


def _long_lived(cert: Certificate) -> bool:
    """CA and service (TSA, OCSP responder) certificates recur across calls; end entities mostly do not."""
    if cert.is_ca:
        return True
    eku = cert.extended_key_usage
    return eku is not None and not eku.isdisjoint(_SERVICE_EKUS)
