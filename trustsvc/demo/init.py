"""`init_demo`: generate the demo GBA PKI into a directory, its trust lists, bids and revocation material, write pki.json."""

from __future__ import annotations

import json
import shutil
from datetime import datetime, timezone
from pathlib import Path

from trustsvc.demo import bids, revocation, trust_lists
from trustsvc.demo.pki import DEFAULT_BASE_URL, DemoPKI

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
    # The steps after the PKI, in order: trust lists, then signed bids (which name the lists), then the
    # revocation material (CRLs, OCSP responses) the demo responder serves.
    trust_lists.write(out_dir, index)
    index = bids.write(out_dir, index, now=now)
    index = revocation.write(out_dir, index, now=now, base_url=base_url)
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


def _write_index(out_dir: Path, index: dict) -> None:
    (out_dir / "pki.json").write_text(json.dumps(index, indent=2, sort_keys=False) + "\n")
