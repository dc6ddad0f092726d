"""The console's pages: trust lists, verify a file, bid opening, operator upload — over the API's own calls.

Every page works without JavaScript (plain forms, server-rendered results, a bid opening streamed
row by row); `console.js` only adds drag and drop and keeps the page from reloading."""

from __future__ import annotations

import base64
import hashlib
import html
import io
import json
import threading
import zipfile
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, AsyncIterator, Iterable

from asn1crypto import cms
from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, Response, StreamingResponse
from fastapi.templating import Jinja2Templates
from pydantic import ValidationError
from starlette.datastructures import UploadFile

from trustsvc.api import verify
from trustsvc.api.guard import limited, run_verification
from trustsvc.api.models import CertificateRequest, SignatureRequest, TimestampRequest
from trustsvc.api.problems import Problem
from trustsvc.console import i18n
from trustsvc.console.views import list_view, recognition_map, report_view
from trustsvc.store import operators
from trustsvc.trustlist.diff import diff
from trustsvc.trustlist.loader import TrustListRejected, accept_list
from trustsvc.trustlist.model import USAGES

router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
TST_INFO = "1.2.840.113549.1.9.16.1.4"  # RFC 3161 id-ct-TSTInfo
MAX_BIDS = 500  # one upload; a larger opening goes through the batch API
MAX_FORM_FILES = 2 * MAX_BIDS + 2


def _page(request: Request, name: str, lang: str, status: int = 200, **context: Any) -> HTMLResponse:
    return templates.TemplateResponse(request, name, {
        "lang": lang, "t": i18n.phrases(lang), "langs": i18n.LANG_NAMES, "path": request.url.path,
        "usages": USAGES, **context}, status_code=status)


def _lang(request: Request, form_value: Any = None) -> str:
    value = form_value if isinstance(form_value, str) else request.query_params.get("lang")
    return i18n.pick(value, request.headers.get("accept-language", ""))


# --- trust lists -----------------------------------------------------------------------------------

@router.get("/", response_class=HTMLResponse)
def trust_lists_page(request: Request) -> HTMLResponse:
    snap = request.app.state.svc.holder.snapshot
    now = datetime.now(timezone.utc)
    lists = snap.store.lists
    ordered = sorted(lists.values(), key=lambda a: (not a.trust_list.is_lotl, a.territory))
    return _page(request, "trust_lists.html", _lang(request), lists=[list_view(a, now) for a in ordered],
                 map=recognition_map(lists, now), snapshot_id=snap.store.snapshot_id,
                 loaded_at=snap.loaded_at.strftime("%Y-%m-%d %H:%M:%S UTC"))


# --- verify a file ---------------------------------------------------------------------------------

def _pem_or_b64(data: bytes) -> str:
    return data.decode("ascii") if data.lstrip().startswith(b"-----BEGIN") and data.isascii() \
        else base64.b64encode(data).decode("ascii")


def _der(data: bytes) -> bytes:
    if data.lstrip().startswith(b"-----BEGIN"):
        return verify.decode_b64(data.decode("ascii", "replace"), "file")
    return data


def detect_kind(data: bytes) -> str:
    """certificate, timestamp or signature, from the bytes (a CMS whose content is a TSTInfo is a token)."""
    head = data.lstrip()[:64]
    if head.startswith(b"-----BEGIN CERTIFICATE") or head.startswith(b"-----BEGIN X509"):
        return "certificate"
    try:
        info = cms.ContentInfo.load(_der(data))
        if info["content_type"].native == "signed_data":
            encap = info["content"]["encap_content_info"]["content_type"].dotted
            return "timestamp" if encap == TST_INFO else "signature"
    except (ValueError, TypeError, KeyError, Problem):
        pass
    try:
        from asn1crypto import tsp

        resp = tsp.TimeStampResp.load(_der(data))
        if resp["time_stamp_token"].native is not None:
            return "timestamp"
    except (ValueError, TypeError, KeyError, Problem):
        pass
    return "certificate"


async def _files(form: Any, key: str) -> list[bytes]:
    out = []
    for value in form.getlist(key):
        if isinstance(value, UploadFile):
            data = await value.read()
            if data:
                out.append(data)
    return out


def _field(form: Any, key: str) -> str | None:
    value = form.get(key)
    return value.strip() if isinstance(value, str) and value.strip() else None


def _model(model: type, data: dict[str, Any]) -> Any:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        e = exc.errors()[0]
        raise Problem(422, "invalid-request", f"{'.'.join(str(x) for x in e['loc'])}: {e['msg']}") from None


def _verify(request: Request, kind: str, data: bytes, extra: list[bytes], content: bytes | None,
            usage: str | None, deadline: str | None, lang: str) -> dict[str, Any]:
    store = request.app.state.svc.holder.store
    if kind == "certificate":
        req = _model(CertificateRequest, {"certificate": _pem_or_b64(data), "usage": usage,
                                          "intermediates": [_pem_or_b64(c) for c in extra]})
        return verify.verify_certificate(req, store)
    if kind == "timestamp":
        req = _model(TimestampRequest, {"token": base64.b64encode(_der(data)).decode(), "deadline": deadline,
                                        "lang": lang, "other_certs": [_pem_or_b64(c) for c in extra],
                                        "content": base64.b64encode(content).decode() if content else None})
        return verify.verify_timestamp(req, store)
    req = _model(SignatureRequest, {"signature": "", "usage": usage, "deadline": deadline, "lang": lang,
                                    "other_certs": [_pem_or_b64(c) for c in extra]})
    return verify.verify_signature(req, store, signature=_der(data), content=content)


@router.get("/verify", response_class=HTMLResponse)
def verify_form(request: Request) -> HTMLResponse:
    return _page(request, "verify.html", _lang(request))


@router.post("/verify", response_class=HTMLResponse)
async def verify_page(request: Request) -> HTMLResponse:
    form = await request.form(max_files=70, max_fields=20)
    lang = _lang(request, form.get("lang"))
    files = await _files(form, "file")
    if not files:
        return _page(request, "verify.html", lang, status=422, error="file: choose a file to verify")
    kind = _field(form, "kind") or "auto"
    if kind not in ("certificate", "signature", "timestamp"):
        kind = detect_kind(files[0])
    content = (await _files(form, "content") or [None])[0]
    try:
        # The API's per-request time / CPU limits and client-gone cancellation (guard.run_verification).
        envelope = await run_verification(
            request, _verify, request, kind, files[0], await _files(form, "intermediates"), content,
            _field(form, "usage"), _field(form, "deadline"), lang)
    except Problem as p:
        return _page(request, "verify.html", lang, status=p.status, error=p.detail)
    jws = request.app.state.svc.report_key.sign({"iss": "trustsvc",
                                                 "iat": int(datetime.now(timezone.utc).timestamp()), **envelope})
    return _page(request, "verify.html", lang, report=report_view(envelope), envelope=envelope,
                 report_json=base64.b64encode(json.dumps(envelope, ensure_ascii=False, default=str).encode()).decode(),
                 report_jws=base64.b64encode(jws.encode()).decode(), kind=kind)


# --- bid opening -----------------------------------------------------------------------------------

def pair_bids(named: Iterable[tuple[str, bytes]]) -> list[tuple[str, bytes, bytes | None]]:
    """(name, signature, detached content) for each `X.p7s` (or `.p7m`/`.p7`), its content `X.txt` or `X`."""
    files = dict(named)
    bids = []
    for name in sorted(files):
        stem, dot, ext = name.rpartition(".")
        if dot and ext.lower() in ("p7s", "p7m", "p7"):
            content = files.get(stem + ".txt", files.get(stem))
            bids.append((stem.rsplit("/", 1)[-1], files[name], content))
    return bids


# Bytes one upload's ZIPs may unpack to: the form itself is at most 16 MB, but deflate packs ~1000:1, so
# 1,002 entries of 16 MB each would have been unpacked into memory from one small anonymous upload.
MAX_UNZIPPED_BYTES = 64 * 1024 * 1024


def _unzip(data: bytes, budget: list[int] | None = None) -> list[tuple[str, bytes]]:
    budget = budget if budget is not None else [MAX_UNZIPPED_BYTES]
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            out = []
            for info in z.infolist()[:MAX_FORM_FILES]:
                if info.is_dir() or info.file_size > 16 * 1024 * 1024:
                    continue
                budget[0] -= info.file_size  # zipfile never reads past the declared size
                if budget[0] < 0:
                    raise Problem(422, "invalid-request", f"ZIP: the bids unpack to more than {MAX_UNZIPPED_BYTES} "
                                                          "bytes; use the batch API for a larger opening")
                out.append((info.filename, z.read(info)))
            return out
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise Problem(422, "invalid-request", f"ZIP: {exc}") from None


def _common_name(subject: str) -> str:
    """The first attribute's value of a rendered subject ("Common Name: X, Organization: Y" -> "X")."""
    first = subject.replace("; ", ", ").split(", ")[0]
    return first.split(": ", 1)[-1]


def _row(index: int, name: str, envelope: dict[str, Any]) -> dict[str, Any]:
    report = envelope.get("report") or {}
    signer = (report.get("signers") or [{}])[0]
    cert = signer.get("signer") or {}
    recognition = signer.get("recognition") or {}
    gen = next((t.get("gen_time") for t in signer.get("timestamps") or [] if t.get("gen_time")), None)
    passed = envelope.get("indication") == "TOTAL-PASSED"
    return {"index": index, "name": name, "bidder": _common_name(cert.get("subject", "")),
            "issuer": _common_name(cert.get("issuer", "")), "territory": recognition.get("territory") or "",
            "gen_time": gen or "", "indication": envelope.get("indication"),
            "sub_indication": envelope.get("sub_indication") or "",
            "reason": "" if passed else (report.get("reasons") or [""])[0]}


@router.get("/opening", response_class=HTMLResponse)
def opening_form(request: Request) -> HTMLResponse:
    return _page(request, "opening.html", _lang(request))


@router.post("/opening")
async def opening_run(request: Request) -> Response:
    form = await request.form(max_files=MAX_FORM_FILES, max_fields=20)
    lang = _lang(request, form.get("lang"))
    named: list[tuple[str, bytes]] = []
    unzip_budget = [MAX_UNZIPPED_BYTES]  # for all the ZIPs of the upload together
    for value in form.getlist("bids"):
        if isinstance(value, UploadFile) and value.filename:
            data = await value.read()
            try:
                named += _unzip(data, unzip_budget) if value.filename.lower().endswith(".zip") \
                    else [(value.filename, data)]
            except Problem as p:
                return _page(request, "opening.html", lang, status=p.status, error=p.detail)
    bids = pair_bids(named)[:MAX_BIDS]
    deadline, usage, tender = _field(form, "deadline"), _field(form, "usage") or "e-tendering", _field(form, "tender")
    t = i18n.phrases(lang)
    if not bids:
        return _page(request, "opening.html", lang, status=422, error=t["opening.none"])
    head = templates.get_template("opening_stream_head.html").render(
        lang=lang, t=t, langs=i18n.LANG_NAMES, path="/opening", total=len(bids), tender=tender or "",
        deadline=deadline or "", usage=usage)
    svc = request.app.state.svc

    envelopes: list[dict[str, Any]] = []

    def one(i: int, name: str, sig: bytes, content: bytes | None) -> dict[str, Any]:
        try:
            envelope = _verify(request, "signature", sig, [], content, usage, deadline, lang)
        except Problem as p:
            envelope = {"kind": "signature", "indication": "TOTAL-FAILED", "sub_indication": "FORMAT_FAILURE",
                        "report": {"reasons": [p.detail]}}
        svc.metrics.count_verification("signature", str(envelope["indication"]), envelope.get("sub_indication"))
        envelopes.append({"index": i - 1, "id": name, **envelope})
        return _row(i, name, envelope)

    cancel = threading.Event()

    async def stream() -> AsyncIterator[bytes]:
        try:
            async for chunk in _stream():
                yield chunk
        finally:
            cancel.set()

    async def _stream() -> AsyncIterator[bytes]:
        yield head.encode()
        rows = []
        row_template = templates.get_template("opening_stream_row.html")
        for i, (name, sig, content) in enumerate(bids, start=1):
            # Each bid under the request's time / CPU limits, as a batch item; stopped when the client goes.
            row = await run_in_threadpool(limited(svc.settings, one, cancel), i, name, sig, content)
            rows.append(row)
            yield row_template.render(row=row, done=i, total=len(bids), t=t).encode()
        totals: dict[str, int] = {}
        for row in rows:
            totals[row["indication"]] = totals.get(row["indication"], 0) + 1
        minutes_html, minutes_pdf = await run_in_threadpool(_minutes, svc, envelopes, tender, deadline, lang)
        yield templates.get_template("opening_stream_tail.html").render(
            t=t, totals=totals, rows=rows, lang=lang, tender=tender or "", deadline=deadline or "",
            snapshot_id=svc.holder.store.snapshot_id, minutes_html=minutes_html, minutes_pdf=minutes_pdf,
            digest=hashlib.sha256(json.dumps(rows, sort_keys=True).encode()).hexdigest()).encode()

    return StreamingResponse(stream(), media_type="text/html; charset=utf-8")


def _minutes(svc: Any, results: list[dict[str, Any]], tender: str | None, deadline: str | None,
             lang: str) -> tuple[str, str | None]:
    """The signed minutes of this opening (the document `verify batch --minutes` makes), base64 HTML and PDF."""
    from trustsvc.bidopening.minutes import build_minutes, render_html
    from trustsvc.bidopening.pdf import PDFUnavailable, html_to_pdf
    from trustsvc.errors import TrustsvcError
    from trustsvc.validation.times import parse_time

    zone = svc.settings.platform_timezone
    try:
        when = parse_time(deadline, "deadline", zone)
    except (TrustsvcError, ValueError):
        when = None  # every row already carries the refusal of an unreadable deadline

    def sign(payload: dict[str, Any]) -> str:
        return svc.report_key.sign({"iss": "trustsvc", "iat": int(datetime.now(timezone.utc).timestamp()), **payload})

    m = build_minutes(sorted(results, key=lambda r: r["index"]), tender_id=tender or "—", deadline=when,
                      platform_timezone=zone, snapshot_id=svc.holder.store.snapshot_id, lang=lang, sign=sign)
    page = render_html(m)
    try:
        pdf: str | None = base64.b64encode(html_to_pdf(page)).decode()
    except PDFUnavailable:
        pdf = None
    return base64.b64encode(page.encode("utf-8")).decode(), pdf


# --- operators -------------------------------------------------------------------------------------

def _preview(svc: Any, territory: str, document: bytes) -> tuple[list[str], str | None]:
    """The changes against the current list and the rejection the upload would meet (None: it would pass)."""
    now = datetime.now(timezone.utc)
    try:
        accepted = accept_list(svc.holder.snapshot.state, document, at=now, territory=territory)
    except TrustListRejected as exc:
        return [], f"{exc.code}: {exc.message}"
    current = svc.holder.store.lists.get(territory)
    return (diff(current.trust_list, accepted.trust_list) if current else ["+ first list of the territory"]), None


@router.get("/operator", response_class=HTMLResponse)
def operator_form(request: Request) -> HTMLResponse:
    return _page(request, "operator.html", _lang(request), territories=sorted(request.app.state.svc.holder.store.lists))


@router.post("/operator", response_class=HTMLResponse)
async def operator_upload(request: Request) -> HTMLResponse:
    from trustsvc.api.routes_trust_lists import _upload

    svc = request.app.state.svc
    form = await request.form(max_files=1, max_fields=10)
    lang = _lang(request, form.get("lang"))
    territory = (_field(form, "territory") or "")[:16]
    token = _field(form, "token") or ""
    files = await _files(form, "list")
    context: dict[str, Any] = {"territories": sorted(svc.holder.store.lists), "territory": territory}
    with svc.sessions() as s:
        op = await run_in_threadpool(operators.authenticate, s, token) if token else None
    if op is None:
        await run_in_threadpool(svc.audit, actor="anonymous", action="trust-list.upload", outcome="unauthorized",
                                detail={"territory": territory, "via": "console"})
        return _page(request, "operator.html", lang, status=401, error="401 unauthorized: an operator bearer token "
                     "is required (trustsvc operator add)", **context)
    if op.territory != territory:
        return _page(request, "operator.html", lang, status=403,
                     error=f"403 forbidden: operator {op.name!r} may upload only the {op.territory} list", **context)
    if not files:
        return _page(request, "operator.html", lang, status=422, error="list: choose the signed list", **context)
    changes, rejection = await run_in_threadpool(_preview, svc, territory, files[0])
    context.update(changes=changes, rejection=rejection, checked=True)
    if form.get("action") != "upload" or rejection is not None:
        return _page(request, "operator.html", lang, status=200 if rejection is None else 422, **context)
    try:
        result = await run_in_threadpool(_upload, svc, territory, files[0], f"operator:{op.id}:{op.name}")
    except Problem as p:
        return _page(request, "operator.html", lang, status=p.status, rejection=f"{p.status} {p.detail}",
                     **{k: v for k, v in context.items() if k != "rejection"})
    return _page(request, "operator.html", lang, uploaded=result, **context)


def escape(value: Any) -> str:
    return html.escape(str(value))


__all__ = ["detect_kind", "pair_bids", "router"]
