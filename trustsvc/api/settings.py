"""API settings, read from TRUSTSVC_* environment variables."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from trustsvc.store.db import DEFAULT_DATABASE_URL


def _int(name: str, default: int) -> int:
    return int(os.environ.get(name, "") or default)


def _float(name: str, default: float) -> float:
    return float(os.environ.get(name, "") or default)


@dataclass(frozen=True)
class Settings:
    database_url: str = DEFAULT_DATABASE_URL
    demo_dir: Path | None = None  # TRUSTSVC_DEMO_DIR: import its trust lists into an empty store
    trust_lists_dir: Path | None = None  # TRUSTSVC_TRUST_LISTS_DIR: same, for a real trust_lists/ directory
    data_dir: Path = Path("var")
    report_key_path: Path | None = None  # default: data_dir / report-key.pem
    max_body_bytes: int = 16 * 1024 * 1024
    max_batch_bytes: int = 512 * 1024 * 1024
    max_batch_line_bytes: int = 32 * 1024 * 1024
    max_batch_items: int = 10_000
    batch_concurrency: int = field(default_factory=lambda: min(8, os.cpu_count() or 2))
    poll_interval: float = 2.0  # seconds between checks for a newer trust-list version
    migrate: bool = True

    @property
    def report_key(self) -> Path:
        return self.report_key_path or self.data_dir / "report-key.pem"

    @classmethod
    def from_env(cls) -> "Settings":
        env = os.environ
        demo = env.get("TRUSTSVC_DEMO_DIR")
        tl = env.get("TRUSTSVC_TRUST_LISTS_DIR")
        key = env.get("TRUSTSVC_REPORT_KEY")
        d = cls()
        return cls(
            database_url=env.get("TRUSTSVC_DATABASE_URL") or DEFAULT_DATABASE_URL,
            demo_dir=Path(demo) if demo else None,
            trust_lists_dir=Path(tl) if tl else None,
            data_dir=Path(env.get("TRUSTSVC_DATA_DIR") or "var"),
            report_key_path=Path(key) if key else None,
            max_body_bytes=_int("TRUSTSVC_MAX_BODY_BYTES", d.max_body_bytes),
            max_batch_bytes=_int("TRUSTSVC_MAX_BATCH_BYTES", d.max_batch_bytes),
            max_batch_items=_int("TRUSTSVC_MAX_BATCH_ITEMS", d.max_batch_items),
            batch_concurrency=_int("TRUSTSVC_BATCH_CONCURRENCY", d.batch_concurrency),
            poll_interval=_float("TRUSTSVC_POLL_INTERVAL", d.poll_interval),
        )


__all__ = ["Settings"]
