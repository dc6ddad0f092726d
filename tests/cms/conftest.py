"""Session-wide generated PKI for the CMS and timestamp tests (key generation is the slow part)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from asn1crypto import pem

from tests.cms.pki import NOW, Entity, hierarchy, issue, key_pem, new_key


class TestPKI:
    def __init__(self) -> None:
        self.chains: dict[str, tuple[Entity, Entity, Entity]] = {k: hierarchy(k, k) for k in ("rsa", "ecdsa", "ed25519", "sm2")}
        self.tsa_root = issue("tsa root", new_key("ecdsa"), None, ca=True)
        self.tsa = issue("test tsa", new_key("ecdsa"), self.tsa_root, tsa=True)
        self.sm2_tsa = issue("test sm2 tsa", new_key("sm2"), self.chains["sm2"][0], tsa=True)
        self.tsa_noncritical = issue("tsa non-critical eku", new_key("ecdsa"), self.tsa_root, tsa=True, tsa_eku_critical=False)

    def root(self, kind: str) -> Entity:
        return self.chains[kind][0]

    def ca(self, kind: str) -> Entity:
        return self.chains[kind][1]

    def leaf(self, kind: str) -> Entity:
        return self.chains[kind][2]


@pytest.fixture(scope="session")
def pki() -> TestPKI:
    return TestPKI()


@pytest.fixture(scope="session")
def now():
    return NOW


def write_pem(path: Path, der: bytes, label: str = "CERTIFICATE") -> Path:
    path.write_bytes(pem.armor(label, der))
    return path


def write_key(path: Path, key) -> Path:
    path.write_bytes(key_pem(key))
    return path


def openssl(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(["openssl", *args], capture_output=True, text=True, cwd=cwd)


needs_openssl = pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl CLI")
