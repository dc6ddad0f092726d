"""RFC 3161 / RFC 5816 timestamp tokens: parse, message imprint, TSA certificate constraints."""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import datetime

from asn1crypto import algos, cms, core, parser, tsp, x509

from trustsvc import tlv
from trustsvc.cache import BoundedCache

from trustsvc.cms.signed_data import (
    ID_CT_TSTINFO, CMSFormatError, first_line, SignedData, _to_der, compute_digest, digest_spec, oid_digest_name,
    parse_signed_data,
)
from trustsvc.errors import InputFormatError, TrustsvcError, UnsupportedAlgorithmError
from trustsvc.x509.certificate import Certificate

ID_KP_TIMESTAMPING = "1.3.6.1.5.5.7.3.8"


class _DigestAlgorithm(core.Sequence):
    # AlgorithmIdentifier (RFC 5280 4.1.1.2); a digest's parameters are absent or NULL and never read.
    _fields = [("algorithm", algos.DigestAlgorithmId), ("parameters", core.Any, {"optional": True})]


class _MessageImprint(core.Sequence):
    _fields = [("hash_algorithm", _DigestAlgorithm), ("hashed_message", core.OctetString)]


class _TSTInfo(core.Sequence):
    """TSTInfo (RFC 3161 2.4.2) as validation reads it: asn1crypto's tsp.TSTInfo with the message
    imprint's algorithm and the tsa GeneralName kept lean (parsed when first rendered)."""

    _fields = [
        ("version", tsp.Version),
        ("policy", core.ObjectIdentifier),
        ("message_imprint", _MessageImprint),
        ("serial_number", core.Integer),
        ("gen_time", core.GeneralizedTime),
        ("accuracy", tsp.Accuracy, {"optional": True}),
        ("ordering", core.Boolean, {"default": False}),
        ("nonce", core.Integer, {"optional": True}),
        ("tsa", core.Any, {"explicit": 0, "optional": True}),
        ("extensions", tsp.Extensions, {"implicit": 1, "optional": True}),
    ]


@dataclass
class TimestampToken:
    """A parsed timestamp token: the SignedData around it and the TSTInfo fields (RFC 3161 2.4.2)."""

    signed_data: SignedData
    tst_info_der: bytes
    gen_time: datetime
    policy: str
    serial_number: int
    imprint_algorithm: str
    imprint: bytes
    nonce: int | None
    accuracy: dict | None
    tsa_name: str | None
    der: bytes

    def imprint_matches(self, *, data: bytes | None = None, digest: bytes | None = None) -> bool:
        """Does the message imprint match `data` (hashed with the imprint algorithm) or `digest`?"""
        if data is not None:
            digest = compute_digest(self.imprint_algorithm, data)
        return digest is not None and hmac.compare_digest(digest, self.imprint)


def parse_timestamp_token(data: bytes | str | cms.ContentInfo) -> TimestampToken:
    """Parse a TimeStampToken (ContentInfo) or a whole TimeStampResp; raise CMSFormatError otherwise."""
    if isinstance(data, cms.ContentInfo):
        sd = parse_signed_data(data)
        der = data.dump()
    else:
        der = _unwrap_response(_to_der(data))
        sd = parse_signed_data(der)
    if sd.econtent_type != ID_CT_TSTINFO:
        raise CMSFormatError(f"timestamp: eContentType {sd.econtent_type} is not id-ct-TSTInfo (RFC 3161 2.4.2)")
    if sd.econtent is None:
        raise CMSFormatError("timestamp: the token carries no TSTInfo")
    if len(sd.signers) != 1:
        raise CMSFormatError(f"timestamp: a token has exactly one signer, found {len(sd.signers)} (RFC 3161 2.4.2)")
    try:
        fields = _tst_info_plain(sd.econtent)
    except (ValueError, TypeError, KeyError, OverflowError, IndexError, AttributeError):  # AttributeError: tests/fuzz
        fields = _tst_info_typed(sd.econtent)  # not the plain shape, or malformed: the typed reader decides
    token = TimestampToken(signed_data=sd, tst_info_der=sd.econtent, der=der, **fields)
    if token.gen_time is None or token.gen_time.tzinfo is None:
        raise CMSFormatError("timestamp: genTime must be a UTC GeneralizedTime (RFC 3161 2.4.2)")
    return token


def _tst_info_plain(der: bytes) -> dict:
    """TSTInfo (RFC 3161 2.4.2) read TLV by TLV; ValueError on anything but the plain DER shape."""
    f = tlv.constructed(parser.parse(der, strict=True), tlv.SEQUENCE)
    tlv.integer(f[0])  # version
    imprint = tlv.constructed(f[2], tlv.SEQUENCE)
    if len(imprint) != 2:
        raise tlv.NotPlain("MessageImprint")
    out = {
        "policy": tlv.oid(f[1]),
        "imprint_algorithm": oid_digest_name(tlv.oid(tlv.constructed(imprint[0], tlv.SEQUENCE)[0])),
        "imprint": tlv.primitive(imprint[1], tlv.OCTET_STRING),
        "serial_number": tlv.integer(f[3]),
        "gen_time": core.GeneralizedTime.load(tlv.der(f[4]), strict=True).native,
        "accuracy": None, "nonce": None, "tsa_name": None,
    }
    tlv.primitive(f[4], 24)  # GeneralizedTime
    rest = f[5:]
    if rest and rest[0][0] == tlv.UNIVERSAL and rest[0][2] == tlv.SEQUENCE:
        out["accuracy"] = tsp.Accuracy.load(tlv.der(rest.pop(0)), strict=True).native
    if rest and rest[0][0] == tlv.UNIVERSAL and rest[0][2] == 1:  # ordering BOOLEAN
        core.Boolean.load(tlv.der(rest.pop(0)), strict=True).native
    if rest and rest[0][0] == tlv.UNIVERSAL and rest[0][2] == tlv.INTEGER:
        out["nonce"] = tlv.integer(rest.pop(0))
    if rest and rest[0][0] == tlv.CONTEXT and rest[0][2] == 0:
        out["tsa_name"] = _tsa_name(tlv.der(rest.pop(0)))
    if rest and rest[0][0] == tlv.CONTEXT and rest[0][2] == 1:
        tlv.expect(rest.pop(0), tlv.CONTEXT, 1, True)  # extensions: none is read
    if rest:
        raise tlv.NotPlain("TSTInfo fields")
    return out


def _tst_info_typed(der: bytes) -> dict:
    try:
        info = _TSTInfo.load(der, strict=True)
        imprint = info["message_imprint"]
        tsa = info["tsa"]
        return {
            "gen_time": info["gen_time"].native,
            "policy": info["policy"].dotted,
            "serial_number": info["serial_number"].native,
            "imprint_algorithm": oid_digest_name(imprint["hash_algorithm"]["algorithm"].dotted),
            "imprint": imprint["hashed_message"].native,
            "nonce": info["nonce"].native,
            "accuracy": None if isinstance(info["accuracy"], core.Void) else info["accuracy"].native,
            "tsa_name": None if isinstance(tsa, core.Void) else _tsa_name(tsa.dump()),
        }
    except TrustsvcError:
        raise
    except (ValueError, TypeError, KeyError, OverflowError, AttributeError) as exc:
        raise CMSFormatError(f"timestamp: malformed TSTInfo ({first_line(exc)})") from None


_MAX_TSA_NAMES = 1024
_TSA_NAMES: BoundedCache[bytes, str | None] = BoundedCache("cms.tsa_names", _MAX_TSA_NAMES)


def _tsa_name(key: bytes) -> str | None:
    """The TSTInfo tsa field (a GeneralName) as text, if it is a directory name (RFC 3161 2.4.2)."""
    # A TSA puts the same name in every token: parse and render it once per encoding (asn1crypto's
    # human_friendly costs more than the rest of the TSTInfo together). Bounded for hostile input.
    return _TSA_NAMES.get_or_compute(key, lambda: _render_tsa_name(key))


def _render_tsa_name(key: bytes) -> str | None:
    name = x509.GeneralName.load(key, strict=True, explicit=0)  # the Any keeps the [0] wrapper
    return name.chosen.human_friendly if name.name == "directory_name" else None


def _unwrap_response(der: bytes) -> bytes:
    """A TimeStampResp (status + token, `openssl ts -reply` output) yields its token; a token is returned as is."""
    try:
        # RFC 3161 2.4.2: TimeStampResp ::= SEQUENCE { status PKIStatusInfo, timeStampToken OPTIONAL }.
        # Read as TLVs: a token (ContentInfo) starts with an OID, a response with the status SEQUENCE.
        fields = tlv.constructed(parser.parse(der, strict=True), tlv.SEQUENCE)
        if fields and fields[0][0] == tlv.UNIVERSAL and fields[0][2] == tlv.OID:
            return der
        if len(fields) == 2 and tlv.integer(tlv.constructed(fields[0], tlv.SEQUENCE)[0]) in (0, 1):
            tlv.constructed(fields[1], tlv.SEQUENCE)
            return tlv.der(fields[1])  # granted / grantedWithMods, with its token
    except ValueError:
        pass  # anything else: the typed reader gives the status or the error
    try:
        resp = tsp.TimeStampResp.load(der, strict=True)
        status = resp["status"]["status"].native
        token = resp["time_stamp_token"]
    except (ValueError, TypeError, KeyError):
        return der
    if token.contents is None:
        raise CMSFormatError(f"timestamp: the response has status {status} and no token")
    if status not in ("granted", "granted_with_mods"):
        raise CMSFormatError(f"timestamp: response status {status}")
    return token.dump()


def tsa_certificate_problem(cert: Certificate) -> str | None:
    """RFC 3161 2.3: the TSA certificate has exactly one EKU, id-kp-timeStamping, marked critical."""
    # A fact of the certificate alone: judged once per (memoised) certificate, not once per token.
    return cert.derived("rfc3161_tsa_problem", _tsa_certificate_problem)


def _tsa_certificate_problem(cert: Certificate) -> str | None:
    for ext in cert.asn1["tbs_certificate"]["extensions"]:
        if ext["extn_id"].native == "extended_key_usage":
            purposes = [p.dotted for p in ext["extn_value"].parsed]
            if purposes != [ID_KP_TIMESTAMPING]:
                return f"TSA certificate extended key usage is {purposes}, not id-kp-timeStamping only (RFC 3161 2.3)"
            if not ext["critical"].native:
                return "TSA certificate extended key usage is not critical (RFC 3161 2.3)"
            return None
    return "TSA certificate has no extended key usage extension (RFC 3161 2.3)"


def imprint_of(token: TimestampToken, data: bytes) -> bytes:
    """Hash `data` with the token's imprint algorithm (raises UnsupportedAlgorithmError)."""
    return compute_digest(token.imprint_algorithm, data)


def given_imprint(token: TimestampToken, digest: bytes | str | tuple[str, bytes | str]) -> bytes:
    """The caller's digest of the timestamped data, to compare with the token's message imprint (RFC 3161 2.4.2).

    `digest` is `(algorithm, value)` (algorithm by name or dotted OID, value as bytes or hex) or a bare value
    (bytes or hex, compared as it is). A named algorithm must be the imprint's and the value as long as its
    digests: raises UnsupportedAlgorithmError (another or an unknown algorithm) or InputFormatError (not hex,
    wrong length), naming both.
    """
    if not isinstance(digest, (tuple, list)):
        if isinstance(digest, str):
            try:
                return bytes.fromhex(digest.strip())
            except ValueError:
                raise InputFormatError("digest must be hexadecimal") from None
        return bytes(digest)
    algorithm, value = digest_spec(digest)
    imprint = token.imprint_algorithm
    if algorithm != imprint:
        raise UnsupportedAlgorithmError(f"the data's digest was given as {algorithm}; this token's message imprint "
                                        f"is {imprint}, so the data cannot be checked")
    size = len(compute_digest(imprint, b""))
    if len(value) != size:
        raise InputFormatError(f"the data's digest has {len(value)} bytes; a {imprint} digest has {size}")
    return value


__all__ = [
    "ID_KP_TIMESTAMPING", "TimestampToken", "given_imprint", "imprint_of", "parse_timestamp_token", "tsa_certificate_problem",
    "UnsupportedAlgorithmError",
]
