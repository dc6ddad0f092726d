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
    # One verification (or one batch item) stops with INDETERMINATE past these (TRUSTSVC_VERIFY_TIMEOUT,
    # TRUSTSVC_VERIFY_CPU_SECONDS); it also stops when the client goes away.
    verify_timeout: float = 30.0
    verify_cpu_seconds: float = 10.0
    max_report_bytes: int = 1024 * 1024  # a larger report is summarised (candidate paths counted, lists cut)
    # API keys of relying platforms (TRUSTSVC_API_KEYS="platform-a=key1,platform-b=key2"): `?archive=true`
    # stores a report server-side only for a caller presenting one (Authorization: Bearer / X-API-Key).
    api_keys: tuple[tuple[str, str], ...] = ()
    max_archived_report_bytes: int = 2 * 1024 * 1024
    # HMAC key of the audit chain (TRUSTSVC_AUDIT_KEY, or data_dir/audit-key created on first start).
    audit_key_path: Path | None = None
    # Anonymous refused uploads: at most this many audit rows per client per minute; the rest are counted.
    anonymous_audit_per_minute: int = 10
    # Proxies whose X-Forwarded-For is believed (TRUSTSVC_TRUSTED_PROXIES="10.0.0.1,10.0.0.2"); none by default.
    trusted_proxies: tuple[str, ...] = ()

    @property
    def report_key(self) -> Path:
        return self.report_key_path or self.data_dir / "report-key.pem"

    @property
    def audit_key(self) -> Path:
        return self.audit_key_path or self.data_dir / "audit-key"

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
            verify_timeout=_float("TRUSTSVC_VERIFY_TIMEOUT", d.verify_timeout),
            verify_cpu_seconds=_float("TRUSTSVC_VERIFY_CPU_SECONDS", d.verify_cpu_seconds),
            max_report_bytes=_int("TRUSTSVC_MAX_REPORT_BYTES", d.max_report_bytes),
            api_keys=parse_api_keys(env.get("TRUSTSVC_API_KEYS", "")),
            audit_key_path=Path(env["TRUSTSVC_AUDIT_KEY"]) if env.get("TRUSTSVC_AUDIT_KEY") else None,
            anonymous_audit_per_minute=_int("TRUSTSVC_ANONYMOUS_AUDIT_PER_MINUTE", d.anonymous_audit_per_minute),
            trusted_proxies=tuple(p.strip() for p in env.get("TRUSTSVC_TRUSTED_PROXIES", "").split(",") if p.strip()),
        )


def parse_api_keys(text: str) -> tuple[tuple[str, str], ...]:
    """`name=key,name2=key2` (a bare `key` is named by its position) -> ((name, key), ...)."""
    out = []
    for i, item in enumerate(x.strip() for x in text.split(",")):
        if not item:
            continue
        name, sep, key = item.partition("=")
        out.append((name.strip(), key.strip()) if sep else (f"key-{i + 1}", item))
    return tuple((n, k) for n, k in out if k)


__all__ = ["Settings", "parse_api_keys"]
