"""A demo PKI and a running `trustsvc tsa serve` for the TSA tests."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import httpx
import pytest

from trustsvc.demo.init import init_demo


@pytest.fixture(scope="package")
def demo(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("tsa-demo")
    init_demo(out, now=datetime.now(timezone.utc) - timedelta(minutes=5))
    return out


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_tsa(demo: Path, ident: str, db: Path, *extra: str) -> tuple[subprocess.Popen, str]:
    """`trustsvc tsa serve` for the demo TSA `ident` on a free port; returns (process, URL) once it answers."""
    port = free_port()
    ca = {"hk-tsa": "hk-ca", "mo-tsa": "mo-ca", "gd-tsa": "gd-ca"}[ident]
    cmd = [str(Path(sys.executable).parent / "trustsvc"), "tsa", "serve", "--cert", str(demo / f"certs/{ident}.pem"),
           "--key", str(demo / f"keys/{ident}.key.pem"), "--chain", str(demo / f"certs/{ca}.pem"),
           "--port", str(port), "--database-url", f"sqlite:///{db}", *extra]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env={**os.environ})
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(proc.stderr.read().decode())
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return proc, url
        except httpx.HTTPError:
            time.sleep(0.2)
    proc.terminate()
    raise RuntimeError("trustsvc tsa serve did not start within 60 s")


@pytest.fixture(scope="package")
def hk_tsa(demo, tmp_path_factory):
    db = tmp_path_factory.mktemp("tsa-db") / "tsa.db"
    proc, url = start_tsa(demo, "hk-tsa", db)
    try:
        yield url, db
    finally:
        proc.terminate()
        proc.wait(timeout=15)
