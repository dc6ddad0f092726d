"""The one signature-verification registry used by certificates, CRLs, OCSP, CMS and timestamps."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from asn1crypto import algos, core, keys
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed448, ed25519, padding, rsa
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat, load_der_public_key

from trustsvc.cache import memoize
from trustsvc.errors import InputFormatError, InvalidSignatureError, TrustsvcError, UnsupportedAlgorithmError, UnusableKeyError
from trustsvc.x509.sm2 import (
    DEFAULT_SM2_ID, SM2_CURVE_OID, SM2_WITH_SM3_OID, SM2PublicKey, load_sm2_public_key, normalise_sm2_spki,
)

_HASHES: dict[str, type[hashes.HashAlgorithm]] = {
    "md5": hashes.MD5,
    "sha1": hashes.SHA1,
    "sha224": hashes.SHA224,
    "sha256": hashes.SHA256,
    "sha384": hashes.SHA384,
    "sha512": hashes.SHA512,
    "sha3_224": hashes.SHA3_224,
    "sha3_256": hashes.SHA3_256,
    "sha3_384": hashes.SHA3_384,
    "sha3_512": hashes.SHA3_512,
}

# GM/T 0006: SM2 as a "key" OID in CMS SignerInfo.signatureAlgorithm (sm2sign), hash given separately.
_SM2_SIGN_OID = "1.2.156.10197.1.301.1"
_SM3_OID = "1.2.156.10197.1.401"

# Friendly names for the bare key OIDs CMS puts in SignerInfo.signatureAlgorithm.
_ALIASES = {"rsa": "1.2.840.113549.1.1.1", "ec": "1.2.840.10045.2.1", "dsa": "1.2.840.10040.4.1", "sm2": _SM2_SIGN_OID}

# Bare key OIDs whose signature scheme is implied (RFC 5753 / RFC 3370: hash from digestAlgorithm).
_BARE_KEY_OIDS = {"1.2.840.10045.2.1": "ecdsa", "1.2.840.10040.4.1": "dsa"}

_KEY_FAMILY = {"rsa": "rsa", "rsassa_pss": "rsa", "ec": "ec", "dsa": "dsa", "ed25519": "ed25519", "ed448": "ed448"}


@dataclass(frozen=True, slots=True)
class PublicKey:
    """A parsed public key: family ('rsa', 'ec', 'sm2', 'dsa', 'ed25519', 'ed448'), size and the live key."""

    family: str
    bits: int
    curve: str | None
    key: Any
    spki_der: bytes

    @property
    def description(self) -> str:
        if self.family in ("ec", "sm2"):
            return f"{self.family.upper()} {self.curve}"
        if self.family in ("ed25519", "ed448"):
            return self.family.capitalize()
        return f"{self.family.upper()}-{self.bits}"


@dataclass(frozen=True, slots=True)
class SignatureAlgorithm:
    """What a verified signature used, for the algorithm policy and reports."""

    name: str  # e.g. "sha256_rsa", "rsassa_pss", "sha256_ecdsa", "sm2_sm3", "ed25519"
    hash: str | None
    key_family: str
    key_bits: int


def _load_spki(spki: keys.PublicKeyInfo | bytes) -> keys.PublicKeyInfo:
    if isinstance(spki, keys.PublicKeyInfo):
        return spki
    try:
        parsed = keys.PublicKeyInfo.load(normalise_sm2_spki(spki), strict=True)
        parsed["algorithm"].native
        return parsed
    except (ValueError, TypeError, KeyError) as exc:
        raise InputFormatError(f"public key: malformed SubjectPublicKeyInfo ({exc})") from None


def load_public_key(
    spki: keys.PublicKeyInfo | bytes, *, dsa_params: keys.DSAParams | None = None
) -> PublicKey:
    """Parse a SubjectPublicKeyInfo into a usable key (cached by its DER).

    `dsa_params` supplies inherited DSA domain parameters when the key omits them
    (RFC 5280 6.1.4 (f), RFC 3279 2.3.2).
    """
    der = spki if isinstance(spki, bytes) else spki.dump()
    return _load_public_key_cached(der, dsa_params.dump() if dsa_params is not None else None)


@memoize("x509.public_keys", 8192)
def _load_public_key_cached(der: bytes, dsa_params_der: bytes | None) -> PublicKey:
    spki = _load_spki(der)
    alg = spki["algorithm"]
    oid = alg["algorithm"].dotted
    try:
        name = alg["algorithm"].native
        if oid == SM2_CURVE_OID or (name == "ec" and _curve_oid(alg) == SM2_CURVE_OID):
            point = spki["public_key"].native
            return PublicKey("sm2", 256, "SM2", load_sm2_public_key(bytes(point)), der)
        if name == "dsa" and isinstance(alg["parameters"], core.Void) or (
            name == "dsa" and alg["parameters"].native is None
        ):
            if dsa_params_der is None:
                raise UnusableKeyError("DSA public key without parameters: they must be inherited from the issuer")
            params = keys.DSAParams.load(dsa_params_der).native
            y = spki["public_key"].parsed.native
            key = dsa.DSAPublicNumbers(y, dsa.DSAParameterNumbers(params["p"], params["q"], params["g"])).public_key()
            return PublicKey("dsa", key.key_size, None, key, der)
        if name not in _KEY_FAMILY:
            raise UnsupportedAlgorithmError(oid, "public key algorithm")
        key = load_der_public_key(der)
    except (UnsupportedAlgorithm,) as exc:
        raise UnsupportedAlgorithmError(_curve_oid(alg) or oid, f"public key ({exc})") from None
    except (ValueError, TypeError) as exc:
        raise UnusableKeyError(f"unusable public key ({oid}): {exc}") from None
    family = _KEY_FAMILY[name]
    if isinstance(key, ec.EllipticCurvePublicKey):
        return PublicKey("ec", key.key_size, key.curve.name, key, der)
    if isinstance(key, (ed25519.Ed25519PublicKey, ed448.Ed448PublicKey)):
        return PublicKey(family, 256 if family == "ed25519" else 456, None, key, der)
    return PublicKey(family, key.key_size, None, key, der)


# Curves cryptography loads from a certificate that the asn1crypto path also accepts as "ec".
_EC_CURVES = frozenset({"secp256r1", "secp384r1", "secp521r1", "secp224r1", "secp192r1", "secp256k1",
                        "brainpoolP256r1", "brainpoolP384r1", "brainpoolP512r1"})


def load_certificate_public_key(cert: Any) -> PublicKey:
    """The subject key of a trustsvc Certificate, straight from cryptography's parse when it can load it.

    SM2, DSA (parameters may be inherited, RFC 5280 6.1.4 (f)) and anything unusual take the
    asn1crypto route of `load_public_key`, which gives the typed errors.
    """
    rs = getattr(cert, "_rs", None)
    if rs is not None and cert.key_algorithm_oid in _FAST_KEY_OIDS:
        try:
            key = rs.public_key()
        except (UnsupportedAlgorithm, ValueError, TypeError):
            key = None
        spki = None
        if isinstance(key, rsa.RSAPublicKey):
            family, bits, curve = "rsa", key.key_size, None
        elif isinstance(key, ec.EllipticCurvePublicKey) and key.curve.name in _EC_CURVES:
            family, bits, curve = "ec", key.key_size, key.curve.name
        elif isinstance(key, ed25519.Ed25519PublicKey):
            family, bits, curve = "ed25519", 256, None
        elif isinstance(key, ed448.Ed448PublicKey):
            family, bits, curve = "ed448", 456, None
        else:
            key = None
        if key is not None:
            spki = key.public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)
            return PublicKey(family, bits, curve, key, spki)
    return load_public_key(cert.spki)


# rsaEncryption, id-RSASSA-PSS, id-ecPublicKey, Ed25519, Ed448 (RFC 3279, 4055, 5480, 8410)
_FAST_KEY_OIDS = frozenset({"1.2.840.113549.1.1.1", "1.2.840.113549.1.1.10", "1.2.840.10045.2.1", "1.3.101.112",
                            "1.3.101.113"})


def _curve_oid(alg: keys.PublicKeyAlgorithm) -> str | None:
    params = alg["parameters"]
    if isinstance(params, keys.ECDomainParameters) and params.name == "named":
        return params.chosen.dotted
    return None


def _hash(name: str) -> hashes.HashAlgorithm:
    try:
        return _HASHES[name]()
    except KeyError:
        raise UnsupportedAlgorithmError(name, "hash algorithm") from None


def _load_algorithm(algorithm: algos.SignedDigestAlgorithm | bytes | str) -> algos.SignedDigestAlgorithm:
    if isinstance(algorithm, str):
        try:
            return algos.SignedDigestAlgorithm({"algorithm": _ALIASES.get(algorithm, algorithm)})
        except (ValueError, TypeError):
            raise UnsupportedAlgorithmError(algorithm, "signature algorithm") from None
    if isinstance(algorithm, bytes):
        try:
            return algos.SignedDigestAlgorithm.load(algorithm, strict=True)
        except (ValueError, TypeError) as exc:
            raise InputFormatError(f"signature algorithm: malformed AlgorithmIdentifier ({exc})") from None
    return algorithm


def verify_signature(
    public_key: PublicKey | keys.PublicKeyInfo | bytes,
    algorithm: algos.SignedDigestAlgorithm | bytes | str,
    signature: bytes,
    data: bytes,
    *,
    digest_algorithm: str | None = None,
    sm2_id: bytes | None = None,
) -> SignatureAlgorithm:
    """Verify `signature` over `data`; return what was used, or raise a typed error.

    `algorithm` is an AlgorithmIdentifier (asn1crypto, DER, or a dotted OID / asn1crypto name).
    `digest_algorithm` gives the hash when `algorithm` names only a key type, as CMS SignerInfo
    may (rsaEncryption, id-ecPublicKey, sm2sign). `sm2_id` overrides the GM/T 0009 default ID.
    Raises InvalidSignatureError, UnsupportedAlgorithmError or UnusableKeyError (never anything else).
    """
    key = public_key if isinstance(public_key, PublicKey) else load_public_key(public_key)
    simple = _SIMPLE_ALGORITHMS.get(algorithm) if isinstance(algorithm, str) and digest_algorithm is None else None
    if simple is not None:  # a parameterless AlgorithmIdentifier given by OID: no ASN.1 to read
        return _verify_simple(key, algorithm, simple[0], simple[1], signature, data)
    alg = _load_algorithm(algorithm)
    oid = alg["algorithm"].dotted
    # GM/T 0010 / 0006: CMS signers name SM2 by sm2-with-SM3, sm2sign, the bare SM2 key OID, or id-ecPublicKey.
    if oid in (SM2_WITH_SM3_OID, _SM2_SIGN_OID, SM2_CURVE_OID) or (oid == "1.2.840.10045.2.1" and key.family == "sm2"):
        if key.family != "sm2":
            raise InvalidSignatureError(f"SM2-with-SM3 signature but the key is {key.description}")
        if digest_algorithm not in (None, "sm3", _SM3_OID):
            raise UnsupportedAlgorithmError(str(digest_algorithm), "digest for SM2")
        sm2_key: SM2PublicKey = key.key
        sm2_key.verify(signature, data, DEFAULT_SM2_ID if sm2_id is None else sm2_id)
        return SignatureAlgorithm("sm2_sm3", "sm3", "sm2", 256)
    simple = _SIMPLE_ALGORITHMS.get(oid)
    if simple is not None:  # the OID alone names scheme and hash (incl. SHA-3 ones asn1crypto does not know)
        return _verify_simple(key, oid, simple[0], simple[1], signature, data)
    try:
        sig_algo = _BARE_KEY_OIDS.get(oid) or alg.signature_algo
    except ValueError:
        raise UnsupportedAlgorithmError(oid, "signature algorithm") from None
    try:
        hash_name: str | None
        if sig_algo == "rsassa_pss":
            hash_name = _verify_pss(key, alg, signature, data)
            return SignatureAlgorithm("rsassa_pss", hash_name, key.family, key.bits)
        if sig_algo in ("ed25519", "ed448"):
            if key.family != sig_algo:
                raise InvalidSignatureError(f"{sig_algo} signature but the key is {key.description}")
            key.key.verify(signature, data)
            return SignatureAlgorithm(sig_algo, None, key.family, key.bits)
        hash_name = _hash_name(alg, digest_algorithm)
        h = _hash(hash_name)
        if sig_algo == "rsassa_pkcs1v15":
            if key.family != "rsa":
                raise InvalidSignatureError(f"RSA signature but the key is {key.description}")
            key.key.verify(signature, data, padding.PKCS1v15(), h)
        elif sig_algo == "ecdsa":
            if key.family != "ec":
                raise InvalidSignatureError(f"ECDSA signature but the key is {key.description}")
            key.key.verify(signature, data, ec.ECDSA(h))
        elif sig_algo == "dsa":
            if key.family != "dsa":
                raise InvalidSignatureError(f"DSA signature but the key is {key.description}")
            key.key.verify(signature, data, h)
        else:
            raise UnsupportedAlgorithmError(oid, "signature algorithm")
        return SignatureAlgorithm(f"{hash_name}_{sig_algo.replace('rsassa_pkcs1v15', 'rsa')}", hash_name, key.family, key.bits)
    except (InvalidSignature, UnsupportedAlgorithm, ValueError, TypeError) as exc:
        raise _typed(exc, oid, sig_algo) from None


def _typed(exc: Exception, oid: str, sig_algo: str) -> TrustsvcError:
    """cryptography's verdict on a verify call as trustsvc's typed error."""
    if isinstance(exc, InvalidSignature):
        return InvalidSignatureError(f"{sig_algo} signature does not verify")
    if isinstance(exc, UnsupportedAlgorithm):
        return UnsupportedAlgorithmError(oid, f"signature algorithm ({exc})")
    return InvalidSignatureError(f"{sig_algo} signature is malformed: {exc}")  # e.g. malformed DER, wrong key size


# Signature algorithms named by OID alone (RFC 4055 5, RFC 5758 3.2, RFC 8410 3): (scheme, hash).
_SIMPLE_ALGORITHMS = {
    "1.2.840.113549.1.1.4": ("rsassa_pkcs1v15", "md5"), "1.2.840.113549.1.1.5": ("rsassa_pkcs1v15", "sha1"),
    "1.2.840.113549.1.1.14": ("rsassa_pkcs1v15", "sha224"), "1.2.840.113549.1.1.11": ("rsassa_pkcs1v15", "sha256"),
    "1.2.840.113549.1.1.12": ("rsassa_pkcs1v15", "sha384"), "1.2.840.113549.1.1.13": ("rsassa_pkcs1v15", "sha512"),
    "1.2.840.10045.4.1": ("ecdsa", "sha1"), "1.2.840.10045.4.3.1": ("ecdsa", "sha224"),
    "1.2.840.10045.4.3.2": ("ecdsa", "sha256"), "1.2.840.10045.4.3.3": ("ecdsa", "sha384"),
    "1.2.840.10045.4.3.4": ("ecdsa", "sha512"), "1.3.101.112": ("ed25519", None), "1.3.101.113": ("ed448", None),
    # NIST CSOR sigAlgs arc 2.16.840.1.101.3.4.3 (RFC 5758 3.1, RFC 8702-era SHA-3 assignments): DSA, ECDSA and
    # RSASSA-PKCS1-v1_5 with SHA-2 / SHA-3. asn1crypto 1.5 names only some of them, so they are listed here.
    "2.16.840.1.101.3.4.3.1": ("dsa", "sha224"), "2.16.840.1.101.3.4.3.2": ("dsa", "sha256"),
    "2.16.840.1.101.3.4.3.3": ("dsa", "sha384"), "2.16.840.1.101.3.4.3.4": ("dsa", "sha512"),
    "2.16.840.1.101.3.4.3.5": ("dsa", "sha3_224"), "2.16.840.1.101.3.4.3.6": ("dsa", "sha3_256"),
    "2.16.840.1.101.3.4.3.7": ("dsa", "sha3_384"), "2.16.840.1.101.3.4.3.8": ("dsa", "sha3_512"),
    "2.16.840.1.101.3.4.3.9": ("ecdsa", "sha3_224"), "2.16.840.1.101.3.4.3.10": ("ecdsa", "sha3_256"),
    "2.16.840.1.101.3.4.3.11": ("ecdsa", "sha3_384"), "2.16.840.1.101.3.4.3.12": ("ecdsa", "sha3_512"),
    "2.16.840.1.101.3.4.3.13": ("rsassa_pkcs1v15", "sha3_224"), "2.16.840.1.101.3.4.3.14": ("rsassa_pkcs1v15", "sha3_256"),
    "2.16.840.1.101.3.4.3.15": ("rsassa_pkcs1v15", "sha3_384"), "2.16.840.1.101.3.4.3.16": ("rsassa_pkcs1v15", "sha3_512"),
}


def signature_hash_of(oid: str) -> str | None:
    """The hash a signature algorithm OID names ('sha256' for sha256WithRSAEncryption), or None."""
    simple = _SIMPLE_ALGORITHMS.get(oid)
    return simple[1] if simple is not None else None


def is_simple_algorithm(oid: str) -> bool:
    """True when `oid` alone names the signature scheme and hash (no parameters to read)."""
    return oid in _SIMPLE_ALGORITHMS


def _verify_simple(key: PublicKey, oid: str, sig_algo: str, hash_name: str | None, signature: bytes,
                   data: bytes) -> SignatureAlgorithm:
    try:
        if hash_name is None:  # EdDSA (RFC 8410 6)
            if key.family != sig_algo:
                raise InvalidSignatureError(f"{sig_algo} signature but the key is {key.description}")
            key.key.verify(signature, data)
            return SignatureAlgorithm(sig_algo, None, key.family, key.bits)
        if sig_algo == "ecdsa":
            if key.family != "ec":
                raise InvalidSignatureError(f"ECDSA signature but the key is {key.description}")
            key.key.verify(signature, data, ec.ECDSA(_hash(hash_name)))
            return SignatureAlgorithm(f"{hash_name}_ecdsa", hash_name, key.family, key.bits)
        if sig_algo == "dsa":
            if key.family != "dsa":
                raise InvalidSignatureError(f"DSA signature but the key is {key.description}")
            key.key.verify(signature, data, _hash(hash_name))
            return SignatureAlgorithm(f"{hash_name}_dsa", hash_name, key.family, key.bits)
        if key.family != "rsa":
            raise InvalidSignatureError(f"RSA signature but the key is {key.description}")
        key.key.verify(signature, data, padding.PKCS1v15(), _hash(hash_name))
        return SignatureAlgorithm(f"{hash_name}_rsa", hash_name, key.family, key.bits)
    except (InvalidSignature, UnsupportedAlgorithm, ValueError, TypeError) as exc:
        raise _typed(exc, oid, sig_algo) from None


def _hash_name(alg: algos.SignedDigestAlgorithm, digest_algorithm: str | None) -> str:
    try:
        return alg.hash_algo
    except ValueError:
        # A bare key OID (rsaEncryption, id-ecPublicKey, id-dsa): the hash comes from elsewhere.
        if digest_algorithm is None:
            raise UnsupportedAlgorithmError(alg["algorithm"].dotted, "signature algorithm without a digest") from None
        return digest_algorithm


def _verify_pss(key: PublicKey, alg: algos.SignedDigestAlgorithm, signature: bytes, data: bytes) -> str:
    """RSASSA-PSS with parameters from the AlgorithmIdentifier (RFC 4055 3.1)."""
    if key.family != "rsa":
        raise InvalidSignatureError(f"RSA-PSS signature but the key is {key.description}")
    params = alg["parameters"]
    hash_name = params["hash_algorithm"]["algorithm"].native
    mgf = params["mask_gen_algorithm"]
    if mgf["algorithm"].native != "mgf1":
        raise UnsupportedAlgorithmError(mgf["algorithm"].dotted, "PSS mask generation function")
    mgf_hash = mgf["parameters"]["algorithm"].native
    if params["trailer_field"].native not in ("trailer_field_bc", 1):
        raise InvalidSignatureError("RSA-PSS trailer field must be 1 (RFC 4055 3.1)")
    salt = params["salt_length"].native
    key.key.verify(signature, data, padding.PSS(mgf=padding.MGF1(_hash(mgf_hash)), salt_length=salt), _hash(hash_name))
    return hash_name
