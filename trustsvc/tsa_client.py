"""An RFC 3161 client over HTTP (section 3.4): the timestamper `trustsvc extend/sign --tsa-url` and the API use.

I/O lives here, at the edge: the core takes any `timestamper(imprint, hash_name) -> token DER`.
"""

from __future__ import annotations

import secrets

import httpx
from asn1crypto import algos, tsp

from trustsvc.cms.timestamp import parse_timestamp_token
from trustsvc.errors import InputFormatError
from trustsvc.x509.sm2 import SM3_OID

MAX_RESPONSE_BYTES = 1024 * 1024


class TSAError(InputFormatError):
    """The TSA could not be reached or answered with something that is not a matching token."""


class HttpTSA:
    """POST a TimeStampReq (application/timestamp-query) and return the granted token (RFC 3161 3.4)."""

    def __init__(self, url: str, *, timeout: float = 10.0, policy: str | None = None) -> None:
        if not url.startswith(("http://", "https://")):
            raise TSAError(f"TSA URL {url!r} is not http(s)")
        self.url, self.timeout, self.policy = url, timeout, policy

    def __call__(self, imprint: bytes, hash_name: str) -> bytes:
        nonce = secrets.randbits(63)
        req: dict = {
            "version": "v1",
            "message_imprint": {"hash_algorithm": algos.DigestAlgorithm({"algorithm": SM3_OID if hash_name == "sm3" else hash_name}),
                                "hashed_message": imprint},
            "nonce": nonce,
            "cert_req": True,
        }
        if self.policy:
            req["req_policy"] = self.policy
        try:
            resp = httpx.post(self.url, content=tsp.TimeStampReq(req).dump(), timeout=self.timeout,
                              headers={"Content-Type": "application/timestamp-query"})
        except httpx.HTTPError as exc:
            raise TSAError(f"TSA {self.url}: {type(exc).__name__}: {exc}") from None
        if resp.status_code != 200 or len(resp.content) > MAX_RESPONSE_BYTES:
            raise TSAError(f"TSA {self.url}: HTTP {resp.status_code}")
        try:
            token = parse_timestamp_token(resp.content)  # unwraps the TimeStampResp, checks the status
        except InputFormatError as exc:
            raise TSAError(f"TSA {self.url}: {exc}") from None
        # RFC 3161 2.4.2: the token must answer this request (imprint, and the nonce when one was sent).
        if token.imprint != imprint or (token.nonce is not None and token.nonce != nonce):
            raise TSAError(f"TSA {self.url}: the token does not answer the request (imprint or nonce differs)")
        return token.der
