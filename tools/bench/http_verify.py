"""HTTP certificate verify measured with wrk: trustsvc vs a FastAPI + pyca baseline vs a constant answer.

    python tools/bench/http_verify.py [--seconds 8] [--connections 32] [--threads 2] [--out docs/benchmarks/run/http.md]

Load comes from `wrk` (C; Debian package `wrk`, which `make bench` installs), never from a Python client,
whose own ceiling (~1,100 req/s) would be what is measured. On free 127.0.0.1 ports, one after the other,
each with 1 and then 2 uvicorn workers:
  (a) a FastAPI app answering `POST /v1/verify/certificate` with a constant JSON body after reading the
      request (the framework ceiling);
  (b) a FastAPI app that does what a platform would write instead of calling trustsvc: parse the JSON, load
      the PEM leaf and CA with pyca/cryptography and run `x509.verification` against the HK root;
  (c) `trustsvc serve` (demo PKI + SQLite, trust lists, full report; online revocation fetching off, since
      (b) fetches nothing either).
Every request carries a different HK bidder certificate generated for this run (wrk's Lua script rotates
the bodies; the table shows any body sent twice, which must be 0 for trustsvc and the pyca app), so no
server sees a leaf twice. Prints req/s, p50/p99 and
errors and writes the markdown with the ratios the goals are judged on (same run, same machine).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.faults.server import LiveServer, free_port  # noqa: E402

ROTATE = Path(__file__).resolve().parent / "wrk" / "rotate.lua"

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

# What a platform writes instead of trustsvc: pyca's verifier over the PEMs in the request, one root.
PYCA_APP = '''
import json
import os
from datetime import datetime, timezone

from cryptography import x509
from cryptography.x509.verification import ExtensionPolicy, PolicyBuilder, Store, VerificationError
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

STORE = Store([x509.load_pem_x509_certificate(open(os.environ["BASELINE_ROOT"], "rb").read())])


def create_app() -> FastAPI:
    app = FastAPI()

    @app.post("/v1/verify/certificate")
    async def verify(request: Request) -> JSONResponse:
        body = json.loads(await request.body())
        leaf = x509.load_pem_x509_certificate(body["certificate"].encode())
        inter = [x509.load_pem_x509_certificate(c.encode()) for c in body.get("intermediates", [])]
        verifier = (PolicyBuilder().store(STORE).time(datetime.now(timezone.utc)).extension_policies(
            ca_policy=ExtensionPolicy.webpki_defaults_ca(), ee_policy=ExtensionPolicy.permit_all())
            .build_client_verifier())
        try:
            chain = verifier.verify(leaf, inter)
            return JSONResponse({"indication": "PASSED", "path": [c.subject.rfc4514_string() for c in chain.chain]})
        except VerificationError as exc:
            return JSONResponse({"indication": "FAILED", "reason": str(exc)})

    @app.get("/healthz")
    def healthz() -> dict:
        return {"status": "ok"}

    return app
'''


def wrk_run(url: str, bodies: Path, seconds: float, connections: int, threads: int) -> dict:
    """One wrk run against `url`; the Lua script's summary line parsed."""
    out = subprocess.run(["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{max(1, round(seconds))}s", "--timeout", "10s",
                          "-s", str(ROTATE), f"{url}/v1/verify/certificate", "--", str(bodies),
                          "/v1/verify/certificate", str(threads)], capture_output=True, text=True)
    if out.returncode != 0:
        raise RuntimeError(f"wrk failed ({out.returncode}): {out.stderr.strip() or out.stdout.strip()}"[:500])
    line = next(ln for ln in out.stdout.splitlines() if ln.startswith("WRK_JSON "))
    r = json.loads(line[len("WRK_JSON "):])
    seconds_run = r["duration_us"] / 1e6
    errors = r["bad"] + r["socket_errors"]
    return {"requests": r["requests"], "errors": errors, "repeats": r["repeats"], "seconds": round(seconds_run, 2),
            "req_per_s": round(r["requests"] / seconds_run, 1), "p50_ms": round(r["p50_us"] / 1000, 1),
            "p99_ms": round(r["p99_us"] / 1000, 1)}


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


def _app(root: Path, name: str, source: str, workers: int, env: dict[str, str]) -> tuple[subprocess.Popen, str]:
    (root / f"{name}.py").write_text(source)
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "uvicorn", f"{name}:create_app", "--factory", "--app-dir",
                             str(root), "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers),
                             "--log-level", "warning"], start_new_session=True, env={**os.environ, **env},
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    for _ in range(600):
        try:
            if httpx.get(url + "/healthz", timeout=1).status_code == 200:
                return proc, url
        except httpx.HTTPError:
            time.sleep(0.1)
    raise RuntimeError(f"{name} did not start")


def _stop(proc: subprocess.Popen) -> None:
    os.killpg(proc.pid, 15)
    proc.wait(15)


def _write_bodies(path: Path, leaves: list[str], ca_pem: str) -> Path:
    path.write_text("".join(json.dumps({"certificate": leaf, "intermediates": [ca_pem], "usage": "e-tendering"})
                            + "\n" for leaf in leaves))
    return path


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=8.0, help="wrk duration per server")
    ap.add_argument("--connections", type=int, default=32)
    ap.add_argument("--threads", type=int, default=2, help="wrk threads")
    ap.add_argument("--leaves", type=int, default=0, help="distinct leaves per run (default: enough for 4,000 req/s)")
    ap.add_argument("--out", type=Path, default=Path("docs/benchmarks/run/http.md"))
    ap.add_argument("--workers", default="1,2", help="worker counts to run (a partial run prints, writes nothing)")
    ap.add_argument("--servers", default="ceiling,pyca,trustsvc", help="servers to run (a partial run writes nothing)")
    ap.add_argument("--profile", action="store_true",
                    help="after the 1-worker measurement, py-spy the trustsvc worker under a further wrk run (fresh "
                         "leaves) and add the stage table to the page (needs py-spy: pip install py-spy)")
    args = ap.parse_args()
    if shutil.which("wrk") is None:
        print("wrk is not installed: apt-get install wrk (make bench does this)", file=sys.stderr)
        return 2
    root = Path(tempfile.mkdtemp(prefix="trustsvc-bench-http-"))
    demo_server = LiveServer(root / "w0")  # builds the demo PKI the servers and the bodies use
    ent = demo_server.index["entities"]
    ca_pem = (demo_server.demo / ent["hk-ca"]["cert"]).read_text()
    n = args.leaves or int(4000 * args.seconds)
    t0 = time.perf_counter()
    leaves = distinct_leaves(demo_server.demo, ent, n)
    print(f"{n:,} distinct leaves in {time.perf_counter() - t0:.1f} s", flush=True)
    warm = _write_bodies(root / "warm.ndjson", distinct_leaves(demo_server.demo, ent, 400), ca_pem)
    bodies = _write_bodies(root / "bodies.ndjson", leaves, ca_pem)
    spy = _py_spy() if args.profile else None
    if args.profile and spy is None:
        print("--profile: py-spy not found (pip install py-spy); no profile", flush=True)
    profile_bodies = _write_bodies(root / "profile.ndjson", distinct_leaves(demo_server.demo, ent, 4000 * PROFILE_SECONDS),
                                   ca_pem) if spy else None
    profile: list[str] = []
    baseline_env = {"BASELINE_ROOT": str(demo_server.demo / ent["hk-root"]["cert"])}
    results: dict[tuple[str, int], dict] = {}

    def measure(name: str, workers: int, start, stop) -> None:
        handle, url = start()
        try:
            wrk_run(url, warm, 2, args.connections, args.threads)  # warm-up: imports, CA caches, trust state
            results[(name, workers)] = r = wrk_run(url, bodies, args.seconds, args.connections, args.threads)
            if spy and profile_bodies and name == "trustsvc" and workers == 1:
                profile.extend(profile_section(spy, handle.pids()[0], url, profile_bodies, root, args))
        finally:
            stop(handle)
        print(f"{name} workers={workers}: {r['req_per_s']} req/s p50 {r['p50_ms']} ms p99 {r['p99_ms']} ms "
              f"errors {r['errors']} ({r['requests']} requests, {r['repeats']} repeated bodies)", flush=True)

    servers = args.servers.split(",")
    worker_counts = [int(w) for w in args.workers.split(",")]
    for workers in worker_counts:
        if "ceiling" in servers:
            measure("ceiling", workers, lambda: _app(root, "ceiling_app", CEILING_APP, workers, {}), _stop)
        if "pyca" in servers:
            measure("pyca", workers, lambda: _app(root, "pyca_app", PYCA_APP, workers, baseline_env), _stop)
        if "trustsvc" not in servers:
            continue

        def start_ours(w=workers):
            s = LiveServer(root / f"w{w}", workers=w, demo=demo_server.demo,
                           env={"TRUSTSVC_REVOCATION_FETCH": "off"}).start(timeout=120)
            return s, s.url

        measure("trustsvc", workers, start_ours, lambda s: s.stop())
    if len(results) < 6:
        for w in worker_counts:
            if ("trustsvc", w) in results and ("pyca", w) in results:
                print(f"workers={w}: trustsvc / pyca app = "
                      f"{results[('trustsvc', w)]['req_per_s'] / results[('pyca', w)]['req_per_s']:.2f}x, p99 ratio "
                      f"{results[('trustsvc', w)]['p99_ms'] / max(results[('pyca', w)]['p99_ms'], 0.1):.2f}")
        print("\n".join(profile))
        return 0
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(render(args, results, n) + "\n".join(profile) + _batch_section(args.out))
    print(f"wrote {args.out}")
    return 0


PROFILE_SECONDS = 3

# Stages of a request, first match wins (function names on the sampled stack; the signature check before the
# stage that called it, the verification before the framework frames that carry every request).
STAGES = [
    ("signature verification (OpenSSL; under-counted: it releases the GIL)", ("_verify_simple",)),
    ("read the PEM leaf (the CA: a parse-cache hit)", ("read_end_entity", "read_cert", "read_certs")),
    ("trust-list recognition", ("TrustStore.recognise",)),
    ("RFC 5280 profile (strict)", ("check_profile",)),
    ("path building", ("build_paths",)),
    ("RFC 5280 6.1 path validation", ("validate_path",)),
    ("revocation (supplied evidence only)", ("check_path",)),
    ("report dictionary, localisation, JSON", ("envelope", "localise_certificate_report", "report_response",
                                               "capped_json", "encode_json")),
    ("rest of validate_certificate (context, candidate index, result)", ("validate_certificate",)),
    ("request JSON + pydantic model", ("_parse",)),
    ("metrics, access log, request id", ("observe_request", "count_verification", "bind_request_id", "Logger.info",
                                         "reset_request_id")),
    ("thread-pool hop", ("run_in_threadpool", "run_sync_in_worker_thread", "WorkerThread.run")),
    ("HTTP: h11 parsing / serialising, socket I/O", ("H11Protocol.", "RequestResponseCycle.send",
                                                     "_SelectorSocketTransport", "Response.__call__", "Connection.")),
    ("routing, middleware, FastAPI / Starlette dispatch", ("FastAPI.__call__",)),
]


def _py_spy() -> str | None:
    here = Path(sys.executable).parent / "py-spy"
    return str(here) if here.exists() else shutil.which("py-spy")


def stage_table(raw: Path) -> list[str]:
    """py-spy's raw (collapsed) stacks as `| stage | share |` rows."""
    counts: dict[str, int] = {}
    total = 0
    for line in raw.read_text().splitlines():
        stack, _, n = line.rpartition(" ")
        if not stack or not n.isdigit():
            continue
        frames = [f.split(" (")[0] for f in stack.split(";")]
        name = next((label for label, keys in STAGES if any(k in f for f in frames for k in keys)), "event loop, other")
        counts[name] = counts.get(name, 0) + int(n)
        total += int(n)
    rows = [f"| {k} | {100 * v / total:.0f}% |" for k, v in sorted(counts.items(), key=lambda kv: -kv[1])]
    return ["| stage | share of samples |", "|---|---|", *rows, f"| (samples) | {total} |"] if total else []


def profile_section(spy: str, pid: int, url: str, bodies: Path, root: Path, args: argparse.Namespace) -> list[str]:
    """py-spy (`--gil --nonblocking`, 250 Hz) on the trustsvc worker during a further wrk run on leaves it has not
    seen; the stage table of the samples, for the page ("the profile that shows what is left", issue 21)."""
    raw = root / "trustsvc-profile.txt"
    rec = subprocess.Popen([spy, "record", "--gil", "--nonblocking", "-r", "250", "-f", "raw", "-o", str(raw),
                            "--pid", str(pid), "-d", str(PROFILE_SECONDS)], stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)
    time.sleep(0.5)
    run = wrk_run(url, bodies, PROFILE_SECONDS, args.connections, args.threads)
    try:
        rec.wait(PROFILE_SECONDS + 30)
    except subprocess.TimeoutExpired:
        rec.kill()
    table = stage_table(raw) if raw.exists() else []
    if not table:
        return ["", "## Profile (trustsvc, 1 worker)", "", "py-spy recorded nothing (ptrace not permitted?).", ""]
    return ["", "## Profile (trustsvc, 1 worker)", "",
            f"py-spy `record --gil --nonblocking -r 250` on the worker during a further {PROFILE_SECONDS} s wrk run "
            f"({run['req_per_s']} req/s under the profiler) on {4000 * PROFILE_SECONDS:,} more leaves generated for "
            "it; samples by stage (first match: a signature check counts as such whichever stage called it). "
            "`--gil` samples the thread holding the GIL, so OpenSSL's signature check, which releases it, is "
            "under-counted. Analysis: docs/benchmarks/http.md.", "", *table, ""]


def _batch_section(out: Path) -> str:
    """batch.py appends its section to the same page; keep it."""
    if out.exists():
        old = out.read_text()
        if "\n## Batch" in old:
            return old[old.index("\n## Batch"):]
    return ""


def render(args: argparse.Namespace, results: dict[tuple[str, int], dict], n: int) -> str:
    md = [
        "# HTTP certificate verify (wrk)",
        "",
        f"One run of `python tools/bench/http_verify.py --seconds {args.seconds:g} --connections {args.connections} "
        f"--threads {args.threads}` on {platform.machine()} with {os.cpu_count()} CPUs (Python "
        f"{platform.python_version()}). Load from `wrk` ({args.threads} threads, {args.connections} connections) "
        "on the same machine as the server, so compare the **ratios** within this run, never absolute numbers "
        "across runs.",
        "",
        f"`POST /v1/verify/certificate` (JSON) with {n:,} HK bidder certificates generated for this run (the demo "
        "HK leaf re-issued with a new subject and serial); wrk's Lua script sends each at most once, so no server "
        "sees a leaf twice. trustsvc validates via the accepted trust lists (RFC 5280 path validation, strict "
        "profile, trust-list recognition, full JSON report; online revocation fetching off). The pyca baseline "
        "parses the same JSON and runs `cryptography.x509.verification` (leaf + CA against the HK root); the "
        "ceiling returns a constant JSON answer after reading the body.",
        "",
        "| workers | trustsvc req/s | p50 ms | p99 ms | errors | repeated leaves | pyca app req/s | pyca p99 ms | "
        "pyca repeated leaves | ceiling req/s | vs pyca | vs ceiling |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for w in (1, 2):
        ours, pyca, ceiling = results[("trustsvc", w)], results[("pyca", w)], results[("ceiling", w)]
        md.append(f"| {w} | {ours['req_per_s']} | {ours['p50_ms']} | {ours['p99_ms']} | {ours['errors']} | "
                  f"{ours['repeats']} | {pyca['req_per_s']} | {pyca['p99_ms']} | {pyca['repeats']} | "
                  f"{ceiling['req_per_s']} | "
                  f"{ours['req_per_s'] / pyca['req_per_s']:.2f} | {ours['req_per_s'] / ceiling['req_per_s']:.2f} |")
    one, two, pyca1 = results[("trustsvc", 1)], results[("trustsvc", 2)], results[("pyca", 1)]
    r1 = one["req_per_s"] / pyca1["req_per_s"]
    p99 = one["p99_ms"] / max(pyca1["p99_ms"], 0.1)
    scale = two["req_per_s"] / one["req_per_s"]
    goals = [
        ("1 worker: trustsvc req/s / pyca app req/s", r1, ">= 1.0", r1 >= 1.0),
        ("1 worker: trustsvc p99 / pyca app p99", p99, "<= 2.0", p99 <= 2.0),
        ("trustsvc 2 workers / 1 worker req/s", scale, ">= 1.5", scale >= 1.5),
    ]
    md += ["", "| goal | measured | target | met |", "|---|---|---|---|"]
    for name, value, target, met in goals:
        md.append(f"| {name} | {value:.2f} | {target} | {'yes' if met else 'no'} |")
    return "\n".join(md) + "\n"


if __name__ == "__main__":
    sys.exit(main())
