"""/metrics under `trustsvc serve --workers 2`: counters are the sum over both workers, whichever answers."""

from __future__ import annotations

import re

import httpx
import pytest

from tests.faults.server import LiveServer

pytestmark = pytest.mark.slow


def _healthz_count(text: str) -> float:
    m = re.search(r'^trustsvc_http_requests_total\{method="GET",route="/healthz",status="200"\} (\S+)$', text, re.M)
    return float(m.group(1)) if m else 0.0


def test_two_workers_report_every_request(tmp_path):
    server = LiveServer(tmp_path / "srv", workers=2).start()
    try:
        before = _healthz_count(httpx.get(server.url + "/metrics", timeout=30).text)
        n = 40
        # New connections each time, so the kernel spreads them over both workers' accept queues.
        for _ in range(n):
            assert httpx.get(server.url + "/healthz", timeout=30).status_code == 200
        seen_pids = set()
        for _ in range(12):
            text = httpx.get(server.url + "/metrics", timeout=30).text
            assert _healthz_count(text) == before + n, text[:2000]
            seen_pids.update(re.findall(r'^trustsvc_process_resident_memory_bytes\{pid="(\d+)"\}', text, re.M))
        # process metrics are there for both live workers, whichever answered
        assert len(seen_pids) == 2, seen_pids
    finally:
        server.stop()
