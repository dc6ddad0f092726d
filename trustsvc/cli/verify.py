"""`trustsvc verify ...`: certificates, signed documents, timestamps."""

from __future__ import annotations

from typing import Optional

import typer

from trustsvc.cli import app

verify_app = typer.Typer(help="Verify a certificate, a signed document or a timestamp token.", no_args_is_help=True)
app.add_typer(verify_app, name="verify")


def _read_file(path: str, what: str) -> bytes:
    try:
        with open(path, "rb") as fh:
            return fh.read()
    except OSError as exc:
        typer.echo(f"error: cannot read {what} {path}: {exc.strerror or exc}", err=True)
        raise typer.Exit(2) from None


def _read_certs(paths: list[str], what: str) -> list:
    from trustsvc.errors import TrustsvcError, reason_of
    from trustsvc.x509 import load_certificates

    out = []
    for p in paths:
        try:
            out.extend(load_certificates(_read_file(p, what)))
        except TrustsvcError as exc:
            typer.echo(f"error: {what} {p}: {reason_of(exc, what)}", err=True)
            raise typer.Exit(2) from None
    return out


EXIT_CODES = {"PASSED": 0, "FAILED": 1, "INDETERMINATE": 3}


@verify_app.command("certificate")
def verify_certificate_cmd(
    cert: str = typer.Argument(..., help="End-entity certificate (DER, PEM or base64)."),
    intermediate: list[str] = typer.Option([], "--intermediate", "-i", help="Untrusted intermediate certificate(s), any order."),
    anchor: list[str] = typer.Option([], "--anchor", "-a", help="Trust anchor certificate(s)."),
    crl: list[str] = typer.Option([], "--crl", help="CRL file(s) (DER or PEM)."),
    other: list[str] = typer.Option([], "--other", help="Other helper certificates (CRL signers)."),
    at: str | None = typer.Option(None, "--at", help="Validation time, ISO 8601 (default: now)."),
    policy: list[str] = typer.Option([], "--policy", help="user-initial-policy-set OID(s) (default anyPolicy)."),
    explicit_policy: bool = typer.Option(False, "--explicit-policy", help="initial-explicit-policy."),
    inhibit_mapping: bool = typer.Option(False, "--inhibit-mapping", help="initial-policy-mapping-inhibit."),
    inhibit_any: bool = typer.Option(False, "--inhibit-any", help="initial-any-policy-inhibit."),
    revocation: str = typer.Option("soft-fail", "--revocation", help="off | soft-fail | hard-fail | require."),
    as_json: bool = typer.Option(False, "--json", help="Print the report as JSON."),
    fmt: Optional[str] = typer.Option(None, "--format", help="text | json | etsi-xml (ETSI TS 119 102-2 report)"),
) -> None:
    """Validate a certificate (RFC 5280 path building and validation, CRLs); exit 0/1/3 = passed/failed/indeterminate."""
    import json
    from datetime import datetime, timezone

    from trustsvc.validation.certificate import validate_certificate

    if revocation not in ("off", "soft-fail", "hard-fail", "require"):
        typer.echo(f"error: --revocation must be off, soft-fail, hard-fail or require, not {revocation!r}", err=True)
        raise typer.Exit(2)
    when = None
    if at:
        try:
            when = datetime.fromisoformat(at.replace("Z", "+00:00"))
        except ValueError:
            typer.echo(f"error: --at {at!r} is not an ISO 8601 time", err=True)
            raise typer.Exit(2) from None
        if when.tzinfo is None:
            when = when.replace(tzinfo=timezone.utc)
    ee_certs = _read_certs([cert], "certificate")
    if len(ee_certs) != 1:
        typer.echo(f"error: certificate {cert}: expected one certificate, found {len(ee_certs)}", err=True)
        raise typer.Exit(2)
    crls = [_read_file(p, "CRL") for p in crl]
    report = validate_certificate(
        ee_certs[0], intermediates=_read_certs(intermediate, "intermediate"), trust_anchors=_read_certs(anchor, "anchor"),
        at=when, crls=crls, other_certs=_read_certs(other, "certificate"), initial_policy_set=policy or None,
        explicit_policy=explicit_policy, policy_mapping_inhibit=inhibit_mapping, any_policy_inhibit=inhibit_any,
        revocation=revocation,
    )
    if fmt == "etsi-xml":
        from trustsvc.validation.etsi_report import etsi_validation_report

        typer.echo(etsi_validation_report(report).decode("utf-8"), nl=False)
    elif as_json or fmt == "json":
        typer.echo(json.dumps(report.to_dict(), indent=2))
    else:
        _print_report(report)
    raise typer.Exit(EXIT_CODES[report.indication.value])


def _print_report(report) -> None:
    from rich.console import Console
    from rich.tree import Tree

    console = Console()
    colour = {"PASSED": "green", "FAILED": "red"}.get(report.indication.value, "yellow")
    head = f"[bold {colour}]{report.indication.value}[/]"
    if report.sub_indication:
        head += f" / {report.sub_indication.value}"
    console.print(head + f"  at {report.validation_time.isoformat() if report.validation_time else '?'}")
    if report.path:
        tree = Tree(f"[bold]{report.path[0].subject_str}[/] (trust anchor)")
        node = tree
        for c in report.path[1:]:
            node = node.add(c.subject_str)
        console.print(tree)
    if report.user_constrained_policy_set:
        console.print("policies: " + ", ".join(sorted(report.user_constrained_policy_set)))
    for r in report.reasons:
        console.print(f"- {r}", highlight=False)
    for w in report.warnings:
        console.print(f"[dim]warning: {w}[/]", highlight=False)
