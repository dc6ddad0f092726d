"""`trustsvc demo init`: clear help, one-line refusal of a non-empty directory, --force replaces only demo files."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path


def _trustsvc(*args: str) -> subprocess.CompletedProcess:
    code = "import sys; from trustsvc.cli import main; main(sys.argv[1:])"
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True)


def test_help_is_clear():
    r = _trustsvc("demo", "init", "--help")
    assert r.returncode == 0
    for word in ("DIR", "--force", "--base-url", "SM2", "bridge", "pki.json"):
        assert word in r.stdout, word


def test_refuses_a_non_empty_directory_without_force(tmp_path):
    (tmp_path / "something.txt").write_text("mine")
    r = _trustsvc("demo", "init", str(tmp_path))
    assert r.returncode != 0
    assert len(r.stderr.strip().splitlines()) == 1 and "--force" in r.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["something.txt"]


def test_refuses_a_file_with_one_line(tmp_path):
    (tmp_path / "f").write_text("x")
    r = _trustsvc("demo", "init", str(tmp_path / "f"))
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1


def test_force_replaces_the_demo_and_keeps_other_files(tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    (tmp_path / "certs").mkdir()
    (tmp_path / "certs" / "stale.pem").write_text("old")
    r = _trustsvc("demo", "init", "--force", "--base-url", "http://127.0.0.1:9999", str(tmp_path))
    assert r.returncode == 0, r.stderr
    index = json.loads((tmp_path / "pki.json").read_text())
    assert "gd-leaf" in index["entities"]
    assert (tmp_path / "notes.txt").read_text() == "mine"
    assert not (tmp_path / "certs" / "stale.pem").exists()
    from trustsvc.x509 import load_certificate

    leaf = load_certificate((tmp_path / index["entities"]["hk-leaf"]["cert"]).read_bytes())
    assert leaf.asn1.ocsp_urls == ["http://127.0.0.1:9999/ocsp"]


def test_missing_directory_argument_is_a_usage_error():
    r = _trustsvc("demo", "init")
    assert r.returncode == 2
