"""A demo PKI and signing helpers for the long-term (B-LT / B-LTA) tests."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from trustsvc.cms.builder import LocalTSA, load_private_key, sign_cms
from trustsvc.demo.init import init_demo
from trustsvc.x509.certificate import Certificate

TERRITORIES = {"sm2": ("gd-leaf", "gd-ca", "gd-root", "gd-tsa"), "rsa": ("hk-leaf", "hk-ca", "hk-root", "hk-tsa"),
               "ecdsa": ("mo-leaf", "mo-ca", "mo-root", "mo-tsa")}
CONTENT = b"bid for the 2026 harbour works\n"


class Demo:
    def __init__(self, root: Path, index: dict) -> None:
        self.dir, self.index = root, index

    def cert(self, eid: str) -> Certificate:
        return Certificate.from_der((self.dir / self.index["entities"][eid]["cert_der"]).read_bytes())

    def key(self, eid: str):
        return load_private_key((self.dir / self.index["entities"][eid]["key"]).read_bytes())

    def crl(self, eid: str) -> bytes:
        return (self.dir / self.index["revocation"]["crls"][eid]).read_bytes()

    def tsa(self, eid: str) -> LocalTSA:
        return LocalTSA(self.cert(eid), self.key(eid))

    def crls(self, kind: str) -> list[bytes]:
        _leaf, ca, root, _tsa = TERRITORIES[kind]
        return [self.crl(ca), self.crl(root)]

    def sign_bt(self, kind: str, content: bytes = CONTENT) -> bytes:
        leaf, ca, _root, tsa = TERRITORIES[kind]
        return sign_cms(content, self.cert(leaf), self.key(leaf), extra_certs=[self.cert(ca)],
                        timestamper=self.tsa(tsa), signing_time=datetime.now(timezone.utc).replace(microsecond=0))

    def after_everything_expired(self) -> datetime:
        latest = max(self.cert(e).not_after for e in self.index["entities"])
        return latest + timedelta(days=30)


@pytest.fixture(scope="session")
def demo(tmp_path_factory) -> Demo:
    out = tmp_path_factory.mktemp("lt-demo")
    index = init_demo(out, now=datetime.now(timezone.utc) - timedelta(minutes=5))
    assert json.loads((out / "pki.json").read_text()) == index
    return Demo(out, index)
