"""`trustsvc operator add|list|revoke`: scheme operators and their upload tokens."""

from __future__ import annotations

import json

import typer

from trustsvc.cli import app
from trustsvc.cli.inputs import RESULT_OPTION, TextOrJson, emit
from trustsvc.cli.serve import DB_OPTION

operator_app = typer.Typer(help="Scheme operators allowed to upload their territory's trust list.",
                           no_args_is_help=True)
app.add_typer(operator_app, name="operator")


def _sessions(database_url: str | None):
    from trustsvc.store import db

    engine = db.make_engine(database_url)
    db.upgrade(engine)
    return db.session_factory(engine)


@operator_app.command("add")
def add(territory: str = typer.Argument(..., help="territory code: CN-GD, HK, MO, any CN-xx region, GBA, ..."),
        name: str = typer.Argument(..., help="Who holds the token (e.g. 'HK Trust List Operator')."),
        database_url: str | None = DB_OPTION, output: TextOrJson = RESULT_OPTION) -> None:
    """Create an operator and print its bearer token ONCE (only its hash is stored).

    Text: the token alone on stdout (`TOKEN=$(trustsvc operator add ...)`); json: the operator and its token."""
    from trustsvc.store import audit, operators
    from trustsvc.trustlist.model import TrustListFormatError, territory_code

    try:
        territory_code(territory)  # territories are data: any code of the TS 119 612 shape
    except TrustListFormatError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    sessions = _sessions(database_url)
    with sessions() as s:
        info, token = operators.add_operator(s, territory, name)
    audit.append(sessions, actor="cli", action="operator.add", outcome="ok", detail=info.to_dict())
    emit(output, {**info.to_dict(), "token": token}, token)
    typer.echo(f"operator {info.id} ({territory}, {name}) created; store the token now, it is not shown again",
               err=True)


@operator_app.command("list")
def list_(database_url: str | None = DB_OPTION,
          as_json: bool = typer.Option(False, "--json", help="Same as --output json."),
          output: TextOrJson = RESULT_OPTION) -> None:
    """List operators (never tokens)."""
    from trustsvc.store import operators

    with _sessions(database_url)() as s:
        ops = operators.list_operators(s)
    if as_json or output is TextOrJson.json:
        typer.echo(json.dumps([o.to_dict() for o in ops], indent=2, default=str))
        return
    for o in ops:
        state = "active" if o.active else f"revoked {o.revoked_at:%Y-%m-%d %H:%M}"
        typer.echo(f"{o.id:>4}  {o.territory:<6} {o.name}  ({state})")


@operator_app.command("revoke")
def revoke(operator_id: int = typer.Argument(...), database_url: str | None = DB_OPTION,
           output: TextOrJson = RESULT_OPTION) -> None:
    """Revoke an operator's token at once."""
    from trustsvc.store import audit, operators

    sessions = _sessions(database_url)
    with sessions() as s:
        info = operators.revoke_operator(s, operator_id)
    if info is None:
        typer.echo(f"error: no operator {operator_id}", err=True)
        raise typer.Exit(2)
    audit.append(sessions, actor="cli", action="operator.revoke", outcome="ok", detail=info.to_dict())
    emit(output, info.to_dict(), f"operator {info.id} ({info.territory}, {info.name}) revoked")
