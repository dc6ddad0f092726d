"""init_demo's optional steps: absent modules are skipped, broken ones fail loudly, additions reach pki.json."""

from __future__ import annotations

import json
import sys
from datetime import datetime, timezone

import pytest

from trustsvc.demo import init as demo_init


def test_absent_step_module_is_skipped():
    assert demo_init._optional("trustsvc.demo.no_such_step_xyz") is None


def test_step_with_a_missing_dependency_is_an_error(tmp_path, monkeypatch):
    (tmp_path / "broken_step_xyz.py").write_text("import no_such_dependency_xyz\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(ModuleNotFoundError):
        demo_init._optional("broken_step_xyz")
    sys.modules.pop("broken_step_xyz", None)


def test_steps_run_in_order_and_their_additions_are_written(tmp_path, monkeypatch):
    (tmp_path / "mods").mkdir()
    (tmp_path / "mods" / "extra_step_xyz.py").write_text(
        "def write(out_dir, index, *, now=None):\n"
        "    assert (out_dir / 'pki.json').exists() and 'gd-leaf' in index['entities']\n"
        "    index['extra'] = {'now': now.isoformat()}\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path / "mods"))
    monkeypatch.setattr(demo_init, "OPTIONAL_STEPS", ("trustsvc.demo.no_such_step_xyz", "extra_step_xyz"))
    now = datetime(2026, 3, 1, 12, 0, tzinfo=timezone.utc)
    index = demo_init.init_demo(tmp_path / "demo", now=now)
    assert index["extra"] == {"now": now.isoformat()}
    assert json.loads((tmp_path / "demo" / "pki.json").read_text())["extra"] == index["extra"]
    assert index["created_at"] == now.isoformat()
    sys.modules.pop("extra_step_xyz", None)
