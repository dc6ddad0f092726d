"""`POST /v1/verify/batch?minutes=html|pdf`: the same batch answered with the minutes of the opening."""

from __future__ import annotations

import base64
import json
from datetime import datetime, timedelta, timezone

import pytest
from fastapi.testclient import TestClient

from trustsvc.api.app import create_app
from trustsvc.api.settings import Settings
from trustsvc.demo.init import init_demo
from trustsvc.demo.opening import write_opening

DEADLINE = datetime.now(timezone.utc).replace(microsecond=0, second=0) - timedelta(minutes=30)


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    root = tmp_path_factory.mktemp("api-minutes")
    init_demo(root / "demo", now=DEADLINE - timedelta(hours=6))
    write_opening(root / "demo", root / "bids", 11, deadline=DEADLINE, late=1)
    lines = []
    for sig in sorted((root / "bids").glob("*.p7s")):
        lines.append(json.dumps({"id": sig.stem, "type": "signature",
                                 "signature": base64.b64encode(sig.read_bytes()).decode(),
                                 "content": base64.b64encode(sig.with_suffix(".txt").read_bytes()).decode()}))
    body = ("\n".join(lines) + "\nnot json\n").encode()
    settings = Settings(database_url=f"sqlite:///{root / 'db.sqlite'}", demo_dir=root / "demo", data_dir=root,
                        platform_timezone="Asia/Shanghai", verify_timeout=600, verify_cpu_seconds=600)  # a loaded CI machine
    with TestClient(create_app(settings)) as c:
        yield c, body


def test_minutes_as_html_in_traditional_chinese(client):
    c, body = client
    deadline = DEADLINE.astimezone(timezone(timedelta(hours=8))).replace(tzinfo=None).isoformat()
    r = c.post("/v1/verify/batch", params={"minutes": "html", "lang": "zh-Hant", "tender_id": "GD-2026-0001",
                                           "usage": "e-tendering", "deadline": deadline},
               content=body, headers={"Content-Type": "application/x-ndjson"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html"), r.text[:300]
    page = r.text
    assert "開標記錄" in page and "GD-2026-0001" in page and "香港示範工程有限公司" in page
    assert "10 通過" in page and "2 未通過" in page  # one late bid, one line that is not JSON
    assert "SIG_CONSTRAINTS_FAILURE" in page and "FORMAT_FAILURE" in page


def test_minutes_as_pdf(client):
    c, body = client
    r = c.post("/v1/verify/batch?minutes=pdf&lang=en&deadline=2030-01-01T00:00:00Z", content=body,
               headers={"Content-Type": "application/x-ndjson"})
    assert r.status_code == 200 and r.headers["content-type"] == "application/pdf"
    assert r.content.startswith(b"%PDF") and len(r.content) > 10_000


def test_bad_minutes_format_and_naive_deadline_are_422(client):
    c, body = client
    assert c.post("/v1/verify/batch?minutes=docx", content=body).status_code == 422
    r = c.post("/v1/verify/batch?minutes=html&deadline=2026-12-05T07:00:00", content=body)
    assert r.status_code == 200  # the platform zone is configured: read as Beijing time
