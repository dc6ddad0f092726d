"""`init_demo`: generate the demo GBA PKI into a directory, run the optional steps, write pki.json."""

from __future__ import annotations

import importlib
import inspect
import json
import shutil
from datetime import datetime, timezone
from pathlib import Path

from trustsvc.demo.pki import DEFAULT_BASE_URL, DemoPKI

# Steps other areas plug in: each module has `write(out_dir, index)` and may add entries to `index`.
OPTIONAL_STEPS = ("trustsvc.demo.trust_lists", "trustsvc.demo.bids", "trustsvc.demo.revocation")
# What a demo directory holds; `clear_demo` removes exactly these (never anything else).
GENERATED = ("certs", "keys", "crl", "trust_lists", "bids", "revocation.json", "pki.json")


def init_demo(out_dir: Path, *, now: datetime | None = None, base_url: str = DEFAULT_BASE_URL) -> dict:
    """Generate a fresh demo PKI (new keys every run) in `out_dir` and return the pki.json index.

    `now` fixes the clock (certificates start at now - 1 day); `base_url` is where the leaves'
    CRL distribution points and AIA OCSP URLs point (the demo revocation responder).
    """
    out_dir = Path(out_dir)
    now = (now or datetime.now(timezone.utc)).replace(microsecond=0)
    if now.tzinfo is None:
        now = now.replace(tzinfo=timezone.utc)
    out_dir.mkdir(parents=True, exist_ok=True)
    index = DemoPKI(now, base_url=base_url).write(out_dir)
    _write_index(out_dir, index)  # the steps read the PKI through it
    for name in OPTIONAL_STEPS:
        step = _optional(name)
        if step is None:
            continue
        kwargs = _supported(step.write, now=now, base_url=base_url)
        result = step.write(out_dir, index, **kwargs)
        if isinstance(result, dict):
            index = result
    _write_index(out_dir, index)
    return index


def clear_demo(out_dir: Path) -> None:
    """Remove what `init_demo` generates in `out_dir` (for `--force`), leaving other files alone."""
    for name in GENERATED:
        path = Path(out_dir) / name
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        elif path.exists() or path.is_symlink():
            path.unlink()


def _optional(name: str):
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name != name:  # the step exists but something it needs is missing: a real error
            raise
        return None


def _supported(func, **candidates) -> dict:
    """The keyword arguments among `candidates` that `func` accepts (steps may take now / base_url)."""
    params = inspect.signature(func).parameters
    return {k: v for k, v in candidates.items() if k in params}


def _write_index(out_dir: Path, index: dict) -> None:
    (out_dir / "pki.json").write_text(json.dumps(index, indent=2, sort_keys=False) + "\n")
