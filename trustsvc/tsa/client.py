"""The RFC 3161 client over HTTP: `trustsvc timestamp FILE --tsa-url URL` and `trustsvc sign --tsa-url URL`."""

from __future__ import annotations

import httpx

from trustsvc.tsa.protocol import (
    QUERY_MEDIA_TYPE, REPLY_MEDIA_TYPE, TSAResponseError, build_request, new_nonce, read_response,
)

MAX_REPLY_BYTES = 1024 * 1024


def request_timestamp(url: str, digest: bytes, hash_name: str, *, policy: str | None = None,
                      timeout: float = 30.0) -> bytes:
    """Ask the TSA at `url` for a timestamp over `digest`; return the whole TimeStampResp DER after checking
    it is granted and answers this request (imprint, nonce). Raises TSAResponseError otherwise."""
    nonce = new_nonce()
    query = build_request(digest, hash_name, nonce=nonce, policy=policy, cert_req=True)
    try:
        resp = httpx.post(url, content=query, headers={"Content-Type": QUERY_MEDIA_TYPE, "Accept": REPLY_MEDIA_TYPE},
                          timeout=timeout)
    except httpx.HTTPError as exc:
        raise TSAResponseError(f"TSA {url}: {exc.__class__.__name__}: {exc}") from None
    if resp.status_code != 200:
        raise TSAResponseError(f"TSA {url} answered HTTP {resp.status_code}")
    if len(resp.content) > MAX_REPLY_BYTES:
        raise TSAResponseError(f"TSA {url}: reply larger than {MAX_REPLY_BYTES} bytes")
    read_response(resp.content, digest=digest, hash_name=hash_name, nonce=nonce)
    return resp.content


class RemoteTSA:
    """A `timestamper(digest, hash_name) -> token DER` for cms.builder.sign_cms, backed by a TSA URL."""

    def __init__(self, url: str, *, policy: str | None = None, timeout: float = 30.0) -> None:
        self.url, self.policy, self.timeout = url, policy, timeout

    def __call__(self, digest: bytes, hash_name: str) -> bytes:
        reply = request_timestamp(self.url, digest, hash_name, policy=self.policy, timeout=self.timeout)
        return read_response(reply, digest=digest, hash_name=hash_name, nonce=None).der


__all__ = ["RemoteTSA", "request_timestamp"]
