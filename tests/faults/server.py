"""A real `trustsvc serve` subprocess on 127.0.0.1 (free port, demo PKI, temp DB) for fault tests, load and bench."""

from __future__ import annotations

import dataclasses
import json
import os
import signal
import socket
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

import httpx

TRUSTSVC = str(Path(sys.executable).parent / "trustsvc")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def ensure_demo(demo: Path) -> dict:
    if not (demo / "pki.json").exists():
        from trustsvc.demo.init import init_demo

        init_demo(demo)
    return json.loads((demo / "pki.json").read_text())


class LiveServer:
    """`trustsvc serve` with TRUSTSVC_* pointing into `root`; only ever binds 127.0.0.1."""

    def __init__(self, root: Path, *, workers: int = 1, database_url: str | None = None, port: int | None = None,
                 env: dict[str, str] | None = None, demo: Path | None = None) -> None:
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        self.workers = workers
        self.database_url = database_url or f"sqlite:///{self.root / 'trustsvc.db'}"
        self.port = port or free_port()
        self.extra_env = env or {}
        self.proc: subprocess.Popen | None = None
        self.demo = Path(demo) if demo is not None else self.root / "demo"
        self.index = ensure_demo(self.demo)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update({"TRUSTSVC_DATABASE_URL": self.database_url, "TRUSTSVC_DEMO_DIR": str(self.demo),
                    "TRUSTSVC_DATA_DIR": str(self.root / "data"), "TRUSTSVC_POLL_INTERVAL": "0.5"})
        env.update(self.extra_env)
        return env

    def start(self, timeout: float = 60.0) -> "LiveServer":
        log = open(self.root / f"server-{self.port}.log", "ab")
        self.proc = subprocess.Popen([TRUSTSVC, "serve", "--host", "127.0.0.1", "--port", str(self.port),
                                      "--workers", str(self.workers), "--log-level", "warning"],
                                     env=self.env(), stdout=log, stderr=log, start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited with {self.proc.returncode}; see {log.name}")
            try:
                if httpx.get(self.url + "/healthz", timeout=1.0).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise RuntimeError("server did not come up")

    def pids(self) -> list[int]:
        """The server process and all its descendants (uvicorn's supervisor, workers), read from /proc."""
        if self.proc is None:
            return []
        children: dict[int, list[int]] = {}
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                # Fields after the ")" closing the command name: state, ppid, ... (proc(5)).
                ppid = int(stat.read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(stat.parent.name))
        out, todo = [], [self.proc.pid]
        while todo:
            pid = todo.pop()
            out.append(pid)
            todo.extend(children.get(pid, ()))
        return out

    def rss_mib(self) -> float:
        """Resident memory of the server and its workers, MiB."""
        total = 0
        for pid in self.pids():
            try:
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1]) * 1024
            except OSError:
                pass
        return total / 2**20

    def kill9(self) -> None:
        """SIGKILL the whole server (its own process group only)."""
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(5)

    def __enter__(self) -> "LiveServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # --- helpers -----------------------------------------------------------------------------
    def operator_token(self, territory: str = "HK") -> str:
        out = subprocess.run([TRUSTSVC, "operator", "add", territory, f"{territory} load operator"], env=self.env(),
                             capture_output=True, text=True, check=True)
        return out.stdout.strip().splitlines()[0]

    def next_list(self, territory: str = "HK", bump: int = 1) -> bytes:
        """The demo's `territory` list re-signed by its operator with sequence number + `bump`."""
        from trustsvc.trustlist.jws import SigningKey, parse_signed, sign_list
        from trustsvc.x509 import load_certificate

        lists = self.index["trust_lists"]["lists"]
        current = parse_signed((self.demo / lists[territory]).read_bytes()).trust_list
        op = {"HK": "hk-operator", "MO": "mo-operator", "CN-GD": "gd-operator"}[territory]
        ent = self.index["entities"][op]
        key = SigningKey.from_pem((self.demo / ent["key"]).read_bytes())
        cert = load_certificate((self.demo / ent["cert"]).read_bytes())
        now = datetime.now(timezone.utc).replace(microsecond=0)
        tl = dataclasses.replace(current, sequence_number=current.sequence_number + bump, issued_at=now)
        return sign_list(tl, key, cert)
