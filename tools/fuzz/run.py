"""Long fuzz run: the CI fuzz properties (tests/fuzz) for N minutes, round-robin over every target.

    python tools/fuzz/run.py --minutes 3 [--seed 1] [--out var/fuzz-crashes] [--json]

Prints inputs tried and distinct crashes per target; each crashing input is saved under --out
(named target-exception-sha256) so it can be replayed and turned into a regression test.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import sys
import tempfile
import time
import traceback
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.fuzz.targets import build_corpus, run_one, sample  # noqa: E402


def _where(exc: BaseException) -> str:
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if "/trustsvc/" in f.filename]
    if not frames:
        return "?"
    f = frames[-1]
    return f"{f.filename.split('/trustsvc/', 1)[-1]}:{f.lineno}"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--minutes", type=float, default=10.0)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", type=Path, default=Path("var/fuzz-crashes"))
    ap.add_argument("--json", action="store_true", help="print the summary as JSON")
    args = ap.parse_args()
    rnd = random.Random(args.seed)
    corpus = build_corpus(Path(tempfile.mkdtemp(prefix="trustsvc-fuzz-")))
    names = sorted(corpus.targets)
    tried: Counter[str] = Counter()
    crashes: dict[tuple[str, str, str], dict] = {}
    deadline = time.monotonic() + args.minutes * 60
    started = time.monotonic()
    while time.monotonic() < deadline:
        for name in names:
            target = corpus.targets[name]
            data = sample(target, rnd)
            tried[name] += 1
            exc = run_one(target, data)
            if exc is None:
                continue
            key = (name, type(exc).__name__, _where(exc))
            entry = crashes.setdefault(key, {"target": name, "exception": key[1], "where": key[2], "count": 0,
                                             "message": str(exc)[:200]})
            entry["count"] += 1
            if entry["count"] == 1:
                args.out.mkdir(parents=True, exist_ok=True)
                path = args.out / f"{name}-{key[1]}-{hashlib.sha256(data).hexdigest()[:16]}.bin"
                path.write_bytes(data)
                entry["input"] = str(path)
                print(f"CRASH {name}: {key[1]} at {key[2]}: {entry['message'][:120]}", file=sys.stderr, flush=True)
    summary = {"seconds": round(time.monotonic() - started, 1), "seed": args.seed, "inputs": sum(tried.values()),
               "per_target": dict(sorted(tried.items())), "distinct_crashes": len(crashes),
               "crashes": list(crashes.values())}
    if args.json:
        print(json.dumps(summary, indent=2))
    else:
        print(f"{summary['inputs']} inputs in {summary['seconds']} s (seed {args.seed}), "
              f"{len(crashes)} distinct crash(es)")
        for name, n in summary["per_target"].items():
            print(f"  {name:36} {n:8}")
        for c in crashes.values():
            print(f"  CRASH {c['target']}: {c['exception']} at {c['where']} x{c['count']} -> {c.get('input')}")
    return 1 if crashes else 0


if __name__ == "__main__":
    sys.exit(main())
