"""RFC 3161 messages: TimeStampReq in and TimeStampResp out (the TSA side), and the client's checks. Pure.

The HTTP binding (RFC 3161 3.4) carries one DER TimeStampReq as `application/timestamp-query` and
one DER TimeStampResp as `application/timestamp-reply`.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from asn1crypto import algos, cms, core, tsp

from trustsvc.cms.signed_data import oid_digest_name
from trustsvc.cms.timestamp import TimestampToken, parse_timestamp_token
from trustsvc.errors import InputFormatError
from trustsvc.x509.sm2 import SM3_OID

QUERY_MEDIA_TYPE = "application/timestamp-query"
REPLY_MEDIA_TYPE = "application/timestamp-reply"
MAX_REQUEST_BYTES = 64 * 1024  # a request is ~100 bytes; anything near this is not a TimeStampReq

# Digest lengths a message imprint must have (RFC 3161 2.4.1: the hash of the datum, "the length ...
# shall correspond to the hash algorithm").
DIGEST_SIZES = {"sha1": 20, "sha224": 28, "sha256": 32, "sha384": 48, "sha512": 64, "sha3_224": 28, "sha3_256": 32,
                "sha3_384": 48, "sha3_512": 64, "sm3": 32}
# Accepted by this TSA: SHA-1 imprints are refused (ETSI TS 119 312: not for new timestamps).
ACCEPTED_DIGESTS = frozenset(DIGEST_SIZES) - {"sha1"}


class TimeStampResp(core.Sequence):
    """RFC 3161 2.4.2 TimeStampResp, whose timeStampToken is OPTIONAL (absent when rejected);
    asn1crypto's tsp.TimeStampResp requires it."""

    _fields = [("status", tsp.PKIStatusInfo), ("time_stamp_token", cms.ContentInfo, {"optional": True})]


class TSARejection(Exception):
    """A request the TSA answers with status rejection (RFC 3161 2.4.2 PKIFailureInfo)."""

    def __init__(self, fail_info: str, text: str) -> None:
        super().__init__(text)
        self.fail_info = fail_info  # bad_alg | bad_request | bad_data_format | unaccepted_policy | ...
        self.text = text


class TSAResponseError(InputFormatError):
    """A TimeStampResp a client must not use: rejected, malformed, or not answering its request."""


@dataclass(frozen=True)
class TimeStampQuery:
    """A checked TimeStampReq (RFC 3161 2.4.1)."""

    hash_name: str
    digest: bytes
    policy: str | None
    nonce: int | None
    cert_req: bool


def _digest_oid(name: str) -> str:
    return SM3_OID if name == "sm3" else algos.DigestAlgorithmId.unmap(name)


def build_request(digest: bytes, hash_name: str, *, nonce: int | None = None, policy: str | None = None,
                  cert_req: bool = True) -> bytes:
    """A DER TimeStampReq over a message imprint (RFC 3161 2.4.1)."""
    req: dict = {"version": "v1", "message_imprint": {"hash_algorithm": {"algorithm": _digest_oid(hash_name)},
                                                      "hashed_message": digest}, "cert_req": cert_req}
    if policy:
        req["req_policy"] = policy
    if nonce is not None:
        req["nonce"] = nonce
    return tsp.TimeStampReq(req).dump()


def new_nonce() -> int:
    # RFC 3161 2.4.1: a large random number, so the client can match reply to request.
    return secrets.randbits(63) | 1


def parse_request(der: bytes, *, accepted_policies: tuple[str, ...]) -> TimeStampQuery:
    """Check a TimeStampReq; raise TSARejection with the PKIFailureInfo bit RFC 3161 names for the problem."""
    if not der or len(der) > MAX_REQUEST_BYTES:
        raise TSARejection("bad_data_format", "the body is not one TimeStampReq")
    try:
        req = tsp.TimeStampReq.load(der, strict=True)
        version = req["version"].native
        imprint = req["message_imprint"]
        oid = imprint["hash_algorithm"]["algorithm"].dotted
        digest = imprint["hashed_message"].native
        policy = req["req_policy"].dotted if req["req_policy"].native is not None else None
        nonce = req["nonce"].native
        cert_req = bool(req["cert_req"].native)
        extensions = req["extensions"].native
    except (ValueError, TypeError, KeyError):
        raise TSARejection("bad_data_format", "the body is not a DER TimeStampReq") from None
    if version != "v1":
        raise TSARejection("bad_request", f"TimeStampReq version {version} is not v1")
    name = oid_digest_name(oid)
    if name not in ACCEPTED_DIGESTS:
        raise TSARejection("bad_alg", f"message imprint algorithm {name} is not accepted")
    if len(digest) != DIGEST_SIZES[name]:
        raise TSARejection("bad_data_format", f"a {name} imprint is {DIGEST_SIZES[name]} bytes, not {len(digest)}")
    if policy is not None and policy not in accepted_policies:
        raise TSARejection("unaccepted_policy", f"policy {policy} is not one this TSA issues under")
    if extensions:
        # RFC 3161 2.4.1: a TSA that does not recognise a requested extension rejects the request.
        raise TSARejection("unaccepted_extension", "no request extensions are supported")
    return TimeStampQuery(name, digest, policy, nonce, cert_req)


def granted(token_der: bytes) -> bytes:
    """TimeStampResp with status granted around a TimeStampToken (RFC 3161 2.4.2)."""
    # Concatenated, not rebuilt: the token's DER goes out byte for byte as it was signed.
    body = tsp.PKIStatusInfo({"status": "granted"}).dump() + token_der
    return b"\x30" + _length(len(body)) + body


def rejection(fail_info: str, text: str) -> bytes:
    """TimeStampResp with status rejection, the failure bit and a short free text."""
    return TimeStampResp({"status": {"status": "rejection", "status_string": [text[:200]],
                                     "fail_info": {fail_info}}}).dump()


def _length(n: int) -> bytes:
    if n < 0x80:
        return bytes([n])
    raw = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(raw)]) + raw


def read_response(der: bytes, *, digest: bytes, hash_name: str, nonce: int | None) -> TimestampToken:
    """The client's checks (RFC 3161 2.4.2): granted, the token's imprint and nonce are the request's."""
    try:
        resp = TimeStampResp.load(der, strict=True)
        status = resp["status"]["status"].native
        text = "; ".join(resp["status"]["status_string"].native or [])
        fail = sorted(resp["status"]["fail_info"].native or ()) if resp["status"]["fail_info"].native else []
    except (ValueError, TypeError, KeyError):
        raise TSAResponseError("the TSA's answer is not a DER TimeStampResp") from None
    if status not in ("granted", "granted_with_mods"):
        raise TSAResponseError(f"the TSA refused the request: {status}" + (f" ({', '.join(fail)})" if fail else "")
                               + (f": {text}" if text else ""))
    token = parse_timestamp_token(der)
    if token.imprint_algorithm != hash_name or token.imprint != digest:
        raise TSAResponseError("the TSA's token is over another message imprint than the one requested")
    if nonce is not None and token.nonce != nonce:
        raise TSAResponseError("the TSA's token does not carry the request's nonce")
    return token


__all__ = ["ACCEPTED_DIGESTS", "QUERY_MEDIA_TYPE", "REPLY_MEDIA_TYPE", "TSARejection", "TSAResponseError", "TimeStampResp",
           "TimeStampQuery", "build_request", "granted", "new_nonce", "parse_request", "read_response", "rejection"]
