"""Fetching wired into the service and the CLI: the demo OCSP responder + CRL server on a free local port.

The service is configured as `make run` configures it (TRUSTSVC_DEMO_DIR and a database URL, nothing
else): it fetches, and on a demo directory loopback is allowed so the demo responder answers.
"""

from __future__ import annotations

import socket
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from trustsvc.api.app import create_app
from trustsvc.api.settings import Settings
from trustsvc.cli import _register
from trustsvc.cli import app as cli_app
from trustsvc.demo.init import init_demo
from trustsvc.demo.ocsp_responder import start_demo_responder
from trustsvc.demo.revocation import Revoked
from trustsvc.x509.certificate import Certificate

_register()
runner = CliRunner()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> tuple[Path, int]:
    port = _free_port()
    d = tmp_path_factory.mktemp("run") / "var" / "demo"
    init_demo(d, base_url=f"http://127.0.0.1:{port}")
    return d, port


@pytest.fixture
def responder(demo):
    server, said = start_demo_responder(demo[0])
    assert server is not None, said
    yield server
    server.stop()


@pytest.fixture
def make_run_client(demo, tmp_path, monkeypatch):
    """A fresh app (fresh revocation cache) configured from the environment `make run` sets."""
    def make(**env: str) -> TestClient:
        monkeypatch.setenv("TRUSTSVC_DEMO_DIR", str(demo[0]))
        monkeypatch.setenv("TRUSTSVC_DATABASE_URL", f"sqlite:///{tmp_path / 'trustsvc.db'}")
        monkeypatch.setenv("TRUSTSVC_DATA_DIR", str(tmp_path / "data"))
        for k, v in env.items():
            monkeypatch.setenv(k, v)
        return TestClient(create_app(Settings.from_env()), raise_server_exceptions=False)
    return make


def _pem(demo: Path, ident: str) -> str:
    return (demo / "certs" / f"{ident}.pem").read_text()


def _api(client: TestClient, demo: Path, leaf: str, **kw) -> dict:
    body = {"certificate": _pem(demo, leaf), "intermediates": [_pem(demo, "hk-ca")], "usage": "e-tendering", **kw}
    r = client.post("/v1/verify/certificate", json=body)
    assert r.status_code == 200, r.text
    return r.json()


def _cli(demo: Path, leaf: str, *args: str):
    return runner.invoke(cli_app, ["verify", "certificate", str(demo / "certs" / f"{leaf}.pem"),
                                   "--intermediate", str(demo / "certs" / "hk-ca.pem"),
                                   "--anchor", str(demo / "certs" / "hk-root.pem"), "--json", *args])


def test_revoked_leaf_fails_through_the_responder_in_make_run_configuration(demo, responder, make_run_client):
    d, port = demo
    with make_run_client() as client:
        body = _api(client, d, "hk-leaf-revoked")
        assert (body["indication"], body["sub_indication"]) == ("FAILED", "REVOKED"), body["report"]["reasons"]
        leaf = body["report"]["revocation"][-1]
        assert leaf["status"] == "revoked" and leaf["reason"] == "key_compromise" and leaf["revocation_time"]
        assert leaf["evidence"][0]["source"].startswith(f"http://127.0.0.1:{port}/")
        # the good bidder next to it passes, its status fetched too
        good = _api(client, d, "hk-leaf")
        assert good["indication"] == "PASSED"
        assert [c["status"] for c in good["report"]["revocation"]] == ["good", "good"]
    assert responder.requests  # the service really asked the responder


def test_revoked_leaf_fails_in_the_cli_with_fetch(demo, responder):
    d, _ = demo
    r = _cli(d, "hk-leaf-revoked", "--fetch")
    assert r.exit_code == 1, r.output
    assert '"sub_indication": "REVOKED"' in r.output
    # without --fetch nothing says it is revoked: soft-fail passes with a warning naming what is missing
    r = _cli(d, "hk-leaf-revoked", "--no-fetch")
    assert r.exit_code == 0 and "no CRL covers this certificate" in r.output


def test_fetching_can_be_switched_off_in_the_service(demo, responder, make_run_client):
    with make_run_client(TRUSTSVC_REVOCATION_FETCH="off") as client:
        body = _api(client, demo[0], "hk-leaf-revoked")
    assert body["indication"] == "PASSED" and body["report"]["warnings"]


@pytest.mark.parametrize("mode,expected", [("soft-fail", ("PASSED", None)), ("hard-fail", ("INDETERMINATE", "TRY_LATER")),
                                           ("require", ("INDETERMINATE", "TRY_LATER"))])
def test_responder_down(demo, make_run_client, mode, expected):
    d, port = demo  # no responder fixture: nothing listens on the port
    with make_run_client() as client:
        body = _api(client, d, "hk-leaf", revocation=mode)
    assert (body["indication"], body["sub_indication"]) == expected, body["report"]["reasons"]
    text = " ".join(body["report"]["warnings"] + body["report"]["reasons"])
    assert f"127.0.0.1:{port}" in text and "refused" in text.lower()
    r = _cli(d, "hk-leaf", "--fetch", "--revocation", mode)
    assert r.exit_code == {"PASSED": 0, "INDETERMINATE": 3}[expected[0]], r.output


def test_intermediate_is_checked_through_its_crl_dp_under_hard_fail(demo, responder, make_run_client):
    d, port = demo
    ca = Certificate.from_der((d / "certs" / "hk-ca.der").read_bytes())
    assert not ca.asn1.ocsp_urls  # the issuing CA has a CRL DP and no OCSP
    with make_run_client() as client:
        body = _api(client, d, "hk-leaf", revocation="hard-fail")
        assert body["indication"] == "PASSED", body["report"]["reasons"]
        ca_status = body["report"]["revocation"][0]
        assert ca_status["status"] == "good" and ca_status["evidence"][0]["kind"] == "crl"
        assert ca_status["evidence"][0]["source"] == f"http://127.0.0.1:{port}/crl/hk-root.crl"
    # ... and when the root's CRL lists the CA, the path fails on the CA
    responder.knobs.revoked[ca.serial_number] = Revoked(ca.serial_number, datetime.now(timezone.utc) - timedelta(hours=1),
                                                        "ca_compromise")
    with make_run_client() as client:
        body = _api(client, d, "hk-leaf", revocation="hard-fail")
    assert (body["indication"], body["sub_indication"]) == ("FAILED", "REVOKED")
    assert "HK Demo Issuing CA" in body["report"]["reasons"][0]
