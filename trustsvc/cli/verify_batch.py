"""`trustsvc verify batch DIR|FILE.ndjson`: a bid opening from the command line, with minutes."""

from __future__ import annotations

import json
import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Optional

import typer

from trustsvc.cli.inputs import PROFILE_OPTION, Profile
from trustsvc.cli.verify import verify_app
from trustsvc.cli.verify_documents import TIMEZONE_OPTION, _fail, _time, _trust, _zone

EXIT = {"passed": 0, "failed": 1, "indeterminate": 3}


def _items(source: Path) -> tuple[list, dict[str, Any]]:
    from trustsvc.bidopening.inputs import from_directory, from_ndjson

    if source.is_dir():
        items = from_directory(source)
        if not items:
            _fail(f"{source} holds no signatures (X.p7s with X.txt or X beside it)")
        meta = {}
        opening = source / "opening.json"
        if opening.is_file():
            try:
                meta = json.loads(opening.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                meta = {}
        return items, meta if isinstance(meta, dict) else {}
    if not source.is_file():
        _fail(f"{source}: no such directory or NDJSON file")
    try:
        return list(from_ndjson(source)), {}
    except OSError as exc:
        _fail(f"cannot read {source}: {exc.strerror or exc}")
    raise AssertionError


def _progress(total: int):
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

    return Progress(TextColumn("[bold]verifying"), BarColumn(), MofNCompleteColumn(),
                    TextColumn("[cyan]{task.fields[rate]} items/s"),
                    TextColumn("ETA"), TimeRemainingColumn(), TextColumn("elapsed"), TimeElapsedColumn(),
                    console=Console(stderr=True), transient=False, refresh_per_second=4)


def _report_signer(report_key: Optional[Path]):
    from trustsvc.jose import ReportKey
    from trustsvc.api.settings import Settings

    key = ReportKey.load_or_create(report_key or Settings.from_env().report_key)

    def sign(payload: dict[str, Any]) -> str:
        return key.sign({"iss": "trustsvc", "iat": int(datetime.now(timezone.utc).timestamp()), **payload})

    return sign


def _print_summary(summary, lang: str) -> None:
    from trustsvc.bidopening.minutes import label

    s = summary.to_dict()
    print(f"{s['total']} items: {s['passed']} passed, {s['failed']} failed, {s['indeterminate']} indeterminate")
    for reason, n in s["reasons"].items():
        print(f"  {reason}: {n}")
    if lang != "en":
        print(f"{s['total']} {label('total', lang)}: {s['passed']} {label('passed', lang)}, "
              f"{s['failed']} {label('failed', lang)}, {s['indeterminate']} {label('indeterminate', lang)}")


@verify_app.command("batch")
def verify_batch_cmd(
    source: Path = typer.Argument(..., help="a directory of X.p7s (+ X.txt or X) bids, or an NDJSON file of "
                                            "batch items as POST /v1/verify/batch takes them"),
    trust_list: Optional[Path] = typer.Option(None, "--trust-list", "--trust-lists", help="trust-list directory"),
    deadline: Optional[str] = typer.Option(None, "--deadline", help="bid deadline (ISO 8601), for every item without one"),
    usage: Optional[str] = typer.Option(None, "--usage", help="e-tendering | e-guarantee | ... for every item without one"),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="write one JSON result per line here"),
    minutes: list[Path] = typer.Option([], "--minutes", help="write the minutes: minutes.html or minutes.pdf "
                                       "(repeatable: both from one run)"),
    tender_id: Optional[str] = typer.Option(None, "--tender-id", help="tender id for the minutes "
                                            "(default: DIR/opening.json's, else the directory name)"),
    lang: str = typer.Option("en", "--lang", help="en | zh-Hans | zh-Hant (reasons and minutes)"),
    timezone_name: Optional[str] = TIMEZONE_OPTION,
    workers: int = typer.Option(2, "--workers", min=1, max=32, help="verification threads"),
    report_key: Optional[Path] = typer.Option(None, "--report-key", envvar="TRUSTSVC_REPORT_KEY",
                                              help="EC P-256 key that signs the minutes (default: the service's, "
                                                   "TRUSTSVC_DATA_DIR/report-key.pem, created if missing)"),
    progress: bool = typer.Option(True, "--progress/--no-progress", help="show a progress bar on stderr"),
    profile: Profile = PROFILE_OPTION,
) -> None:
    """Verify a whole bid opening: a progress bar, a closing summary per reason, results and minutes.

    Exit 0 when every item passed, 1 when any failed, 3 when some are indeterminate and none failed,
    2 for unusable input."""
    from trustsvc.bidopening.batch import Summary, run_batch
    from trustsvc.validation.messages import normalise_lang
    from trustsvc.validation.times import zone_name

    lang = normalise_lang(lang)
    zone = _zone(timezone_name)
    deadline_t = _time(deadline, "--deadline", zone)
    if any(m.suffix.lower() not in (".html", ".htm", ".pdf") for m in minutes):
        _fail("--minutes must name a .html or .pdf file")
    if trust_list is None:
        _fail("give --trust-list DIR: a bid opening is judged against one trust snapshot")
    store, _ = _trust(trust_list, [], None)
    items, meta = _items(source)
    defaults = {"deadline": deadline_t.isoformat() if deadline_t else None, "usage": usage, "lang": lang,
                "profile": profile.value}
    summary, results = Summary(), []
    out = open(output, "w", encoding="utf-8") if output is not None else None
    bar = _progress(len(items)) if progress else None
    try:
        task = bar.add_task("verify", total=len(items), rate="0") if bar else None
        if bar:
            bar.start()
        started = datetime.now(timezone.utc)
        for result in run_batch(items, store=store, defaults=defaults, zone=zone_name(zone), workers=workers):
            summary.add(result)
            results.append(result)
            if out is not None:
                out.write(json.dumps(result, ensure_ascii=False, default=str) + "\n")
            if bar:
                secs = max((datetime.now(timezone.utc) - started).total_seconds(), 1e-6)
                bar.update(task, advance=1, rate=f"{summary.total / secs:.0f}")
    finally:
        if bar:
            bar.stop()
        if out is not None:
            out.close()
    _print_summary(summary, lang)
    if minutes:
        _write_minutes(minutes, results, tender_id or meta.get("tender_id") or source.stem, deadline_t,
                       zone_name(zone), store.snapshot_id, lang, report_key)
    worst = "failed" if summary.verdicts["failed"] else "indeterminate" if summary.verdicts["indeterminate"] else "passed"
    raise typer.Exit(EXIT[worst])


def _write_minutes(paths: list[Path], results: list, tender_id: str, deadline, zone, snapshot_id, lang,
                   report_key) -> None:
    """One set of minutes (one signature), written as each of `paths` (HTML, or PDF printed from it)."""
    from trustsvc.bidopening.minutes import build_minutes, render_html

    m = build_minutes(results, tender_id=tender_id, deadline=deadline, platform_timezone=zone,
                      snapshot_id=snapshot_id, lang=lang, sign=_report_signer(report_key))
    page = render_html(m)
    for path in paths:
        try:
            if path.suffix.lower() == ".pdf":
                from trustsvc.bidopening.pdf import html_to_pdf

                path.write_bytes(html_to_pdf(page))
            else:
                path.write_text(page, encoding="utf-8")
        except OSError as exc:
            print(f"error: cannot write {path}: {exc.strerror or exc}", file=sys.stderr)
            raise typer.Exit(2) from None
        print(f"minutes: {path}")
