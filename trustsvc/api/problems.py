"""RFC 9457 problem details: one exception type, one stable `type` URI per cause, and the handlers."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as SQLAlchemyTimeoutError
from starlette.exceptions import HTTPException as StarletteHTTPException

log = logging.getLogger(__name__)

PROBLEM_BASE = "https://trustsvc.example/problems/"
MEDIA_TYPE = "application/problem+json"

TITLES = {
    "invalid-request": "The request is not valid",
    "invalid-json": "The request body is not valid JSON",
    "invalid-certificate": "The certificate could not be read",
    "invalid-signature-data": "The signature could not be read",
    "invalid-timestamp": "The timestamp token could not be read",
    "body-too-large": "The request body is too large",
    "unauthorized": "A valid operator bearer token is required",
    "forbidden": "The operator may not do this",
    "trust-list-rejected": "The trust list was rejected",
    "unpinned-signer": "The trust list is not signed by the territory's pinned operator key",
    "rollback": "The trust list does not have a higher sequence number",
    "not-found": "Not found",
    "method-not-allowed": "Method not allowed",
    "not-acceptable": "Not acceptable",
    "unsupported-media-type": "Unsupported media type",
    "not-available": "This verification is not available in this build",
    "not-ready": "The service is not ready",
    "database-unavailable": "The database is unavailable",
    "internal-error": "Internal error",
}


class ProblemDetails(BaseModel):
    """The body of every error answer (RFC 9457 3.1), as OpenAPI documents it; extension members allowed."""

    model_config = ConfigDict(extra="allow", title="Problem",
                              json_schema_extra={"example": {
                                  "type": PROBLEM_BASE + "invalid-certificate",
                                  "title": "The certificate could not be read", "status": 422,
                                  "detail": "certificate: not a certificate (DER, PEM or base64)",
                                  "instance": "/v1/verify/certificate", "sub_indication": "FORMAT_FAILURE"}})

    type: str = Field(description="A URI naming the cause: " + PROBLEM_BASE + "<kind>.")
    title: str = Field(description="The cause in words; the same for every problem of one type.")
    status: int = Field(ge=400, le=599, description="The HTTP status code of the answer.")
    detail: str = Field(description="What was wrong with this request.")
    instance: str | None = Field(default=None, description="The request path.")
    errors: list[dict[str, str]] | None = Field(default=None, description="Each invalid field: location, message.")
    sub_indication: str | None = Field(default=None, description="EN 319 102-1 sub-indication, for unreadable input.")
    code: str | None = Field(default=None, description="The trust-list rejection code (uploads).")


class Problem(Exception):
    """Raise anywhere in the API to answer with problem+json."""

    def __init__(self, status: int, kind: str, detail: str, *, headers: dict[str, str] | None = None,
                 **extensions: Any) -> None:
        super().__init__(detail)
        self.status = status
        self.kind = kind
        self.detail = detail
        self.headers = headers
        self.extensions = extensions

    def body(self, instance: str | None = None) -> dict[str, Any]:
        out: dict[str, Any] = {"type": PROBLEM_BASE + self.kind, "title": TITLES.get(self.kind, self.kind),
                               "status": self.status, "detail": self.detail}
        if instance:
            out["instance"] = instance
        out.update(self.extensions)
        return out


def problem_response(p: Problem, request: Request | None = None) -> JSONResponse:
    return JSONResponse(p.body(request.url.path if request is not None else None), status_code=p.status,
                        media_type=MEDIA_TYPE, headers=p.headers)


_HTTP_KINDS = {400: "invalid-request", 401: "unauthorized", 403: "forbidden", 404: "not-found",
               405: "method-not-allowed", 406: "not-acceptable", 413: "body-too-large",
               415: "unsupported-media-type", 422: "invalid-request", 503: "not-ready"}


def install(app: FastAPI) -> None:
    @app.exception_handler(Problem)
    async def _problem(request: Request, exc: Problem) -> JSONResponse:
        return problem_response(exc, request)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = []
        for e in exc.errors()[:20]:
            loc = ".".join(str(x) for x in e.get("loc", ()))
            errors.append({"location": loc, "message": str(e.get("msg", ""))[:300]})
        json_error = any(e.get("type") == "json_invalid" for e in exc.errors())
        kind = "invalid-json" if json_error else "invalid-request"
        detail = "; ".join(f"{e['location']}: {e['message']}" for e in errors[:5]) or "invalid request"
        return problem_response(Problem(400 if json_error else 422, kind, detail, errors=errors), request)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        kind = _HTTP_KINDS.get(exc.status_code, "invalid-request")
        return problem_response(Problem(exc.status_code, kind, str(exc.detail),
                                        headers=getattr(exc, "headers", None)), request)

    @app.exception_handler(OperationalError)
    @app.exception_handler(InterfaceError)
    @app.exception_handler(SQLAlchemyTimeoutError)
    async def _database_down(request: Request, exc: Exception) -> JSONResponse:
        # Connection refused / dropped / pool exhausted: a transient condition of the service, not a bug.
        log.warning("database unavailable on %s %s: %s", request.method, request.url.path, type(exc).__name__)
        return problem_response(Problem(503, "database-unavailable", "the database is unreachable; retry shortly",
                                        headers={"Retry-After": "5"}), request)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        # Last line of defence: log the bug, never leak a traceback. Root causes get fixed, not hidden.
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return problem_response(Problem(500, "internal-error", "an internal error occurred; it has been logged"),
                                request)


__all__ = ["MEDIA_TYPE", "PROBLEM_BASE", "Problem", "ProblemDetails", "install", "problem_response"]
