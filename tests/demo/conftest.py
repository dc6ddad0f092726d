"""One demo PKI per test session (fresh keys; about a second)."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

import pytest

from trustsvc.demo.init import init_demo


@pytest.fixture(scope="session")
def demo_pki(tmp_path_factory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("demo-pki")
    now = datetime.now(timezone.utc).replace(microsecond=0)
    index = init_demo(out, now=now)
    assert json.loads((out / "pki.json").read_text()) == index
    return out, index
