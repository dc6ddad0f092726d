"""FastAPI application factory: routes, problem+json, body limits, metrics, per-worker trust state."""

from __future__ import annotations

import gc
import time
from contextlib import asynccontextmanager
from typing import AsyncIterator

from fastapi import FastAPI
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from trustsvc import __version__, console
from trustsvc.api import openapi, problems
from trustsvc.api.logs import REQUEST_ID_HEADER, access_log, bind_request_id, reset_request_id
from trustsvc.api.problems import Problem
from trustsvc.api.routes_service import router as service_router
from trustsvc.api.routes_trust_lists import router as trust_lists_router
from trustsvc.api.routes_verify import router as verify_router
from trustsvc.api.routes_extend import router as extend_router
from trustsvc.api.service import Service
from trustsvc.api.settings import Settings

DESCRIPTION = """GBA certificate mutual-recognition and trust service.

Verify certificates, signed bids / e-guarantees (CMS, CAdES) and RFC 3161 timestamps against the
Guangdong, Hong Kong and Macao trust lists or through the GBA bridge CA. Every answer is an
EN 319 102-1 report; add `?signed=true` (or `Accept: application/jose`) for a JWS signed by the
service's report key (`/v1/keys`). Errors are RFC 9457 `application/problem+json`.
"""


class LimitsAndMetrics:
    """Pure ASGI middleware: request id (X-Request-ID, bound for the request's log lines), request body limits
    (413 problem), request metrics, one JSON access-log line per request."""

    def __init__(self, app: ASGIApp, fastapi_app: FastAPI) -> None:
        self.app = app
        self.fastapi_app = fastapi_app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        svc: Service = self.fastapi_app.state.svc
        path: str = scope.get("path", "")
        limit = svc.settings.max_batch_bytes if path == "/v1/verify/batch" else svc.settings.max_body_bytes
        started = time.perf_counter()
        rid, token = bind_request_id(dict(scope.get("headers") or []).get(REQUEST_ID_HEADER.encode()))
        rid_header = (REQUEST_ID_HEADER.encode(), rid.encode())
        status = {"code": 500}
        seen = {"n": 0, "over": False, "replaced": False}
        too_large = Problem(413, "body-too-large", f"request body over the {limit}-byte limit")

        async def send_wrapper(message: Message) -> None:
            if seen["replaced"]:
                return  # the app's own answer to a truncated body is dropped; the 413 was sent
            if message["type"] == "http.response.start" and seen["over"]:
                # The body was cut off at the limit; whatever the app made of it, the answer is 413.
                seen["replaced"] = True
                status["code"] = 413
                await problems.problem_response(too_large)(scope, receive, send_with_id)
                return
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
            await send_with_id(message)

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), rid_header]}
            await send(message)

        try:
            declared = dict(scope.get("headers") or []).get(b"content-length")
            if declared is not None:
                try:
                    over = int(declared) > limit
                except ValueError:
                    over = False
                if over:
                    status["code"] = 413
                    await problems.problem_response(too_large)(scope, receive, send_with_id)
                    return

            async def limited_receive() -> Message:
                message = await receive()
                if message["type"] == "http.request":
                    seen["n"] += len(message.get("body", b""))
                    if seen["n"] > limit:
                        seen["over"] = True
                        raise too_large
                return message

            await self.app(scope, limited_receive, send_wrapper)
        finally:
            route = scope.get("route")
            label = getattr(route, "path", None) or "unmatched"
            seconds = time.perf_counter() - started
            svc.metrics.observe_request(scope.get("method", ""), label, status["code"], seconds)
            access_log.info("%s %s %d", scope.get("method", ""), path, status["code"],
                            extra={"method": scope.get("method", ""), "path": path, "route": label,
                                   "status": status["code"], "duration_ms": round(seconds * 1000, 2)})
            reset_request_id(token)


def create_app(settings: Settings | None = None) -> FastAPI:
    """The API for `settings` (default: from TRUSTSVC_* environment variables)."""
    settings = settings or Settings.from_env()
    service = Service(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        service.start()
        # What start-up built (modules, trust state, OpenAPI) lives as long as the worker: moving it out of the
        # collector's generations keeps a full collection of ~150k objects (tens of ms) from stalling requests.
        gc.freeze()
        try:
            yield
        finally:
            service.stop()

    app = FastAPI(title="trustsvc", version=__version__, description=DESCRIPTION, lifespan=lifespan,
                  docs_url=None, redoc_url=None, generate_unique_id_function=openapi.operation_id)
    app.state.svc = service
    problems.install(app)
    openapi.install(app)
    app.include_router(service_router)
    app.include_router(verify_router)
    app.include_router(extend_router)
    app.include_router(trust_lists_router)
    _mount_tsa(app, settings, service)
    console.install(app)
    app.add_middleware(LimitsAndMetrics, fastapi_app=app)
    return app


def _mount_tsa(app: FastAPI, settings: Settings, service: Service) -> None:
    """POST /tsa: an RFC 3161 TSA beside the API when TRUSTSVC_TSA_CERT / _KEY name one; serials in the database."""
    if settings.tsa_cert is None or settings.tsa_key is None:
        return
    from trustsvc.cms.builder import DEMO_TSA_POLICY
    from trustsvc.tsa.app import tsa_routes
    from trustsvc.tsa.authority import TimeStampAuthority, database_serials

    authority = TimeStampAuthority.from_files(settings.tsa_cert, settings.tsa_key, settings.tsa_chain,
                                              policy=settings.tsa_policy or DEMO_TSA_POLICY,
                                              serials=database_serials(service.engine))
    for route in tsa_routes(authority, paths=("/tsa",)):
        app.router.routes.append(route)


__all__ = ["create_app"]
