"""Issue 14, low items: extreme times, `report verify --url` unreachable (the high-S twin of a report signature:
tests/test_jose.py)."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from trustsvc.cli import _register
from trustsvc.cli import app as cli_app


@pytest.mark.parametrize("when", ["0001-01-01T00:00:00+08:00", "9999-12-31T23:59:59-08:00", "0001-01-01T00:00:00Z"])
def test_extreme_times_are_422_not_500(client, when):
    for path, body in (("/v1/verify/certificate", {"certificate": "MIIB", "at": when}),
                       ("/v1/verify/signature", {"signature": "MIIB", "deadline": when}),
                       ("/v1/verify/timestamp", {"token": "MIIB", "deadline": when})):
        r = client.post(path, json=body)
        assert r.status_code == 422, (path, r.status_code, r.text)


@pytest.mark.parametrize("when", ["0001-01-01T00:00:00+08:00", "9999-12-31T23:59:59-08:00"])
def test_extreme_times_in_the_cli_are_one_line_and_exit_2(tmp_path, when):
    from tests.path.pki import der, issue, key

    _register()
    k = key()
    cert = tmp_path / "c.der"
    cert.write_bytes(der(issue("T", k, "T", k)))
    for args in (["verify", "certificate", str(cert), "--at", when],
                 ["verify", "signature", str(cert), "--deadline", when]):
        res = CliRunner().invoke(cli_app, args)
        assert res.exit_code == 2, (args, res.output)
        assert "Traceback" not in res.output


def test_report_verify_url_unreachable_is_one_line(tmp_path):
    _register()
    f = tmp_path / "r.jws"
    f.write_text("eyJhIjoxfQ.eyJhIjoxfQ.AAAA")
    res = CliRunner().invoke(cli_app, ["report", "verify", str(f), "--url", "http://127.0.0.1:9"])
    assert res.exit_code == 2 and "Traceback" not in res.output
    assert len(res.output.strip().splitlines()) == 1 and "cannot get the report keys" in res.output
