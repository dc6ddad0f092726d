"""Sustained load on a local `trustsvc serve` (127.0.0.1 only): a mix of verify calls with a trust-list upload
in the middle; bounded in time AND request count.

    python tools/load/run.py --duration 300 --workers 2 --concurrency 8 [--max-requests 2000000] [--json OUT]

Mix per client loop: certificate (hk-leaf + hk-ca), signature (demo CAdES-T bid, detached), timestamp
(the bid's signature timestamp token by digest), batch (20 certificate items). Halfway, a new HK list
(sequence + 1, signed by the HK operator) is uploaded with an operator token. Reports requests, errors
(non-2xx, transport errors, unexpected indications), p50/p99 per kind, and the server's RSS (all workers)
at start / middle / end plus a sample every 10 s.
"""

from __future__ import annotations

import argparse
import base64
import json
import statistics
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.faults.server import LiveServer  # noqa: E402

PASSING = {"PASSED", "TOTAL-PASSED", "TOTAL_PASSED"}


def requests_for(server: LiveServer) -> dict[str, tuple[str, bytes, str]]:
    """kind -> (path, body, content type) from the demo PKI."""
    from trustsvc.cms.attributes import signature_timestamp_tokens
    from trustsvc.cms.signed_data import parse_signed_data
    from trustsvc.cms.timestamp import parse_timestamp_token

    demo, idx = server.demo, server.index
    ent = idx["entities"]
    pem = lambda e: (demo / ent[e]["cert"]).read_text()  # noqa: E731
    cert = {"certificate": pem("hk-leaf"), "intermediates": [pem("hk-ca")], "usage": "e-tendering"}
    bid = idx["bids"]["hk"]
    sig = (demo / bid["signature"]).read_bytes()
    content = (demo / bid["content"]).read_bytes()
    token = signature_timestamp_tokens(parse_signed_data(sig).signers[0])[0].dump()
    digest = parse_timestamp_token(token).imprint.hex()
    b64 = lambda b: base64.b64encode(b).decode()  # noqa: E731
    signature = {"signature": b64(sig), "content": b64(content), "usage": "e-tendering"}
    timestamp = {"token": b64(token), "digest": digest}
    batch = b"".join(json.dumps({"id": f"bid-{i}", "type": "certificate", **cert}).encode() + b"\n"
                     for i in range(20))
    js = "application/json"
    return {"certificate": ("/v1/verify/certificate", json.dumps(cert).encode(), js),
            "signature": ("/v1/verify/signature", json.dumps(signature).encode(), js),
            "timestamp": ("/v1/verify/timestamp", json.dumps(timestamp).encode(), js),
            "batch": ("/v1/verify/batch", batch, "application/x-ndjson")}


def _ok(kind: str, r: httpx.Response) -> str | None:
    if r.status_code != 200:
        return f"HTTP {r.status_code}"
    if kind == "batch":
        lines = [json.loads(x) for x in r.content.splitlines() if x.strip()]
        bad = [x for x in lines if x.get("indication") not in PASSING]
        if len(lines) != 20 or bad:
            return f"batch: {len(lines)} lines, {len(bad)} not passed"
        return None
    ind = r.json().get("indication")
    return None if ind in PASSING else f"indication {ind}"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--duration", type=float, default=300.0, help="seconds (default 300)")
    ap.add_argument("--max-requests", type=int, default=2_000_000, help="hard cap on requests")
    ap.add_argument("--workers", type=int, default=2, help="server worker processes")
    ap.add_argument("--concurrency", type=int, default=8, help="client threads")
    ap.add_argument("--json", type=Path, help="write the summary here too")
    args = ap.parse_args()

    root = Path(tempfile.mkdtemp(prefix="trustsvc-load-"))
    server = LiveServer(root, workers=args.workers).start()
    try:
        reqs = requests_for(server)
        token = server.operator_token("HK")
        new_list = server.next_list("HK")
        lat: dict[str, list[float]] = defaultdict(list)
        errors: dict[str, int] = defaultdict(int)
        samples: list[str] = []
        count = {"n": 0}
        lock = threading.Lock()
        stop = threading.Event()
        t0 = time.monotonic()
        rss = {"start": server.rss_mib()}
        rss_series: list[tuple[float, float]] = [(0.0, rss["start"])]
        upload: dict = {}

        def client(i: int) -> None:
            kinds = list(reqs)
            with httpx.Client(base_url=server.url, timeout=60.0) as c:
                k = i
                while not stop.is_set():
                    kind = kinds[k % len(kinds)]
                    k += 1
                    path, body, ctype = reqs[kind]
                    started = time.perf_counter()
                    try:
                        r = c.post(path, content=body, headers={"content-type": ctype})
                        problem = _ok(kind, r)
                    except httpx.HTTPError as exc:
                        problem = f"transport {type(exc).__name__}"
                    took = time.perf_counter() - started
                    with lock:
                        lat[kind].append(took)
                        count["n"] += 1
                        if problem:
                            errors[kind] += 1
                            if len(samples) < 20:
                                samples.append(f"{kind}: {problem}")
                        if count["n"] >= args.max_requests:
                            stop.set()

        threads = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(args.concurrency)]
        for t in threads:
            t.start()
        next_sample = 10.0
        while not stop.is_set():
            elapsed = time.monotonic() - t0
            if elapsed >= args.duration:
                break
            if not upload and elapsed >= args.duration / 2:
                rss["middle"] = server.rss_mib()
                r = httpx.put(server.url + "/v1/trust-lists/HK", content=new_list,
                              headers={"Authorization": f"Bearer {token}"}, timeout=60.0)
                upload = {"at_s": round(elapsed, 1), "status": r.status_code,
                          "sequence_number": r.json().get("sequence_number") if r.status_code == 201 else None}
            if elapsed >= next_sample:
                rss_series.append((round(elapsed, 1), round(server.rss_mib(), 1)))
                next_sample += 10.0
            time.sleep(0.2)
        stop.set()
        for t in threads:
            t.join(120)
        rss["end"] = server.rss_mib()
        seconds = time.monotonic() - t0
        after = httpx.get(server.url + "/v1/trust-lists", timeout=10).json()
    finally:
        server.stop()

    def pct(xs: list[float], q: float) -> float:
        xs = sorted(xs)
        return xs[min(len(xs) - 1, int(q * len(xs)))] * 1000 if xs else 0.0

    total = sum(len(v) for v in lat.values())
    summary = {
        "duration_s": round(seconds, 1), "server_workers": args.workers, "client_threads": args.concurrency,
        "requests": total, "errors": sum(errors.values()), "req_per_s": round(total / seconds, 1),
        "per_kind": {k: {"requests": len(v), "errors": errors.get(k, 0), "p50_ms": round(pct(v, 0.5), 1),
                         "p99_ms": round(pct(v, 0.99), 1), "mean_ms": round(statistics.fmean(v) * 1000, 1)}
                     for k, v in sorted(lat.items())},
        "p99_ms_all": round(pct([x for v in lat.values() for x in v], 0.99), 1),
        "upload": upload, "rss_mib": {k: round(v, 1) for k, v in rss.items()}, "rss_series": rss_series,
        "error_samples": samples,
        "hk_sequence_after": next((x.get("sequence_number") for x in (after.get("lists") or [])
                                   if isinstance(x, dict) and x.get("territory") == "HK"), None),
    }
    text = json.dumps(summary, indent=2)
    print(text)
    if args.json:
        args.json.write_text(text + "\n")
    return 0 if summary["errors"] == 0 and upload.get("status") == 201 else 1


if __name__ == "__main__":
    sys.exit(main())
