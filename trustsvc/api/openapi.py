"""The OpenAPI document's error and security contract: stable operation ids, the problem+json answers each
operation really gives, and the bearer schemes of the routes that take an API key.

The routes say what they answer on success; this module says, in one table, how each one fails (RFC 9457
problem details, `api/problems.py`) and who may call it. Documentation only: authentication stays where it is
enforced (`api/guard.py` for platform keys, `routes_trust_lists.py` for operator tokens), and no answer changes.
A test holds the table to the routes: an operation without an entry fails it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi.security import APIKeyHeader, HTTPBearer

from trustsvc.api.problems import MEDIA_TYPE, ProblemDetails

__all__ = ["OPERATION_PROBLEMS", "install", "operation_id"]

# Stable ids for code generators: the route function's name in lowerCamelCase, except where the name alone
# would not say what the operation is about.
_RENAMED = {
    "healthz": "getHealth", "readyz": "getReadiness", "metrics": "getMetrics", "keys": "getReportKeys",
    "archived_report": "getArchivedReport", "extend": "extendSignature", "list_versions": "listTrustListVersions",
    "get_version": "getTrustListVersion",
}


def operation_id(route: APIRoute) -> str:
    """The route's operationId (`generate_unique_id_function` of the app)."""
    if route.name in _RENAMED:
        return _RENAMED[route.name]
    head, *rest = route.name.split("_")
    return head + "".join(word.capitalize() for word in rest)


_BODY = {413: "The request body is over the size limit (TRUSTSVC_MAX_BODY_BYTES / _MAX_BATCH_BYTES)"}
_VERIFY = {
    400: "The body is not JSON, or the multipart form cannot be read",
    401: "`?archive=true` without a platform API key",
    406: "The ETSI TS 119 102-2 XML report was asked for but cannot be made in this build",
    **_BODY,
    422: "A field is invalid: a certificate, signature, token or time that cannot be read (FORMAT_FAILURE)",
    503: "The verification is not available in this build, or the archive database is unreachable",
}
_DATABASE = {503: "The database is unreachable (Retry-After)"}

# operationId -> {status: when}. Every operation also documents 500 (a bug: logged, never a traceback).
OPERATION_PROBLEMS: dict[str, dict[int, str]] = {
    "verifyCertificate": _VERIFY,
    "verifySignature": _VERIFY,
    "verifyTimestamp": _VERIFY,
    "verifyBatch": {**_BODY, 422: "`?minutes=` with invalid parameters or items",
                    503: "The minutes (PDF) cannot be made in this build"},
    "extendSignature": {400: "The body is not JSON", **_BODY,
                        422: "A field is invalid, or the signature cannot be extended"},
    "listTrustLists": {},
    "getTrustList": {404: "No accepted list for the territory", 406: "Accept names neither JSON nor TS 119 612 XML"},
    "listTrustListVersions": {404: "No versions for the territory", 422: "Invalid path parameter", **_DATABASE},
    "getTrustListVersion": {404: "No such version of the territory's list", 422: "Invalid path parameter",
                            **_DATABASE},
    "uploadTrustList": {401: "No operator bearer token, or an unknown one",
                        403: "Operator of another territory, or the list is not signed by the pinned key",
                        409: "The sequence number is not higher than the current one (rollback)", **_BODY,
                        422: "Malformed, bad signature, signer not valid, not yet issued or expired",
                        503: "The store is unavailable; nothing was committed, retry"},
    "getHealth": {},
    "getReadiness": {503: "Not ready: the failed checks are in `checks`"},
    "getMetrics": {},
    "getReportKeys": {},
    "getArchivedReport": {404: "No archived report with this sha256", 422: "Invalid path parameter", **_DATABASE},
}

OPERATOR = "operatorBearer"
PLATFORM = "platformBearer"
PLATFORM_HEADER = "platformApiKey"
_SCHEMES = {
    OPERATOR: HTTPBearer(scheme_name=OPERATOR, description="A scheme operator's token (`trustsvc operator add`); "
                                                           "uploads only, for the operator's own territory."),
    PLATFORM: HTTPBearer(scheme_name=PLATFORM, description="A relying platform's API key (TRUSTSVC_API_KEYS); "
                                                           "needed only for `?archive=true`."),
    PLATFORM_HEADER: APIKeyHeader(name="X-API-Key", scheme_name=PLATFORM_HEADER,
                                  description="The same platform API key as a header."),
}
# operationId -> OpenAPI security requirements; `{}` first makes the key optional (OpenAPI
# Security Requirement Object: an empty one means no authentication).
_SECURITY: dict[str, list[dict[str, list[str]]]] = {
    "uploadTrustList": [{OPERATOR: []}],
    **{op: [{}, {PLATFORM: []}, {PLATFORM_HEADER: []}]
       for op in ("verifyCertificate", "verifySignature", "verifyTimestamp")},
}
_PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}
_VALIDATION_SCHEMAS = ("HTTPValidationError", "ValidationError")


def _problem_responses(operation: dict[str, Any], problems: Mapping[int, str], has_body: bool) -> None:
    responses = operation.setdefault("responses", {})
    codes = {**(_BODY if has_body else {}), **problems, 500: "Internal error (logged; never a traceback)"}
    for code, when in sorted(codes.items()):
        answer = responses.setdefault(str(code), {})
        answer.setdefault("description", when)
        # FastAPI documents its own 422 as application/json HTTPValidationError; the app answers problem+json.
        answer["content"] = {MEDIA_TYPE: {"schema": _PROBLEM_REF}}
    for code, answer in responses.items():
        if code[:1] in "45" and MEDIA_TYPE not in answer.get("content", {}):
            answer["content"] = {MEDIA_TYPE: {"schema": _PROBLEM_REF}}


def _post_process(schema: dict[str, Any]) -> None:
    components = schema.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    schemas["Problem"] = ProblemDetails.model_json_schema(ref_template="#/components/schemas/{model}")
    components["securitySchemes"] = {name: s.model.model_dump(mode="json", by_alias=True, exclude_none=True)
                                     for name, s in _SCHEMES.items()}
    for operations in schema.get("paths", {}).values():
        for method, operation in operations.items():
            op_id = operation.get("operationId", "")
            has_body = method in ("post", "put", "patch")
            _problem_responses(operation, OPERATION_PROBLEMS.get(op_id, {}), has_body)
            if op_id in _SECURITY:
                operation["security"] = _SECURITY[op_id]
    text = repr(schema.get("paths"))
    for name in _VALIDATION_SCHEMAS:
        if f"#/components/schemas/{name}" not in text:
            schemas.pop(name, None)


def install(app: FastAPI) -> None:
    """Wrap `app.openapi` so the document it builds (once) carries the problem and security contract."""
    build: Callable[[], dict[str, Any]] = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            _post_process(build())
        return app.openapi_schema  # type: ignore[return-value]

    app.openapi = openapi  # type: ignore[method-assign]
