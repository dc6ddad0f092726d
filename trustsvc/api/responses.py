"""Answer with the JSON report, or as a compact JWS signed by the report key when asked."""

from __future__ import annotations

import hashlib
from datetime import datetime, timezone
from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse, Response

from trustsvc.api.guard import cap_report, capped_json, require_archive_key, wants_archive
from trustsvc.api.problems import Problem

JOSE = "application/jose"


def wants_signed(request: Request) -> bool:
    flag = request.query_params.get("signed", "").lower() in ("1", "true", "yes")
    return flag or JOSE in request.headers.get("accept", "")


def sign_envelope(request: Request, body: dict[str, Any]) -> str:
    svc = request.app.state.svc
    payload = {"iss": "trustsvc", "iat": int(datetime.now(timezone.utc).timestamp()), **body}
    return svc.report_key.sign(payload)


def report_response(request: Request, body: dict[str, Any]) -> Response:
    svc = request.app.state.svc
    svc.metrics.count_verification(body["kind"], str(body["indication"]), body.get("sub_indication"))
    archive = wants_archive(request)
    if not (archive or wants_signed(request)):  # the hot path: one serialisation, capped at <= 1 MiB by default
        return Response(capped_json(body, svc.settings.max_report_bytes), media_type="application/json")
    body = cap_report(body, svc.settings.max_report_bytes)  # <= 1 MiB by default, whatever the input
    jws = sign_envelope(request, body)
    headers = {"X-Report-SHA256": hashlib.sha256(jws.encode()).hexdigest()}
    if archive:  # keep the evidence server-side too: GET /v1/reports/{sha256}
        from trustsvc.store import reports

        if require_archive_key(request) is None:  # checked before verifying too; never store anonymously
            raise Problem(401, "unauthorized", "archive=true needs a platform API key")
        if len(jws) > svc.settings.max_archived_report_bytes:
            raise Problem(413, "report-too-large", f"the signed report is {len(jws)} bytes, over the "
                                                   f"{svc.settings.max_archived_report_bytes}-byte archive limit")
        with svc.sessions() as s:
            digest = reports.archive(s, jws, kind=body["kind"])
        headers["Location"] = f"/v1/reports/{digest}"
    if wants_signed(request):
        return Response(jws, media_type=JOSE, headers=headers)
    return JSONResponse(body, headers=headers)


__all__ = ["JOSE", "report_response", "sign_envelope", "wants_signed"]
