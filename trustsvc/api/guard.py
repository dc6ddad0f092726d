"""Per-request protection of the verify endpoints: time / CPU limits with cancellation on disconnect,
reports of bounded size, and the API keys that allow server-side archiving."""

from __future__ import annotations

import asyncio
import hmac
import json
import threading
from typing import Any, Callable

import orjson
from fastapi import Request
from fastapi.concurrency import run_in_threadpool

from trustsvc.api.problems import Problem
from trustsvc.path.budget import limits


def limited(settings: Any, fn: Callable[..., Any], cancel: threading.Event | None = None) -> Callable[..., Any]:
    """`fn` run under the request's time and CPU-time limits and `cancel` (in the thread that calls it)."""

    def run(*args: Any, **kwargs: Any) -> Any:
        with limits(seconds=settings.verify_timeout or None, cpu_seconds=settings.verify_cpu_seconds or None,
                    cancel=cancel):
            return fn(*args, **kwargs)

    return run


async def watch_disconnect(request: Request, cancel: threading.Event) -> None:
    """Set `cancel` when the client goes away (call once the request body has been read)."""
    # The body has been read: the next message is http.disconnect when the client goes away.
    while not cancel.is_set():
        message = await request.receive()
        if message["type"] == "http.disconnect":
            cancel.set()
            return


def cannot_block(revocation: Any, request_model: Any = None) -> bool:
    """True when a verification is pure computation: no revocation source that could fetch (CRL / OCSP over the
    network), or a request that turns revocation checking off, so nothing in it waits on I/O. The core is
    otherwise pure (DESIGN.md: no I/O below the shells)."""
    return revocation is None or getattr(revocation, "source", None) is None \
        or getattr(request_model, "revocation", None) == "off"


# Up to this much request body the verification runs inline. Hashing a large document (a multipart bid of
# megabytes) releases the GIL in hashlib, so in the pool it overlaps other requests instead of stalling the loop.
INLINE_MAX_BODY = 256 * 1024


def _small(request: Request) -> bool:
    declared = request.headers.get("content-length")
    return declared is not None and declared.isdigit() and int(declared) <= INLINE_MAX_BODY


async def run_verification(request: Request, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Run a verification under the request's limits.

    Pure computation on a small request runs right here on the event loop: a hop to the thread pool costs more
    than a certificate validation (queue, lock hand-off, GIL switches, a wake-up of the loop; issue 21,
    docs/benchmarks/http.md), and under the GIL a thread adds no parallelism. The time / CPU limits are the same
    cooperative checks at budget points. A verification that may fetch revocation data (I/O), or that hashes a
    large upload, runs in the thread pool, where it can wait without stalling the loop, and stops at its next
    budget point if the client disconnects."""
    settings = request.app.state.svc.settings
    if cannot_block(kwargs.get("revocation"), args[0] if args else None) and _small(request):
        return limited(settings, fn)(*args, **kwargs)
    cancel = threading.Event()
    watcher = asyncio.ensure_future(watch_disconnect(request, cancel))
    try:
        return await run_in_threadpool(limited(settings, fn, cancel), *args, **kwargs)
    finally:
        cancel.set()
        watcher.cancel()


# --- archive: API keys ---------------------------------------------------------------------------
def api_key_of(request: Request) -> str | None:
    auth = request.headers.get("authorization", "")
    scheme, _, token = auth.partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip()
    return request.headers.get("x-api-key") or None


def platform_of(request: Request) -> str | None:
    """The platform whose API key the request presents (TRUSTSVC_API_KEYS), or None."""
    presented = api_key_of(request)
    if not presented:
        return None
    found = None
    for name, key in request.app.state.svc.settings.api_keys:
        if hmac.compare_digest(presented.encode("utf-8"), key.encode("utf-8")):
            found = name
    return found


def wants_archive(request: Request) -> bool:
    return request.query_params.get("archive", "").lower() in ("1", "true", "yes")


def require_archive_key(request: Request) -> str | None:
    """`?archive=true` stores evidence server-side: only for a platform with an API key (401 otherwise)."""
    if not wants_archive(request):
        return None
    platform = platform_of(request)
    if platform is None:
        raise Problem(401, "unauthorized", "archive=true needs a platform API key (Authorization: Bearer or "
                                           "X-API-Key; configured with TRUSTSVC_API_KEYS)",
                      headers={"WWW-Authenticate": 'Bearer realm="trustsvc-archive"'})
    return platform


# --- bounded reports -------------------------------------------------------------------------------
_KEEP_PATHS = 5
_KEEP_ITEMS = 20
_KEEP_CHARS = 2000


def encode_json(body: Any) -> bytes:
    """The compact UTF-8 JSON of a report body (orjson, as FastAPI recommends; the stdlib only for what orjson
    refuses, such as integers past 64 bits)."""
    try:
        return orjson.dumps(body, default=str, option=orjson.OPT_NON_STR_KEYS)
    except orjson.JSONEncodeError:
        return json.dumps(body, default=str, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _size(body: Any) -> int:
    return len(encode_json(body))


def capped_json(body: dict[str, Any], limit: int) -> bytes:
    """`encode_json(cap_report(body, limit))`, serialising only once when the report is within the limit."""
    raw = encode_json(body)
    return raw if len(raw) <= limit else encode_json(cap_report(body, limit))


def _shrink(node: Any, *, paths_only: bool) -> Any:
    if isinstance(node, dict):
        out = {}
        for k, v in node.items():
            if isinstance(v, list) and k == "candidate_paths" and len(v) > _KEEP_PATHS:
                out[k] = [_shrink(x, paths_only=paths_only) for x in v[:_KEEP_PATHS]]
                out.setdefault("candidate_paths_total", node.get("candidate_paths_total", len(v)))
                continue
            if not paths_only and isinstance(v, list) and len(v) > _KEEP_ITEMS:
                out[k] = [_shrink(x, paths_only=paths_only) for x in v[:_KEEP_ITEMS]]
                out[f"{k}_omitted"] = len(v) - _KEEP_ITEMS
                continue
            out[k] = _shrink(v, paths_only=paths_only)
        return out
    if isinstance(node, list):
        return [_shrink(x, paths_only=paths_only) for x in node]
    if not paths_only and isinstance(node, str) and len(node) > _KEEP_CHARS:
        return node[:_KEEP_CHARS] + f"... ({len(node) - _KEEP_CHARS} characters omitted)"
    return node


def cap_report(body: dict[str, Any], limit: int) -> dict[str, Any]:
    """`body` if it serialises within `limit` bytes, else a summary that does: candidate paths cut to the
    first few (with their total), then long lists and strings cut, then only the outcome and first reasons."""
    if _size(body) <= limit:
        return body
    for paths_only in (True, False):
        small = _shrink(body, paths_only=paths_only)
        small["truncated"] = True
        if _size(small) <= limit:
            return small
    report = body.get("report") if isinstance(body.get("report"), dict) else {}
    reasons = [str(r)[:500] for r in (report.get("reasons") or [])[:5]]
    summary = {k: v for k, v in body.items() if k != "report" and isinstance(v, (str, int, float, bool, type(None)))}
    summary["report"] = {"indication": report.get("indication", body.get("indication")),
                         "sub_indication": report.get("sub_indication", body.get("sub_indication")),
                         "reasons": reasons}
    summary["truncated"] = True
    return summary


__all__ = ["cannot_block", "cap_report", "capped_json", "encode_json", "limited", "platform_of", "require_archive_key", "run_verification", "wants_archive"]
