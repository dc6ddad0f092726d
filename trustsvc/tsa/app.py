"""The RFC 3161 HTTP binding (3.4): POST application/timestamp-query -> application/timestamp-reply.

One small Starlette app: `trustsvc tsa serve` runs it on its own port, and the API mounts it at
/tsa when a TSA is configured (what `make run` does with the demo TSA keys).
"""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from trustsvc.tsa.authority import TimeStampAuthority
from trustsvc.tsa.protocol import MAX_REQUEST_BYTES, QUERY_MEDIA_TYPE, REPLY_MEDIA_TYPE, rejection


def tsa_routes(authority: TimeStampAuthority, paths: tuple[str, ...] = ("/", "/tsa")) -> list[Route]:
    """POST (stamp) and GET (what this is) at each of `paths`."""

    async def stamp(request: Request) -> Response:
        ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if ctype != QUERY_MEDIA_TYPE:
            return PlainTextResponse(f"send a DER TimeStampReq as {QUERY_MEDIA_TYPE}", status_code=415)
        body = bytearray()
        async for chunk in request.stream():
            body += chunk
            if len(body) > MAX_REQUEST_BYTES:
                return Response(rejection("bad_data_format", "request too large"), media_type=REPLY_MEDIA_TYPE)
        # Signing (and the serial's database insert) runs off the event loop.
        reply = await run_in_threadpool(authority.respond, bytes(body))
        return Response(reply, media_type=REPLY_MEDIA_TYPE)

    async def about(_request: Request) -> Response:
        return PlainTextResponse(f"RFC 3161 time-stamping authority {authority.cert.subject_str}, policy "
                                 f"{authority.policy}: POST a DER TimeStampReq as {QUERY_MEDIA_TYPE}\n")

    routes = []
    for path in paths:
        routes += [Route(path, stamp, methods=["POST"]), Route(path, about, methods=["GET"])]
    return routes


def create_tsa_app(authority: TimeStampAuthority) -> Starlette:
    return Starlette(routes=tsa_routes(authority))


__all__ = ["create_tsa_app", "tsa_routes"]
