"""API settings: every TRUSTSVC_* environment variable, validated by pydantic-settings.

`Settings(...)` is explicit (tests, embedding: no environment read); `Settings.from_env()` reads the
TRUSTSVC_* variables, and a value that does not validate raises `SettingsError` naming the variable and
the value (`TRUSTSVC_POLL_INTERVAL='-5': Input should be greater than 0`). Byte sizes take a number or a
unit (`16MiB`, `16MB`). The table in docs/api.md lists every variable (a test keeps it complete).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AliasChoices, BeforeValidator, ByteSize, Field, ValidationError
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from trustsvc.errors import TrustsvcError
from trustsvc.store.db import DEFAULT_DATABASE_URL

ENV_PREFIX = "TRUSTSVC_"


class SettingsError(TrustsvcError, ValueError):
    """A TRUSTSVC_* variable whose value is not valid; the message names the variable."""


# The demo responder runs on loopback; a service started on a demo directory may fetch from it.
DEMO_NETWORKS = ("127.0.0.0/8", "::1/128")


def _default_concurrency() -> int:
    return min(8, os.cpu_count() or 2)


def parse_api_keys(text: str) -> tuple[tuple[str, str], ...]:
    """`name=key,name2=key2` (a bare `key` is named by its position) -> ((name, key), ...)."""
    out = []
    for i, item in enumerate(x.strip() for x in text.split(",")):
        if not item:
            continue
        name, sep, key = item.partition("=")
        out.append((name.strip(), key.strip()) if sep else (f"key-{i + 1}", item))
    return tuple((n, k) for n, k in out if k)


def _api_keys(value: object) -> object:
    return parse_api_keys(value) if isinstance(value, str) else value


def _zone(value: object) -> object:
    """An IANA zone name, checked at start-up: a typo must stop the service, not fail every request."""
    from trustsvc.validation.times import zone_name, zone_of

    return zone_name(zone_of(value)) if isinstance(value, str) else value


def _path_list(value: object) -> object:
    if isinstance(value, str):
        return tuple(Path(p) for p in value.split(os.pathsep) if p.strip())
    return value


def _comma_list(value: object) -> object:
    if isinstance(value, str):
        return tuple(p.strip() for p in value.split(",") if p.strip())
    return value


class Settings(BaseSettings):
    """The service's settings; each field is the variable TRUSTSVC_<FIELD NAME> (see `env_name`)."""

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, frozen=True, extra="forbid", validate_default=False)

    database_url: str = Field(DEFAULT_DATABASE_URL, min_length=1,
                              description="SQLAlchemy URL; PostgreSQL: `postgresql+psycopg://user:pw@host:5432/db`")
    demo_dir: Path | None = Field(None, description="import this demo's `trust_lists/` into an empty store")
    trust_lists_dir: Path | None = Field(
        None, description="the same for any `trust_lists/` directory (pins + signed lists)")
    data_dir: Path = Field(Path("var"),
                           description="where the report key is created at first start (`report-key.pem`, mode 0600)")
    report_key_path: Path | None = Field(
        None, validation_alias=AliasChoices("report_key_path", "report_key", f"{ENV_PREFIX}REPORT_KEY"),
        description="use this EC P-256 PEM as the report key instead")
    max_body_bytes: ByteSize = Field(ByteSize(16 * 1024 * 1024), gt=0,
                                     description="request body limit (413 beyond); a number or e.g. `16MiB`")
    max_batch_bytes: ByteSize = Field(ByteSize(512 * 1024 * 1024), gt=0, description="body limit of a batch request")
    max_batch_line_bytes: ByteSize = Field(ByteSize(32 * 1024 * 1024), gt=0, description="one line of a batch")
    max_batch_items: int = Field(10_000, ge=1, description="items per batch")
    batch_concurrency: int = Field(default_factory=_default_concurrency, ge=1,
                                   description="verification threads per worker for a batch (default min(8, CPUs))")
    poll_interval: float = Field(2.0, ge=0, le=3600,
                                 description="seconds between a worker's checks for a newer trust-list version "
                                             "(0: no polling; a worker then sees only its own uploads)")
    migrate: bool = Field(True, description="create / migrate the database schema at start")
    log_format: Literal["json", "text"] = Field(
        "json", description="`trustsvc serve` logs: one JSON object per line with the request id, or text")
    # One verification (or one batch item) stops with INDETERMINATE past these; it also stops when the client goes.
    verify_timeout: float = Field(30.0, ge=0, description="wall-clock seconds per verification (0: no limit)")
    verify_cpu_seconds: float = Field(10.0, ge=0, description="CPU seconds per verification (0: no limit)")
    max_report_bytes: ByteSize = Field(ByteSize(1024 * 1024), gt=0,
                                       description="a larger report is summarised (candidate paths counted, lists cut)")
    # API keys of relying platforms: `?archive=true` stores a report server-side only for a caller presenting one
    # (Authorization: Bearer / X-API-Key).
    api_keys: Annotated[tuple[tuple[str, str], ...], BeforeValidator(_api_keys)] = Field(
        (), description="relying platforms' API keys, `platform-a=key1,platform-b=key2` (needed for `?archive=true`)")
    max_archived_report_bytes: ByteSize = Field(ByteSize(2 * 1024 * 1024), gt=0,
                                                description="largest signed report stored with `?archive=true`")
    audit_key_path: Path | None = Field(
        None, validation_alias=AliasChoices("audit_key_path", "audit_key", f"{ENV_PREFIX}AUDIT_KEY"),
        description="HMAC key file of the audit chain (default: `data_dir/audit-key`, created at first start)")
    anonymous_audit_per_minute: int = Field(
        10, ge=0, description="refused anonymous uploads written to the audit log per client per minute (the rest counted)")
    trusted_proxies: Annotated[tuple[str, ...], BeforeValidator(_comma_list)] = Field(
        (), description="proxies whose X-Forwarded-For is believed, `10.0.0.1,10.0.0.2` (none by default)")
    platform_timezone: Annotated[str | None, BeforeValidator(_zone)] = Field(
        None, description="IANA zone (e.g. `Asia/Shanghai`): `deadline` / `at` without an offset are read in it and "
                          "reports add each time in it; unset, such a time is a 422 naming the field")
    tsa_cert: Path | None = Field(None, description="serve an RFC 3161 TSA at `POST /tsa` with this certificate "
                                                    "(`make run`: the demo HK TSA)")
    tsa_key: Path | None = Field(None, description="the TSA's private key (PEM)")
    tsa_chain: Annotated[tuple[Path, ...], BeforeValidator(_path_list)] = Field(
        (), description="CA certificates the TSA puts in its tokens (paths separated by `:`)")
    tsa_policy: str | None = Field(None, description="the TSA's policy OID (default: the demo policy)")

    # Revocation fetching (docs/revocation.md): CRL DPs / AIA OCSP of every certificate of the path.
    revocation_fetch: bool = Field(True, description="fetch CRLs / OCSP for every certificate of the path (`on` / `off`)")
    revocation_allow_networks: Annotated[tuple[str, ...] | None, BeforeValidator(_comma_list)] = Field(
        None, description="CIDRs the revocation fetcher may reach besides public addresses, `127.0.0.0/8,::1/128` "
                          "(default none; with TRUSTSVC_DEMO_DIR loopback, where the demo responder runs)")
    revocation_timeout: float = Field(5.0, gt=0, description="seconds per connect / read of a revocation fetch")
    revocation_deadline: float = Field(10.0, gt=0, description="seconds for one whole revocation fetch")
    revocation_cache_size: int = Field(1024, ge=1, description="fetched CRLs / OCSP responses kept (until nextUpdate)")
    revocation_max_freshness: float | None = Field(
        None, gt=0, description="seconds: revocation evidence issued longer than this before the validation time "
                                "is stale (EN 319 102-1 5.2.5)")

    @property
    def revocation_networks(self) -> tuple[str, ...]:
        """The allowed networks in force: as configured, else loopback on a demo directory, else none."""
        if self.revocation_allow_networks is not None:
            return self.revocation_allow_networks
        return DEMO_NETWORKS if self.demo_dir is not None else ()

    @property
    def report_key(self) -> Path:
        return self.report_key_path or self.data_dir / "report-key.pem"

    @property
    def audit_key(self) -> Path:
        return self.audit_key_path or self.data_dir / "audit-key"

    @classmethod
    def settings_customise_sources(cls, settings_cls: type[BaseSettings], init_settings: PydanticBaseSettingsSource,
                                   env_settings: PydanticBaseSettingsSource, dotenv_settings: PydanticBaseSettingsSource,
                                   file_secret_settings: PydanticBaseSettingsSource,
                                   ) -> tuple[PydanticBaseSettingsSource, ...]:
        # Settings(...) means exactly what it says: the environment is read by from_env() only.
        return (init_settings,)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> "Settings":
        """Settings from the TRUSTSVC_* variables of `environ` (default: the process environment); an empty
        variable means "unset". Raises SettingsError naming the first variable that does not validate."""
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for name in cls.model_fields:
            raw = env.get(env_name(name))
            if raw is not None and raw.strip() != "":
                values[name] = raw.strip()
        try:
            return cls(**values)
        except ValidationError as exc:
            err = exc.errors()[0]
            field = str(err["loc"][0]) if err["loc"] else ""
            field = _FIELD_OF_ALIAS.get(field, field)
            var = env_name(field) if field in cls.model_fields else f"{ENV_PREFIX}{field.upper()}"
            raise SettingsError(f"{var}={values.get(field)!r}: {err['msg']}") from None


_PATH_FIELDS = {"report_key_path": "REPORT_KEY", "audit_key_path": "AUDIT_KEY"}


def env_name(field: str) -> str:
    """The environment variable of a settings field (report_key_path is TRUSTSVC_REPORT_KEY, audit_key_path
    TRUSTSVC_AUDIT_KEY)."""
    return f"{ENV_PREFIX}{_PATH_FIELDS.get(field, field.upper())}"


_FIELD_OF_ALIAS = {alias: field for field, short in _PATH_FIELDS.items()
                   for alias in (short.lower(), f"{ENV_PREFIX}{short}")}


def documented() -> list[tuple[str, str, str]]:
    """(variable, default, description) for every setting: what docs/api.md's table says."""
    out = []
    for name, info in Settings.model_fields.items():
        default = "min(8, CPUs)" if info.default_factory is not None else info.default
        out.append((env_name(name), "–" if default is None else str(default), info.description or ""))
    return out


__all__ = ["ENV_PREFIX", "Settings", "SettingsError", "documented", "env_name", "parse_api_keys"]
