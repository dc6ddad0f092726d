"""The README's CLI block works as written after the set-up commands (the `trustsvc` lines, not the servers)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[1] / "README.md"
SERVERS = ("trustsvc serve", "trustsvc demo ocsp-responder")


def _commands() -> list[str]:
    section = README.read_text().split("## CLI\n", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```sh\n(.*?)```", section, re.S).group(1)
    return [line.split("  #")[0].strip() for line in block.replace("\\\n", " ").splitlines() if line.strip()]


def test_readme_cli_names_the_trust_list_certificate_check():
    cmds = _commands()
    assert cmds[0].startswith(". .venv/bin/activate")
    assert any(c.startswith("trustsvc verify certificate") and "--trust-list" in c and "--usage e-tendering" in c
               for c in cmds)


@pytest.mark.slow
def test_readme_cli_lines_run_as_written(tmp_path):
    (tmp_path / ".venv").symlink_to(Path(sys.prefix))
    env = {k: v for k, v in os.environ.items() if k != "VIRTUAL_ENV"}
    env["PATH"] = "/usr/bin:/bin"  # only the activated venv provides `trustsvc`
    script = "\n".join(["set -e", *[c for c in _commands() if not c.startswith(SERVERS)]])
    run = subprocess.run(["bash", "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]
    assert "PASSED" in run.stdout and "TOTAL-PASSED" in run.stdout
