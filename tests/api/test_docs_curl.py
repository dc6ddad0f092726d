"""docs/api.md's curl block runs as written against a live `trustsvc serve` (what `make run` starts)."""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

pytest.importorskip("trustsvc.validation.certificate", reason="validate_certificate not landed yet")
pytest.importorskip("trustsvc.demo.init", reason="demo init not landed yet")
if not (shutil.which("curl") and shutil.which("jq")):
    pytest.skip("curl and jq are needed", allow_module_level=True)

DOC = Path(__file__).resolve().parents[2] / "docs" / "api.md"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    """`make run`'s flow in a temp dir: demo init, then `trustsvc serve --workers 2` on a free port."""
    cwd = tmp_path_factory.mktemp("run")
    port = _free_port()
    bindir = str(Path(sys.executable).parent)
    env = {**os.environ, "PATH": bindir + os.pathsep + os.environ.get("PATH", ""),
           "TRUSTSVC_DATABASE_URL": "sqlite:///var/trustsvc.db", "TRUSTSVC_DEMO_DIR": "var/demo",
           "TRUSTSVC_POLL_INTERVAL": "0.5",
           # what `make run` adds: the demo HK TSA at POST /tsa
           "TRUSTSVC_TSA_CERT": "var/demo/certs/hk-tsa.pem", "TRUSTSVC_TSA_KEY": "var/demo/keys/hk-tsa.key.pem",
           "TRUSTSVC_TSA_CHAIN": "var/demo/certs/hk-ca.pem"}
    # The demo responder `trustsvc serve` starts goes where the demo certificates point: a free port here.
    subprocess.run(["trustsvc", "demo", "init", "var/demo", "--base-url", f"http://127.0.0.1:{_free_port()}"],
                   cwd=cwd, env=env, check=True, capture_output=True)
    server = subprocess.Popen(["trustsvc", "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", "2",
                               "--log-level", "warning"], cwd=cwd, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 180  # two workers importing on a loaded 2-CPU machine
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        yield cwd, port, env
    finally:
        server.terminate()
        server.wait(timeout=15)


def test_big_batch_from_a_client_that_sends_everything_first(live):
    # httpx writes the whole body before reading: the server must keep draining it while results
    # stream out, or both sides block on full socket buffers.
    cwd, port, _ = live
    leaf = (cwd / "var/demo/certs/mo-leaf.pem").read_text()
    ca = (cwd / "var/demo/certs/mo-ca.pem").read_text()
    line = (json.dumps({"certificate": leaf, "intermediates": [ca], "usage": "e-tendering"}) + "\n").encode()
    n = 1500
    with httpx.stream("POST", f"http://127.0.0.1:{port}/v1/verify/batch", content=line * n,
                      headers={"content-type": "application/x-ndjson"}, timeout=120) as r:
        out = [json.loads(x) for x in r.iter_lines()]
    assert [o["index"] for o in out] == list(range(n))
    assert all(o["indication"] == "PASSED" for o in out)


def _block(doc: Path, name: str, port: int) -> str:
    text = doc.read_text(encoding="utf-8")
    block = re.search(rf"<!-- {name}:begin -->\s*```sh\n(.*?)```\s*<!-- {name}:end -->", text, re.S).group(1)
    return block.replace("127.0.0.1:8000", f"127.0.0.1:{port}")


def test_curl_examples_work_as_written_twice_in_a_row(live):
    cwd, port, env = live
    script = _block(DOC, "curl", port)
    before = set(cwd.iterdir())
    runs = [subprocess.run(["bash", "-c", script], cwd=cwd, env=env, capture_output=True, text=True, timeout=180)
            for _ in range(2)]
    for run in runs:
        assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert set(cwd.iterdir()) == before  # scratch files go to var/tmp, nothing is left beside it
    assert '{"territory":"HK","sequence_number":3}' in runs[1].stdout  # the second upload bumps the list in force
    out = runs[0].stdout
    assert "HK #1 ok" in out and '"indication": "PASSED"' in out
    assert '{"indication":"FAILED","sub_indication":"REVOKED","revocation":[{"status":"good"' in out
    assert '"status":"revoked","reason":"key_compromise","source":"http://127.0.0.1:' in out
    assert "valid signature: certificate report PASSED" in out
    assert '"sub_indication":"FORMAT_FAILURE"' in out and '"index":2,"id":"bid-3","indication":"PASSED"' in out
    assert "TOTAL-PASSED" in out and "TOTAL-FAILED" in out
    assert "401" in out and '{"territory":"HK","sequence_number":2}' in out and '"status":409' in out
    assert "audit log intact" in out


README = DOC.parents[1] / "README.md"


def test_readme_bid_opening_loop_twice_in_a_row(live):
    # sign -> timestamp at the API's TSA -> verify -> a batch of 50 with minutes, as README shows it.
    cwd, port, env = live
    script = _block(README, "bid-opening", port)
    assert len(script.strip().splitlines()) < 10
    for _ in range(2):
        run = subprocess.run(["bash", "-c", script], cwd=cwd, env=env, capture_output=True, text=True, timeout=300)
        assert run.returncode == 1, run.stdout[-3000:] + run.stderr[-3000:]  # verify batch: three late bids
        assert "wrote var/tmp/bid.txt.p7s (detached, timestamped)" in run.stdout
        assert "TOTAL-PASSED" in run.stdout
        assert "50 items: 47 passed, 3 failed, 0 indeterminate" in run.stdout
        assert (cwd / "var/tmp/minutes.pdf").read_bytes().startswith(b"%PDF")


def test_readme_http_block_is_the_docs_block(live):
    _, port, _ = live
    assert _block(README, "curl", port) == _block(DOC, "curl", port)
