"""The demo bids end to end: `trustsvc demo init` bids verify through the CLI with the demo trust lists."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from typer.testing import CliRunner

pytest.importorskip("trustsvc.validation.certificate")

from trustsvc.cli import _register, app  # noqa: E402
from trustsvc.demo.init import init_demo  # noqa: E402

_register()
runner = CliRunner()


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("demo")
    init_demo(out, now=datetime.now(timezone.utc) - timedelta(minutes=5))
    return out


def _run(*args: str):
    return runner.invoke(app, list(args))


@pytest.mark.parametrize("slug", ["cn-gd", "hk", "mo"])
def test_demo_bid_verifies_with_trust_lists(demo, slug):
    index = json.loads((demo / "pki.json").read_text())
    bid = index["bids"][slug]
    r = _run("verify", "signature", str(demo / bid["signature"]), "--content", str(demo / bid["content"]),
             "--trust-list", str(demo / "trust_lists"), "--usage", "e-tendering", "--deadline", bid["deadline"], "--json")
    assert r.exit_code == 0, r.output
    report = json.loads(r.output)
    signer = report["signers"][0]
    assert signer["validation_time_source"] == "timestamp"
    assert signer["timestamps"][0]["indication"] == "TOTAL-PASSED"
    assert signer["recognition"]["recognised"]


def test_demo_bid_after_deadline_exits_1_naming_both_times(demo):
    index = json.loads((demo / "pki.json").read_text())
    bid = index["bids"]["hk"]
    r = _run("verify", "signature", str(demo / bid["signature"]), "--content", str(demo / bid["content"]),
             "--trust-list", str(demo / "trust_lists"), "--deadline", "2000-01-01T00:00:00Z")
    assert r.exit_code == 1, r.output
    assert "2000-01-01T00:00:00Z" in r.output


def test_demo_eguarantee_with_expected_fields(demo, tmp_path):
    index = json.loads((demo / "pki.json").read_text())
    g = index["bids"]["mo-guarantee"]
    args = ["verify", "signature", str(demo / g["signature"]), "--trust-list", str(demo / "trust_lists"),
            "--usage", "e-guarantee"]
    assert _run(*args, "--expected", str(demo / g["expected"])).exit_code == 0
    wrong = tmp_path / "wrong.json"
    wrong.write_text(json.dumps({"amount": "600000.00"}))  # a minimum: the guarantee is 500,000
    r = _run(*args, "--expected", str(wrong), "--lang", "zh-Hans")
    assert r.exit_code == 1 and "amount" in r.output and "电子保函" in r.output


def test_sign_then_verify_round_trip(demo, tmp_path):
    f = tmp_path / "bid.txt"
    f.write_bytes(b"my bid\n")
    r = _run("sign", str(f), "--demo", str(demo), "--as", "gd-leaf", "--timestamp", "--chain", str(demo / "certs/gd-ca.pem"))
    assert r.exit_code == 0, r.output
    r = _run("verify", "signature", str(tmp_path / "bid.txt.p7s"), "--content", str(f), "--trust-list", str(demo / "trust_lists"))
    assert r.exit_code == 0, r.output
    f.write_bytes(b"my bid, altered\n")
    r = _run("verify", "signature", str(tmp_path / "bid.txt.p7s"), "--content", str(f), "--trust-list", str(demo / "trust_lists"))
    assert r.exit_code == 1 and "HASH_FAILURE" in r.output


def test_unreadable_input_exits_2(demo, tmp_path):
    r = _run("verify", "signature", str(tmp_path / "missing.p7s"), "--trust-list", str(demo / "trust_lists"))
    assert r.exit_code == 2
    garbage = tmp_path / "garbage.p7s"
    garbage.write_bytes(b"garbage")
    r = _run("verify", "signature", str(garbage), "--trust-list", str(demo / "trust_lists"))
    assert r.exit_code == 2 and "FORMAT_FAILURE" in r.output


@pytest.mark.parametrize("who", ["gd-leaf", "hk-leaf", "mo-leaf"])
def test_sign_output_verifies_without_extra_flags(demo, tmp_path, who):
    # Issue 18: `trustsvc sign` as documented made bids rejected with "no issuer found" unless --chain was added.
    f = tmp_path / "bid.txt"
    f.write_bytes(b"Tender GD-2026-0001: bid\n")
    r = _run("sign", str(f), "--demo", str(demo), "--as", who, "--timestamp")
    assert r.exit_code == 0, r.output
    r = _run("verify", "signature", str(tmp_path / "bid.txt.p7s"), "--content", str(f),
             "--trust-list", str(demo / "trust_lists"), "--usage", "e-tendering")
    assert r.exit_code == 0, r.output


def test_sign_with_cert_and_key_takes_the_chain_files_but_never_the_root(demo, tmp_path):
    from trustsvc.cms.signed_data import parse_signed_data

    f = tmp_path / "bid.txt"
    f.write_bytes(b"bid\n")
    bundle = tmp_path / "bundle.pem"
    bundle.write_bytes((demo / "certs/hk-ca.pem").read_bytes() + (demo / "certs/hk-root.pem").read_bytes())
    r = _run("sign", str(f), "--cert", str(demo / "certs/hk-leaf.pem"), "--key", str(demo / "keys/hk-leaf.key.pem"),
             "--chain", str(bundle))
    assert r.exit_code == 0, r.output
    certs = parse_signed_data((tmp_path / "bid.txt.p7s").read_bytes()).certificates
    assert [c.subject_str for c in certs if c.self_issued] == [] and len(certs) == 2
    r = _run("sign", str(f), "--demo", str(demo), "--as", "hk-leaf", "--no-chain", "-o", str(tmp_path / "bare.p7s"))
    assert r.exit_code == 0 and len(parse_signed_data((tmp_path / "bare.p7s").read_bytes()).certificates) == 1
