"""GET/PUT /v1/trust-lists: the current lists, their versions, and the authenticated operator upload."""

from __future__ import annotations

import hashlib
from datetime import datetime, timezone
from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse, Response
from sqlalchemy.exc import DBAPIError, OperationalError

from trustsvc.api.conditional import IMMUTABLE, cache_control_until, conditional_response, negotiate
from trustsvc.api.models import TrustListsResponse, UploadResponse, VersionModel
from trustsvc.api.problems import Problem
from trustsvc.api.trust_state import notify
from trustsvc.cache import BoundedCache
from trustsvc.store import operators
from trustsvc.store import trust_lists as versions_db
from trustsvc.trustlist.loader import TrustListRejected, accept_list, list_health

router = APIRouter(prefix="/v1/trust-lists", tags=["trust lists"])

XML_TYPES = ("application/vnd.etsi.tsl+xml", "application/xml", "text/xml")
# TrustListRejected.code -> (HTTP status, problem type)
REJECTION_STATUS = {
    "unpinned_signer": (403, "unpinned-signer"),
    "rollback": (409, "rollback"),
    "no_lotl": (409, "trust-list-rejected"),
    "malformed": (422, "trust-list-rejected"),
    "wrong_territory": (422, "trust-list-rejected"),
    "bad_signature": (422, "trust-list-rejected"),
    "signer_not_valid": (422, "trust-list-rejected"),
    "not_yet_issued": (422, "trust-list-rejected"),
    "expired": (422, "trust-list-rejected"),
}


def _accepted(request: Request, territory: str):
    lists = request.app.state.svc.holder.store.lists
    if territory not in lists:
        raise Problem(404, "not-found", f"no accepted trust list for territory {territory!r}; "
                                        f"known: {', '.join(sorted(lists)) or 'none'}")
    return lists[territory]


@router.get("", response_model=None, responses={200: {"model": TrustListsResponse},
                                                 304: {"description": "Not Modified: `If-None-Match` matches"}})
def list_trust_lists(request: Request) -> Response:
    """The accepted trust lists this worker uses now, with their health.

    With an ETag over the answer's bytes; `no-cache` because the health of a list changes with the clock,
    so a client revalidates each time and gets `304` while nothing changed."""
    snap = request.app.state.svc.holder.snapshot
    now = datetime.now(timezone.utc)
    out = []
    for t, a in sorted(snap.store.lists.items()):
        tl = a.trust_list
        out.append({"territory": t, "sequence_number": tl.sequence_number, "scheme_operator": tl.scheme_operator,
                    "issued_at": tl.issued_at, "next_update": tl.next_update,
                    "status": list_health(a, at=now).status, "services": len(tl.services),
                    "sha256": hashlib.sha256(a.document).hexdigest(), "href": f"/v1/trust-lists/{t}"})
    body = TrustListsResponse.model_validate({"snapshot_id": snap.store.snapshot_id, "loaded_at": snap.loaded_at,
                                              "lists": out})
    return conditional_response(request, JSONResponse(jsonable_encoder(body)).body, "application/json", "no-cache",
                                vary=None)


_LIST_REPRESENTATIONS = ("application/json", *XML_TYPES)
_XML_EXPORTS: BoundedCache[str, bytes] = BoundedCache("api.trust_list_xml", 64)
_CONDITIONAL = {
    304: {"description": "Not Modified: `If-None-Match` names this representation's ETag (or is `*`)"},
    406: {"description": "Accept names neither JSON nor TS 119 612 XML"},
}


def _xml_of(accepted) -> bytes:
    from trustsvc.trustlist.ts119612 import export_xml

    # The export is a pure function of the accepted document: render it once per version, not per request.
    return _XML_EXPORTS.get_or_compute(hashlib.sha256(accepted.document).hexdigest(),
                                       lambda: export_xml(accepted.trust_list))


@router.get("/{territory}", responses={200: {"description": "The signed list (JSON) or TS 119 612 XML by Accept. "
                                                            "ETag per representation; cacheable until NextUpdate.",
                                             "content": {"application/json": {}, XML_TYPES[0]: {}}},
                                       **_CONDITIONAL})
def get_trust_list(request: Request, territory: str) -> Response:
    """The current signed list as accepted (JSON with its detached JWS), or TS 119 612 XML with `Accept: application/vnd.etsi.tsl+xml`.

    The XML is rendered by the service from the accepted list and is not signed by the scheme
    operator; the signed JSON is the authoritative form. Each representation has its own ETag (over its
    bytes): send it back in `If-None-Match` for a `304`. `Cache-Control` allows caching until the list's
    NextUpdate (`no-cache` once that has passed)."""
    a = _accepted(request, territory)
    chosen = negotiate(request, _LIST_REPRESENTATIONS)
    cache = cache_control_until(a.trust_list.next_update, datetime.now(timezone.utc))
    if chosen in XML_TYPES:
        return conditional_response(request, _xml_of(a), XML_TYPES[0], cache)
    return conditional_response(request, a.document, "application/json", cache)


@router.get("/{territory}/versions", response_model=list[VersionModel])
def list_versions(request: Request, territory: str) -> list[dict[str, Any]]:
    """Every accepted version of the territory's list, newest first (immutable, addressed by sha256)."""
    with request.app.state.svc.sessions() as s:
        found = versions_db.versions(s, territory)
    if not found:
        raise Problem(404, "not-found", f"no versions for territory {territory!r}")
    return [v.to_dict() for v in found]


@router.get("/{territory}/versions/{sha256}", responses={304: _CONDITIONAL[304]})
def get_version(request: Request, territory: str, sha256: str) -> Response:
    """One stored version, byte for byte."""
    with request.app.state.svc.sessions() as s:
        doc = versions_db.document(s, sha256.lower())
        found = [v for v in versions_db.versions(s, territory) if v.sha256 == sha256.lower()]
    if doc is None or not found:
        raise Problem(404, "not-found", f"no {territory} version {sha256[:64]!r}")
    # A stored version never changes (it is addressed by its sha256): cacheable for good, 304 on a match.
    return conditional_response(request, doc, "application/json", IMMUTABLE, vary=None)


def _bearer(request: Request) -> str | None:
    auth = request.headers.get("authorization", "")
    scheme, _, token = auth.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def _upload(svc, territory: str, document: bytes, actor: str) -> dict[str, Any]:
    digest = hashlib.sha256(document).hexdigest()
    label = svc.territory_label(territory)

    def judge():
        # Under the upload lock: judge against the newest state in the database (pins, key rotation and
        # delisting by the GBA list of lists included), not this worker's last poll.
        svc.holder.reload()
        return accept_list(svc.holder.snapshot.state, document, at=datetime.now(timezone.utc), territory=territory)

    try:
        info = versions_db.commit_upload(svc.sessions, judge, actor=actor, audit_key=svc.audit_key)
    except TrustListRejected as exc:
        status, kind = REJECTION_STATUS.get(exc.code, (422, "trust-list-rejected"))
        svc.audit(actor=actor, action="trust-list.upload", outcome="rejected",
                  detail={"territory": territory[:16], "sha256": digest, "code": exc.code, "reason": exc.message[:500]})
        svc.metrics.count_upload(label, exc.code)
        raise Problem(status, kind, exc.message, code=exc.code) from None
    except versions_db.VersionConflict as exc:
        svc.audit(actor=actor, action="trust-list.upload", outcome="rejected",
                  detail={"territory": territory[:16], "sha256": digest, "code": "rollback", "reason": str(exc)})
        svc.metrics.count_upload(label, "rollback")
        raise Problem(409, "rollback", str(exc), code="rollback") from None
    except (OperationalError, DBAPIError) as exc:
        # Nothing was committed (version and audit entry are one transaction): the operator may retry.
        raise Problem(503, "store-unavailable", f"the upload was not stored ({type(exc).__name__}); retry") from None
    notify(svc.engine)
    svc.metrics.count_upload(label, "accepted")
    svc.holder.reload()
    return {"territory": info.territory, "sequence_number": info.sequence_number, "sha256": info.sha256,
            "accepted_at": info.accepted_at, "snapshot_id": svc.holder.store.snapshot_id}


def _refuse_anonymous(svc, request: Request, territory: str, token_presented: bool) -> None:
    """Audit a refused anonymous upload: one row each for the first few per client a minute, then a summary."""
    client = request.client.host if request.client else "unknown"
    individual, summary = svc.refusals.record(client)
    if summary is not None:
        svc.audit(actor="anonymous", action="trust-list.upload", outcome="unauthorized-summary", detail=summary)
    if individual:
        svc.audit(actor="anonymous", action="trust-list.upload", outcome="unauthorized",
                  detail={"territory": territory[:16], "client": client, "token_presented": token_presented})


@router.put("/{territory}", status_code=201, response_model=UploadResponse,
            responses={401: {"description": "No or bad bearer token"},
                       403: {"description": "Operator of another territory, or signer not pinned"},
                       409: {"description": "Sequence number not higher (rollback)"},
                       422: {"description": "Malformed, bad signature, expired"}},
            openapi_extra={"requestBody": {"required": True, "content": {"application/json": {
                "schema": {"type": "object"},
                "example": {"jws": "eyJhbGciOiJFUzI1NiIs...", "trust_list": {"territory": "HK", "sequence_number": 2}}}}}})
async def upload_trust_list(request: Request, territory: str) -> JSONResponse:
    """Scheme-operator upload: bearer token AND a list signed by the key the GBA list of lists pins for the
    territory, with a higher sequence number. Every rejection is audit-logged."""
    svc = request.app.state.svc
    token = _bearer(request)
    op = None
    if token is not None:
        with svc.sessions() as s:
            op = await run_in_threadpool(operators.authenticate, s, token)
    if op is None:
        await run_in_threadpool(_refuse_anonymous, svc, request, territory, token is not None)
        svc.metrics.count_upload(svc.territory_label(territory), "unauthorized")
        raise Problem(401, "unauthorized", "an operator bearer token is required (trustsvc operator add)",
                      headers={"WWW-Authenticate": 'Bearer realm="trustsvc"'})
    actor = f"operator:{op.id}:{op.name}"
    if op.territory != territory:
        await run_in_threadpool(svc.audit, actor=actor, action="trust-list.upload", outcome="forbidden",
                                detail={"territory": territory[:16], "operator_territory": op.territory})
        svc.metrics.count_upload(svc.territory_label(territory), "forbidden")
        raise Problem(403, "forbidden", f"operator {op.name!r} may upload only the {op.territory} list")
    document = await request.body()
    body = await run_in_threadpool(_upload, svc, territory, document, actor)
    return JSONResponse(UploadResponse(**body).model_dump(mode="json"), status_code=201,
                        headers={"Location": f"/v1/trust-lists/{territory}/versions/{body['sha256']}"})


__all__ = ["router"]
