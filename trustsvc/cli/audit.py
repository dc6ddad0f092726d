"""`trustsvc audit verify|show`: check the keyed hash chain of the audit log."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from trustsvc.cli import app
from trustsvc.cli.inputs import RESULT_OPTION, TextOrJson
from trustsvc.cli.serve import DB_OPTION

audit_app = typer.Typer(help="The append-only, hash-chained audit log.", no_args_is_help=True)
app.add_typer(audit_app, name="audit")


@audit_app.command("verify")
def verify(database_url: str | None = DB_OPTION,
           expected_head: str | None = typer.Option(None, help="A head hash published earlier (detects truncation)."),
           key_file: Path | None = typer.Option(None, "--key-file", help="The audit HMAC key (default: "
                                                "$TRUSTSVC_AUDIT_KEY, else $TRUSTSVC_DATA_DIR/audit-key, else var/audit-key)."),
           as_json: bool = typer.Option(False, "--json", help="Same as --output json."),
           output: TextOrJson = RESULT_OPTION) -> None:
    """Walk the chain and check every entry's MAC under the audit key; exit 0 if intact, 1 naming the first bad
    entry (an edited row is found even if the rest of the chain was re-hashed)."""
    from trustsvc.store import audit, db

    try:
        key = audit.load_key(key_file, create=False)
    except (OSError, ValueError) as exc:
        typer.echo(f"error: audit key unreadable: {exc}", err=True)
        raise typer.Exit(2) from None
    engine = db.make_engine(database_url)
    db.upgrade(engine)
    with db.session_factory(engine)() as s:
        result = audit.verify_chain(s, expected_head=expected_head, key=key)
    if as_json or output is TextOrJson.json:
        typer.echo(json.dumps(result.to_dict(), indent=2))
    elif result.ok:
        typer.echo(f"audit log intact: {result.entries} entries, head {result.head}")
    else:
        typer.echo(f"audit log BROKEN: {result.reason} ({result.entries} entries verified before it)")
    raise typer.Exit(0 if result.ok else 1)


@audit_app.command("show")
def show(database_url: str | None = DB_OPTION, limit: int = typer.Option(20, min=1)) -> None:
    """The newest entries, one JSON object a line."""
    from sqlalchemy import select

    from trustsvc.store import db
    from trustsvc.store.models import AuditEntry

    engine = db.make_engine(database_url)
    db.upgrade(engine)
    with db.session_factory(engine)() as s:
        rows = s.execute(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)).scalars().all()
    for r in reversed(rows):
        typer.echo(json.dumps({"id": r.id, "at": r.at, "actor": r.actor, "action": r.action, "outcome": r.outcome,
                               "detail": json.loads(r.detail), "hash": r.hash}, ensure_ascii=False))
