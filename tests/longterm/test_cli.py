"""`trustsvc sign --level` and `trustsvc extend` on the demo PKI."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from tests.longterm.conftest import CONTENT

from trustsvc.cli import _register, app

_register()
runner = CliRunner()


def _run(*args):
    return runner.invoke(app, [str(a) for a in args])


def test_sign_bt_then_extend_to_lta_verifies_offline_years_later(demo, tmp_path):
    d = demo.dir
    bid = tmp_path / "bid.txt"
    bid.write_bytes(b"bid\n")
    sig = tmp_path / "bid.p7s"
    r = _run("sign", bid, "--demo", d, "--as", "mo-leaf", "--chain", d / "certs/mo-ca.pem", "--level", "B-T", "-o", sig)
    assert r.exit_code == 0, r.output
    crls = ["--crl", d / "crl/mo-ca.crl", "--crl", d / "crl/mo-root.crl"]
    for level in ("B-LT", "B-LTA"):
        r = _run("extend", sig, "--level", level, "--demo", d, "--tsa", "mo-tsa", "--content", bid, *crls)
        assert r.exit_code == 0, r.output
        assert "CAdES-BASELINE-" + level[2:] in r.output
    r = _run("verify", "signature", sig, "--content", bid, "--anchor", d / "certs/mo-root.pem", "--revocation", "require",
             "--at", "2070-01-01T00:00:00Z", "--json")
    assert r.exit_code == 0, r.output
    signer = json.loads(r.output)["signers"][0]
    assert signer["signature_level"] == "CAdES-BASELINE-LTA"
    assert [t["type"] for t in signer["timestamps"]] == ["signature", "archive"]


def test_sign_straight_to_lta(demo, tmp_path):
    d = demo.dir
    bid = tmp_path / "bid.txt"
    bid.write_bytes(b"bid\n")
    sig = tmp_path / "bid.p7s"
    r = _run("sign", bid, "--demo", d, "--as", "gd-leaf", "--chain", d / "certs/gd-ca.pem", "--level", "B-LTA",
             "--crl", d / "crl/gd-ca.crl", "--crl", d / "crl/gd-root.crl", "-o", sig)
    assert r.exit_code == 0, r.output
    r = _run("verify", "signature", sig, "--content", bid, "--anchor", d / "certs/gd-root.pem", "--revocation", "require",
             "--at", "2070-01-01T00:00:00Z")
    assert r.exit_code == 0, r.output


def test_extend_refuses_bad_level_and_detached_without_content(demo, tmp_path):
    sig = tmp_path / "x.p7s"
    sig.write_bytes(demo.sign_bt("ecdsa"))
    r = _run("extend", sig, "--level", "B-XX", "--demo", demo.dir)
    assert r.exit_code == 2 and "B-LT or B-LTA" in r.output
    r = _run("extend", sig, "--level", "B-LT", "--demo", demo.dir)
    assert r.exit_code == 2 and "no revocation data" in r.output  # not B-LT without it: refused, nothing written
    crls = ["--crl", demo.dir / "crl/mo-ca.crl", "--crl", demo.dir / "crl/mo-root.crl"]
    r = _run("extend", sig, "--level", "B-LTA", "--demo", demo.dir, "--tsa", "mo-tsa", *crls)
    assert r.exit_code == 2 and "content" in r.output
    garbage = tmp_path / "g.p7s"
    garbage.write_bytes(b"not cms")
    r = _run("extend", garbage, "--level", "B-LT", "--demo", demo.dir)
    assert r.exit_code == 2


def test_verify_format_etsi_xml(demo, tmp_path):
    sig = tmp_path / "x.p7s"
    sig.write_bytes(demo.sign_bt("ecdsa"))
    content = tmp_path / "bid.txt"
    content.write_bytes(CONTENT)
    r = _run("verify", "signature", sig, "--content", content, "--anchor", demo.dir / "certs/mo-root.pem", "--format", "etsi-xml")
    assert r.exit_code == 0, r.output
    assert r.output.startswith("<?xml") and "urn:etsi:019102:mainindication:total-passed" in r.output
    r = _run("verify", "signature", sig, "--content", content, "--anchor", demo.dir / "certs/mo-root.pem", "--format", "yaml")
    assert r.exit_code == 2
