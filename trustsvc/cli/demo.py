"""`trustsvc demo ...`: the generated demo GBA PKI."""

from __future__ import annotations

from pathlib import Path

import typer

from trustsvc.cli import app
from trustsvc.demo.pki import DEFAULT_BASE_URL

demo_app = typer.Typer(help="Generate and serve the demo GBA PKI (GD SM2, HK RSA, MO ECDSA, bridge CA).", no_args_is_help=True)
app.add_typer(demo_app, name="demo")


@demo_app.command("init")
def init(
    directory: Path = typer.Argument(..., metavar="DIR", help="Where to write the demo PKI (created if missing)."),
    force: bool = typer.Option(False, "--force", help="Replace the demo files already in DIR (fresh keys)."),
    base_url: str = typer.Option(DEFAULT_BASE_URL, "--base-url",
                                 help="Base URL of the demo revocation responder, used in the leaves' CRL "
                                      "distribution points and AIA OCSP URLs."),
) -> None:
    """Generate the demo GBA PKI in DIR with fresh keys.

    Guangdong chain (SM2), Hong Kong chain (RSA-2048), Macao chain and a bank e-guarantee issuer (ECDSA P-256), their TSAs, and a GBA bridge CA cross-certified with each root (policy mappings, name constraints).

    Writes certs/ID.pem and certs/ID.der, keys/ID.key.pem (demo keys, never for real use) and the index pki.json, plus trust lists, signed bids and revocation data. Refuses a non-empty DIR unless --force.
    """
    from trustsvc.demo.init import clear_demo, init_demo

    if directory.exists() and not directory.is_dir():
        typer.echo(f"error: {directory} exists and is not a directory", err=True)
        raise typer.Exit(2)
    if directory.is_dir() and any(directory.iterdir()):
        if not force:
            typer.echo(f"error: {directory} is not empty; use --force to replace the demo PKI in it", err=True)
            raise typer.Exit(2)
        clear_demo(directory)
    index = init_demo(directory, base_url=base_url)
    entities = index["entities"]
    typer.echo(f"demo PKI written to {directory}: {len(entities)} certificates, index {directory / 'pki.json'}")
