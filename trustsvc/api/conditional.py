"""HTTP content negotiation and conditional GETs for published documents (trust lists).

One idea: a representation (bytes + media type) is answered with a strong ETag computed over its own bytes
(so the JSON and the XML of one list never share a validator, RFC 9110 8.8.3), `304 Not Modified` when the
client already holds it (RFC 9110 13.1.2 If-None-Match, weak comparison), `Cache-Control` that lets caches keep
it until the list's NextUpdate (RFC 9111 5.2.2.1), and `Vary: Accept` because the answer depends on Accept
(RFC 9110 12.5.5). Accept is parsed with its q-values (RFC 9110 12.5.1); nothing acceptable is a 406.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from fastapi import Request
from fastapi.responses import Response

from trustsvc.api.problems import Problem

__all__ = ["IMMUTABLE", "MediaRange", "cache_control_until", "conditional_response", "etag_of", "negotiate", "none_match",
           "parse_accept"]

# An immutable representation (a stored version addressed by its sha256) may be kept for a year (RFC 9111 5.2.2.1).
IMMUTABLE = "public, max-age=31536000, immutable"


@dataclass(frozen=True, slots=True)
class MediaRange:
    """One Accept element: `type/subtype` (either may be `*`) and its weight."""

    type: str
    subtype: str
    q: float

    def matches(self, media_type: str) -> bool:
        t, _, s = media_type.partition("/")
        return self.type in ("*", t) and self.subtype in ("*", s)

    @property
    def specificity(self) -> int:
        # RFC 9110 12.5.1: the most specific range that matches gives the weight.
        return (self.type != "*") + (self.subtype != "*")


def parse_accept(header: str | None) -> list[MediaRange]:
    """The media ranges of an Accept header; absent or empty means `*/*` (RFC 9110 12.5.1). Junk elements are skipped."""
    if not header or not header.strip():
        return [MediaRange("*", "*", 1.0)]
    out: list[MediaRange] = []
    for element in header.split(",")[:64]:  # bounded work on a hostile header
        parts = [p.strip() for p in element.split(";")]
        t, slash, s = parts[0].lower().partition("/")
        if not slash or not t or not s:
            continue
        q = 1.0
        for param in parts[1:]:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = float(value.strip())
                except ValueError:
                    q = 0.0
                if not math.isfinite(q) or not 0.0 <= q <= 1.0:
                    q = 0.0
        out.append(MediaRange(t, s, q))
    return out


def _weight(ranges: Sequence[MediaRange], media_type: str) -> float:
    matching = [r for r in ranges if r.matches(media_type)]
    if not matching:
        return 0.0
    return max(matching, key=lambda r: r.specificity).q


def negotiate(request: Request, offered: Sequence[str]) -> str:
    """The offered media type the client weighs highest (ties: the first offered); 406 problem+json if none."""
    ranges = parse_accept(request.headers.get("accept"))
    best, best_q = None, 0.0
    for media_type in offered:
        q = _weight(ranges, media_type)
        if q > best_q:
            best, best_q = media_type, q
    if best is None:
        raise Problem(406, "not-acceptable", f"cannot answer with {request.headers.get('accept', '')[:200]!r}; "
                                             f"available: {', '.join(offered)}", available=list(offered))
    return best


def etag_of(body: bytes) -> str:
    """A strong entity tag over the representation's bytes."""
    return '"' + hashlib.sha256(body).hexdigest() + '"'


def _opaque(tag: str) -> str:
    tag = tag.strip()
    return tag[2:] if tag[:2] in ("W/", "w/") else tag


def none_match(header: str | None, etag: str) -> bool:
    """True if If-None-Match names `etag` (or is `*`): RFC 9110 13.1.2 uses the weak comparison."""
    if header is None:
        return False
    if header.strip() == "*":
        return True
    wanted = _opaque(etag)
    return any(_opaque(t) == wanted for t in header.split(",")[:64])


def cache_control_until(next_update: datetime | None, now: datetime) -> str:
    """Public caching until `next_update` (the list says when it will be replaced); past it, revalidate each time."""
    if next_update is None:
        return "no-cache"
    seconds = int((next_update - now).total_seconds())
    return f"public, max-age={seconds}" if seconds > 0 else "no-cache"


def conditional_response(request: Request, body: bytes, media_type: str, cache_control: str,
                         vary: str | None = "Accept") -> Response:
    """`body` with its ETag and caching headers, or 304 with the same headers if the client holds it already."""
    etag = etag_of(body)
    headers = {"ETag": etag, "Cache-Control": cache_control}
    if vary:
        headers["Vary"] = vary
    if none_match(request.headers.get("if-none-match"), etag):
        return Response(status_code=304, headers=headers)
    return Response(body, media_type=media_type, headers=headers)
