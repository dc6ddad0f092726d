"""`trustsvc serve` (uvicorn, several workers) and `trustsvc db upgrade`."""

from __future__ import annotations

import os
from enum import Enum
from pathlib import Path

import typer

from trustsvc.cli import app
from trustsvc.cli.inputs import RESULT_OPTION, TextOrJson, print_json

db_app = typer.Typer(help="The service database (SQLite file or PostgreSQL via TRUSTSVC_DATABASE_URL).",
                     no_args_is_help=True)
app.add_typer(db_app, name="db")

DB_OPTION = typer.Option(None, "--database-url", envvar="TRUSTSVC_DATABASE_URL",
                         help="SQLAlchemy URL (default sqlite:///var/trustsvc.db).")


class LogLevel(str, Enum):
    critical = "critical"
    error = "error"
    warning = "warning"
    info = "info"
    debug = "debug"


class LogFormat(str, Enum):
    json = "json"
    text = "text"


@app.command()
def serve(
    host: str = typer.Option("127.0.0.1", help="Address to bind."),
    port: int = typer.Option(8000, help="TCP port."),
    workers: int = typer.Option(1, min=1, help="Worker processes (each holds the trust state and polls the DB)."),
    database_url: str | None = DB_OPTION,
    demo_dir: Path | None = typer.Option(None, envvar="TRUSTSVC_DEMO_DIR",
                                         help="Import this demo's trust lists into an empty database."),
    init_demo: bool = typer.Option(False, "--init-demo", help="Generate the demo PKI in --demo-dir if missing "
                                                               "(containers)."),
    log_level: LogLevel = typer.Option(LogLevel.info, help="Log level."),
    log_format: LogFormat | None = typer.Option(
        None, help="json (default; TRUSTSVC_LOG_FORMAT): one JSON object per line with the request id; text: for people."),
    demo_responder: bool = typer.Option(True, "--demo-responder/--no-demo-responder",
                                        envvar="TRUSTSVC_DEMO_RESPONDER",
                                        help="With a demo directory: also serve its OCSP responder and CRLs "
                                             "(where the demo certificates point, 127.0.0.1:8081 by default)."),
    tsa_cert: Path | None = typer.Option(None, "--tsa-cert", envvar="TRUSTSVC_TSA_CERT",
                                         help="Also serve an RFC 3161 TSA at POST /tsa with this certificate..."),
    tsa_key: Path | None = typer.Option(None, "--tsa-key", envvar="TRUSTSVC_TSA_KEY", help="... and this key."),
    tsa_chain: list[Path] = typer.Option([], "--tsa-chain", help="CA certificates the TSA puts in its tokens."),
) -> None:
    """Run the HTTP verification API (migrates and imports the demo lists once, before the workers start)."""
    # Before anything imports prometheus_client: its workers then share one metrics directory.
    _prepare_metrics_dir()
    import uvicorn

    from trustsvc.api.logs import log_config
    from trustsvc.api.service import bootstrap
    from trustsvc.api.settings import Settings

    if database_url:
        os.environ["TRUSTSVC_DATABASE_URL"] = database_url
    if demo_dir is not None:
        os.environ["TRUSTSVC_DEMO_DIR"] = str(demo_dir)
        if init_demo and not (demo_dir / "pki.json").exists():
            from trustsvc.demo.init import init_demo as make_demo

            make_demo(demo_dir)
    if tsa_cert is not None and tsa_key is not None:
        os.environ["TRUSTSVC_TSA_CERT"], os.environ["TRUSTSVC_TSA_KEY"] = str(tsa_cert), str(tsa_key)
        if tsa_chain:
            os.environ["TRUSTSVC_TSA_CHAIN"] = os.pathsep.join(str(p) for p in tsa_chain)
    if demo_dir is not None and demo_responder:
        from trustsvc.demo.ocsp_responder import start_demo_responder

        _server, said = start_demo_responder(demo_dir)  # a daemon thread of this (supervising) process
        typer.echo(said, err=True)
    settings = Settings.from_env()
    imported = bootstrap(settings)
    if imported:
        typer.echo(f"imported trust lists: {', '.join(imported)}", err=True)
    # X-Forwarded-For is believed only from the proxies named in TRUSTSVC_TRUSTED_PROXIES: a direct client
    # (even on 127.0.0.1, uvicorn's default) cannot choose the address the audit log records for it.
    proxies = settings.trusted_proxies
    uvicorn.run("trustsvc.api.app:create_app", factory=True, host=host, port=port, workers=workers,
                log_level=log_level.value, log_config=log_config(log_level.value, log_format.value if log_format else settings.log_format), access_log=False,
                proxy_headers=bool(proxies), forwarded_allow_ips=",".join(proxies) if proxies else "")


def _prepare_metrics_dir() -> str:
    """Point PROMETHEUS_MULTIPROC_DIR at a fresh temporary directory (or the configured one, emptied of the metric
    files a previous run left) so /metrics sums every worker's counters (prometheus_client multiprocess mode)."""
    import tempfile

    target = os.environ.get("PROMETHEUS_MULTIPROC_DIR") or tempfile.mkdtemp(prefix="trustsvc-metrics-")
    Path(target).mkdir(parents=True, exist_ok=True)
    for stale in Path(target).glob("*.db"):
        stale.unlink(missing_ok=True)
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = target
    return target


@db_app.command("upgrade")
def db_upgrade(database_url: str | None = DB_OPTION,
               output: TextOrJson = RESULT_OPTION) -> None:
    """Create or migrate the schema to the newest version; say which it was (created / migrated / already current)."""
    from alembic.runtime.migration import MigrationContext

    from trustsvc.store import db

    def revision() -> str | None:
        with engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()

    engine = db.make_engine(database_url)
    before = revision()
    db.upgrade(engine)
    after = revision()
    where = engine.url.render_as_string(hide_password=True)
    outcome = "created" if before is None else ("already current" if before == after else "migrated")
    if output is TextOrJson.json:
        print_json({"database": where, "outcome": outcome, "from_revision": before, "revision": after})
        return
    detail = {"created": f"schema created at revision {after}",
              "migrated": f"migrated from revision {before} to {after}",
              "already current": f"already current (revision {after})"}[outcome]
    typer.echo(f"database at {where}: {detail}")
