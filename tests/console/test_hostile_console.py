"""The console's verify page and bid opening run under the same per-request time / CPU limits and client-gone
cancellation as the API (they ran unlimited in the thread pool), and a ZIP of bids is bounded when unpacked."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from trustsvc.api.app import create_app
from trustsvc.api.settings import Settings


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    from trustsvc.demo.init import init_demo

    out = tmp_path_factory.mktemp("console-hostile-demo")
    init_demo(out)
    return out


def _client(demo: Path, tmp: Path, **kw) -> TestClient:
    settings = Settings(database_url=f"sqlite:///{tmp / 't.db'}", demo_dir=demo, data_dir=tmp, poll_interval=0, **kw)
    return TestClient(create_app(settings), raise_server_exceptions=False)


def test_console_verify_runs_under_the_request_cpu_limit(demo, tmp_path):
    files = [("file", ("leaf.pem", (demo / "certs" / "mo-leaf.pem").read_bytes())),
             ("intermediates", ("ca.pem", (demo / "certs" / "mo-ca.pem").read_bytes()))]
    with _client(demo, tmp_path, verify_cpu_seconds=1e-9) as c:  # every budget point is over the limit
        r = c.post("/verify", data={"usage": "e-tendering"}, files=files)
        assert r.status_code == 200 and 'id="indication">PASSED' not in r.text
        assert "CPU-time limit" in r.text


def test_a_zip_bomb_of_bids_is_refused_not_unpacked(demo, tmp_path):
    from trustsvc.console.pages import MAX_UNZIPPED_BYTES

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for i in range(MAX_UNZIPPED_BYTES // (8 * 1024 * 1024) + 1):  # 8 MB of zeros each: ~8 KB compressed
            z.writestr(f"bid{i}.p7s", b"\0" * (8 * 1024 * 1024))
    with _client(demo, tmp_path) as c:
        r = c.post("/opening", files=[("bids", ("bids.zip", buf.getvalue()))])
        assert r.status_code == 422 and "ZIP" in r.text, r.text[:300]
