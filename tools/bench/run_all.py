"""Run every benchmark workload in ONE run and write docs/benchmarks.md: ratios vs anchors, plots, reproduce commands.

    python tools/bench/run_all.py            # full run, ~13 min on 2 cores; writes docs/benchmarks.md + docs/benchmarks/
    python tools/bench/run_all.py --quick    # ~1-3 min smoke; writes var/bench-quick/ unless --dir is given
    python tools/bench/run_all.py --render var/bench-logs/<time>   # redo the page of a finished run, no measuring

Each workload is its own script (`tools/bench/*.py`), run one after the other as a subprocess of this
process, so every ratio on the page comes from the same run on the same machine state. Each script writes
its section file into `<dir>/benchmarks/run/` (not over the curated `docs/benchmarks/<name>.md`, which carry
their owners' analysis); a step whose section was not rewritten during this run is reported as not measured.
The summary table is parsed from those sections (or from the JSON a script prints); the plots are drawn
by `growth.py`. Machines are noisy: compare ratios, never absolute numbers across runs.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import platform
import re
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(HERE))


@dataclasses.dataclass
class Step:
    """One workload: a script with its arguments, the section it writes and what the run observed."""

    name: str
    title: str
    script: str
    args: list[str]
    section: Path | None = None  # markdown the script writes; None = the script prints it
    optional: list[str] = dataclasses.field(default_factory=list)  # flags passed only if the script's --help has them
    timeout: float = 1800.0
    status: str = "not run"
    seconds: float = 0.0
    output: str = ""
    argv: list[str] = dataclasses.field(default_factory=list)

    def command(self) -> str:
        return " ".join(["python", f"tools/bench/{self.script}", *(_rel(a) for a in self.argv[2:])])


def _rel(arg: str) -> str:
    try:
        return str(Path(arg).resolve().relative_to(ROOT)) if "/" in arg else arg
    except ValueError:
        return arg


def plan(quick: bool, out: Path, logs: Path, bids: int | None) -> list[Step]:
    """The workloads with parameters sized for a <= ~20 min full run (or a ~1-3 min smoke with --quick)."""
    sec, plots = out / "benchmarks" / "run", out / "benchmarks"
    q = quick
    batch_sizes = (10, 50, 200) if q else (10, 100, 1000)
    steps = [
        Step("sm2", "SM2 verify vs the C library raw", "sm2.py",
             ["--seconds", "0.6" if q else "3", "--write", str(sec / "sm2.md")], sec / "sm2.md"),
        Step("chain", "Chain validation vs pyca, pyhanko-certvalidator, pyOpenSSL", "chain.py",
             ["--seconds", "0.2" if q else "1.0", "--write", str(sec / "chain.md")], sec / "chain.md", ["--profile"]),
        Step("timestamp", "Timestamp token verify vs rfc3161-client", "timestamp.py",
             ["--seconds", "0.3" if q else "2", "--write", str(sec / "timestamp.md")], sec / "timestamp.md"),
        Step("bids", "Bid opening (CAdES-T) vs the floor", "bids.py",
             ["--count", str(bids or (12 if q else 1000)), "--out", str(sec / "bids.md")], sec / "bids.md",
             ["--repeat=1" if q else "--repeat=3"]),
        Step("http", "HTTP certificate verify with wrk vs a FastAPI + pyca app, 1 and 2 workers", "http_verify.py",
             ["--seconds", "2" if q else "8", "--connections", "32", "--threads", "2", "--out", str(sec / "http.md")],
             sec / "http.md", ["--profile"]),
    ]
    for n in batch_sizes[:-1]:
        steps.append(Step(f"batch-{n}", f"Batch bid opening, {n} bids", "batch.py",
                          ["--bids", str(n), "--out", str(sec / f"batch-{n}.md")]))
    n = batch_sizes[-1]
    steps += [
        Step(f"batch-{n}", f"Batch bid opening, {n:,} bids through POST /v1/verify/batch", "batch.py",
             ["--bids", str(n), "--out", str(sec / "http.md")], sec / "http.md"),
        Step("service", "Batch endpoint: certificate items and memory", "service_batch.py",
             ["100", "500"] if q else ["200", "1000", "5000"]),
        Step("trust-lists", "Trust lists: sign, accept, recognise, XML", "trust_lists.py", ["50" if q else "200"]),
        Step("growth", "How cost grows: chain length and cross-certificates", "growth.py",
             ["--seconds", "0.05" if q else "0.5", *(["--lengths", "2,4,8", "--pools", "0,10,100"] if q else []),
              "--write", str(sec / "growth.md"), "--json", str(sec / "growth.json"), "--plots", str(plots)],
             sec / "growth.md"),
    ]
    return steps


def _help(script: Path) -> str:
    try:
        return subprocess.run([sys.executable, str(script), "--help"], cwd=ROOT, capture_output=True, text=True,
                              timeout=120).stdout
    except subprocess.TimeoutExpired:
        return ""


def execute(step: Step, logs: Path, retries: int = 1) -> None:
    """Run one step (retrying once: other work may be mid-edit on a shared tree), teeing its output to a log."""
    script = HERE / step.script
    if not script.exists():
        step.status = "missing"
        print(f"== {step.name}: {script.name} not found, skipped", flush=True)
        return
    flags = [f for f in step.optional if f.split("=")[0] in _help(script)] if step.optional else []
    step.argv = [sys.executable, str(script), *step.args, *flags]
    for attempt in range(retries + 1):
        print(f"== {step.name}: {step.command()}", flush=True)
        t0 = time.time()
        proc = subprocess.Popen(step.argv, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                env={**os.environ, "PYTHONUNBUFFERED": "1"})
        lines = []
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.append(line)
            print(f"   {line}", end="", flush=True)
        try:
            rc = proc.wait(timeout=step.timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            rc = -9
        step.seconds, step.output = time.time() - t0, "".join(lines)
        (logs / f"{step.name}.log").write_text(step.output)
        fresh = step.section is None or (step.section.exists() and step.section.stat().st_mtime >= t0)
        step.status = "ok" if rc == 0 and fresh else (f"exit {rc}" if rc else "no section written")
        if rc == 0 or attempt == retries:
            if rc and fresh:
                step.status = f"exit {rc} (section written)"
            return
        print(f"== {step.name}: {step.status}; retrying in 20 s", flush=True)
        time.sleep(20)


# --- parsing the sections into summary rows ----------------------------------------------------
def _num(text: str) -> float | None:
    """The number a cell starts with ("4,618/s (rejects)" -> 4618.0); None for "n/a (no SM2)", "-", "rejects"."""
    m = re.match(r"\s*\**(-?\d[\d,]*(?:\.\d+)?)", text or "")
    return float(m.group(1).replace(",", "")) if m else None


def md_tables(text: str) -> list[list[dict[str, str]]]:
    """Every markdown table in `text` as a list of {header: cell} rows."""
    tables, header, rows = [], None, []
    for line in [*text.splitlines(), ""]:
        s = line.strip()
        if s.startswith("|") and s.count("|") >= 3:
            cells = [c.strip() for c in s.strip("|").split("|")]
            if header is None:
                header = cells
            elif not all(set(c) <= set("-: ") for c in cells):
                rows.append(dict(zip(header, cells)))
            continue
        if header is not None:
            tables.append(rows)
        header, rows = None, []
    return tables


def _row(workload: str, ours: str, anchor: str, ratio: float | None, goal: str = "—", met: bool | None = None) -> dict:
    return {"workload": workload, "trustsvc": ours, "anchor": anchor,
            "ratio": "—" if ratio is None else f"{ratio:.2f}x", "goal": goal,
            "met": "—" if met is None else ("yes" if met else "**no**")}


def summarise_sm2(text: str) -> list[dict]:
    rows = {r.get("measure", ""): r for t in md_tables(text) for r in t}
    ours = next((v for k, v in rows.items() if "trustsvc" in k), None)
    raw = next((v for k, v in rows.items() if "raw" in k), None)
    if not ours or not raw:
        return []
    o, a = _num(ours.get("verify/s", "")), _num(raw.get("verify/s", ""))
    return [_row("SM2 certificate-signature verify", f"{o:,.0f}/s", f"{a:,.0f}/s tongsuopy raw (C)", o / a,
                 "cost <= 1.3x raw (>= 0.77x)", a / o <= 1.3)]


def summarise_chain(text: str) -> list[dict]:
    out = []
    for table in md_tables(text):
        for r in table:
            if "chain" not in r or "trustsvc" not in r:
                continue
            label, mode, t = r["chain"], r.get("mode", ""), _num(r["trustsvc"])
            bridge = "bridge" in label
            goals = {("warm", "pyca"): (1.0, not bridge), ("warm", "pyhanko-certvalidator"): (5.0 if bridge else 15.0, True),
                     ("cold", "pyca"): (0.5, not bridge), ("warm", "pyOpenSSL"): (None, True)}
            for (m, anchor), (goal, show) in goals.items():
                if m != mode or not show or anchor not in r:
                    continue
                a = _num(r[anchor])
                if not a or not t:
                    continue  # n/a (e.g. no SM2 in that implementation)
                note = "".join(f" {n}" for n in re.findall(r"\([^)]*\)", r[anchor]))
                out.append(_row(f"chain {label}, {mode}", f"{t:,.0f}/s", f"{a:,.0f}/s {anchor}{note}", t / a,
                                f">= {goal:g}x" if goal else "—", (t / a >= goal) if goal else None))
    return out


def summarise_timestamp(text: str) -> list[dict]:
    """Speed rows (trustsvc vs rfc3161-client tokens/s) and the correctness matrix of `timestamp.py`."""
    out, wrong = [], {"trustsvc": 0, "rfc3161": 0}
    for table in md_tables(text):
        for r in table:
            keys = {k.lower(): v for k, v in r.items()}
            ours = next((v for k, v in keys.items() if "trustsvc" in k), None)
            anchor = next((v for k, v in keys.items() if "rfc3161" in k), None)
            if ours is None or anchor is None:
                continue
            for impl, cell in (("trustsvc", ours), ("rfc3161", anchor)):
                wrong[impl] += "WRONG" in cell
            label = next(iter(r.values()))
            o, a = _num(ours), _num(anchor)
            if o and "reject" in anchor.lower():
                out.append(_row(f"timestamp token verify, {label}", f"{o:,.0f}/s", "rfc3161-client rejects this valid token",
                                None, "correct where it is not", True))
            elif o and a:
                out.append(_row(f"timestamp token verify, {label}", f"{o:,.0f}/s", f"{a:,.0f}/s rfc3161-client", o / a,
                                ">= 1.0x", o / a >= 1.0))
    if out and any(wrong.values()):
        out.append(_row("timestamp correctness matrix (wrong answers)", str(wrong["trustsvc"]),
                        f"{wrong['rfc3161']} rfc3161-client", None, "0 for trustsvc", wrong["trustsvc"] == 0))
    return out


def summarise_bids(text: str) -> list[dict]:
    floor = re.search(r"floor[^\n]*?\(([\d.]+) ms/bid", text)
    full = re.search(r"full validate_signature[^\n]*?\(([\d.]+) ms/bid", text)
    count = re.search(r"bids: (\d+)", text)
    if not floor or not full:
        return []
    f, v = float(floor.group(1)), float(full.group(1))
    return [_row(f"bid opening, {count.group(1) if count else '?'} CAdES-T bids (cost, lower is better)",
                 f"{v:.2f} ms/bid", f"{f:.2f} ms/bid floor (hash + 2 raw verifies)", v / f, "<= 1.5x floor", v / f <= 1.5)]


def http_rows(text: str) -> list[dict]:
    out = []
    for table in md_tables(text):
        for r in table:
            if "workers" in r and "ceiling req/s" in r:
                out.append({"workers": int(_num(r["workers"])), "trustsvc": _num(r["trustsvc req/s"]),
                            "ceiling": _num(r["ceiling req/s"]), "p99_ms": _num(r.get("p99 ms", "")),
                            "errors": _num(r.get("errors", "0")), "pyca": _num(r.get("pyca app req/s", "0")),
                            "pyca_p99_ms": _num(r.get("pyca p99 ms", "0"))})
    return out


def summarise_http(text: str) -> list[dict]:
    """Issue 21's goals: 1 worker >= 1.0x the pyca app with p99 <= 2x its p99; 2 workers >= 1.5x our 1 worker."""
    rows = {r["workers"]: r for r in http_rows(text)}
    out = []
    one = rows.get(1)
    if one and one["pyca"]:
        out.append(_row("HTTP certificate verify (wrk), 1 worker",
                        f"{one['trustsvc']:,.0f} req/s, p99 {one['p99_ms']} ms, {one['errors']:.0f} errors",
                        f"{one['pyca']:,.0f} req/s FastAPI + pyca app, p99 {one['pyca_p99_ms']} ms",
                        one["trustsvc"] / one["pyca"], ">= 1.0x, p99 <= 2x",
                        one["trustsvc"] >= one["pyca"] and one["p99_ms"] <= 2 * one["pyca_p99_ms"]))
    two = rows.get(2)
    if one and two:
        out.append(_row("HTTP certificate verify (wrk), 2 workers", f"{two['trustsvc']:,.0f} req/s",
                        f"{one['trustsvc']:,.0f} req/s trustsvc with 1 worker", two["trustsvc"] / one["trustsvc"],
                        ">= 1.5x", two["trustsvc"] >= 1.5 * one["trustsvc"]))
    return out


def batch_json(output: str) -> dict | None:
    """The summary object `batch.py` prints."""
    i = output.find("{")
    while i != -1:
        try:
            obj, _ = json.JSONDecoder().raw_decode(output[i:])
            if isinstance(obj, dict) and "http_bids_per_s" in obj:
                return obj
        except ValueError:
            pass
        i = output.find("{", i + 1)
    return None


def summarise_batch(b: dict) -> list[dict]:
    n = b["bids"]
    ok = b["http_total_passed"] == n and b.get("in_order", True)
    return [_row(f"batch bid opening, {n:,} bids in one POST /v1/verify/batch",
                 f"{b['http_bids_per_s']:,.0f} bids/s, first result {b['first_result_ms']} ms, {b['http_total_passed']} TOTAL-PASSED",
                 f"{b['core_bids_per_s']:,.0f} bids/s validate_signature in process", b["http_bids_per_s"] / b["core_bids_per_s"],
                 "all TOTAL-PASSED, in order", ok)]


def service_rows(output: str) -> list[dict]:
    """`service_batch.py` prints `| items | seconds | items/s | peak RSS MiB | (N PASSED)` rows."""
    out = []
    for line in output.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) >= 4 and all(re.fullmatch(r"[\d.,]+", c) for c in cells[:4]):
            passed = re.search(r"(\d+) PASSED", line)
            out.append({"items": int(_num(cells[0])), "seconds": _num(cells[1]), "items_per_s": _num(cells[2]),
                        "rss_mib": _num(cells[3]), "passed": int(passed.group(1)) if passed else "?"})
    return out


def summarise_service(rows: list[dict]) -> list[dict]:
    if len(rows) < 2:
        return []
    lo, hi = rows[0], rows[-1]
    growth = hi["rss_mib"] / lo["rss_mib"]
    return [_row(f"batch of certificate items: server memory, {lo['items']:,} -> {hi['items']:,} items",
                 f"{hi['rss_mib']:.0f} MiB peak at {hi['items']:,} ({hi['items_per_s']:,.0f} items/s)",
                 f"{lo['rss_mib']:.0f} MiB peak at {lo['items']:,}", growth, "memory flat (<= 1.25x)", growth <= 1.25)]


def summarise_growth(g: dict) -> list[dict]:
    out = []
    for mode in ("warm", "cold"):
        lens = g["lengths"][mode]
        lo, hi = min(lens, key=int), max(lens, key=int)
        t, p = lens[hi]["trustsvc"]["us"], lens[hi]["pyca"]["us"]
        gt, gp = t / lens[lo]["trustsvc"]["us"], p / lens[lo]["pyca"]["us"]
        out.append(_row(f"{hi}-certificate chain, {mode} (cost grows x{gt:.1f} from {lo}; pyca x{gp:.1f})",
                        f"{t:,.0f} µs", f"{p:,.0f} µs pyca", p / t))
    for kind, what in (("unrelated", "unrelated CAs"), ("cross", "cross-certificates of the issuing CA")):
        pools = g["pools"][kind]
        k = max(pools, key=int)
        row = pools[k]
        t = row["trustsvc"]["us"]
        for anchor in ("pyca", "pyOpenSSL"):
            a = row[anchor]
            out.append(_row(f"{k} {what} in the pool, warm", f"{t:,.0f} µs" + ("" if row["trustsvc"]["ok"] else " (rejects)"),
                            f"{a['us']:,.0f} µs {anchor}" + ("" if a["ok"] else " (rejects the valid chain)"), a["us"] / t))
    return out


# --- the page -------------------------------------------------------------------------------------
def machine() -> dict:
    cpu = next((ln.split(":", 1)[1].strip() for ln in Path("/proc/cpuinfo").read_text().splitlines()
                if ln.startswith("model name")), platform.processor()) if Path("/proc/cpuinfo").exists() else platform.processor()
    git = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    dirty = subprocess.run(["git", "status", "--porcelain", "--", "trustsvc"], cwd=ROOT, capture_output=True, text=True).stdout
    return {"python": platform.python_version(), "implementation": platform.python_implementation(),
            "platform": platform.platform(), "cpus": os.cpu_count(), "cpu": cpu, "git": git + (" (trustsvc/ modified)" if dirty else ""),
            "load": " ".join(f"{x:.2f}" for x in os.getloadavg())}


def _demote(text: str, src: Path, page: Path) -> str:
    """A section file inside the page: its title dropped (the page gives one), headings one level down, images re-rooted."""
    out = []
    fence = False
    lines = text.strip().splitlines()
    if lines and lines[0].startswith("# "):
        lines = lines[1:]
    for line in lines:
        if line.startswith("```"):
            fence = not fence
        if not fence and line.startswith("#"):
            line = "#" + line
        out.append(re.sub(r"\]\((?!https?:|/)([^)]+\.png)\)",
                          lambda m: "](" + os.path.relpath((src / m.group(1)).resolve(), page) + ")", line))
    return "\n".join(out).strip()


def items_table(batches: dict[int, dict], service: list[dict]) -> list[str]:
    """Throughput vs number of items, the numbers behind throughput-items.png."""
    lines = ["| workload | items | items/s | notes |", "|---|---|---|---|"]
    for n, b in sorted(batches.items()):
        lines.append(f"| bids, HTTP batch (1 worker) | {n:,} | {b['http_bids_per_s']:,.0f} | first result "
                     f"{b['first_result_ms']} ms, {b['http_total_passed']} TOTAL-PASSED, server peak RSS {b['server_peak_rss_mib']} MiB |")
        lines.append(f"| bids, validate_signature in process | {n:,} | {b['core_bids_per_s']:,.0f} | {b['core_total_passed']} TOTAL-PASSED |")
    for r in service:
        lines.append(f"| certificate items, HTTP batch (1 worker) | {r['items']:,} | {r['items_per_s']:,.0f} | "
                     f"server peak RSS {r['rss_mib']:.0f} MiB |")
    return lines if len(lines) > 2 else []


def write_page(doc: Path, steps: list[Step], rows: list[dict], plots: list[tuple[str, str]], info: dict,
               started: datetime, wall: float, quick: bool, items: list[str], service: list[dict]) -> None:
    rel = "benchmarks"
    cmd = "python tools/bench/run_all.py" + (" --quick" if quick else "")
    body = [
        "# Benchmarks", "",
        f"All numbers below come from **one run** of `{cmd}` started {started:%Y-%m-%d %H:%M} UTC "
        f"({wall / 60:.1f} min wall time){' — a quick smoke run with reduced sizes' if quick else ''}.",
        f"Machine: {info['cpu']}, {info['cpus']} CPUs, {info['platform']}, {info['implementation']} {info['python']}; "
        f"load average at start {info['load']}; commit {info['git']}. Anchors are measured in the same run, on the same "
        "inputs, one after the other; the machine is shared and noisy, so compare ratios, never absolute numbers "
        "across runs.", "",
        "## Summary", "",
        "Ratio = trustsvc throughput / anchor throughput (higher is better), except the bid opening row, which is "
        "cost / floor cost (lower is better).", "",
        "| workload | trustsvc | anchor | ratio | goal | met? |", "|---|---|---|---|---|---|",
        *(f"| {r['workload']} | {r['trustsvc']} | {r['anchor']} | {r['ratio']} | {r['goal']} | {r['met']} |" for r in rows),
        "",
    ]
    missed = [r for r in rows if r["met"] == "**no**"]
    if missed:
        body += [f"Goals missed in this run: {len(missed)} of {sum(r['met'] != '—' for r in rows)}. Where a script profiles, "
                 "its section below carries the profile from this run (chain: *Profile*; timestamp: *Where trustsvc's time "
                 "goes*); the curated pages `docs/benchmarks/<name>.md` hold each workload's analysis.", ""]
    body += ["## Plots", ""]
    body += [f"![{alt}]({rel}/{name})" for name, alt in plots] + [""]
    if items:
        body += ["Throughput vs number of items (bids: `batch.py --bids N`, the demo's CAdES-T bids repeated; "
                 "certificate items: `service_batch.py`):", "", *items, ""]
    body += ["## Reproduce", "", "Everything at once (installs the `bench` extra, then runs this page's run):", "", "```sh",
             "make bench            # = .venv/bin/pip install -e '.[bench]' && python tools/bench/run_all.py",
             "python tools/bench/run_all.py --quick   # ~1-3 min smoke run into var/bench-quick/", "```", "",
             "Each workload alone, with the parameters of this run:", "", "```sh",
             *(s.command() for s in steps if s.argv), "```", "",
             "| step | status | seconds |", "|---|---|---|",
             *(f"| {s.name} | {s.status} | {s.seconds:.0f} |" for s in steps), ""]
    for s in steps:
        if (s.section is None and s.name.startswith("batch-")) or s.status == "not run":
            continue  # batch-size sweep: in the items table above; not run: --only
        body += [f"## {s.title}", "", f"`{s.command()}`" if s.argv else f"`tools/bench/{s.script}`: {s.status}", ""]
        if s.status != "ok":
            body += [f"**This step did not complete in this run ({s.status}); see its log.**", ""]
        if s.section is not None and s.section.exists() and s.status.startswith(("ok", "exit")):
            text = s.section.read_text()
            if s.name.startswith("batch") and "\n## Batch" in text:
                text = text[text.index("\n## Batch"):]
            elif s.name == "http" and "\n## Batch" in text:
                text = text[:text.index("\n## Batch")]
            body += [_demote(text, s.section.parent, doc.parent), ""]
        elif s.name == "service" and service:
            body += ["| items | seconds | items/s | server peak RSS (MiB) | PASSED |", "|---|---|---|---|---|",
                     *(f"| {r['items']:,} | {r['seconds']} | {r['items_per_s']:,.0f} | {r['rss_mib']:.0f} | {r['passed']} |"
                       for r in service), ""]
        elif s.section is None and s.output:
            body += [_demote("\n".join(ln for ln in s.output.splitlines() if not ln.startswith("wrote ")), ROOT, doc.parent), ""]
    body += ["## Not part of this run", "",
             "- Revocation (`docs/benchmarks/revocation.md`): measured ad hoc, indicative only; no script yet.",
             "- The per-workload pages `docs/benchmarks/<name>.md` hold each workload's analysis and profiles from its own "
             "runs; the raw output of this run is in `" + os.path.relpath(steps[0].section.parent, ROOT) + "/`.", ""]
    doc.parent.mkdir(parents=True, exist_ok=True)
    doc.write_text("\n".join(body))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="small sizes, ~1-3 min smoke run")
    ap.add_argument("--dir", type=Path, default=None,
                    help="where benchmarks.md and benchmarks/ go (default docs, or var/bench-quick with --quick)")
    ap.add_argument("--only", default="", help="comma-separated step names (debugging; the page is then partial)")
    ap.add_argument("--bids", type=int, default=None, help="bids for bids.py (default 1000, 12 with --quick)")
    ap.add_argument("--render", type=Path, default=None, metavar="LOGDIR",
                    help="rewrite the page from a finished run's var/bench-logs/<time>/ without measuring again")
    args = ap.parse_args(argv)
    if args.render:
        saved = json.loads((args.render / "run.json").read_text())
        logs, out, quick = args.render.resolve(), Path(saved["dir"]), saved["quick"]
        started, wall, info = datetime.fromisoformat(saved["started"]), saved["wall"], saved["info"]
        steps = plan(quick, out, logs, saved["bids"])
        only = set(saved["only"])
        for step, st in zip(steps, saved["steps"]):
            step.status, step.seconds, step.argv = st["status"], st["seconds"], st["argv"]
            log = logs / f"{step.name}.log"
            step.output = log.read_text() if log.exists() else ""
    else:
        quick = args.quick
        out = (args.dir or (ROOT / "var" / "bench-quick" if quick else ROOT / "docs")).resolve()
        started = datetime.now(timezone.utc)
        logs = ROOT / "var" / "bench-logs" / started.strftime("%Y%m%dT%H%M%S")
        logs.mkdir(parents=True, exist_ok=True)
        (out / "benchmarks" / "run").mkdir(parents=True, exist_ok=True)
        info = machine()
        steps = plan(quick, out, logs, args.bids)
        only = {s for s in args.only.split(",") if s}
        t0 = time.time()
        for step in steps:
            if not only or step.name in only or step.name.split("-")[0] in only:
                execute(step, logs)
        wall = time.time() - t0
        (logs / "run.json").write_text(json.dumps({
            "started": started.isoformat(), "wall": wall, "info": info, "quick": quick, "dir": str(out),
            "bids": args.bids, "only": sorted(only),
            "steps": [{"name": s.name, "status": s.status, "seconds": s.seconds, "argv": s.argv} for s in steps]}, indent=1))
    sections = out / "benchmarks" / "run"

    rows: list[dict] = []
    by = {s.name: s for s in steps}
    fresh = lambda s: s.section is not None and s.section.exists() and s.status.startswith(("ok", "exit"))  # noqa: E731
    for name, fn in (("sm2", summarise_sm2), ("chain", summarise_chain), ("timestamp", summarise_timestamp),
                     ("bids", summarise_bids), ("http", summarise_http)):
        if fresh(by[name]):
            text = by[name].section.read_text()
            try:
                rows += fn(text[:text.index("\n## Batch")] if "\n## Batch" in text else text)
            except (KeyError, ValueError, TypeError, ZeroDivisionError) as exc:  # a section whose format changed
                rows.append(_row(by[name].title, f"see its section (summary not parsed: {exc!r})", "—", None))
    batches = {int(s.name.split("-")[1]): batch_json(s.output) for s in steps if s.name.startswith("batch-") and s.output}
    batches = {n: b for n, b in batches.items() if b}
    if batches:
        rows += summarise_batch(batches[max(batches)])
    service = service_rows(by["service"].output) if by["service"].status == "ok" else []
    rows += summarise_service(service)
    gjson = sections / "growth.json"
    growth = json.loads(gjson.read_text()) if gjson.exists() and by["growth"].status == "ok" else None
    if growth:
        rows += summarise_growth(growth)
    rows += [_row(s.title, f"not measured in this run ({s.status})", "—", None, "—", False)
             for s in steps if s.status not in ("ok",) and not (only and s.status == "not run")]

    import growth as g  # noqa: PLC0415  (matplotlib only when plotting)

    plots = []
    if growth:  # redrawn from the JSON (same figures growth.py drew; --render picks up plotting changes)
        g.plot_lengths(growth["lengths"], out / "benchmarks" / "growth-chain-length.png")
        g.plot_pools(growth["pools"], out / "benchmarks" / "growth-cross-certs.png")
        plots += [("growth-chain-length.png", "validation cost vs chain length"),
                  ("growth-cross-certs.png", "validation cost vs cross-certificates in the pool")]
    series = {"bids, HTTP POST /v1/verify/batch (1 worker)": {n: b["http_bids_per_s"] for n, b in batches.items()},
              "bids, validate_signature in process (1 thread)": {n: b["core_bids_per_s"] for n, b in batches.items()},
              "certificate items, HTTP batch (1 worker)": {r["items"]: r["items_per_s"] for r in service}}
    if any(series.values()):
        g.plot_items({k: v for k, v in series.items() if v}, out / "benchmarks" / "throughput-items.png")
        plots.append(("throughput-items.png", "throughput vs number of items"))
    workers = http_rows(by["http"].section.read_text()) if fresh(by["http"]) else []
    if workers:
        g.plot_workers(workers, out / "benchmarks" / "throughput-workers.png")
        plots.append(("throughput-workers.png", "HTTP throughput vs workers"))
    doc = out / "benchmarks.md"
    write_page(doc, steps, rows, plots, info, started, wall, quick, items_table(batches, service), service)
    (sections / "summary.json").write_text(json.dumps({"rows": rows, "machine": info, "steps": [
        {"name": s.name, "status": s.status, "seconds": round(s.seconds, 1), "command": s.command()} for s in steps]}, indent=1))
    print(f"wrote {doc} ({wall / 60:.1f} min); logs in {logs}")
    failed = [s.name for s in steps if s.argv and s.status != "ok"]
    if failed:
        print(f"steps not ok: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
