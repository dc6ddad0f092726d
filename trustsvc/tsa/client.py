"""`trustsvc timestamp FILE --tsa-url URL`: the whole TimeStampResp, checked against its request.

(`trustsvc sign --tsa-url` and `extend` use `trustsvc.tsa_client.HttpTSA`, which returns the token only.)
"""

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


__all__ = ["request_timestamp"]
