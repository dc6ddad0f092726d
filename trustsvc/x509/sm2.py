"""SM2 (GB/T 32918, GM/T 0003) signatures with SM3, in C through tongsuopy; GM/T 0009 signer IDs."""

from __future__ import annotations

from asn1crypto import parser

from tongsuopy.backends.tongsuo.backend import backend as _backend
from tongsuopy.crypto import hashes as _th
from tongsuopy.crypto import serialization as _tser
from tongsuopy.crypto.asymciphers import ec as _tec

from trustsvc.cache import memoize
from trustsvc.errors import InvalidSignatureError, UnusableKeyError

SM2_CURVE_OID = "1.2.156.10197.1.301"
SM2_WITH_SM3_OID = "1.2.156.10197.1.501"
SM3_OID = "1.2.156.10197.1.401"
# RFC 5480 2.1.1 id-ecPublicKey: GM/T 0015 writes SM2 keys as id-ecPublicKey with the SM2 curve as
# parameters; Tongsuo, OpenSSL 1.1.1 and many CN CA toolkits put the SM2 OID itself in the algorithm.
EC_PUBLIC_KEY_OID = "1.2.840.10045.2.1"
_SM2_OID_DER = bytes.fromhex("06082a811ccf5501822d")
_SM2_AS_EC_ALGORITHM_DER = bytes.fromhex("301306072a8648ce3d020106082a811ccf5501822d")
# GM/T 0009-2012 10: the default user ID when the parties agreed on none.
DEFAULT_SM2_ID = b"1234567812345678"

_lib, _ffi = _backend._lib, _backend._ffi

# GM/T 0003.5 recommended curve parameters, used in Z_A (GB/T 32918.2 5.5).
_P = 0xFFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFF
_CURVE_PARAMS = b"".join(
    v.to_bytes(32, "big")
    for v in (
        _P - 3,
        0x28E9FA9E9D9F5E344D5A9E4BCF6509A7F39789F515AB8F92DDBCBD414D940E93,
        0x32C4AE2C1F1981195F9904466A39C9948FE30BBFF2660BE1715A4589334C74C7,
        0xBC3736A2F4F6779C59BDCEE36B692153D0A9877CC62A474002DF32E52139F0A0,
    )
)


def normalise_sm2_spki(spki_der: bytes) -> bytes:
    """A SubjectPublicKeyInfo whose algorithm is the SM2 OID itself, rewritten as id-ecPublicKey + SM2 curve.

    Both forms name the same key (an SM2 point in the BIT STRING); every other SPKI comes back unchanged.
    Raises ValueError on an SPKI that is not even a SEQUENCE { SEQUENCE { OID ... }, BIT STRING }.
    """
    if _SM2_OID_DER not in spki_der[:40]:  # cheap pre-check: the OID sits at the start of the SPKI
        return spki_der
    _cls, _method, tag, _header, contents, _trailer = parser.parse(spki_der, strict=True)
    if tag != 16:
        raise ValueError("SubjectPublicKeyInfo is not a SEQUENCE")
    alg, pointer = parser._parse(contents, len(contents))  # noqa: SLF001 - walk by offset, no copies
    if alg[2] != 16 or not alg[4].startswith(_SM2_OID_DER):
        return spki_der
    params = alg[4][len(_SM2_OID_DER):]
    # GM/T 0015 parameters, if any, can only restate the SM2 curve (or be NULL).
    if params not in (b"", b"\x05\x00", _SM2_OID_DER):
        raise ValueError("SM2 public key with unexpected algorithm parameters")
    return parser.emit(0, 1, 16, _SM2_AS_EC_ALGORITHM_DER + contents[pointer:])


def sm3(data: bytes) -> bytes:
    """SM3 digest (GB/T 32905) computed in C."""
    h = _th.Hash(_th.SM3())
    h.update(data)
    return h.finalize()


class SM2PublicKey:
    """An SM2 public key held by the C library, with Z_A cached per signer ID."""

    __slots__ = ("point", "_key", "_z_cache")

    def __init__(self, point: bytes) -> None:
        if len(point) != 65 or point[0] != 4:
            raise UnusableKeyError("SM2 public key must be an uncompressed 65-byte point")
        try:
            self._key = _tec.EllipticCurvePublicKey.from_encoded_point(_tec.SM2(), point)
        except Exception as exc:  # the C library raises several types for an off-curve point
            _backend._consume_errors()
            raise UnusableKeyError(f"SM2 public key is not a point on the curve ({type(exc).__name__})") from None
        self.point = point
        self._z_cache: dict[bytes, bytes] = {}

    key_size = 256

    def z(self, signer_id: bytes) -> bytes:
        """Z_A = SM3(ENTL || ID || a || b || xG || yG || xA || yA), GB/T 32918.2 5.5."""
        z = self._z_cache.get(signer_id)
        if z is None:
            if len(signer_id) * 8 > 0xFFFF:
                raise UnusableKeyError("SM2 signer ID too long")
            z = sm3((len(signer_id) * 8).to_bytes(2, "big") + signer_id + _CURVE_PARAMS + self.point[1:])
            if len(self._z_cache) < 8:
                self._z_cache[signer_id] = z
        return z

    def verify(self, signature: bytes, data: bytes, signer_id: bytes = DEFAULT_SM2_ID) -> None:
        """Verify a DER (r, s) SM2 signature over `data`; raise InvalidSignatureError if it fails."""
        digest = sm3(self.z(signer_id) + data)
        ctx = _lib.EVP_PKEY_CTX_new(self._key._evp_pkey, _ffi.NULL)
        if ctx == _ffi.NULL:
            _backend._consume_errors()
            raise UnusableKeyError("SM2: cannot create verification context")
        try:
            if _lib.EVP_PKEY_verify_init(ctx) != 1:
                raise UnusableKeyError("SM2: cannot initialise verification")
            ok = _lib.EVP_PKEY_verify(ctx, signature, len(signature), digest, len(digest))
        finally:
            _lib.EVP_PKEY_CTX_free(ctx)
            _backend._consume_errors()
        if ok != 1:
            raise InvalidSignatureError("SM2 signature does not verify")


class SM2PrivateKey:
    """An SM2 private key for signing demo and test material (never for real keys in the repo)."""

    __slots__ = ("_key",)

    def __init__(self, key) -> None:
        self._key = key

    @classmethod
    def generate(cls) -> "SM2PrivateKey":
        return cls(_tec.generate_private_key(_tec.SM2()))

    @classmethod
    def from_pem(cls, data: bytes) -> "SM2PrivateKey":
        return cls(_tser.load_pem_private_key(data, password=None))

    def to_pem(self) -> bytes:
        return self._key.private_bytes(
            _tser.Encoding.PEM, _tser.PrivateFormat.PKCS8, _tser.NoEncryption()
        )

    @property
    def public_point(self) -> bytes:
        return self._key.public_key().public_bytes(
            _tser.Encoding.X962, _tser.PublicFormat.UncompressedPoint
        )

    def public_key(self) -> SM2PublicKey:
        return SM2PublicKey(self.public_point)

    def sign(self, data: bytes, signer_id: bytes = DEFAULT_SM2_ID) -> bytes:
        """Sign `data` (SM3 over Z_A || data), returning a DER (r, s) signature."""
        digest = sm3(load_sm2_public_key(self.public_point).z(signer_id) + data)
        ctx = _lib.EVP_PKEY_CTX_new(self._key._evp_pkey, _ffi.NULL)
        try:
            if _lib.EVP_PKEY_sign_init(ctx) != 1:
                raise UnusableKeyError("SM2: cannot initialise signing")
            siglen = _ffi.new("size_t *")
            _lib.EVP_PKEY_sign(ctx, _ffi.NULL, siglen, digest, len(digest))
            buf = _ffi.new("unsigned char[]", siglen[0])
            if _lib.EVP_PKEY_sign(ctx, buf, siglen, digest, len(digest)) != 1:
                raise UnusableKeyError("SM2: signing failed")
            return bytes(_ffi.buffer(buf)[: siglen[0]])
        finally:
            _lib.EVP_PKEY_CTX_free(ctx)
            _backend._consume_errors()


@memoize("x509.sm2_public_keys", 4096)
def load_sm2_public_key(point: bytes) -> SM2PublicKey:
    """Load (and cache) an SM2 public key from its uncompressed point."""
    return SM2PublicKey(point)
