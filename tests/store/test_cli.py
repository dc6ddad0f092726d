"""`trustsvc operator add|list|revoke`, `audit verify|show` and `db upgrade` against a temp database."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from trustsvc.cli import _register
from trustsvc.cli import app as cli_app
from trustsvc.store import db, operators


def test_operator_lifecycle_and_audit(db_url):
    _register()
    runner = CliRunner()
    env = {"TRUSTSVC_DATABASE_URL": db_url}
    assert runner.invoke(cli_app, ["db", "upgrade"], env=env).exit_code == 0
    res = runner.invoke(cli_app, ["operator", "add", "HK", "HK Trust List Operator"], env=env)
    assert res.exit_code == 0
    token = res.stdout.strip().splitlines()[0]
    assert token.startswith("tsv_")
    engine = db.make_engine(db_url)
    with db.session_factory(engine)() as s:
        assert operators.authenticate(s, token) is not None
    listed = json.loads(runner.invoke(cli_app, ["operator", "list", "--json"], env=env).stdout)
    assert listed[0]["territory"] == "HK" and listed[0]["active"] and "token" not in json.dumps(listed)
    assert runner.invoke(cli_app, ["operator", "add", "Hong Kong", "nobody"], env=env).exit_code == 2
    assert runner.invoke(cli_app, ["operator", "revoke", str(listed[0]["id"])], env=env).exit_code == 0
    assert runner.invoke(cli_app, ["operator", "revoke", "999"], env=env).exit_code == 2
    with db.session_factory(engine)() as s:
        assert operators.authenticate(s, token) is None
    engine.dispose()
    res = runner.invoke(cli_app, ["audit", "verify", "--json"], env=env)
    assert res.exit_code == 0 and json.loads(res.stdout)["entries"] == 2
    shown = [json.loads(line) for line in runner.invoke(cli_app, ["audit", "show"], env=env).stdout.splitlines()]
    assert [e["action"] for e in shown] == ["operator.add", "operator.revoke"]
