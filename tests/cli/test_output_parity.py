"""CLI parity: `--output text|json` on every command that prints a result, `--profile strict|lenient` (a choice)
on every verify command, and the TSA options `sign` and `extend` share, defined once in cli/inputs.py."""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from trustsvc.cli import _register
from trustsvc.cli import app as cli_app
from trustsvc.demo.init import init_demo

_register()
ROOT = typer.main.get_command(cli_app)
runner = CliRunner()

# Every command that prints a result. Left out, with the reason: servers (`serve`, `tsa serve`, `demo
# ocsp-responder`), `verify batch` (its --output names the NDJSON file; the results are JSON already),
# `audit show` (JSON lines already), `trust-list export` (it prints the document itself), `trust-list import`
# (a LOTL set prints one line per list), `report verify` (cli/report.py).
RESULT_COMMANDS = [
    ("verify", "certificate"), ("verify", "signature"), ("verify", "timestamp"),
    ("trust-list", "verify"), ("trust-list", "lint"), ("trust-list", "diff"), ("trust-list", "show"),
    ("trust-list", "health"), ("trust-list", "keygen"), ("trust-list", "new"), ("trust-list", "bump"),
    ("trust-list", "add-service"), ("trust-list", "set-status"), ("trust-list", "add-pointer"),
    ("trust-list", "announce-key"), ("trust-list", "sign"), ("audit", "verify"), ("demo", "init"), ("demo", "bids"), ("db", "upgrade"),
    ("operator", "add"), ("operator", "list"), ("operator", "revoke"), ("sign",), ("extend",), ("timestamp",),
]


# typer may bring its own click: the command tree is read by shape (commands, params, opts, choices).
def _command(*path: str):
    cmd = ROOT
    for name in path:
        cmd = cmd.commands[name]
    return cmd


def _option(cmd, flag: str):
    found = [p for p in cmd.params if flag in getattr(p, "opts", ())]
    assert found, f"{cmd.name} has no {flag}"
    return found[0]


def _choices(option) -> list[str]:
    """The values an option accepts: click's Choice (typer < 0.20), or the Enum typer's own parameter types name."""
    kind = getattr(option, "type", None)
    if kind is not None and hasattr(kind, "choices"):
        return [getattr(c, "value", c) for c in kind.choices]
    return [member.value for member in option.type_descriptor.annotation]


@pytest.mark.parametrize("path", RESULT_COMMANDS, ids=lambda p: " ".join(p))
def test_every_result_command_offers_output_text_and_json(path):
    option = _option(_command(*path), "--output")
    assert {"text", "json"} <= set(_choices(option))
    assert option.default in ("text", None) or getattr(option.default, "value", None) == "text"


@pytest.mark.parametrize("kind", ["certificate", "signature", "timestamp", "batch"])
def test_profile_is_the_same_choice_on_every_verify_command(kind):
    option = _option(_command("verify", kind), "--profile")
    assert _choices(option) == ["strict", "lenient"]
    assert option.help == _option(_command("verify", "certificate"), "--profile").help
    help_text = runner.invoke(cli_app, ["verify", kind, "--help"], terminal_width=200).output
    assert "strict|lenient" in help_text


def test_sign_and_extend_share_their_tsa_options():
    sign, extend = _command("sign"), _command("extend")
    for flag in ("--tsa-url", "--tsa-cert", "--tsa-key", "--tsa"):
        assert _option(sign, flag).help == _option(extend, flag).help, flag


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("demo")
    init_demo(d)
    return d


def _json(args: list[str], code: int = 0) -> dict | list:
    result = runner.invoke(cli_app, args)
    assert result.exit_code == code, (args, result.output[-1500:])
    return json.loads(result.stdout)


def test_verify_signature_and_timestamp_take_profile(demo, tmp_path):
    bid = json.loads((demo / "pki.json").read_text())["bids"]["hk"]
    lists = str(demo / "trust_lists")
    for profile in ("strict", "lenient"):
        report = _json(["verify", "signature", str(demo / bid["signature"]), "--content", str(demo / bid["content"]),
                        "--trust-list", lists, "--usage", "e-tendering", "--profile", profile, "-o", "json"])
        assert report["indication"] == "TOTAL-PASSED", report["reasons"]
    from trustsvc.cms.builder import LocalTSA

    tsa = LocalTSA.from_files(demo / "certs" / "hk-tsa.pem", demo / "keys" / "hk-tsa.key.pem")
    digest = hashlib.sha256(b"bid").digest()
    token = tmp_path / "bid.tst"
    token.write_bytes(tsa.timestamp(digest, "sha256"))
    report = _json(["verify", "timestamp", str(token), "--digest", digest.hex(), "--trust-list", lists,
                    "--profile", "lenient", "--revocation", "soft-fail", "-o", "json"])
    assert report["indication"] == "TOTAL-PASSED", report["reasons"]
    bad = runner.invoke(cli_app, ["verify", "timestamp", str(token), "--trust-list", lists, "--profile", "loose"])
    assert bad.exit_code == 2 and "loose" in bad.output


def test_trust_list_results_as_json(demo, tmp_path):
    lists = demo / "trust_lists"
    lint = _json(["trust-list", "lint", str(lists / "hk.json"), "--output", "json"])
    assert lint == {"ok": True, "findings": []}
    same = _json(["trust-list", "diff", str(lists / "hk.json"), str(lists / "hk.json"), "-o", "json"])
    assert same == {"same": True, "changes": []}
    changed = _json(["trust-list", "diff", str(lists / "hk.json"), str(lists / "mo.json"), "-o", "json"])
    assert not changed["same"] and any(c.startswith("~ territory") for c in changed["changes"])
    shown = _json(["trust-list", "show", str(lists / "hk.json"), "-o", "json"])
    (hk,) = shown["lists"]
    assert hk["territory"] == "HK" and hk["services"] and all(s["status"] for s in hk["services"])
    health = _json(["trust-list", "health", str(lists), "-o", "json"])
    assert health["ok"] and {h["territory"] for h in health["lists"]} >= {"GBA", "HK", "MO", "CN-GD"}
    pin = next((lists / "pins").glob("*.pem"))
    verified = _json(["trust-list", "verify", str(lists / "gba-lotl.json"), "--pin", str(pin), "-o", "json"])
    assert verified["accepted"] and verified["territory"] == "GBA" and len(verified["sha256"]) == 64


def test_store_and_demo_results_as_json(demo, tmp_path):
    db = f"sqlite:///{tmp_path / 'db.sqlite'}"
    upgraded = _json(["db", "upgrade", "--database-url", db, "-o", "json"])
    assert upgraded["outcome"] == "created"
    added = _json(["operator", "add", "HK", "HK op", "--database-url", db, "-o", "json"])
    assert added["territory"] == "HK" and added["token"] and added["active"]
    listed = _json(["operator", "list", "--database-url", db, "-o", "json"])
    assert [o["name"] for o in listed] == ["HK op"] and "token" not in listed[0]
    revoked = _json(["operator", "revoke", str(added["id"]), "--database-url", db, "-o", "json"])
    assert revoked["active"] is False
    audit = runner.invoke(cli_app, ["audit", "verify", "--database-url", db, "-o", "json"])
    assert audit.exit_code in (0, 1) and "ok" in json.loads(audit.stdout)
    bids = _json(["demo", "bids", str(demo), str(tmp_path / "opening"), "--count", "2", "-o", "json"])
    assert bids["bids"] == 2 and Path(bids["directory"]).is_dir()
    fresh = _json(["demo", "init", str(tmp_path / "demo2"), "-o", "json"])
    assert fresh["certificates"] >= 10 and Path(fresh["index"]).is_file()


def test_detached_content_from_standard_input(demo):
    bid = json.loads((demo / "pki.json").read_text())["bids"]["hk"]
    args = ["verify", "signature", str(demo / bid["signature"]), "--content", "-",
            "--trust-list", str(demo / "trust_lists"), "--usage", "e-tendering", "-o", "json"]
    ok = runner.invoke(cli_app, args, input=(demo / bid["content"]).read_bytes())
    assert ok.exit_code == 0 and json.loads(ok.stdout)["indication"] == "TOTAL-PASSED"
    tampered = runner.invoke(cli_app, args, input=(demo / bid["content"]).read_bytes() + b"x")
    assert tampered.exit_code == 1 and json.loads(tampered.stdout)["sub_indication"] == "HASH_FAILURE"


def test_operator_workflow_results_as_json(demo, tmp_path):
    key, cert, draft = tmp_path / "op.key.pem", tmp_path / "op.pem", tmp_path / "hk.json"
    made = _json(["trust-list", "keygen", "--key-out", str(key), "--cert-out", str(cert), "--name", "HK op",
                  "--territory", "HK", "-o", "json"])
    assert made["alg"] == "ES256" and len(made["certificate_sha256"]) == 64
    assert _json(["trust-list", "new", str(draft), "--territory", "HK", "--operator", "HK op",
                  "-o", "json"])["sequence_number"] == 1
    added = _json(["trust-list", "add-service", str(draft), "--name", "HK CA", "--type", "CA/PKC",
                   "--cert", str(demo / "certs" / "hk-root.pem"),
                   "--usage", "e-tendering", "--since", "2020-01-01", "-o", "json"])
    assert added["service"] == "HK CA" and added["usages"] == ["e-tendering"]
    signed = _json(["trust-list", "sign", str(draft), "--key", str(key), "--cert", str(cert),
                    "-o", str(tmp_path / "hk.signed.json"), "--output", "json"])
    assert signed["sha256"] == hashlib.sha256((tmp_path / "hk.signed.json").read_bytes()).hexdigest()
    bumped = _json(["trust-list", "bump", str(draft), "--output", "json"])
    assert bumped["sequence_number"] == 2
    status = _json(["trust-list", "set-status", str(draft), "--service", "HK CA", "--status", "withdrawn",
                    "-o", "json"])
    assert status["status"] == "withdrawn"


def test_batch_profile_applies_to_items_without_their_own(demo, tmp_path):
    bid = json.loads((demo / "pki.json").read_text())["bids"]["hk"]
    items = tmp_path / "items.ndjson"
    line = {"type": "signature", "signature": base64.b64encode((demo / bid["signature"]).read_bytes()).decode(),
            "content": base64.b64encode((demo / bid["content"]).read_bytes()).decode(), "usage": "e-tendering"}
    items.write_text(json.dumps({"id": "a", **line}) + "\n" + json.dumps({"id": "b", **line, "profile": "strict"}) + "\n")
    out = tmp_path / "results.ndjson"
    r = runner.invoke(cli_app, ["verify", "batch", str(items), "--trust-list", str(demo / "trust_lists"),
                                "--profile", "lenient", "--no-progress", "-o", str(out)])
    assert r.exit_code == 0, r.output
    results = [json.loads(x) for x in out.read_text().splitlines()]
    assert [x["indication"] for x in results] == ["TOTAL-PASSED", "TOTAL-PASSED"]
