"""Times without a zone: an error naming the field, unless the platform's zone is configured; reports show both zones.

The case from issue 18: a Guangdong platform's deadline 2026-12-05T07:00:00 (Beijing time) must not
let through a bid the TSA stamped at 07:15:51 Beijing time (23:15:51 UTC the day before).
"""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from trustsvc.api.app import create_app
from trustsvc.api.settings import Settings
from trustsvc.cli import _register, app
from trustsvc.cms.builder import LocalTSA, load_private_key, sign_cms
from trustsvc.demo.init import init_demo
from trustsvc.trustlist import load_trust_store
from trustsvc.validation.signature import validate_signature
from trustsvc.validation.times import NaiveTimeError, fmt_time, parse_time
from trustsvc.x509 import load_certificate

_register()
runner = CliRunner()
STAMPED = datetime(2026, 12, 4, 23, 15, 51, tzinfo=timezone.utc)  # 07:15:51 on 5 December in Beijing
DEADLINE_BEIJING = "2026-12-05T07:00:00"
BOTH = ("2026-12-04T23:15:51Z", "2026-12-05T07:15:51+08:00", "2026-12-04T23:00:00Z", "2026-12-05T07:00:00+08:00")


@pytest.fixture(scope="module")
def late_bid(tmp_path_factory) -> tuple[Path, Path, Path]:
    demo = tmp_path_factory.mktemp("tz-demo")
    init_demo(demo, now=datetime(2026, 12, 1, tzinfo=timezone.utc))
    cert = load_certificate((demo / "certs/gd-leaf.pem").read_bytes())
    key = load_private_key((demo / "keys/gd-leaf.key.pem").read_bytes())
    tsa = LocalTSA.from_files(demo / "certs/gd-tsa.pem", demo / "keys/gd-tsa.key.pem", clock=lambda: STAMPED,
                              chain=[load_certificate((demo / "certs/gd-ca.pem").read_bytes())])
    content = b"Tender GD-2026-0001: a bid stamped a quarter of an hour late\n"
    sig = sign_cms(content, cert, key, timestamper=tsa, signing_time=STAMPED,
                   extra_certs=[load_certificate((demo / "certs/gd-ca.pem").read_bytes())])
    (demo / "late.txt").write_bytes(content)
    (demo / "late.p7s").write_bytes(sig)
    return demo, demo / "late.p7s", demo / "late.txt"


def test_parse_time_rules():
    with pytest.raises(NaiveTimeError, match="deadline"):
        parse_time(DEADLINE_BEIJING, "deadline")
    assert parse_time(DEADLINE_BEIJING, "deadline", "Asia/Shanghai") == datetime(2026, 12, 4, 23, tzinfo=timezone.utc)
    assert parse_time("2026-12-05T07:00:00Z", "deadline", "Asia/Shanghai") == datetime(2026, 12, 5, 7, tzinfo=timezone.utc)
    assert fmt_time(STAMPED, "Asia/Shanghai") == "2026-12-04T23:15:51Z (2026-12-05T07:15:51+08:00 Asia/Shanghai)"
    with pytest.raises(ValueError, match="IANA"):
        parse_time(DEADLINE_BEIJING, "deadline", "Mars/Olympus_Mons")


def test_core_naive_deadline_raises_naming_the_field(late_bid):
    demo, sig, content = late_bid
    with pytest.raises(NaiveTimeError, match="deadline"):
        validate_signature(sig.read_bytes(), content=content.read_bytes(), deadline=DEADLINE_BEIJING,
                           trust=load_trust_store(demo / "trust_lists"))


def test_core_late_bid_fails_naming_both_times_in_both_zones(late_bid):
    demo, sig, content = late_bid
    report = validate_signature(sig.read_bytes(), content=content.read_bytes(), deadline=DEADLINE_BEIJING,
                                trust=load_trust_store(demo / "trust_lists"), usage="e-tendering",
                                platform_timezone="Asia/Shanghai")
    assert report.indication.value == "TOTAL-FAILED" and report.sub_indication.value == "SIG_CONSTRAINTS_FAILURE"
    verdict = report.reasons[-1]
    assert all(t in verdict for t in BOTH), verdict
    d = report.to_dict()
    assert d["deadline"] == "2026-12-04T23:00:00Z" and d["deadline_local"] == "2026-12-05T07:00:00+08:00"
    assert d["platform_timezone"] == "Asia/Shanghai"
    ts = d["signers"][0]["timestamps"][0]
    assert ts["gen_time"] == "2026-12-04T23:15:51Z" and ts["gen_time_local"] == "2026-12-05T07:15:51+08:00"


def test_cli_naive_deadline_exits_2_then_timezone_fails_the_late_bid(late_bid, monkeypatch):
    demo, sig, content = late_bid
    monkeypatch.delenv("TRUSTSVC_PLATFORM_TIMEZONE", raising=False)
    args = ["verify", "signature", str(sig), "--content", str(content), "--trust-list", str(demo / "trust_lists"),
            "--usage", "e-tendering", "--deadline", DEADLINE_BEIJING]
    r = runner.invoke(app, args)
    assert r.exit_code == 2 and "--deadline" in r.output and "offset" in r.output
    r = runner.invoke(app, [*args, "--timezone", "Asia/Shanghai"])
    assert r.exit_code == 1, r.output
    assert all(t in r.output for t in BOTH), r.output
    monkeypatch.setenv("TRUSTSVC_PLATFORM_TIMEZONE", "Asia/Shanghai")
    assert runner.invoke(app, args).exit_code == 1
    r = runner.invoke(app, [*args[:-1], "2026-12-05T07:30:00"])  # 07:30 Beijing: in time
    assert r.exit_code == 0, r.output
    r = runner.invoke(app, ["verify", "certificate", str(demo / "certs/gd-leaf.pem"), "--at", "2026-12-05T07:00:00",
                            "--timezone", "Nowhere/Else"])
    assert r.exit_code == 2 and "IANA" in r.output


def test_api_naive_deadline_is_422_unless_the_platform_zone_is_set(late_bid, tmp_path):
    demo, sig, content = late_bid
    files = {"signature": sig.read_bytes(), "content": content.read_bytes()}
    form = {"usage": "e-tendering", "deadline": DEADLINE_BEIJING}
    plain = Settings(database_url=f"sqlite:///{tmp_path / 'a.db'}", demo_dir=demo, data_dir=tmp_path)
    with TestClient(create_app(plain)) as c:
        r = c.post("/v1/verify/signature", files=files, data=form)
        assert r.status_code == 422 and "deadline" in r.json()["detail"], r.text
        r = c.post("/v1/verify/certificate", json={"certificate": (demo / "certs/gd-leaf.pem").read_text(),
                                                   "at": "2026-12-05T07:00:00"})
        assert r.status_code == 422 and "at" == r.json()["field"]
    zoned = Settings(database_url=f"sqlite:///{tmp_path / 'b.db'}", demo_dir=demo, data_dir=tmp_path,
                     platform_timezone="Asia/Shanghai")
    with TestClient(create_app(zoned)) as c:
        r = c.post("/v1/verify/signature", files=files, data=form)
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["indication"] == "TOTAL-FAILED"
        assert all(t in body["report"]["reasons"][-1] for t in BOTH)


def test_settings_refuse_an_unknown_zone(monkeypatch):
    monkeypatch.setenv("TRUSTSVC_PLATFORM_TIMEZONE", "Asia/Nowhere")
    with pytest.raises(ValueError, match="IANA"):
        Settings.from_env()
