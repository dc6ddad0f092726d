"""`extend --fetch` end to end: B-T -> B-LT with revocation data fetched from the demo OCSP / CRL responder,
then validated offline (responder stopped, no CRLs supplied, `revocation="require"`) after every certificate
has expired."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest
from typer.testing import CliRunner

from tests.faults.server import free_port
from tests.longterm.conftest import CONTENT, TERRITORIES, Demo
from trustsvc.cli import _register, app
from trustsvc.cms.layout import read_layout
from trustsvc.cms.levels import LT, LTA
from trustsvc.cms.validation_data import embedded
from trustsvc.demo.init import init_demo
from trustsvc.demo.ocsp_responder import OCSPResponderServer, demo_revocation_source, load_demo_cas
from trustsvc.reports import SignatureIndication
from trustsvc.validation.extend import extend_signature
from trustsvc.validation.signature import validate_signature

_register()
runner = CliRunner()


@pytest.fixture(scope="module")
def online(tmp_path_factory):
    """A demo PKI whose certificates point at a responder on a free loopback port, and that responder."""
    port = free_port()
    out = tmp_path_factory.mktemp("lt-fetch-demo")
    index = init_demo(out, now=datetime.now(timezone.utc) - timedelta(minutes=5), base_url=f"http://127.0.0.1:{port}")
    cas, knobs = load_demo_cas(out)
    return Demo(out, index), lambda: OCSPResponderServer(cas, port=port, knobs=knobs)


def _embedded(sig: bytes):
    layout = read_layout(sig)
    return embedded(layout, layout.signers[0])


@pytest.mark.parametrize("kind", ["sm2", "rsa", "ecdsa"])
def test_extend_fetches_revocation_data_then_validates_offline_years_later(online, kind):
    demo, responder = online
    _leaf, _ca, root, _tsa = TERRITORIES[kind]
    bt = demo.sign_bt(kind)
    with responder() as server:
        source = demo_revocation_source(demo.dir, server.url, timeout=5.0)
        lt = extend_signature(bt, level="B-LT", content=CONTENT, trust_anchors=[demo.cert(root)],
                              revocation_source=source)
    assert server.requests and _embedded(lt).has_revocation  # what was fetched is in the signature now
    common = dict(content=CONTENT, trust_anchors=[demo.cert(root)], at=demo.after_everything_expired(),
                  revocation="require")
    r = validate_signature(lt, **common)  # responder stopped, nothing supplied: only what the signature embeds
    assert r.indication is SignatureIndication.TOTAL_PASSED, r.reasons
    assert r.signers[0].level == LT
    assert validate_signature(bt, **common).indication is SignatureIndication.INDETERMINATE


def test_cli_extend_fetch_to_lt_then_lta_verifies_offline(online, tmp_path):
    demo, responder = online
    d = demo.dir
    sig, bid = tmp_path / "bid.p7s", tmp_path / "bid.txt"
    bid.write_bytes(CONTENT)
    sig.write_bytes(demo.sign_bt("ecdsa"))
    with responder():
        r = runner.invoke(app, ["extend", str(sig), "--level", "B-LT", "--demo", str(d), "--fetch"])
        assert r.exit_code == 0, r.output
        assert LT in r.output
        r = runner.invoke(app, ["extend", str(sig), "--level", "B-LTA", "--demo", str(d), "--tsa", "mo-tsa",
                                "--content", str(bid), "--fetch"])
        assert r.exit_code == 0, r.output
    data = _embedded(sig.read_bytes())
    assert data.ocsp or data.crls
    r = runner.invoke(app, ["verify", "signature", str(sig), "--content", str(bid), "--anchor", str(d / "certs/mo-root.pem"),
                            "--revocation", "require", "--no-fetch", "--at", "2070-01-01T00:00:00Z", "--json"])
    assert r.exit_code == 0, r.output
    signer = json.loads(r.output)["signers"][0]
    assert signer["signature_level"] == LTA and signer["validation_process"] == "long-term"


def test_cli_extend_without_fetch_or_data_is_refused(online, tmp_path):
    demo, _responder = online
    sig = tmp_path / "bid.p7s"
    sig.write_bytes(demo.sign_bt("rsa"))
    r = runner.invoke(app, ["extend", str(sig), "--level", "B-LT", "--demo", str(demo.dir)])
    assert r.exit_code == 2 and "--fetch" in r.output


def test_cli_sign_straight_to_lta_with_fetch(online, tmp_path):
    demo, responder = online
    d = demo.dir
    bid, sig = tmp_path / "bid.txt", tmp_path / "bid.p7s"
    bid.write_bytes(CONTENT)
    with responder() as server:
        r = runner.invoke(app, ["sign", str(bid), "--demo", str(d), "--as", "gd-leaf", "--chain", str(d / "certs/gd-ca.pem"),
                                "--level", "B-LTA", "--fetch", "-o", str(sig)])
        assert r.exit_code == 0, r.output
        assert server.requests
    r = runner.invoke(app, ["verify", "signature", str(sig), "--content", str(bid), "--anchor", str(d / "certs/gd-root.pem"),
                            "--revocation", "require", "--no-fetch", "--at", "2070-01-01T00:00:00Z", "--json"])
    assert r.exit_code == 0, r.output
    assert json.loads(r.output)["signers"][0]["signature_level"] == LTA
