"""Make CMS SignedData (CAdES-B/-T) and RFC 3161 timestamp tokens, for `trustsvc sign`, demos and tests."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Sequence

from asn1crypto import algos, cms, core, parser, tsp
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa

from trustsvc.cms.attributes import ID_AA_SIGNATURE_TIMESTAMP
from trustsvc.cms.signed_data import (
    GMT_DATA, GMT_SIGNED_DATA, ID_DATA, ID_SIGNED_DATA, ContentInfo, _SignedData, compute_digest,
)
from trustsvc.errors import InputFormatError
from trustsvc.x509.certificate import Certificate
from trustsvc.x509.load import load_certificate
from trustsvc.x509.sm2 import SM2_WITH_SM3_OID, SM3_OID, SM2PrivateKey

_CRYPTO_HASH = {"sha256": hashes.SHA256, "sha384": hashes.SHA384, "sha512": hashes.SHA512, "sha1": hashes.SHA1}
DEMO_TSA_POLICY = "1.3.6.1.4.1.55555.1.1"  # demo-only TSA policy OID (private arc, illustrative)


def load_private_key(data: bytes) -> Any:
    """A PEM private key: RSA / EC / Ed25519 through cryptography, SM2 through tongsuopy."""
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError, UnsupportedAlgorithm):
        key = None
    if key is not None and not (isinstance(key, ec.EllipticCurvePrivateKey) and key.curve.name.lower() == "sm2"):
        return key
    try:
        return SM2PrivateKey.from_pem(data)
    except Exception:  # tongsuopy raises several types for a key it cannot read
        raise InputFormatError("private key: not a PEM RSA, EC, Ed25519 or SM2 key") from None


def _default_digest(key: Any) -> str:
    key, _ = _unwrap(key)
    if isinstance(key, SM2PrivateKey):
        return "sm3"
    if isinstance(key, ed25519.Ed25519PrivateKey):
        return "sha512"  # RFC 8419 3.1
    if isinstance(key, ec.EllipticCurvePrivateKey) and key.curve.key_size >= 384:
        return "sha384"
    return "sha256"


def _digest_algorithm(name: str) -> dict:
    return {"algorithm": SM3_OID if name == "sm3" else name}


def _unwrap(key: Any, pss: bool = False) -> tuple[Any, bool]:
    """Accept a trustsvc.x509.builder.Signer as well as a raw key."""
    if hasattr(key, "scheme") and hasattr(key, "key"):
        return key.key, pss or key.scheme == "rsa-pss"
    return key, pss


def _sign(key: Any, data: bytes, digest: str, pss: bool) -> tuple[dict, bytes]:
    """Sign `data`; return (signatureAlgorithm, signature value)."""
    key, pss = _unwrap(key, pss)
    if isinstance(key, SM2PrivateKey):
        return {"algorithm": SM2_WITH_SM3_OID}, key.sign(data)
    if isinstance(key, ed25519.Ed25519PrivateKey):
        return {"algorithm": "ed25519"}, key.sign(data)
    h = _CRYPTO_HASH[digest]()
    if isinstance(key, rsa.RSAPrivateKey):
        if pss:
            salt = h.digest_size
            params = {
                "hash_algorithm": {"algorithm": digest},
                "mask_gen_algorithm": {"algorithm": "mgf1", "parameters": {"algorithm": digest}},
                "salt_length": salt,
            }
            sig = key.sign(data, padding.PSS(mgf=padding.MGF1(h), salt_length=salt), h)
            return {"algorithm": "rsassa_pss", "parameters": algos.RSASSAPSSParams(params)}, sig
        return {"algorithm": f"{digest}_rsa"}, key.sign(data, padding.PKCS1v15(), h)
    if isinstance(key, ec.EllipticCurvePrivateKey):
        return {"algorithm": f"{digest}_ecdsa"}, key.sign(data, ec.ECDSA(h))
    raise InputFormatError(f"cannot sign with a {type(key).__name__}")


def _fresh(obj: Any) -> Any:
    # asn1crypto objects are mutable and get re-parented when placed in a new structure; Certificate
    # objects are shared (memoised), so build from a private copy, never from the shared tree.
    return _verbatim(obj.__class__, obj.dump())


def _verbatim(cls: type, der: bytes) -> Any:
    """A parsed `cls` value that always re-emits `der` when placed inside a structure being built.

    asn1crypto 1.5.1 takes any cached header whose last byte is 0x80 (a definite length such as
    0x1280) for an indefinite length and forces a re-encode of the whole subtree on every dump
    (wbond/asn1crypto#249); nested in a SignedData that cost ~15 s per signature. DER produced by
    asn1crypto is already canonical, so reusing it is exact.
    """
    value = cls.load(der)
    value.dump = lambda force=False: der
    return value


def _signing_certificate_v2(cert: Certificate) -> Any:
    """SigningCertificateV2 { certs: [ESSCertIDv2] } (RFC 5035 3), written as DER directly.

    The same value built from dicts costs ~30 ms a signature: placing the issuer Name inside the
    [4] EXPLICIT GeneralName makes asn1crypto copy and re-encode it (wbond/asn1crypto#249), which
    dominated signing a thousand demo bids. The DER is exact: each part comes from asn1crypto's encoder.
    """
    seq = lambda body: parser.emit(0, 1, 16, body)  # noqa: E731 - SEQUENCE
    general_name = parser.emit(2, 1, 4, cert.asn1["tbs_certificate"]["issuer"].dump())  # directoryName [4]
    issuer_serial = seq(seq(general_name) + core.Integer(cert.serial_number).dump())
    ess = seq(core.OctetString(hashlib.sha256(cert.der).digest()).dump() + issuer_serial)
    return _verbatim(tsp.SigningCertificateV2, seq(seq(ess)))


def _signer_info(
    cert: Certificate, key: Any, econtent_type: str, content_digest: bytes, digest: str, *,
    signing_time: datetime | None, pss: bool, extra_signed: Sequence[dict] = (),
) -> cms.SignerInfo:
    attrs = [
        {"type": "content_type", "values": [econtent_type]},
        {"type": "message_digest", "values": [content_digest]},
        {"type": "signing_certificate_v2", "values": [_signing_certificate_v2(cert)]},
    ]
    if signing_time is not None:
        attrs.append({"type": "signing_time", "values": [cms.Time({"utc_time" if 1950 <= signing_time.year < 2050 else "generalized_time": signing_time})]})
    attrs.extend(extra_signed)
    signed_attrs = cms.CMSAttributes(attrs)
    # RFC 5652 5.4: the signature covers the DER of the SET OF attributes.
    alg, signature = _sign(key, signed_attrs.dump(), digest, pss)
    return _frozen(cms.SignerInfo({
        "version": "v1",
        "sid": {"issuer_and_serial_number": {"issuer": _fresh(cert.issuer), "serial_number": cert.serial_number}},
        "digest_algorithm": _digest_algorithm(digest),
        "signed_attrs": signed_attrs,
        "signature_algorithm": alg,
        "signature": signature,
    }))


def _frozen(value: Any) -> Any:
    """Dump a freshly built value once and keep it as verbatim DER (see `_verbatim`)."""
    return _verbatim(value.__class__, value.dump())


def _content_info(sd_fields: dict, *, gmt: bool, sd_class: type = _SignedData) -> bytes:
    # RFC 5652 3: ContentInfo ::= SEQUENCE { contentType, content [0] EXPLICIT ANY }. The SignedData is
    # dumped once and wrapped by asn1crypto's encoder: a ContentInfo object would dump it a second
    # time and trip over wbond/asn1crypto#249 (see `_verbatim`).
    sd_der = sd_class(sd_fields).dump()
    oid = core.ObjectIdentifier(GMT_SIGNED_DATA if gmt else ID_SIGNED_DATA).dump()
    return parser.emit(0, 1, 16, oid + parser.emit(2, 1, 0, sd_der))


def sign_cms(
    content: bytes,
    cert: Certificate | bytes,
    key: Any,
    *,
    detached: bool = True,
    digest: str | None = None,
    signing_time: datetime | None = None,
    extra_certs: Sequence[Certificate | bytes] = (),
    gmt_oids: bool = False,
    pss: bool = False,
    timestamper: Callable[[bytes, str], bytes] | None = None,
    co_signers: Sequence[tuple[Certificate | bytes, Any]] = (),
) -> bytes:
    """CMS SignedData over `content` (CAdES-B; CAdES-T when `timestamper` is given).

    `co_signers` are further (certificate, key) pairs, each adding a parallel SignerInfo.

    `timestamper(digest_of_signature_value, hash_name) -> token DER` adds a signature timestamp
    (id-aa-signatureTimeStampToken) in the unsigned attributes. `gmt_oids` uses the GM/T 0010 OIDs.
    """
    econtent_type = GMT_DATA if gmt_oids else ID_DATA
    infos, certs, digests = [], [], []
    for c, k in [(cert, key), *co_signers]:
        c = load_certificate(c)
        d = digest if digest and k is key else _default_digest(k)
        si = _signer_info(c, k, econtent_type, compute_digest(d, content), d, signing_time=signing_time, pss=pss)
        if timestamper is not None:
            si = add_signature_timestamp_to(si, timestamper, d)
        infos.append(si)
        certs.append(_fresh(c.asn1))
        if d not in digests:
            digests.append(d)
    eci: dict = {"content_type": econtent_type}
    if not detached:
        eci["content"] = content
    certs += [_fresh(load_certificate(c).asn1) for c in extra_certs]
    return _content_info({
        "version": "v1",
        "digest_algorithms": [_digest_algorithm(d) for d in digests],
        "encap_content_info": eci,
        "certificates": [cms.CertificateChoices(name="certificate", value=c) for c in certs],
        "signer_infos": infos,
    }, gmt=gmt_oids)


def add_signature_timestamp_to(si: cms.SignerInfo, timestamper: Callable[[bytes, str], bytes], digest: str) -> cms.SignerInfo:
    """Return `si` with a signature timestamp over its signature value (EN 319 122-1 5.3)."""
    token = timestamper(compute_digest(digest, si["signature"].native), digest)
    unsigned = [{"type": ID_AA_SIGNATURE_TIMESTAMP, "values": [_verbatim(cms.ContentInfo, token)]}]
    return _frozen(cms.SignerInfo({
        "version": si["version"],
        "sid": si["sid"],
        "digest_algorithm": si["digest_algorithm"],
        "signed_attrs": si["signed_attrs"],
        "signature_algorithm": si["signature_algorithm"],
        "signature": si["signature"],
        "unsigned_attrs": unsigned,
    }))


@dataclass
class LocalTSA:
    """A local (demo / test) timestamping authority: certificate, key and a serial counter."""

    cert: Certificate
    key: Any
    policy: str = DEMO_TSA_POLICY
    chain: Sequence[Certificate] = ()
    clock: Callable[[], datetime] | None = None
    serial: int = 1

    @classmethod
    def from_files(cls, cert_path: Path, key_path: Path, **kw: Any) -> "LocalTSA":
        return cls(load_certificate(Path(cert_path).read_bytes()), load_private_key(Path(key_path).read_bytes()), **kw)

    def timestamp(self, digest: bytes, hash_name: str, *, gen_time: datetime | None = None, nonce: int | None = None) -> bytes:
        """A TimeStampToken (ContentInfo DER) over a message imprint (RFC 3161 2.4.2)."""
        now = gen_time or (self.clock() if self.clock else datetime.now(timezone.utc))
        self.serial += 1
        return make_timestamp_token(digest, hash_name, self.cert, self.key, gen_time=now, serial=self.serial,
                                    policy=self.policy, nonce=nonce, chain=self.chain)

    def __call__(self, digest: bytes, hash_name: str) -> bytes:
        return self.timestamp(digest, hash_name)


def make_timestamp_token(
    imprint: bytes, hash_name: str, tsa_cert: Certificate | bytes, tsa_key: Any, *,
    gen_time: datetime, serial: int, policy: str = DEMO_TSA_POLICY, nonce: int | None = None,
    chain: Sequence[Certificate | bytes] = (), digest: str | None = None,
    accuracy: dict | None = None, include_certs: bool = True,
) -> bytes:
    """Sign a TSTInfo over `imprint` as the TSA (RFC 3161 2.4.2).

    The token carries the TSA certificate and `chain` unless `include_certs` is false (a request
    with certReq false, RFC 3161 2.4.1); `accuracy` is a TSTInfo Accuracy (default one second).
    """
    tsa_cert = load_certificate(tsa_cert)
    digest = digest or _default_digest(tsa_key)
    info: dict = {
        "version": "v1",
        "policy": policy,
        "message_imprint": {"hash_algorithm": _digest_algorithm(hash_name), "hashed_message": imprint},
        "serial_number": serial,
        "gen_time": gen_time.astimezone(timezone.utc).replace(microsecond=0),
        "accuracy": accuracy if accuracy is not None else {"seconds": 1},
    }
    if nonce is not None:
        info["nonce"] = nonce
    tst = tsp.TSTInfo(info)
    tst_der = tst.dump()
    si = _signer_info(tsa_cert, tsa_key, "tst_info", compute_digest(digest, tst_der), digest,
                      signing_time=None, pss=False)
    certs = [_fresh(tsa_cert.asn1)] + [_fresh(load_certificate(c).asn1) for c in chain]
    sd: dict = {
        "version": "v3",
        "digest_algorithms": [_digest_algorithm(digest)],
        "encap_content_info": {"content_type": "tst_info", "content": core.ParsableOctetString(tst_der)},
        "signer_infos": [si],
    }
    if include_certs:
        sd["certificates"] = [cms.CertificateChoices(name="certificate", value=c) for c in certs]
    return _content_info(sd, gmt=False, sd_class=cms.SignedData)


def add_signature_timestamp(cms_der: bytes, timestamper: Callable[[bytes, str], bytes]) -> bytes:
    """Turn CAdES-B into CAdES-T: timestamp every signer's signature value."""
    ci = ContentInfo.load(cms_der)
    sd = ci["content"]
    signers = [add_signature_timestamp_to(si, timestamper, "sha256" if si["digest_algorithm"]["algorithm"].dotted != SM3_OID else "sm3")
               for si in sd["signer_infos"]]
    fields = {name: sd[name] for name, *_ in sd._fields if sd[name].contents is not None or name == "encap_content_info"}
    fields["signer_infos"] = signers
    return ContentInfo({"content_type": ci["content_type"].dotted, "content": _SignedData(fields)}).dump()
