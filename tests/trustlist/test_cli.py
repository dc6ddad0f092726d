"""`trustsvc trust-list`: bad input is one line and exit 2; rejections exit 1; edits keep history."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from asn1crypto import pem
from typer.testing import CliRunner

from trustsvc.cli import _register, app
from tests.trustlist.conftest import T0

_register()


def run(*args: str):
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def files(pki, tmp_path) -> Path:
    from trustsvc.trustlist.operator_keys import key_to_pem

    (tmp_path / "ca.pem").write_bytes(pem.armor("CERTIFICATE", pki.hk_root.der))
    key, cert = pki.ops["CN-GD"]
    (tmp_path / "gd.key").write_bytes(key_to_pem(key))
    (tmp_path / "gd.pem").write_bytes(pem.armor("CERTIFICATE", cert.der))
    (tmp_path / "rogue.pem").write_bytes(pem.armor("CERTIFICATE", pki.rogue[1].der))
    return tmp_path


def test_sm2_operator_edit_sign_verify(files):
    d = files
    assert run("trust-list", "new", str(d / "gd.json"), "--territory", "CN-GD", "--operator", "GD")[0] == 0
    code, out, _ = run("trust-list", "add-service", str(d / "gd.json"), "--name", "GD CA", "--type", "CA/PKC",
                       "--cert", str(d / "ca.pem"), "--since", "2025-01-01", "--usage", "e-tendering")
    assert code == 0, out
    code, _, err = run("trust-list", "set-status", str(d / "gd.json"), "--service", "GD CA", "--status",
                       "withdrawn", "--since", "2024-01-01")
    assert code == 2 and "must be after the current status start" in err and len(err.strip().splitlines()) == 1
    assert run("trust-list", "set-status", str(d / "gd.json"), "--service", "GD CA", "--status", "withdrawn",
               "--since", "2026-02-01")[0] == 0
    history = json.loads((d / "gd.json").read_text())["services"][0]["history"]
    assert [h["status"].rsplit("/", 1)[1] for h in history] == ["granted", "withdrawn"]
    code, out, err = run("trust-list", "sign", str(d / "gd.json"), "--key", str(d / "gd.key"), "--cert",
                         str(d / "gd.pem"), "-o", str(d / "gd.signed.json"))
    assert code == 0, err
    assert json.loads((d / "gd.signed.json").read_text())["jws"]
    code, out, _ = run("trust-list", "verify", str(d / "gd.signed.json"), "--pin", str(d / "gd.pem"))
    assert code == 0 and out.startswith("OK CN-GD #1")
    code, _, err = run("trust-list", "verify", str(d / "gd.signed.json"), "--pin", str(d / "rogue.pem"))
    assert code == 1 and "unpinned_signer" in err
    # XMLDSig has no SM2: a clear one-line refusal
    code, _, err = run("trust-list", "export", str(d / "gd.signed.json"), "--format", "xml", "--key",
                       str(d / "gd.key"), "--cert", str(d / "gd.pem"))
    assert code == 2 and "SM2" in err


@pytest.mark.parametrize("args,needle", [
    (["new", "{d}/x.json", "--territory", "Guangdong", "--operator", "o"], "territory 'Guangdong'"),
    (["show", "{d}/missing.json"], "No such file"),
    (["show", "{d}/ca.pem"], "not JSON"),
    (["add-service", "{d}/x.json", "--name", "n", "--type", "CA/PKC", "--cert", "{d}/ca.pem"], "No such file"),
    (["export", "{d}/ca.pem", "--format", "pdf"], "not JSON"),
    (["import", "{d}/ca.pem", "-o", "{d}/y.json"], "--pin"),
])
def test_bad_input_is_one_line_exit_2(files, args, needle):
    code, out, err = run("trust-list", *[a.format(d=files) for a in args])
    assert code == 2 and needle in err and len(err.strip().splitlines()) == 1


def test_lint_exit_codes(files):
    d = files
    run("trust-list", "new", str(d / "l.json"), "--territory", "HK", "--operator", "o", "--issued-at", "2020-01-01",
        "--next-update-days", "30")
    code, out, _ = run("trust-list", "lint", str(d / "l.json"), "--at", "2026-01-01")
    assert code == 1 and "next_update 2020-01-31T00:00:00Z has passed" in out
    code, out, _ = run("trust-list", "lint", str(d / "l.json"), "--at", "2020-01-02")
    assert code == 0 and "no services" in out


def test_health_of_demo_dir(pki, tmp_path):
    from trustsvc.demo.trust_lists import write

    (tmp_path / "certs").mkdir()
    (tmp_path / "certs" / "hk-root.pem").write_bytes(pem.armor("CERTIFICATE", pki.hk_root.der))
    write(tmp_path, {"created_at": T0.isoformat(), "entities": {"hk-root": {"cert": "certs/hk-root.pem"}}})
    code, out, _ = run("trust-list", "health", str(tmp_path), "--at", (T0 + timedelta(days=1)).isoformat())
    assert code == 0 and "HK     #1    ok" in out
    code, out, _ = run("trust-list", "health", str(tmp_path), "--at", (T0 + timedelta(days=90, hours=2)).isoformat())
    assert code == 1 and "due" in out
    code, _, err = run("trust-list", "health", str(tmp_path), "--at", (T0 + timedelta(days=95)).isoformat())
    assert code == 1 and "expired" in err
    code, out, _ = run("trust-list", "verify", str(tmp_path / "trust_lists" / "hk.json"), "--trust-lists",
                       str(tmp_path / "trust_lists"), "--at", T0.isoformat())
    assert code == 0 and out.startswith("OK HK #1")
