"""`trustsvc verify batch`: a bid opening of 1,000 demo bids from the CLI, with a summary and minutes (HTML, PDF)."""

from __future__ import annotations

import json
import shutil
import subprocess
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from typer.testing import CliRunner

from trustsvc.cli import _register, app
from trustsvc.demo.init import init_demo
from trustsvc.demo.opening import BIDDERS, write_opening

_register()
runner = CliRunner()
COUNT, LATE = 1000, 7
DEADLINE = datetime.now(timezone.utc).replace(microsecond=0, second=0) - timedelta(minutes=30)
NAMES = [(t, n) for t, (*_, names) in BIDDERS.items() for n in names]


@pytest.fixture(scope="module")
def opening(tmp_path_factory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("opening")
    init_demo(root / "demo", now=DEADLINE - timedelta(hours=6))
    write_opening(root / "demo", root / "bids", COUNT, deadline=DEADLINE, late=LATE)
    return root / "demo", root / "bids"


@pytest.fixture(scope="module")
def opened(opening, tmp_path_factory):
    """One run over the 1,000 bids: results, HTML and PDF minutes (zh-Hans, platform zone Asia/Shanghai)."""
    demo, bids = opening
    out = tmp_path_factory.mktemp("out")
    env = {"TRUSTSVC_REPORT_KEY": str(out / "report-key.pem")}
    base = ["verify", "batch", str(bids), "--trust-list", str(demo / "trust_lists"), "--usage", "e-tendering",
            "--deadline", DEADLINE.astimezone(timezone(timedelta(hours=8))).replace(tzinfo=None).isoformat(),
            "--timezone", "Asia/Shanghai", "--lang", "zh-Hans", "--output", str(out / "results.ndjson")]
    r = runner.invoke(app, [*base, "--minutes", str(out / "minutes.html"), "--minutes", str(out / "minutes.pdf")], env=env)
    return out, r


def test_progress_bar_summary_and_exit_code(opened):
    out, r = opened
    assert r.exit_code == 1, r.output  # seven late bids fail
    assert "items/s" in r.output and "ETA" in r.output and f"{COUNT}/{COUNT}" in r.output
    assert f"{COUNT} items: {COUNT - LATE} passed, {LATE} failed, 0 indeterminate" in r.output
    assert f"SIG_CONSTRAINTS_FAILURE: {LATE}" in r.output
    results = [json.loads(line) for line in (out / "results.ndjson").read_text().splitlines()]
    assert [x["index"] for x in results] == list(range(COUNT))
    assert sum(x["indication"] == "TOTAL-PASSED" for x in results) == COUNT - LATE


def test_html_minutes_carry_every_row_totals_and_the_signature(opened):
    out, _ = opened
    page = (out / "minutes.html").read_text(encoding="utf-8")
    assert page.count("<tr><td>") >= COUNT and "开标记录" in page and "GD-2026-0001" in page
    assert all(name in page for _t, name in NAMES)
    assert "+08:00" in page and "Asia/Shanghai" in page
    assert f"{COUNT - LATE} 通过" in page and f"{LATE} 未通过" in page
    jws = page.split('<p class="sig">')[1].split("</p>")[0]
    assert jws.count(".") == 2 and len(jws) > 100


def test_pdf_minutes_page_one_shows_every_bidder_in_its_script(opened, tmp_path):
    out, r = opened
    assert r.exit_code == 1, r.output
    pdf = out / "minutes.pdf"
    assert pdf.read_bytes().startswith(b"%PDF")
    for tool in ("pdftoppm", "pdftotext"):
        assert shutil.which(tool), f"{tool} (poppler-utils) is needed; .ci/run installs it"
    subprocess.run(["pdftoppm", "-f", "1", "-l", "1", "-r", "60", "-png", str(pdf), str(tmp_path / "page")], check=True)
    png = next(tmp_path.glob("page*.png"))
    assert png.stat().st_size > 20_000  # a page with a table on it, not a blank one
    text = subprocess.run(["pdftotext", "-f", "1", "-l", "1", "-layout", str(pdf), "-"], check=True,
                          capture_output=True, text=True).stdout
    assert "开标记录" in text
    # Round robin over the bidders: page 1 holds one bid of each, names in Simplified (GD) / Traditional (HK, MO).
    missing = [name for _t, name in NAMES if name not in text.replace("\n", " ")]
    assert not missing, missing
