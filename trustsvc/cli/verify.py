"""`trustsvc verify ...`: certificates, signed documents, timestamps."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional

import typer

from trustsvc.cli import app
from trustsvc.cli.inputs import (
    PROFILE_OPTION, Lang, Output, Profile, Revocation, complete_usage, fail, load_trust, parse_time, print_json, read_certificates, read_input,
)

verify_app = typer.Typer(help="Verify a certificate, a signed document or a timestamp token.", no_args_is_help=True)

# The CLI runs on the user's own machine: with --fetch, loopback is allowed (the demo responder).
CLI_NETWORKS = ("127.0.0.0/8", "::1/128")
FETCH_OPTION = typer.Option(False, "--fetch/--no-fetch",
                            help="Fetch CRLs and OCSP responses from each certificate's CRL distribution points "
                                 "and AIA OCSP URLs (after the supplied ones).")
ALLOW_OPTION = typer.Option([], "--allow-network",
                            help="CIDR --fetch may reach besides public addresses (repeatable; default "
                                 "127.0.0.0/8 and ::1/128).")
# The report options every `verify` command shares.
LANG_OPTION = typer.Option(Lang.en, "--lang", help="Language of the reasons.")
REPORT_OUTPUT_OPTION = typer.Option(Output.text, "--output", "-o", "--format",
                                    help="text (for people), json (the full report) or etsi-xml (ETSI TS 119 102-2).")
JSON_OPTION = typer.Option(False, "--json", help="Same as --output json.")
TIMEZONE_OPTION = typer.Option(None, "--timezone", envvar="TRUSTSVC_PLATFORM_TIMEZONE",
                               help="Platform time zone (IANA, e.g. Asia/Shanghai): times without an offset are "
                                    "read in it and reports show it beside UTC; unset, such times are an error.")


def fetching_source(fetch: bool, allow: list[str]):
    """The FetchingRevocationSource for --fetch (None for --no-fetch); a bad CIDR is a usage error."""
    if not fetch:
        return None
    from trustsvc.revocation.online import FetchingRevocationSource

    try:
        return FetchingRevocationSource(allow_networks=allow or CLI_NETWORKS)
    except ValueError as exc:
        typer.echo(f"error: --allow-network: {exc}", err=True)
        raise typer.Exit(2) from None
app.add_typer(verify_app, name="verify")


EXIT_CODES = {"PASSED": 0, "FAILED": 1, "INDETERMINATE": 3}


@verify_app.command("certificate")
def verify_certificate_cmd(
    cert: str = typer.Argument(..., help="End-entity certificate (DER, PEM or base64; - for standard input)."),
    intermediate: list[str] = typer.Option([], "--intermediate", "-i", help="Untrusted intermediate certificate(s), any order."),
    anchor: list[str] = typer.Option([], "--anchor", "-a", help="Trust anchor certificate(s)."),
    trust_list: Optional[Path] = typer.Option(None, "--trust-list", "--trust-lists",
                                              help="Trust-list directory (e.g. var/demo/trust_lists): its anchors, and "
                                                   "recognition for --usage."),
    usage: Optional[str] = typer.Option(None, "--usage", autocompletion=complete_usage,
                                        help="Usage the trust lists must grant: e-tendering | e-guarantee | timestamping."),
    crl: list[str] = typer.Option([], "--crl", help="CRL file(s) (DER or PEM)."),
    other: list[str] = typer.Option([], "--other", help="Other helper certificates (CRL signers)."),
    at: Optional[str] = typer.Option(None, "--at", help="Validation time, ISO 8601 (default: now)."),
    policy: list[str] = typer.Option([], "--policy", help="user-initial-policy-set OID(s) (default anyPolicy)."),
    explicit_policy: bool = typer.Option(False, "--explicit-policy", help="initial-explicit-policy."),
    inhibit_mapping: bool = typer.Option(False, "--inhibit-mapping", help="initial-policy-mapping-inhibit."),
    inhibit_any: bool = typer.Option(False, "--inhibit-any", help="initial-any-policy-inhibit."),
    revocation: Revocation = typer.Option(Revocation.soft_fail, "--revocation", help="What to do when revocation "
                                          "status cannot be established."),
    lang: Lang = LANG_OPTION,
    output: Output = REPORT_OUTPUT_OPTION,
    profile: Profile = PROFILE_OPTION,
    as_json: bool = JSON_OPTION,
    fetch: bool = FETCH_OPTION,
    allow_network: list[str] = ALLOW_OPTION,
    timezone_name: Optional[str] = TIMEZONE_OPTION,
) -> None:
    """Validate a certificate (RFC 5280 path building and validation, CRLs, trust lists); exit 0/1/3 =
    passed/failed/indeterminate, 2 = unreadable input."""
    from trustsvc.context import ValidationContext
    from trustsvc.validation.certificate import validate_certificate

    when = parse_time(at, "--at", timezone_name)
    ee_certs = read_certificates([cert], "certificate")
    if len(ee_certs) != 1:
        fail(f"certificate {cert}: expected one certificate, found {len(ee_certs)}")
    store = load_trust(trust_list, when)
    anchors = read_certificates(anchor, "anchor")
    if store is None and not anchors:
        fail("give --trust-list DIR or at least one --anchor FILE")
    if usage is not None and store is None:
        fail("--usage needs --trust-list (usages are granted by trust-list services)")
    # The command's inputs, parsed once into the context every check of the request is judged by.
    ctx = (ValidationContext().with_time(when).with_trust(store=store, anchors=anchors).with_usage(usage)
           .with_revocation(revocation.value, crls=[read_input(p, "CRL") for p in crl],
                            source=fetching_source(fetch, allow_network))
           .with_initial(policy_set=policy or None, explicit_policy=explicit_policy,
                         policy_mapping_inhibit=inhibit_mapping, any_policy_inhibit=inhibit_any))
    ctx = ctx.with_profile(profile.value)
    report = validate_certificate(ee_certs[0], intermediates=read_certificates(intermediate, "intermediate"),
                                  other_certs=read_certificates(other, "certificate"), context=ctx)
    from trustsvc.validation.localise import localise_certificate_report

    report = localise_certificate_report(report, lang.value)
    if output is Output.etsi_xml:
        from trustsvc.validation.etsi_report import etsi_validation_report

        sys.stdout.write(etsi_validation_report(report).decode("utf-8"))
    elif as_json or output is Output.json:
        print_json(report.to_dict())
    else:
        _print_report(report, lang.value)
    raise typer.Exit(EXIT_CODES[report.indication.value])


# The text output's own labels; the reasons come from the core as they are (localised where the core localises).
_LABELS = {
    "en": {"at": "at", "anchor": "trust anchor", "policies": "policies", "warning": "warning", "recognised": "recognised by"},
    "zh-Hans": {"at": "验证时间", "anchor": "信任锚", "policies": "策略", "warning": "警告", "recognised": "认可方"},
    "zh-Hant": {"at": "驗證時間", "anchor": "信任錨", "policies": "策略", "warning": "警告", "recognised": "認可方"},
}


def _print_report(report, lang: str = "en") -> None:
    from rich.console import Console
    from rich.tree import Tree

    label = _LABELS.get(lang, _LABELS["en"])
    console = Console()
    colour = {"PASSED": "green", "FAILED": "red"}.get(report.indication.value, "yellow")
    head = f"[bold {colour}]{report.indication.value}[/]"
    if report.sub_indication:
        head += f" / {report.sub_indication.value}"
    console.print(head + f"  {label['at']} {report.validation_time.isoformat() if report.validation_time else '?'}")
    if report.path:
        tree = Tree(f"[bold]{report.path[0].subject_str}[/] ({label['anchor']})")
        node = tree
        for c in report.path[1:]:
            node = node.add(c.subject_str)
        console.print(tree)
    rec = report.recognition
    if rec and rec.get("recognised"):
        where = " / ".join(str(rec[k]) for k in ("territory", "service_name", "usage") if rec.get(k))
        console.print(f"{label['recognised']}: {where}", highlight=False)
    if report.user_constrained_policy_set:
        console.print(f"{label['policies']}: " + ", ".join(sorted(report.user_constrained_policy_set)))
    for r in report.reasons:
        console.print(f"- {r}", highlight=False)
    for w in report.warnings:
        console.print(f"[dim]{label['warning']}: {w}[/]", highlight=False)
