"""`trustsvc demo ocsp-responder`: serve OCSP and CRLs for the demo PKI on 127.0.0.1."""

from __future__ import annotations

from pathlib import Path

import typer

from trustsvc.cli.demo import demo_app


@demo_app.command("ocsp-responder")
def ocsp_responder(
    dir: Path = typer.Option(Path("var/demo"), "--dir", help="Demo PKI directory (from `trustsvc demo init`)."),
    port: int = typer.Option(8081, "--port", help="Port on 127.0.0.1."),
    verbose: bool = typer.Option(False, "--verbose", help="Log each request."),
) -> None:
    """Serve OCSP (POST/GET, RFC 6960) at /ocsp and CRLs at /crl/<ca>.crl for the demo CAs.

    Validators reach it only when loopback is allowed (the demo configuration allows
    127.0.0.0/8 explicitly; the default SSRF guard refuses it).
    """
    from trustsvc.demo.ocsp_responder import OCSPResponderServer, load_demo_cas

    if not (dir / "pki.json").exists():
        typer.echo(f"error: {dir}/pki.json not found: run `trustsvc demo init {dir}` first", err=True)
        raise typer.Exit(2)
    cas, knobs = load_demo_cas(dir)
    server = OCSPResponderServer(cas, port=port, knobs=knobs, verbose=verbose)
    typer.echo(f"OCSP responder for {', '.join(sorted(cas))} on {server.url}/ocsp ; CRLs at {server.url}/crl/<ca>.crl "
               f"({len(knobs.revoked)} revoked serials from {dir}/revocation.json). Ctrl-C to stop.")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
