"""HTTP certificate verify vs the framework ceiling, in one run (ratios, never absolute times across runs).

    python tools/bench/http_verify.py [--requests 2000] [--concurrency 16] [--clients 2] [--out docs/benchmarks/http.md]

Starts on free 127.0.0.1 ports, one after the other:
  (a) `trustsvc serve` (uvicorn, `trustsvc.api.app:create_app`, demo PKI + SQLite in a temp dir), 1 and 2 workers;
  (b) a FastAPI app with one constant-response `POST /v1/verify/certificate` that reads the body (the ceiling),
      1 and 2 workers.
Drives `POST /v1/verify/certificate` (demo hk-leaf + hk-ca, usage e-tendering, trust lists) with `--clients`
processes of asyncio httpx, `--concurrency` requests in flight in total, `--requests` per server after a
warm-up; prints req/s, p50/p99 and the ratio to the ceiling with the same worker count; writes the markdown.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing as mp
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.faults.server import LiveServer, free_port  # noqa: E402

CEILING_APP = '''
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

BODY = {"kind": "certificate", "indication": "PASSED", "sub_indication": None, "snapshot_id": "0" * 64,
        "checked_at": "2026-01-01T00:00:00Z", "report": {}}


def create_app() -> FastAPI:
    app = FastAPI()

    @app.post("/v1/verify/certificate")
    async def constant(request: Request) -> JSONResponse:
        await request.body()
        return JSONResponse(BODY)

    @app.get("/healthz")
    def healthz() -> dict:
        return {"status": "ok"}

    return app
'''


def _client(url: str, bodies: list[bytes], n: int, concurrency: int, q) -> None:
    async def run() -> list[float]:
        lat: list[float] = []
        errors = 0
        sem_n = iter(range(n))
        async with httpx.AsyncClient(base_url=url, timeout=120.0,
                                     limits=httpx.Limits(max_connections=concurrency)) as c:
            async def worker() -> None:
                nonlocal errors
                for i in sem_n:
                    t = time.perf_counter()
                    r = await c.post("/v1/verify/certificate", content=bodies[i % len(bodies)],
                                     headers={"content-type": "application/json"})
                    lat.append(time.perf_counter() - t)
                    if r.status_code != 200 or r.json().get("indication") != "PASSED":
                        errors += 1
            await asyncio.gather(*(worker() for _ in range(concurrency)))
        return lat, errors

    q.put(asyncio.run(run()))


def drive(url: str, bodies: list[bytes], concurrency: int, clients: int) -> dict:
    """One request per body, the bodies split between `clients` processes."""
    ctx = mp.get_context("spawn")
    q = ctx.Queue()
    per = max(1, concurrency // clients)
    procs = [ctx.Process(target=_client, args=(url, bodies[k::clients], len(bodies) // clients, per, q))
             for k in range(clients)]
    t0 = time.perf_counter()
    for p in procs:
        p.start()
    results = [q.get() for _ in procs]
    elapsed = time.perf_counter() - t0
    for p in procs:
        p.join()
    lat = sorted(x for r in results for x in r[0])
    errors = sum(r[1] for r in results)
    pct = lambda f: lat[min(len(lat) - 1, int(f * len(lat)))] * 1000  # noqa: E731
    return {"requests": len(lat), "errors": errors, "seconds": round(elapsed, 2),
            "req_per_s": round(len(lat) / elapsed, 1), "p50_ms": round(pct(0.5), 1), "p99_ms": round(pct(0.99), 1)}


WARM_UP = 200


def distinct_leaves(demo: Path, ent: dict, n: int) -> list[str]:
    """`n` HK bidder certificates (PEM) like the demo hk-leaf (same extensions, policy and key) with a distinct
    subject and serial, issued by the demo HK CA: every request brings a leaf the service has not parsed yet,
    as at a bid opening; only the CA certificate repeats."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.x509.oid import NameOID

    leaf = x509.load_pem_x509_certificate((demo / ent["hk-leaf"]["cert"]).read_bytes())
    ca = x509.load_pem_x509_certificate((demo / ent["hk-ca"]["cert"]).read_bytes())
    ca_key = serialization.load_pem_private_key((demo / ent["hk-ca"]["key"]).read_bytes(), None)
    out = []
    for i in range(n):
        subject = x509.Name([a if a.oid != NameOID.COMMON_NAME else x509.NameAttribute(NameOID.COMMON_NAME, f"{a.value} {i}")
                             for a in leaf.subject])
        b = (x509.CertificateBuilder().subject_name(subject).issuer_name(ca.subject).public_key(leaf.public_key())
             .serial_number(x509.random_serial_number()).not_valid_before(leaf.not_valid_before_utc)
             .not_valid_after(leaf.not_valid_after_utc))
        for e in leaf.extensions:
            b = b.add_extension(e.value, e.critical)
        out.append(b.sign(ca_key, hashes.SHA256()).public_bytes(serialization.Encoding.PEM).decode())
    return out


def _ceiling(root: Path, workers: int) -> tuple[subprocess.Popen, str]:
    (root / "ceiling_app.py").write_text(CEILING_APP)
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "uvicorn", "ceiling_app:create_app", "--factory", "--app-dir",
                             str(root), "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers),
                             "--log-level", "warning"], start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            if httpx.get(url + "/healthz", timeout=1).status_code == 200:
                return proc, url
        except httpx.HTTPError:
            time.sleep(0.1)
    raise RuntimeError("ceiling app did not start")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--requests", type=int, default=2000)
    ap.add_argument("--concurrency", type=int, default=16)
    ap.add_argument("--clients", type=int, default=2)
    ap.add_argument("--out", type=Path, default=Path("docs/benchmarks/http.md"))
    args = ap.parse_args()
    root = Path(tempfile.mkdtemp(prefix="trustsvc-bench-http-"))
    demo_server = LiveServer(root / "w0")  # only to build the demo request body
    ent = demo_server.index["entities"]
    ca_pem = (demo_server.demo / ent["hk-ca"]["cert"]).read_text()
    bodies = [json.dumps({"certificate": leaf, "intermediates": [ca_pem], "usage": "e-tendering"}).encode()
              for leaf in distinct_leaves(demo_server.demo, ent, WARM_UP + args.requests)]
    warm, run = bodies[:WARM_UP], bodies[WARM_UP:]
    rows = []
    for workers in (1, 2):
        proc, url = _ceiling(root, workers)
        try:
            drive(url, warm, args.concurrency, args.clients)  # warm-up
            ceiling = drive(url, run, args.concurrency, args.clients)
        finally:
            os.killpg(proc.pid, 15)
            proc.wait(15)
        server = LiveServer(root / f"w{workers}", workers=workers, demo=demo_server.demo).start()
        try:
            drive(server.url, warm, args.concurrency, args.clients)  # warm-up (CA signature cache, trust state)
            ours = drive(server.url, run, args.concurrency, args.clients)
        finally:
            server.stop()
        ratio = ours["req_per_s"] / ceiling["req_per_s"]
        rows.append((workers, ours, ceiling, ratio))
        print(f"workers={workers}: trustsvc {ours['req_per_s']} req/s p50 {ours['p50_ms']} ms p99 {ours['p99_ms']} ms "
              f"(errors {ours['errors']}); ceiling {ceiling['req_per_s']} req/s p99 {ceiling['p99_ms']} ms; "
              f"ratio {ratio:.2f}", flush=True)
    md = [
        "# HTTP certificate verify vs the FastAPI ceiling",
        "",
        "One run of `python tools/bench/http_verify.py "
        f"--requests {args.requests} --concurrency {args.concurrency} --clients {args.clients}` on "
        f"{platform.machine()} with {os.cpu_count()} CPUs (Python {platform.python_version()}); the client processes "
        "share the machine with the server, so compare the **ratio**, never absolute numbers across runs.",
        "",
        f"`POST /v1/verify/certificate` with {args.requests:,} distinct HK bidder certificates (the demo HK leaf "
        f"re-issued with a new subject and serial, so no request hits the parse cache for its leaf; {WARM_UP} more "
        "warm the server up) + the HK CA, `usage=e-tendering`, via the accepted trust lists (full RFC 5280 path "
        "validation + trust-list recognition, JSON report). The ceiling is a FastAPI app with the same route that "
        "reads the body and returns a constant JSON answer, under the same uvicorn.",
        "",
        "| workers | trustsvc req/s | p50 ms | p99 ms | errors | ceiling req/s | ceiling p99 ms | ratio to ceiling |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for workers, ours, ceiling, ratio in rows:
        md.append(f"| {workers} | {ours['req_per_s']} | {ours['p50_ms']} | {ours['p99_ms']} | {ours['errors']} | "
                  f"{ceiling['req_per_s']} | {ceiling['p99_ms']} | {ratio:.2f} |")
    md += ["", f"Goal: >= 0.50 of the ceiling. {'Met' if all(r[3] >= 0.5 for r in rows) else 'Missed'} in this run.", ""]
    batch_section = ""
    if args.out.exists():
        old = args.out.read_text()
        if "\n## Batch" in old:
            batch_section = old[old.index("\n## Batch"):]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text("\n".join(md) + batch_section)
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
