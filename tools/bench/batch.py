"""Batch bid opening: 1,000 signed bids through `POST /v1/verify/batch` vs the same bids in process, one run.

    python tools/bench/batch.py [--bids 1000] [--out docs/benchmarks/run/http.md]

The demo's CAdES-T bids (CN-GD SM2, HK RSA, MO ECDSA; detached, each with a signature timestamp) are
repeated to `--bids` NDJSON items with `usage=e-tendering` and the tender deadline, sent as one streamed
request to `trustsvc serve` (1 worker, default batch concurrency, online revocation fetching off like the in-process
line); every result line must be TOTAL-PASSED. The in-process line runs `trustsvc.validate_signature` on the same items sequentially
with the same trust lists. Writes/replaces the "## Batch" section of the HTTP benchmark page.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import platform
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.faults.server import LiveServer  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bids", type=int, default=1000)
    ap.add_argument("--out", type=Path, default=Path("docs/benchmarks/run/http.md"))
    args = ap.parse_args()
    root = Path(tempfile.mkdtemp(prefix="trustsvc-bench-batch-"))
    # Fetching off, as in http_verify.py: the in-process side fetches nothing either (same work on both sides).
    server = LiveServer(root, workers=1, env={"TRUSTSVC_REVOCATION_FETCH": "off"})
    bids = [b for b in server.index["bids"].values() if b["kind"] == "bid"]
    items, raw = [], []
    for i in range(args.bids):
        b = bids[i % len(bids)]
        sig = (server.demo / b["signature"]).read_bytes()
        content = (server.demo / b["content"]).read_bytes()
        raw.append((sig, content, b["deadline"]))
        items.append(json.dumps({"id": f"bid-{i}", "type": "signature", "signature": base64.b64encode(sig).decode(),
                                 "content": base64.b64encode(content).decode(), "usage": "e-tendering",
                                 "deadline": b["deadline"]}).encode() + b"\n")
    body = b"".join(items)

    # In process: the core alone, sequential, same trust lists.
    from trustsvc.trustlist.directory import load_directory
    from trustsvc.trustlist.store import TrustStore
    from trustsvc.validation.signature import validate_signature

    now = datetime.now(timezone.utc)
    state = load_directory(server.demo / "trust_lists", at=now)
    store = TrustStore(state.lists.values(), at_loaded=now)
    validate_signature(raw[0][0], content=raw[0][1], trust=store, usage="e-tendering", deadline=raw[0][2])  # warm
    t0 = time.perf_counter()
    core_ok = sum(validate_signature(s, content=c, trust=store, usage="e-tendering", deadline=d).indication.name
                  == "TOTAL_PASSED" for s, c, d in raw)
    core_s = time.perf_counter() - t0

    server.start()
    try:
        httpx.post(server.url + "/v1/verify/batch", content=b"".join(items[:20]),
                   headers={"content-type": "application/x-ndjson"}, timeout=300)  # warm-up
        t0 = time.perf_counter()
        first = None
        lines = []
        with httpx.stream("POST", server.url + "/v1/verify/batch", content=body,
                          headers={"content-type": "application/x-ndjson"}, timeout=600) as r:
            for line in r.iter_lines():
                if line.strip():
                    if first is None:
                        first = time.perf_counter() - t0
                    lines.append(json.loads(line))
        http_s = time.perf_counter() - t0
        peak_kib = 0
        for pid in server.pids():
            for ln in Path(f"/proc/{pid}/status").read_text().splitlines():
                if ln.startswith("VmHWM:"):
                    peak_kib += int(ln.split()[1])
    finally:
        server.stop()
    passed = sum(x.get("indication") == "TOTAL-PASSED" or x.get("indication") == "TOTAL_PASSED" for x in lines)
    in_order = [x.get("index") for x in lines] == list(range(len(lines)))
    summary = {"bids": args.bids, "http_seconds": round(http_s, 2), "http_bids_per_s": round(args.bids / http_s, 1),
               "first_result_ms": round((first or 0) * 1000, 1), "http_total_passed": passed, "in_order": in_order,
               "core_seconds": round(core_s, 2), "core_bids_per_s": round(args.bids / core_s, 1),
               "core_total_passed": core_ok, "server_peak_rss_mib": round(peak_kib / 1024, 1)}
    print(json.dumps(summary, indent=2))
    section = [
        "", "## Batch bid opening", "",
        f"One run of `python tools/bench/batch.py --bids {args.bids}` ({os.cpu_count()} CPUs, Python "
        f"{platform.python_version()}): the demo's CAdES-T bids (SM2, RSA, ECDSA, each with a signature "
        "timestamp, `usage=e-tendering`, tender deadline) repeated to "
        f"{args.bids} NDJSON items in ONE streamed `POST /v1/verify/batch` (1 worker, default batch concurrency), "
        "against the same items through `trustsvc.validate_signature` in process, sequentially. Online revocation "
        "fetching is off on the server (`TRUSTSVC_REVOCATION_FETCH=off`), as in process: both do the same work "
        "(with fetching on, the server also fetches the demo CRLs / OCSP responses, which the in-process line "
        "does not).", "",
        "| path | bids | seconds | bids/s | TOTAL-PASSED | notes |", "|---|---|---|---|---|---|",
        f"| HTTP batch | {args.bids} | {summary['http_seconds']} | {summary['http_bids_per_s']} | {passed} | "
        f"first result after {summary['first_result_ms']} ms; results in input order: {in_order}; server peak RSS "
        f"{summary['server_peak_rss_mib']} MiB |",
        f"| core in process | {args.bids} | {summary['core_seconds']} | {summary['core_bids_per_s']} | {core_ok} | "
        "sequential, one thread |", "",
        f"HTTP batch / core in process: {summary['http_bids_per_s'] / summary['core_bids_per_s']:.2f}x.", "",
    ]
    old = args.out.read_text() if args.out.exists() else "# HTTP benchmarks\n"
    if "\n## Batch" in old:
        old = old[:old.index("\n## Batch")]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(old.rstrip("\n") + "\n" + "\n".join(section))
    print(f"wrote {args.out}")
    return 0 if passed == args.bids and in_order else 1


if __name__ == "__main__":
    sys.exit(main())
