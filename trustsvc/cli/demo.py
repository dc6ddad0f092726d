"""`trustsvc demo ...`: the generated demo GBA PKI."""

from __future__ import annotations

from pathlib import Path

import typer

from trustsvc.cli import app
from trustsvc.cli.inputs import RESULT_OPTION, TextOrJson, emit
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
    output: TextOrJson = RESULT_OPTION,
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
    emit(output, {"directory": str(directory), "index": str(directory / "pki.json"),
                  "trust_lists": str(directory / "trust_lists"), "certificates": len(entities),
                  "entities": {ident: {k: e.get(k) for k in ("role", "cert", "key") if k in e}
                               for ident, e in entities.items()}},
         f"demo PKI written to {directory}: {len(entities)} certificates, index {directory / 'pki.json'}")


@demo_app.command("bids")
def bids(
    directory: Path = typer.Argument(..., metavar="DEMO_DIR", help="A demo made by `trustsvc demo init`."),
    out: Path = typer.Argument(..., metavar="OUT", help="Where to write bid-NNNN.txt / .p7s and opening.json."),
    count: int = typer.Option(100, "--count", min=1, max=100_000, help="How many bids."),
    late: int = typer.Option(0, "--late", min=0, help="How many of them are time-stamped after the deadline."),
    deadline: str | None = typer.Option(None, "--deadline", help="Bid deadline with an offset (default: now)."),
    tender_id: str = typer.Option("GD-2026-0001", "--tender-id", help="Tender id written into the bids."),
    output: TextOrJson = RESULT_OPTION,
) -> None:
    """Write a demo bid opening: COUNT signed, timestamped bids from GD, HK and MO bidders (names in their own script)."""
    from trustsvc.demo.opening import write_opening
    from trustsvc.validation.times import parse_time

    if not (directory / "pki.json").is_file():
        typer.echo(f"error: {directory} is not a demo directory (run `trustsvc demo init {directory}`)", err=True)
        raise typer.Exit(2)
    try:
        when = parse_time(deadline, "--deadline")
    except ValueError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    meta = write_opening(directory, out, count, deadline=when, late=min(late, count), tender_id=tender_id)
    emit(output, {"directory": str(out), "bids": count, "late": min(late, count), "tender_id": meta["tender_id"],
                  "deadline": meta["deadline"]},
         f"{count} bids for tender {meta['tender_id']} (deadline {meta['deadline']}) in {out}")
