"""`POST /v1/verify/batch?minutes=html|pdf`: the same batch, answered with the minutes of the bid opening.

The items go through the same per-line code as the NDJSON answer (`routes_verify._process`), against
one trust snapshot; the answer is one printable document (text/html or application/pdf) signed by the
service's report key. Query: `minutes`, `tender_id`, `lang`, `deadline` (the default for items without
one, and the deadline the minutes show).
"""

from __future__ import annotations

import asyncio
import json
import threading
from datetime import datetime, timezone
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, Response

from trustsvc.api.problems import Problem
from trustsvc.validation.messages import normalise_lang
from trustsvc.validation.times import parse_time


def _defaults(request: Request, zone: str | None) -> tuple[dict[str, Any], datetime | None]:
    q = request.query_params
    deadline = None
    if q.get("deadline"):
        try:
            deadline = parse_time(q["deadline"], "deadline", zone)
        except ValueError as exc:
            raise Problem(422, "invalid-request", str(exc), field="deadline") from None
    lang = normalise_lang(q.get("lang"))
    return {"deadline": deadline.isoformat() if deadline else None, "usage": q.get("usage"), "lang": lang}, deadline


async def minutes_response(request: Request, fmt: str) -> Response:
    """Read the whole NDJSON body (bounded by the batch limits), verify every line, answer with the minutes."""
    if fmt not in ("html", "pdf"):
        raise Problem(422, "invalid-request", "minutes must be html or pdf", field="minutes")
    svc = request.app.state.svc
    settings = svc.settings
    zone = getattr(settings, "platform_timezone", None)
    defaults, deadline = _defaults(request, zone)
    store = svc.holder.store  # one trust snapshot for the whole opening
    loop = asyncio.get_running_loop()
    # Every item and result is held until the document is rendered: the minutes take at most the single-request
    # body limit, not the streamed batch's (512 MB by default). Items stop when the answer fails or the client goes.
    cancel = threading.Event()
    try:
        return await _minutes(request, fmt, svc, settings, zone, defaults, deadline, store, loop, cancel)
    finally:
        cancel.set()


async def _minutes(request: Request, fmt: str, svc: Any, settings: Any, zone: str | None, defaults: dict[str, Any],
                   deadline: datetime | None, store: Any, loop: asyncio.AbstractEventLoop,
                   cancel: threading.Event) -> Response:
    from trustsvc.api.guard import watch_disconnect
    from trustsvc.api.routes_verify import _lines, _process
    from trustsvc.bidopening.batch import _with_defaults
    from trustsvc.bidopening.inputs import BatchItem, as_api_line
    from trustsvc.bidopening.minutes import build_minutes, render_html

    futures = []
    index = received = 0
    async for line in _lines(request.stream(), settings.max_batch_line_bytes):
        if index >= settings.max_batch_items:
            raise Problem(413, "body-too-large", f"minutes are made for at most {settings.max_batch_items} items")
        received += len(line) + 1 if line is not None else settings.max_batch_line_bytes
        if received > settings.max_body_bytes:
            raise Problem(413, "body-too-large", f"minutes are made from at most {settings.max_body_bytes} bytes of "
                                                 "items (all held until the document is rendered); the NDJSON answer "
                                                 "streams larger batches")
        if line is not None:
            try:
                obj = json.loads(line)
                if isinstance(obj, dict):
                    line = as_api_line(_with_defaults(BatchItem(str(obj.get("id", index)), obj), defaults))
            except (ValueError, UnicodeDecodeError, RecursionError):
                pass  # _process reports the line as FORMAT_FAILURE
        futures.append(loop.run_in_executor(svc.executor, _process, index, line, store, None,
                                            svc.metrics.count_verification, settings, cancel, zone))
        index += 1
    watcher = asyncio.ensure_future(watch_disconnect(request, cancel))
    try:
        results = [json.loads(r) for r in await asyncio.gather(*futures)]
    finally:
        watcher.cancel()

    def sign(payload: dict[str, Any]) -> str:
        return svc.report_key.sign({"iss": "trustsvc", "iat": int(datetime.now(timezone.utc).timestamp()), **payload})

    m = build_minutes(results, tender_id=request.query_params.get("tender_id") or "—", deadline=deadline,
                      platform_timezone=zone, snapshot_id=store.snapshot_id, lang=defaults["lang"], sign=sign)
    page = render_html(m)
    if fmt == "html":
        return HTMLResponse(page, headers={"X-Minutes-Results-SHA256": m.results_sha256})
    from trustsvc.bidopening.pdf import PDFUnavailable, html_to_pdf

    try:
        pdf = await loop.run_in_executor(svc.executor, html_to_pdf, page)
    except PDFUnavailable as exc:
        raise Problem(503, "not-available", str(exc)) from None
    return Response(pdf, media_type="application/pdf", headers={"X-Minutes-Results-SHA256": m.results_sha256,
                                                                  "Content-Disposition": 'inline; filename="minutes.pdf"'})


__all__ = ["minutes_response"]
