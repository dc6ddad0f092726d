"""POST /v1/verify/{certificate,signature,timestamp,batch}."""

from __future__ import annotations

import asyncio
import base64
import json
import tempfile
import threading
from collections import deque
from typing import Any, AsyncIterator

import orjson

from fastapi import APIRouter, Request
from fastapi.responses import Response, StreamingResponse
from pydantic import ValidationError

from trustsvc.api import verify
from trustsvc.api.guard import cap_report, limited, require_archive_key, run_verification
from trustsvc.api.models import CertificateRequest, SignatureRequest, TimestampRequest
from trustsvc.api.problems import Problem
from trustsvc.api.report_models import CertificateVerification, SignatureVerification, TimestampVerification
from trustsvc.api.responses import JOSE, report_response, sign_envelope, wants_signed
from trustsvc.validation.etsi_report import MEDIA_TYPE as ETSI_XML

router = APIRouter(prefix="/v1/verify", tags=["verify"])

_SIGNED = {200: {"description": "The report (JSON), a compact JWS with `?signed=true` / `Accept: application/jose`, "
                                "or the ETSI TS 119 102-2 XML report with `Accept: " + ETSI_XML + "`",
                 "content": {JOSE: {"schema": {"type": "string"}}, ETSI_XML: {"schema": {"type": "string"}}}}}


def _report(model) -> dict[int, dict[str, Any]]:
    """The 200 answer documented as `model` (typed report) beside the JWS and XML forms; `response_model=None`
    on the route, so the report bytes are written once by the fast path and never validated again."""
    return {200: {"model": model, **_SIGNED[200]}}


def _wants_etsi(request: Request) -> bool:
    return ETSI_XML in request.headers.get("accept", "")


def _etsi(xml: bytes) -> Response:
    return Response(xml, media_type=ETSI_XML)


async def _etsi_call(request: Request, fn, *args: Any, **kwargs: Any) -> Response:
    from trustsvc.validation.etsi_report import ETSIReportUnavailable

    try:
        return _etsi(await run_verification(request, fn, *args, **kwargs))
    except ETSIReportUnavailable as exc:
        raise Problem(406, "not-acceptable", str(exc)) from None
_CERT_EXAMPLE = {"certificate": "-----BEGIN CERTIFICATE-----\nMIIC...\n-----END CERTIFICATE-----",
                 "intermediates": ["MIIB..."], "usage": "e-tendering"}


def _multipart_schema(files: dict[str, bool], fields: tuple[str, ...]) -> dict[str, Any]:
    props: dict[str, Any] = {}
    for name, many in files.items():
        one = {"type": "string", "format": "binary"}
        props[name] = {"type": "array", "items": one} if many else one
    for name in fields:
        props[name] = {"type": "string"}
    return {"schema": {"type": "object", "properties": props}}


def _body(model, example: dict[str, Any], files: dict[str, bool], fields: tuple[str, ...]) -> dict[str, Any]:
    return {"requestBody": {"required": True, "content": {
        "application/json": {"schema": model.model_json_schema(ref_template="#/components/schemas/{model}"),
                             "example": example},
        "multipart/form-data": _multipart_schema(files, fields)}}}


async def _parse(request: Request, model, files: dict[str, bool], raw: tuple[str, ...] = ()):
    """JSON, or multipart/form-data (files become base64; `raw` files are returned as bytes, unencoded)."""
    ctype = request.headers.get("content-type", "")
    extras: dict[str, bytes] = {}
    if ctype.startswith("multipart/form-data"):
        try:
            form = await request.form(max_files=70, max_fields=70)
        except Exception as exc:  # python-multipart / starlette parse errors
            raise Problem(400, "invalid-request", f"multipart body: {exc}"[:300]) from None
        data: dict[str, Any] = {}
        for key in set(form.keys()):
            values = form.getlist(key)
            out = []
            for v in values:
                if hasattr(v, "read"):
                    content = await v.read()
                    if key in raw:
                        extras[key] = content
                        continue
                    # PEM uploads stay text (the loaders read PEM); anything else travels as base64.
                    out.append(content.decode("ascii") if content.lstrip().startswith(b"-----BEGIN")
                               and content.isascii() else base64.b64encode(content).decode("ascii"))
                else:
                    out.append(v)
            if key in raw:
                if out:
                    extras[key] = out[0].encode("utf-8")
                continue
            if key in files and files[key]:
                data[key] = out
            elif out:
                data[key] = out[0]
        for key in raw:
            if key in files and key not in data:
                data[key] = ""
    else:
        data = await _json(request)
    try:
        return model.model_validate(data), extras
    except ValidationError as exc:
        raise Problem(422, "invalid-request", _first_error(exc), errors=_errors(exc)) from None


def _errors(exc: ValidationError) -> list[dict[str, str]]:
    return [{"location": ".".join(str(x) for x in e.get("loc", ())), "message": str(e.get("msg", ""))[:300]}
            for e in exc.errors()[:20]]


_CERT_FILES = {"certificate": False, "intermediates": True, "trust_anchors": True, "crls": True,
               "ocsp_responses": True}


@router.post("/certificate", response_model=None, responses=_report(CertificateVerification),
             openapi_extra=_body(CertificateRequest, _CERT_EXAMPLE, _CERT_FILES,
                                 ("usage", "at", "revocation", "use_trust_lists", "lang")))
async def verify_certificate(request: Request) -> Response:
    """Validate a certificate (with optional intermediates) for a usage at a time, via trust lists or a bridge.

    JSON (PEM or base64 strings) or multipart/form-data (`curl -F certificate=@leaf.pem -F intermediates=@ca.pem`)."""
    store = request.app.state.svc.holder.store
    require_archive_key(request)
    body, _ = await _parse(request, CertificateRequest, _CERT_FILES)
    body = _with_lang(request, body)
    if _wants_etsi(request):
        return await _etsi_call(request, verify.verify_certificate, body, store, etsi=True, zone=_zone(request), revocation=request.app.state.svc.revocation)
    return report_response(request, await run_verification(request, verify.verify_certificate, body, store,
                                                            zone=_zone(request), revocation=request.app.state.svc.revocation))


_SIG_FILES = {"signature": False, "content": False, "crls": True, "other_certs": True, "trust_anchors": True,
              "ocsp_responses": True}
_SIG_EXAMPLE = {"signature": "MIAGCSqGSIb3DQEHAqCAMIA...", "content": "UEsDBBQ...", "usage": "e-tendering",
                "deadline": "2026-12-01T10:00:00Z"}


@router.post("/signature", response_model=None, responses=_report(SignatureVerification),
             openapi_extra=_body(SignatureRequest, _SIG_EXAMPLE, _SIG_FILES,
                                 ("usage", "at", "deadline", "revocation", "lang", "digest", "digest_algorithm")))
async def verify_signature(request: Request) -> Response:
    """Verify a CMS / CAdES signed bid or e-guarantee: JSON with base64, or multipart for large files
    (`curl -F signature=@bid.p7s -F content=@bid.pdf -F usage=e-tendering`). A detached signature's content may
    be given as its digest instead (`digest` hex + `digest_algorithm`, e.g. sha256)."""
    store = request.app.state.svc.holder.store
    require_archive_key(request)
    body, raw = await _parse(request, SignatureRequest, _SIG_FILES, raw=("signature", "content"))
    body = _with_lang(request, body)
    if _wants_etsi(request):
        return await _etsi_call(request, verify.verify_signature, body, store, signature=raw.get("signature"),
                                content=raw.get("content"), etsi=True, zone=_zone(request), revocation=request.app.state.svc.revocation)
    return report_response(request, await run_verification(request, 
        verify.verify_signature, body, store, signature=raw.get("signature"), content=raw.get("content"),
        zone=_zone(request), revocation=request.app.state.svc.revocation))


_TS_FILES = {"token": False, "content": False, "trust_anchors": True, "crls": True, "other_certs": True,
             "ocsp_responses": True}


@router.post("/timestamp", response_model=None, responses=_report(TimestampVerification),
             openapi_extra=_body(TimestampRequest, {"token": "MIIG...", "digest": "9f86d081...",
                                                    "deadline": "2026-12-01T10:00:00Z"}, _TS_FILES,
                                 ("digest", "digest_algorithm", "deadline", "lang")))
async def verify_timestamp(request: Request) -> Response:
    """Verify an RFC 3161 timestamp token over a document or a digest; optionally against a bid deadline."""
    store = request.app.state.svc.holder.store
    require_archive_key(request)
    body, _ = await _parse(request, TimestampRequest, _TS_FILES)
    body = _with_lang(request, body)
    if _wants_etsi(request):
        return await _etsi_call(request, verify.verify_timestamp, body, store, etsi=True, zone=_zone(request), revocation=request.app.state.svc.revocation)
    return report_response(request, await run_verification(request, verify.verify_timestamp, body, store,
                                                            zone=_zone(request), revocation=request.app.state.svc.revocation))


def _zone(request: Request) -> str | None:
    return getattr(request.app.state.svc.settings, "platform_timezone", None)


def _with_lang(request: Request, body):
    """`?lang=` (or Accept-Language) for a body that does not name its language itself."""
    from trustsvc.validation.messages import normalise_lang

    if "lang" not in body.model_fields_set:
        wanted = request.query_params.get("lang") or request.headers.get("accept-language", "").split(",")[0].strip()
        if wanted:
            body.lang = normalise_lang(wanted)
    return body


def _first_error(exc: ValidationError) -> str:
    e = exc.errors()[0] if exc.errors() else {}
    return f"{'.'.join(str(x) for x in e.get('loc', ()))}: {e.get('msg', 'invalid')}"[:500]


async def _json(request: Request) -> Any:
    raw = await request.body()
    try:
        return orjson.loads(raw)  # bytes in, no decode step; depth-limited
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise Problem(400, "invalid-json", f"request body is not JSON: {exc}"[:300]) from None


# --- batch ---------------------------------------------------------------------------------------
_KINDS = {"certificate": (CertificateRequest, verify.verify_certificate),
          "signature": (SignatureRequest, verify.verify_signature),
          "timestamp": (TimestampRequest, verify.verify_timestamp)}
_FAILED = {"certificate": "FAILED", "signature": "TOTAL-FAILED", "timestamp": "TOTAL-FAILED"}


def _process(index: int, line: bytes | None, store, signer, count, settings=None,
             cancel: threading.Event | None = None, zone: str | None = None, revocation=None) -> bytes:
    """One NDJSON line in, one NDJSON result line out; garbage becomes a FORMAT_FAILURE result, never an error.

    Each line is isolated: whatever it holds (a list as `type`, an object as `id`, a core bug), it gets its
    own result and the stream goes on. Each item runs under the request's time / CPU limits and `cancel`.
    """
    item_id: Any = None
    kind = "certificate"
    try:
        if line is None:
            raise Problem(413, "body-too-large", "batch line too long")
        item = json.loads(line)
        if not isinstance(item, dict):
            raise Problem(422, "invalid-request", "each line must be a JSON object")
        item_id = item.pop("id", None)
        if not isinstance(item_id, (str, int, float, bool, type(None))):
            item_id = None
            raise Problem(422, "invalid-request", "id must be a string or a number")
        requested = item.pop("type", "certificate")
        if not isinstance(requested, str) or requested not in _KINDS:
            raise Problem(422, "invalid-request", f"unknown type {str(requested)[:60]!r}; use certificate, "
                                                  "signature or timestamp")
        kind = requested
        model, fn = _KINDS[kind]
        try:
            req = model.model_validate(item)
        except ValidationError as exc:
            raise Problem(422, "invalid-request", _first_error(exc)) from None
        run = limited(settings, fn, cancel) if settings is not None else fn
        body = run(req, store, zone=getattr(settings, "platform_timezone", None) if settings is not None else zone,
                   revocation=revocation)
        out: dict[str, Any] = {"index": index, "id": item_id, **body}
        if settings is not None:
            out = cap_report(out, settings.max_report_bytes)
    except Problem as p:
        if p.kind == "not-available":
            out = {"index": index, "id": item_id, "kind": kind, "indication": "INDETERMINATE",
                   "sub_indication": "GENERIC", "error": p.body()}
        else:
            out = {"index": index, "id": item_id, "kind": kind, "indication": _FAILED[kind],
                   "sub_indication": "FORMAT_FAILURE", "error": p.body()}
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        out = {"index": index, "id": item_id, "kind": kind, "indication": _FAILED[kind],
               "sub_indication": "FORMAT_FAILURE", "error": {"detail": f"not a JSON object: {exc}"[:300]}}
    except Exception as exc:  # a core bug on one item must not sink the other results of the bid opening
        out = {"index": index, "id": item_id, "kind": kind, "indication": "INDETERMINATE", "sub_indication": "GENERIC",
               "error": {"detail": f"internal error: {type(exc).__name__}"}}
    try:
        count(kind, str(out.get("indication")), out.get("sub_indication"))
        if signer is not None and "report" in out:
            out["jws"] = signer(out)
        return json.dumps(out, default=str, ensure_ascii=False).encode("utf-8") + b"\n"
    except Exception as exc:  # noqa: BLE001 - the line's own answer, never the end of the stream
        return json.dumps({"index": index, "id": None, "kind": kind, "indication": "INDETERMINATE",
                           "sub_indication": "GENERIC", "error": {"detail": f"internal error: {type(exc).__name__}"}}
                          ).encode("utf-8") + b"\n"


async def _lines(chunks: AsyncIterator[bytes], max_line: int) -> AsyncIterator[bytes | None]:
    """Split a stream of chunks into lines without holding more than one line (None = line too long)."""
    buf = bytearray()
    skipping = False
    async for chunk in chunks:
        buf += chunk
        while True:
            nl = buf.find(b"\n")
            if nl < 0:
                if len(buf) > max_line and not skipping:
                    skipping = True
                    buf.clear()
                    yield None
                elif skipping:
                    buf.clear()
                break
            line = bytes(buf[:nl])
            del buf[:nl + 1]
            if skipping:
                skipping = False
                continue
            if line.strip():
                yield line
    if buf.strip() and not skipping:
        yield bytes(buf)


class _Spool:
    """Drain the request body into a spooled temp file (RAM up to SPOOL_RAM, then disk) while results go out.

    Most HTTP clients send the whole body before reading the response; if the server only read items
    as fast as it wrote results, both sides would block on full socket buffers. Reading into a spool
    keeps the socket drained and memory bounded; items are still verified as soon as they are read.
    """

    SPOOL_RAM = 8 * 1024 * 1024

    def __init__(self) -> None:
        self.file = tempfile.SpooledTemporaryFile(max_size=self.SPOOL_RAM)
        self.written = 0
        self.read_pos = 0
        self.done = False
        self.error: Exception | None = None
        self._event = asyncio.Event()

    async def fill(self, source: AsyncIterator[bytes]) -> None:
        try:
            async for chunk in source:
                self.file.seek(self.written)
                self.file.write(chunk)
                self.written += len(chunk)
                self._event.set()
        except Exception as exc:  # body over the limit, client gone: reported after the items read so far
            self.error = exc
        finally:
            self.done = True
            self._event.set()

    async def chunks(self) -> AsyncIterator[bytes]:
        while True:
            if self.read_pos < self.written:
                self.file.seek(self.read_pos)
                data = self.file.read(min(1 << 16, self.written - self.read_pos))
                self.read_pos += len(data)
                yield data
                continue
            if self.done:
                return
            self._event.clear()
            await self._event.wait()


class _NDJSONStream(StreamingResponse):
    """A streaming response that leaves `receive` to the body reader (the generator reads the request as it writes)."""

    async def __call__(self, scope, receive, send) -> None:  # type: ignore[override]
        await self.stream_response(send)


_MINUTES_PARAMS = [
    {"name": "minutes", "in": "query", "required": False, "schema": {"type": "string", "enum": ["html", "pdf"]},
     "description": "Answer with the minutes of the bid opening (one printable document) instead of NDJSON."},
    {"name": "tender_id", "in": "query", "required": False, "schema": {"type": "string", "maxLength": 200},
     "description": "Tender id printed in the minutes."},
    {"name": "lang", "in": "query", "required": False, "schema": {"type": "string", "enum": ["en", "zh-Hans", "zh-Hant"]},
     "description": "Language of the reasons (every item without its own) and of the minutes."},
    {"name": "usage", "in": "query", "required": False, "schema": {"type": "string", "maxLength": 64},
     "description": "Usage (e-tendering, e-guarantee, ...) for every item without its own."},
    {"name": "deadline", "in": "query", "required": False, "schema": {"type": "string", "format": "date-time"},
     "description": "Bid deadline for every item without its own, and the one the minutes show."},
]


@router.post("/batch", responses={200: {"description": "One NDJSON result per input line, in input order; with "
                                                       "`?minutes=html|pdf`, the minutes of the bid opening",
                                        "content": {"application/x-ndjson": {"schema": {"type": "string"}},
                                                    "text/html": {"schema": {"type": "string"}},
                                                    "application/pdf": {"schema": {"type": "string",
                                                                                   "format": "binary"}}}}},
             openapi_extra={"parameters": _MINUTES_PARAMS, "requestBody": {"required": True, "content": {"application/x-ndjson": {
                 "schema": {"type": "string"},
                 "example": '{"id":"bid-1","type":"certificate","certificate":"MIIB...","usage":"e-tendering"}\n'
                            '{"id":"bid-2","type":"signature","signature":"MIAG...","content":"...",'
                            '"deadline":"2026-12-01T10:00:00Z"}\n'}}}})
async def verify_batch(request: Request) -> Response:
    """A bid opening: NDJSON items in, NDJSON results out in the same order, streamed with bounded memory.

    Items are read as they arrive and verified by a bounded pool; at most `window` items are in flight,
    so memory does not grow with the size of the batch. `?signed=true` adds a `jws` to each result.
    `?minutes=html|pdf` answers instead with the minutes of the bid opening (`tender_id`, `lang`,
    `deadline` query parameters; see trustsvc/api/batch_minutes.py).
    """
    if request.query_params.get("minutes"):
        from trustsvc.api.batch_minutes import minutes_response

        return await minutes_response(request, request.query_params["minutes"].lower())
    svc = request.app.state.svc
    settings = svc.settings
    store = svc.holder.store  # one trust snapshot for the whole batch
    signer = (lambda body: sign_envelope(request, body)) if wants_signed(request) else None
    window = max(1, settings.batch_concurrency * 2)
    loop = asyncio.get_running_loop()

    cancel = threading.Event()  # set when the stream ends early (client gone): running items stop

    async def results() -> AsyncIterator[bytes]:
        pending: deque[asyncio.Future[bytes]] = deque()
        spool = _Spool()
        filler = asyncio.ensure_future(spool.fill(request.stream()))
        index = 0
        try:
            async for line in _lines(spool.chunks(), settings.max_batch_line_bytes):
                if index >= settings.max_batch_items:
                    while pending:
                        yield await pending.popleft()
                    yield json.dumps({"index": index, "error": {"detail": f"batch limit of "
                                      f"{settings.max_batch_items} items reached; the rest was not read"}}).encode() + b"\n"
                    return
                pending.append(loop.run_in_executor(svc.executor, _process, index, line, store, signer,
                                                    svc.metrics.count_verification, settings, cancel, None,
                                                    svc.revocation))
                index += 1
                while len(pending) >= window:
                    yield await pending.popleft()
            while pending:
                yield await pending.popleft()
            if spool.error is not None:
                detail = spool.error.detail if isinstance(spool.error, Problem) else "request body not read completely"
                yield json.dumps({"index": index, "error": {"detail": detail}}).encode() + b"\n"
        finally:
            cancel.set()
            for f in pending:
                f.cancel()
            filler.cancel()
            spool.file.close()

    return _NDJSON_response(results())


def _NDJSON_response(gen: AsyncIterator[bytes]) -> Response:
    return _NDJSONStream(gen, media_type="application/x-ndjson")


__all__ = ["router"]
