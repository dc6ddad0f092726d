"""schemathesis against the app's own OpenAPI spec, in process (ASGI): no 5xx, responses match the schema.

Bounded: `max_examples=15` per operation. The streaming batch endpoint answers NDJSON, so only the
no-server-error check applies to it.
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
from pathlib import Path

import pytest

schemathesis = pytest.importorskip("schemathesis")
from hypothesis import HealthCheck, settings  # noqa: E402
from schemathesis.checks import not_a_server_error  # noqa: E402
from schemathesis.specs.openapi.checks import (  # noqa: E402
    content_type_conformance,
    response_schema_conformance,
)

from trustsvc.api.app import create_app  # noqa: E402
from trustsvc.api.settings import Settings  # noqa: E402
from trustsvc.demo.init import init_demo  # noqa: E402


# schemathesis loads the schema (and runs the app's lifespan: migrate + import the demo trust lists) at
# collection time, so the demo PKI is generated here, into a per-process temp dir removed at exit.
_ROOT = Path(tempfile.mkdtemp(prefix="trustsvc-openapi-"))
atexit.register(shutil.rmtree, _ROOT, ignore_errors=True)
init_demo(_ROOT / "demo")
APP = create_app(Settings(database_url=f"sqlite:///{_ROOT / 'trustsvc.db'}", demo_dir=_ROOT / "demo",
                          data_dir=_ROOT / "data", poll_interval=60.0, batch_concurrency=2))
APP.state.svc.start()  # once: the ASGI transport runs a lifespan per call, and Service.stop() is final
atexit.register(APP.state.svc.stop)


async def _app_without_lifespan(scope, receive, send):
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            kind = message["type"].rsplit(".", 1)[-1]
            await send({"type": f"lifespan.{kind}.complete"})
            if kind == "shutdown":
                return
    await APP(scope, receive, send)


schema = schemathesis.openapi.from_asgi("/openapi.json", _app_without_lifespan)


@schemathesis.serializer("application/x-ndjson")
def _ndjson(ctx, value) -> bytes:
    # The batch body is a string in the spec; anything else goes as one JSON line per item.
    import json

    if isinstance(value, str):
        return value.encode("utf-8", "surrogatepass")
    items = value if isinstance(value, list) else [value]
    return b"".join(json.dumps(v).encode() + b"\n" for v in items)


@schema.parametrize()
@settings(max_examples=15, deadline=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
def test_openapi_no_server_errors_and_schema_conformance(case):
    response = case.call()
    assert response.status_code < 500, f"{case.method} {case.formatted_path}: {response.status_code} {response.text[:300]}"
    if case.path == "/v1/verify/batch":
        case.validate_response(response, checks=[not_a_server_error])
    else:
        case.validate_response(response, checks=[not_a_server_error, response_schema_conformance,
                                                 content_type_conformance])


def test_keys_content_type_is_documented():
    # Found by schemathesis (undocumented content type); fixed by the service owner in 6d2b154.
    spec = APP.openapi()
    assert "application/jwk-set+json" in spec["paths"]["/v1/keys"]["get"]["responses"]["200"]["content"]
