"""`trustsvc report verify`: check a signed report (compact JWS) offline against the service's report key."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import typer

from trustsvc.cli import app

report_app = typer.Typer(help="Signed verification reports.", no_args_is_help=True)
app.add_typer(report_app, name="report")


@report_app.command("verify")
def verify(jws: str = typer.Argument(..., help="File holding the compact JWS, '-' for stdin, or the JWS itself."),
           key: Path | None = typer.Option(None, "--key", help="JWKS / JWK JSON, or PEM public key or certificate."),
           url: str | None = typer.Option(None, "--url", help="Service base URL: fetch <url>/v1/keys."),
           as_json: bool = typer.Option(False, "--json", help="Print the verified report payload.")) -> None:
    """Exit 0 if the signature verifies (prints the indication), 1 if it does not, 2 on unreadable input."""
    from trustsvc.jose import verify_report
    from trustsvc.errors import InputFormatError, InvalidSignatureError

    if (key is None) == (url is None):
        typer.echo("error: give exactly one of --key FILE or --url URL", err=True)
        raise typer.Exit(2)
    if jws == "-":
        text = sys.stdin.read()
    elif jws.count(".") == 2 and jws.startswith("ey") and not Path(jws).exists():
        text = jws
    else:
        try:
            text = Path(jws).read_text(encoding="ascii", errors="replace")
        except OSError as exc:
            typer.echo(f"error: cannot read {jws}: {exc.strerror or exc}", err=True)
            raise typer.Exit(2) from None
    try:
        keys = _keys(key, url)
    except (OSError, ValueError, InputFormatError) as exc:  # unreachable host, HTTP error, unreadable key file
        typer.echo(f"error: cannot get the report keys: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}",
                   err=True)
        raise typer.Exit(2) from None
    try:
        payload = verify_report(text, keys)
    except InputFormatError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    except InvalidSignatureError as exc:
        typer.echo(f"INVALID: {exc}")
        raise typer.Exit(1) from None
    if as_json:
        typer.echo(json.dumps(payload, indent=2, ensure_ascii=False))
    else:
        sub = f"/{payload.get('sub_indication')}" if payload.get("sub_indication") else ""
        typer.echo(f"valid signature: {payload.get('kind')} report {payload.get('indication')}{sub}, "
                   f"checked at {payload.get('checked_at')}, trust snapshot {str(payload.get('snapshot_id'))[:16]}")


def _keys(key: Path | None, url: str | None) -> list:
    from trustsvc.jose import parse_keys

    if key is not None:
        return parse_keys(key.read_bytes())
    import httpx

    try:
        resp = httpx.get(url.rstrip("/") + "/v1/keys", timeout=10)  # type: ignore[union-attr]
        resp.raise_for_status()
    except httpx.HTTPError as exc:
        raise OSError(f"{url}: {type(exc).__name__}: {exc}") from None
    return parse_keys(resp.content)
