"""Localised to the bottom: a zh-Hant (or zh-Hans) report carries no English reason text, nested reasons included."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from trustsvc.api.app import create_app
from trustsvc.api.settings import Settings
from trustsvc.cli import _register, app
from trustsvc.demo.init import init_demo
from trustsvc.trustlist import load_trust_store
from trustsvc.validation.signature import validate_signature
from trustsvc.validation.timestamp import validate_timestamp

_register()
runner = CliRunner()
# Words of our English reasons, the path / revocation / trust-list layers' and the name labels.
ENGLISH = re.compile(r"\b(the|not|is|at|by|of|and|no|was|certificate|signature|valid|trust|lists?|recognised|revoked|"
                     r"expired|timestamp|path|chain|issuer|found|signer|deadline|after|before|submitted|guarantee|"
                     r"Common Name|Organization|Organizational Unit|Country|granted|service|usage)\b", re.I)


def english_in(reasons: list[str]) -> list[str]:
    return [m.group(0) for r in reasons for m in ENGLISH.finditer(r)]


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("l10n-demo")
    init_demo(out, now=datetime.now(timezone.utc) - timedelta(minutes=5))
    return out


def _bid(demo: Path, slug: str) -> tuple[bytes, bytes]:
    return (demo / f"bids/{slug}-bid.p7s").read_bytes(), (demo / f"bids/{slug}-bid.txt").read_bytes()


@pytest.mark.parametrize("lang", ["zh-Hant", "zh-Hans"])
def test_not_recognised_for_the_usage_is_told_without_english(demo, lang):
    # The HK bidder's CA is listed for e-tendering, not e-guarantee: the nested trust-list reason.
    sig, content = _bid(demo, "hk")
    report = validate_signature(sig, content=content, trust=load_trust_store(demo / "trust_lists"),
                                usage="e-guarantee", lang=lang)
    assert report.indication.value != "TOTAL-PASSED"
    assert report.reasons and not english_in(report.reasons), report.reasons
    assert {"zh-Hant": "電子保函", "zh-Hans": "电子保函"}[lang] in report.reasons[-1]


def test_late_bid_and_names_in_zh_hant(demo):
    sig, content = _bid(demo, "cn-gd")
    report = validate_signature(sig, content=content, trust=load_trust_store(demo / "trust_lists"),
                                usage="e-tendering", deadline="2000-01-01T00:00:00Z", lang="zh-Hant")
    assert report.indication.value == "TOTAL-FAILED"
    assert not english_in(report.reasons), report.reasons
    ok = validate_signature(sig, content=content, trust=load_trust_store(demo / "trust_lists"), usage="e-tendering",
                            lang="zh-Hant")
    assert ok.indication.value == "TOTAL-PASSED"
    assert "通用名稱" in ok.reasons[0] and not english_in(ok.reasons), ok.reasons


def test_unrecognised_tsa_and_wrong_imprint_in_zh_hant(demo):
    sig, content = _bid(demo, "mo")
    from trustsvc.cms.attributes import signature_timestamp_token_ders
    from trustsvc.cms.signed_data import parse_signed_data

    token = signature_timestamp_token_ders(parse_signed_data(sig).signers[0])[0]
    token_der = token.dump() if hasattr(token, "dump") else bytes(token)
    report = validate_timestamp(token_der, content=b"other data", trust=load_trust_store(demo / "trust_lists"),
                                lang="zh-Hant")
    assert report.indication.value == "TOTAL-FAILED" and not english_in(report.reasons), report.reasons
    report = validate_timestamp(token_der, content=b"x", trust_anchors=[(demo / "certs/gd-root.pem").read_bytes()],
                                lang="zh-Hant")
    assert not english_in(report.reasons), report.reasons


def test_certificate_endpoint_and_cli_take_lang(demo, tmp_path):
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'db.sqlite'}", demo_dir=demo, data_dir=tmp_path)
    body = {"certificate": (demo / "certs/hk-leaf.pem").read_text(), "intermediates": [(demo / "certs/hk-ca.pem").read_text()],
            "usage": "e-guarantee", "lang": "zh-Hant"}
    with TestClient(create_app(settings)) as c:
        r = c.post("/v1/verify/certificate", json=body)
        assert r.status_code == 200, r.text
        report = r.json()["report"]
        assert report["lang"] == "zh-Hant" and report["reasons"] and not english_in(report["reasons"]), report
        assert report["technical_details"]  # the English detail is kept for engineers, apart from the reasons
        del body["lang"]
        r = c.post("/v1/verify/certificate?lang=zh-Hans", json=body)
        assert r.json()["report"]["lang"] == "zh-Hans" and not english_in(r.json()["report"]["reasons"])
    r = runner.invoke(app, ["verify", "certificate", str(demo / "certs/hk-leaf.pem"), "--anchor",
                            str(demo / "certs/gd-root.pem"), "--lang", "zh-Hant", "--json"])
    assert r.exit_code == 3, r.output
    import json

    assert not english_in(json.loads(r.output)["reasons"])
