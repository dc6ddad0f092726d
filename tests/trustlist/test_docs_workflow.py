"""The operator workflow in docs/trust-lists.md runs as written (the README copies it)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

DOC = Path(__file__).resolve().parents[2] / "docs" / "trust-lists.md"


def _workflow() -> str:
    text = DOC.read_text()
    section = text.split("<!-- workflow:begin -->", 1)[1].split("<!-- workflow:end -->", 1)[0]
    return "\n".join(re.findall(r"```sh\n(.*?)```", section, re.S))


@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl CLI")
def test_operator_workflow_runs_as_written(tmp_path):
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}")
    result = subprocess.run(["bash", "-c", _workflow()], cwd=tmp_path, env=env, capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "OK HK #2" in result.stdout
    assert "rejected: rollback" in result.stderr
    assert "no differences" in result.stdout  # XML import round trip
    assert "~ service 'Example HK Root CA' status withdrawn" in result.stdout
