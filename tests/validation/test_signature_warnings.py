"""Warnings in a signature report: typed values (`SignatureWarning`), rendered per language, in the JSON and the CLI."""

from __future__ import annotations

import json

from asn1crypto import pem
from typer.testing import CliRunner

from tests.cms import craft
from tests.cms.conftest import pki  # noqa: F401  (session fixture)
from tests.cms.pki import NOW
from trustsvc import validate_signature
from trustsvc.cli import _register, app
from trustsvc.reports import SignatureIndication as SI
from trustsvc.validation.signature_report import WarningCode

DOC = b"Tender HK-2026-0007: bid\n" * 8
_register()


def _signed(pki):
    leaf = pki.leaf("ecdsa")
    return craft.simple(DOC, leaf.cert, leaf.key, [pki.ca("ecdsa").cert])


def test_trailing_bytes_pass_with_a_typed_warning(pki):
    report = validate_signature(_signed(pki) + b"\x00" * 7, trust_anchors=[pki.root("ecdsa").cert], at=NOW)
    assert report.indication is SI.TOTAL_PASSED, report.reasons
    (warning,) = report.all_warnings
    assert warning.code is WarningCode.TRAILING_DATA and dict(warning.params) == {"count": 7}
    body = report.to_dict()
    assert body["warnings"] == [{"code": "trailing_data", "message": "7 bytes after the end of the CMS signature were ignored",
                                 "count": 7}]


def test_a_clean_signature_has_no_warnings(pki):
    report = validate_signature(_signed(pki), trust_anchors=[pki.root("ecdsa").cert], at=NOW)
    assert report.passed and report.all_warnings == [] and report.to_dict()["warnings"] == []


def test_warnings_are_rendered_in_the_report_language(pki):
    report = validate_signature(_signed(pki) + b"\n", trust_anchors=[pki.root("ecdsa").cert], at=NOW, lang="zh-Hant")
    text = report.to_dict()["warnings"][0]["message"]
    assert "位元組" in text and "bytes" not in text


def test_cli_text_shows_the_warning(pki, tmp_path):
    sig = tmp_path / "bid.p7s"
    sig.write_bytes(_signed(pki) + b"padding")
    anchor = tmp_path / "root.pem"
    anchor.write_bytes(pem.armor("CERTIFICATE", pki.root("ecdsa").cert.der))
    runner = CliRunner()
    r = runner.invoke(app, ["verify", "signature", str(sig), "--anchor", str(anchor), "--at", NOW.isoformat()])
    assert r.exit_code == 0, r.output
    assert "warning: 7 bytes after the end of the CMS signature were ignored" in r.output
    j = runner.invoke(app, ["verify", "signature", str(sig), "--anchor", str(anchor), "--at", NOW.isoformat(), "--json"])
    assert json.loads(j.output)["warnings"][0]["code"] == "trailing_data"


def test_cli_verify_signature_by_digest(pki, tmp_path):
    import hashlib

    leaf = pki.leaf("ecdsa")
    sig = tmp_path / "bid.p7s"
    sig.write_bytes(craft.simple(DOC, leaf.cert, leaf.key, [pki.ca("ecdsa").cert], detached=True))
    anchor = tmp_path / "root.pem"
    anchor.write_bytes(pem.armor("CERTIFICATE", pki.root("ecdsa").cert.der))
    base = ["verify", "signature", str(sig), "--anchor", str(anchor), "--at", NOW.isoformat()]
    runner = CliRunner()
    ok = runner.invoke(app, [*base, "--digest", hashlib.sha256(DOC).hexdigest(), "--digest-algorithm", "sha256"])
    assert ok.exit_code == 0, ok.output
    bad = runner.invoke(app, [*base, "--digest", hashlib.sha256(DOC + b"!").hexdigest(), "--digest-algorithm", "sha256"])
    assert bad.exit_code == 1 and "HASH_FAILURE" in bad.output
    for args, words in ((["--digest", "zz", "--digest-algorithm", "sha256"], "not hexadecimal"),
                        (["--digest", "00" * 32], "--digest-algorithm"),
                        (["--digest", "00" * 32, "--digest-algorithm", "whirlpool"], "--digest-algorithm"),
                        (["--digest-algorithm", "sha256"], "needs --digest"),
                        (["--digest", "00" * 32, "--digest-algorithm", "sha256", "--content", str(sig)], "not both")):
        r = runner.invoke(app, [*base, *args])
        assert r.exit_code == 2 and words in r.output and len(r.output.strip().splitlines()) == 1, (args, r.output)
