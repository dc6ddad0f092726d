"""Settings: every TRUSTSVC_* variable validated by pydantic-settings, named when wrong, documented in one table."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from trustsvc.api.settings import Settings, SettingsError, documented, env_name

DOC = Path(__file__).resolve().parents[2] / "docs" / "api.md"


def test_every_variable_is_in_the_docs_table():
    table = set(re.findall(r"^\| `(TRUSTSVC_[A-Z_]+)` \|", DOC.read_text(), re.M))
    assert {var for var, _, _ in documented()} == table


def test_values_from_the_environment():
    s = Settings.from_env({"TRUSTSVC_MAX_BODY_BYTES": "16MiB", "TRUSTSVC_POLL_INTERVAL": "0.5",
                           "TRUSTSVC_REPORT_KEY": "/run/secrets/key.pem", "TRUSTSVC_DEMO_DIR": "",
                           "TRUSTSVC_MIGRATE": "false", "TRUSTSVC_BATCH_CONCURRENCY": "3"})
    assert s.max_body_bytes == 16 * 1024 * 1024 and s.poll_interval == 0.5 and s.migrate is False
    assert s.report_key == Path("/run/secrets/key.pem") and s.demo_dir is None and s.batch_concurrency == 3
    assert Settings.from_env({"TRUSTSVC_MAX_BODY_BYTES": "16MB"}).max_body_bytes == 16_000_000


def test_explicit_settings_ignore_the_environment(monkeypatch):
    monkeypatch.setenv("TRUSTSVC_POLL_INTERVAL", "7")
    assert Settings().poll_interval == 2.0 and Settings.from_env().poll_interval == 7.0


@pytest.mark.parametrize("var, value", [
    ("TRUSTSVC_POLL_INTERVAL", "-5"), ("TRUSTSVC_POLL_INTERVAL", "7200"), ("TRUSTSVC_MAX_BODY_BYTES", "lots"),
    ("TRUSTSVC_MAX_BODY_BYTES", "-1"), ("TRUSTSVC_BATCH_CONCURRENCY", "0"), ("TRUSTSVC_MAX_BATCH_ITEMS", "many"),
    ("TRUSTSVC_MIGRATE", "perhaps"), ("TRUSTSVC_LOG_FORMAT", "xml"),
])
def test_an_invalid_value_names_the_variable(var, value):
    with pytest.raises(SettingsError) as err:
        Settings.from_env({var: value})
    assert str(err.value).startswith(f"{var}={value!r}: ")


def test_serve_stops_with_one_line_naming_the_variable(tmp_path):
    from trustsvc.cli import _register, app

    _register()
    env = {"TRUSTSVC_POLL_INTERVAL": "-5", "TRUSTSVC_DATABASE_URL": f"sqlite:///{tmp_path}/x.db",
           "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "metrics")}  # restored after the call
    res = CliRunner().invoke(app, ["serve", "--port", "1"], env=env)
    assert res.exit_code != 0
    assert isinstance(res.exception, SettingsError) and "TRUSTSVC_POLL_INTERVAL" in str(res.exception)


def test_env_names():
    assert env_name("report_key_path") == "TRUSTSVC_REPORT_KEY" and env_name("poll_interval") == "TRUSTSVC_POLL_INTERVAL"
