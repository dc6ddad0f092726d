"""The console: server-rendered pages for people, and the API docs, served with no CDN."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import fastapi_offline
from fastapi import FastAPI
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles

from trustsvc.console.pages import router

STATIC = Path(__file__).parent / "static"
# Swagger UI and ReDoc bundles as packaged by fastapi-offline: offline GBA networks cannot reach a CDN.
DOCS_ASSETS = Path(fastapi_offline.__file__).parent / "static"
# ReDoc's sidebar shows Redocly's logo from their CDN; the offline copy points it at the local favicon.
REDOC_CDN_LOGO = b'src:"https://cdn.redoc.ly/redoc/logo-mini.svg"'


@cache
def _redoc_bundle() -> bytes:
    return (DOCS_ASSETS / "redoc.standalone.js").read_bytes().replace(REDOC_CDN_LOGO, b'src:"/docs-assets/favicon.png"')


def install(app: FastAPI) -> None:
    """Mount the console pages, their assets, and offline /docs and /redoc on `app` (created with docs_url=None)."""
    app.mount("/console/static", StaticFiles(directory=STATIC), name="console-static")
    @app.get("/docs-assets/redoc-offline.js", include_in_schema=False)
    def redoc_bundle() -> Response:
        return Response(_redoc_bundle(), media_type="text/javascript", headers={"Cache-Control": "max-age=86400"})

    app.mount("/docs-assets", StaticFiles(directory=DOCS_ASSETS), name="docs-assets")
    app.include_router(router)
    title = app.title

    @app.get("/docs", include_in_schema=False)
    def swagger_ui() -> HTMLResponse:
        return get_swagger_ui_html(openapi_url=app.openapi_url or "/openapi.json", title=f"{title} — Swagger UI",
                                   swagger_js_url="/docs-assets/swagger-ui-bundle.js",
                                   swagger_css_url="/docs-assets/swagger-ui.css",
                                   swagger_favicon_url="/docs-assets/favicon.png")

    @app.get("/redoc", include_in_schema=False)
    def redoc() -> HTMLResponse:
        return get_redoc_html(openapi_url=app.openapi_url or "/openapi.json", title=f"{title} — ReDoc",
                              redoc_js_url="/docs-assets/redoc-offline.js",
                              redoc_favicon_url="/docs-assets/favicon.png", with_google_fonts=False)


__all__ = ["install"]
