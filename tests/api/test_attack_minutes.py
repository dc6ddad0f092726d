"""`?minutes=html|pdf` holds every item and result until the document is rendered: its body is bounded by the
single-request limit, not the streamed batch's 512 MB (an anonymous caller could make a worker hold it all)."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient

from trustsvc.api.app import create_app


def _body(items: int) -> bytes:
    line = json.dumps({"type": "certificate", "certificate": "A" * 1000})
    return ("\n".join([line] * items) + "\n").encode()


def test_minutes_over_the_single_request_limit_are_413_while_ndjson_streams(make_settings):
    settings = make_settings(max_body_bytes=64 * 1024)
    with TestClient(create_app(settings), raise_server_exceptions=False) as c:
        body = _body(200)  # ~200 KB: within the batch limit, over the single-request one
        r = c.post("/v1/verify/batch?minutes=html", content=body, headers={"content-type": "application/x-ndjson"})
        assert r.status_code == 413 and r.headers["content-type"].startswith("application/problem+json"), r.text[:300]
        assert "minutes" in r.json()["detail"]
        r = c.post("/v1/verify/batch", content=body, headers={"content-type": "application/x-ndjson"})
        assert r.status_code == 200 and len(r.text.splitlines()) == 200
        small = c.post("/v1/verify/batch?minutes=html", content=_body(3), headers={"content-type": "application/x-ndjson"})
        assert small.status_code == 200 and small.headers["content-type"].startswith("text/html"), small.text[:300]
