"""The `trustsvc` command: a thin shell over the same core calls as the API."""

from __future__ import annotations

import sys

import typer

from trustsvc.errors import TrustsvcError

app = typer.Typer(
    name="trustsvc",
    help="GBA certificate mutual-recognition and trust service: verify certificates, signed bids and "
    "timestamps; manage trust lists; run the API.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=True,  # --install-completion / --show-completion for bash, zsh, fish, PowerShell
)


def _version(value: bool) -> None:
    if value:
        from trustsvc import __version__

        typer.echo(f"trustsvc {__version__}")
        raise typer.Exit()


@app.callback()
def _root(version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                       help="Print the version and exit.")) -> None:
    """GBA certificate mutual-recognition and trust service."""


def _register() -> None:
    # Each area owns its own module; they attach their commands to `app`.
    from trustsvc.cli import (  # noqa: F401
        audit, demo, extend, operator, report, revocation, serve, sign, trust_list, tsa, verify, verify_batch,
        verify_documents,
    )


def main(argv: list[str] | None = None) -> None:
    """Console entry point: click handles usage errors (exit 2); our typed errors become one line, exit 2."""
    _register()
    try:
        app(args=argv)
    except (TrustsvcError, OSError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(2)
