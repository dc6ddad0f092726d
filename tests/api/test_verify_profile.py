"""`profile` (strict | lenient) over HTTP and the CLI: same core outcome, bad values refused at the edge."""

from __future__ import annotations

import base64

from typer.testing import CliRunner

from tests.path.rawpki import NOW, leaf, root
from trustsvc.cli import _register, app

_register()


def _chain():
    r = root(exts={"key_identifier": None})  # a CA-side slip: no subjectKeyIdentifier in the root
    return r, leaf(r)


def _b64(der: bytes) -> str:
    return base64.b64encode(der).decode()


def test_http_profile_field(client):
    r, lf = _chain()
    req = {"certificate": _b64(lf.der), "trust_anchors": [_b64(r.der)], "use_trust_lists": False,
           "at": NOW.isoformat(), "revocation": "soft-fail"}
    strict = client.post("/v1/verify/certificate", json=req).json()
    assert strict["indication"] == "INDETERMINATE" and strict["sub_indication"] == "FORMAT_FAILURE", strict
    lenient = client.post("/v1/verify/certificate", json={**req, "profile": "lenient"}).json()
    assert lenient["indication"] == "PASSED", lenient
    assert any("subjectKeyIdentifier" in w for w in lenient["report"]["warnings"])
    bad = client.post("/v1/verify/certificate", json={**req, "profile": "relaxed"})
    assert bad.status_code == 422


def test_cli_profile_option(tmp_path):
    r, lf = _chain()
    (tmp_path / "root.der").write_bytes(r.der)
    (tmp_path / "leaf.der").write_bytes(lf.der)
    base = ["verify", "certificate", str(tmp_path / "leaf.der"), "--anchor", str(tmp_path / "root.der"),
            "--at", NOW.isoformat(), "--revocation", "off"]
    runner = CliRunner()
    assert runner.invoke(app, base).exit_code == 3
    assert runner.invoke(app, [*base, "--profile", "lenient"]).exit_code == 0
    bad = runner.invoke(app, [*base, "--profile", "relaxed"])
    assert bad.exit_code == 2
