"""Benchmark the batch endpoint: a bid opening of N certificate items through a live `trustsvc serve`.

Usage: python tools/bench/service_batch.py [N ...]   (default 200 1000 5000)
Prints items/s and the server's peak RSS per run, to show throughput and that memory does not
grow with the batch (results stream out while items stream in).
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def main(sizes: list[int]) -> None:
    work = Path(tempfile.mkdtemp(prefix="trustsvc-bench-"))
    exe = str(Path(sys.executable).parent / "trustsvc")
    subprocess.run([exe, "demo", "init", str(work / "demo")], check=True, capture_output=True)
    env = {**os.environ, "TRUSTSVC_DATABASE_URL": f"sqlite:///{work / 'db.sqlite'}",
           "TRUSTSVC_DEMO_DIR": str(work / "demo"), "TRUSTSVC_DATA_DIR": str(work)}
    pems = {n: (work / "demo" / "certs" / f"{n}.pem").read_text() for n in
            ("hk-leaf", "hk-ca", "gd-leaf", "gd-ca", "mo-leaf", "mo-ca")}
    items = [{"type": "certificate", "certificate": pems[f"{t}-leaf"], "intermediates": [pems[f"{t}-ca"]],
              "usage": "e-tendering"} for t in ("hk", "gd", "mo")]
    port = _port()
    server = subprocess.Popen([exe, "serve", "--port", str(port), "--log-level", "warning"], env=env)
    try:
        for _ in range(100):
            try:
                if httpx.get(f"http://127.0.0.1:{port}/readyz").status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        print("| items | seconds | items/s | server peak RSS (MiB) |\n|---|---|---|---|")
        for n in sizes:
            def body():
                for i in range(n):
                    yield (json.dumps({"id": i, **items[i % 3]}) + "\n").encode()
            t0 = time.perf_counter()
            passed = 0
            with httpx.stream("POST", f"http://127.0.0.1:{port}/v1/verify/batch", content=body(),
                              headers={"content-type": "application/x-ndjson"}, timeout=600) as r:
                for line in r.iter_lines():
                    passed += json.loads(line).get("indication") == "PASSED"
            dt = time.perf_counter() - t0
            print(f"| {n} | {dt:.2f} | {n / dt:.0f} | {_rss_kib(server.pid) / 1024:.0f} | ({passed} PASSED)")
    finally:
        server.terminate()
        server.wait(timeout=15)


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [200, 1000, 5000])
