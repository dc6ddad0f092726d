"""GET /healthz, /readyz, /metrics, /v1/keys."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response

from trustsvc.api.metrics import CONTENT_TYPE as METRICS_CONTENT_TYPE
from trustsvc.api.problems import MEDIA_TYPE, Problem
from trustsvc.store import db
from trustsvc.trustlist.loader import list_health

router = APIRouter(tags=["service"])


@router.get("/healthz")
def healthz() -> dict[str, str]:
    """Liveness: the process answers."""
    return {"status": "ok"}


@router.get("/readyz", responses={503: {"description": "Not ready (problem+json with the failed checks)"}})
def readyz(request: Request) -> JSONResponse:
    """Readiness: database reachable, every list named by the GBA list of lists loaded and not past next_update."""
    svc = request.app.state.svc
    checks: dict[str, Any] = {}
    try:
        db.ping(svc.engine)
        checks["database"] = "ok"
    except Exception as exc:
        checks["database"] = f"unreachable: {type(exc).__name__}"
    snap = svc.holder.snapshot
    now = datetime.now(timezone.utc)
    lists = snap.store.lists
    lotl = lists.get("GBA")
    expected = {p.territory for p in lotl.trust_list.pointers} | {"GBA"} if lotl else {"GBA"}
    for t in sorted(expected | set(lists)):
        if t not in lists:
            checks[f"trust_list:{t}"] = "missing"
        else:
            h = list_health(lists[t], at=now)
            checks[f"trust_list:{t}"] = "ok" if h.status == "ok" else f"{h.status}: {h.message}"
    for i, p in enumerate(snap.problems):
        checks[f"stored_version_refused:{i}"] = p
    ok = all(v == "ok" for v in checks.values())
    body = {"status": "ready" if ok else "not-ready", "snapshot_id": snap.store.snapshot_id, "checks": checks}
    if ok:
        return JSONResponse(body)
    p = Problem(503, "not-ready", "; ".join(f"{k}: {v}" for k, v in checks.items() if v != "ok")[:1000],
                checks=checks, snapshot_id=snap.store.snapshot_id)
    return JSONResponse(p.body("/readyz"), status_code=503, media_type=MEDIA_TYPE)


@router.get("/metrics", response_class=PlainTextResponse)
def metrics(request: Request) -> PlainTextResponse:
    """Prometheus text format; under `trustsvc serve --workers N`, counters are summed over all workers."""
    return PlainTextResponse(request.app.state.svc.metrics.render(), media_type=METRICS_CONTENT_TYPE)


class JWKSResponse(JSONResponse):
    media_type = "application/jwk-set+json"  # RFC 7517 8.5.1


@router.get("/v1/keys", response_class=JWKSResponse)
def keys(request: Request) -> JWKSResponse:
    """JWKS (RFC 7517) of the report-signing key: verify signed reports with it (`trustsvc report verify`)."""
    return JWKSResponse(request.app.state.svc.report_key.jwks())


@router.get("/v1/reports/{sha256}", responses={200: {"content": {"application/jose": {}}}})
def archived_report(request: Request, sha256: str) -> Response:
    """A report archived with `?archive=true`, as the signed compact JWS."""
    from trustsvc.store import reports

    with request.app.state.svc.sessions() as s:
        jws = reports.fetch(s, sha256.lower()[:64])
    if jws is None:
        raise Problem(404, "not-found", f"no archived report {sha256[:64]!r}")
    return Response(jws, media_type="application/jose")


__all__ = ["router"]
