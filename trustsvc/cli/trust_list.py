"""`trustsvc trust-list ...`: a scheme operator's commands to write, sign, check and convert trust lists."""

from __future__ import annotations

import functools
import hashlib
import json
import sys
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Callable, List, Optional

import typer

from trustsvc.cli import app
from trustsvc.cli.inputs import RESULT_LONG_OPTION, RESULT_OPTION, TextOrJson, emit, print_json
from trustsvc.errors import TrustsvcError
from trustsvc.trustlist.diff import diff as diff_lists
from trustsvc.trustlist.jws import SigningKey, canonical_json, parse_signed, sign_list
from trustsvc.trustlist.lint import lint as lint_list
from trustsvc.trustlist.loader import DEFAULT_GRACE, TrustListRejected, accept_list, check_signed
from trustsvc.trustlist.model import (
    USAGES, Criteria, DigitalIdentity, Pointer, Service, StatusChange, TrustList, TrustListFormatError,
    format_time, parse_time, service_type_uri, short_name, status_uri, territory_code,
)
from trustsvc.trustlist.ts119612 import export_xml, import_xml, looks_like_xml
from trustsvc.x509.load import load_certificates

trust_list_app = typer.Typer(
    name="trust-list", no_args_is_help=True,
    help="Scheme operators: create, edit, sign, verify, lint, diff, show, export and import trust lists.")
app.add_typer(trust_list_app, name="trust-list")


def _fail(message: str, code: int = 2) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(code)


def _one_line_errors(fn: Callable) -> Callable:
    """Bad input -> one line on stderr and exit 2 (rejections of a list: exit 1), never a traceback."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except TrustListRejected as exc:
            raise _fail(f"rejected: {exc}", 1) from None
        except (TrustsvcError, OSError, ValueError, KeyError) as exc:
            raise _fail(str(exc).splitlines()[0] if str(exc) else type(exc).__name__) from None

    return wrapper


def _time(value: str | None, what: str, default: datetime | None = None) -> datetime:
    if value is None or value == "now":
        return default or datetime.now(timezone.utc).replace(microsecond=0)
    if len(value) == 10:  # a bare date means 00:00 UTC
        value += "T00:00:00Z"
    return parse_time(value, what)


def _read(path: Path) -> TrustList:
    """A draft (plain JSON list), a signed document, or TS 119 612 XML (signature not checked here)."""
    data = path.read_bytes()
    if looks_like_xml(data):
        return import_xml(data, pinned=None)
    try:
        doc = json.loads(data)
    except ValueError as exc:
        raise TrustListFormatError(f"{path}: not JSON ({exc})") from None
    if isinstance(doc, dict) and "jws" in doc:
        return parse_signed(data).trust_list
    return TrustList.from_dict(doc)


def _write_draft(path: Path, tl: TrustList) -> None:
    path.write_text(json.dumps(tl.to_dict(), indent=2, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8")


def _draft_dict(tl: TrustList, path: Path) -> dict:
    return {"file": str(path), "territory": tl.territory, "sequence_number": tl.sequence_number,
            "issued_at": format_time(tl.issued_at), "next_update": format_time(tl.next_update)}


def _certs(paths: List[Path]) -> list:
    out = []
    for p in paths:
        out.extend(load_certificates(p.read_bytes()))
    return out


@trust_list_app.command("keygen")
@_one_line_errors
def keygen(
    key_out: Path = typer.Option(..., "--key-out", help="where to write the private key (PEM)"),
    cert_out: Path = typer.Option(..., "--cert-out", help="where to write the self-signed certificate (PEM)"),
    name: str = typer.Option(..., "--name", help="operator name (certificate CN)"),
    territory: str = typer.Option(..., "--territory", help="territory code: HK, MO, CN-GD, any CN-xx region, GBA, ..."),
    alg: str = typer.Option("ES256", "--alg", help="ES256, RS256, EdDSA or SM2-SM3"),
    days: int = typer.Option(1825, "--days"),
    output: TextOrJson = RESULT_OPTION,
) -> None:
    """Generate a scheme operator signing key and self-signed certificate (for new schemes and tests)."""
    from trustsvc.trustlist.operator_keys import generate_operator_key, issue_operator_certificate, key_to_pem

    territory_code(territory)
    key = generate_operator_key(alg)
    now = datetime.now(timezone.utc).replace(microsecond=0)
    cert = issue_operator_certificate(key, name=name, territory=territory, not_before=now - timedelta(hours=1),
                                      not_after=now + timedelta(days=days))
    key_out.write_bytes(key_to_pem(key))
    key_out.chmod(0o600)
    from asn1crypto import pem

    cert_out.write_bytes(pem.armor("CERTIFICATE", cert.der))
    emit(output, {"alg": alg, "key": str(key_out), "certificate": str(cert_out), "certificate_sha256": cert.sha256},
         f"{alg} key -> {key_out}, certificate sha256 {cert.sha256} -> {cert_out}")


@trust_list_app.command("new")
@_one_line_errors
def new(
    file: Path = typer.Argument(..., help="draft list to create (JSON)"),
    territory: str = typer.Option(..., "--territory", help="territory code: HK, MO, CN-GD, any CN-xx region, GBA, ..."),
    operator: str = typer.Option(..., "--operator", help="scheme operator name"),
    scheme_name: Optional[str] = typer.Option(None, "--scheme-name"),
    operator_uri: Optional[str] = typer.Option(None, "--operator-uri"),
    sequence: int = typer.Option(1, "--sequence", min=1),
    issued_at: Optional[str] = typer.Option(None, "--issued-at", help="ISO time or date; default now"),
    next_update_days: int = typer.Option(90, "--next-update-days", min=1),
    force: bool = typer.Option(False, "--force", help="overwrite an existing file"),
    output: TextOrJson = RESULT_OPTION,
) -> None:
    """Start a new (unsigned) draft trust list."""
    territory_code(territory)
    if file.exists() and not force:
        raise _fail(f"{file} exists; use --force to overwrite")
    issued = _time(issued_at, "--issued-at")
    tl = TrustList(territory, scheme_name or f"{territory} trust list", operator, sequence, issued,
                   issued + timedelta(days=next_update_days), scheme_operator_uri=operator_uri)
    _write_draft(file, tl)
    emit(output, _draft_dict(tl, file), f"new {territory} draft #{sequence} -> {file}")


@trust_list_app.command("bump")
@_one_line_errors
def bump(
    file: Path = typer.Argument(..., help="draft list (JSON) or a signed list to start the next version from"),
    out: Optional[Path] = typer.Option(None, "--out", "-o", help="draft to write; default: FILE itself"),
    issued_at: Optional[str] = typer.Option(None, "--issued-at", help="ISO time or date; default now"),
    next_update_days: int = typer.Option(90, "--next-update-days", min=1),
    output: TextOrJson = RESULT_LONG_OPTION,
) -> None:
    """Start the next version: sequence number + 1, new issue date and next update."""
    tl = _read(file)
    issued = _time(issued_at, "--issued-at")
    nxt = replace(tl, sequence_number=tl.sequence_number + 1, issued_at=issued,
                  next_update=issued + timedelta(days=next_update_days))
    _write_draft(out or file, nxt)
    emit(output, _draft_dict(nxt, out or file), f"{tl.territory} draft #{nxt.sequence_number} -> {out or file}")


@trust_list_app.command("add-service")
@_one_line_errors
def add_service(
    file: Path = typer.Argument(..., help="draft list (JSON)"),
    name: str = typer.Option(..., "--name"),
    type_: str = typer.Option(..., "--type", help="CA/PKC, CA/QC, TSA, TSA/QTST, Certstatus/OCSP, ... or full URI"),
    cert: List[Path] = typer.Option(..., "--cert", help="certificate(s) identifying the service (PEM/DER)"),
    provider: Optional[str] = typer.Option(None, "--provider", help="trust service provider; default the name"),
    status: str = typer.Option("granted", "--status"),
    since: Optional[str] = typer.Option(None, "--since", help="status start, ISO time or date; default now"),
    usage: List[str] = typer.Option([], "--usage", help=f"repeatable: {', '.join(USAGES)}"),
    supply_point: List[str] = typer.Option([], "--supply-point", help="CRL / OCSP URL, repeatable"),
    policy_oid: List[str] = typer.Option([], "--policy-oid", help="criteria: EE policy OID prefix, repeatable"),
    key_usage: List[str] = typer.Option([], "--key-usage", help="criteria: required EE key usage, repeatable"),
    sm2_id: Optional[str] = typer.Option(None, "--sm2-id", help="SM2 signer ID if not the GM/T 0009 default"),
    replace_existing: bool = typer.Option(False, "--replace", help="replace a service with the same name"),
    output: TextOrJson = RESULT_OPTION,
) -> None:
    """Add a trust service (CA, TSA, OCSP, ...) with its identities, status and usages."""
    tl = _read(file)
    if any(s.name == name for s in tl.services) and not replace_existing:
        raise _fail(f"service {name!r} already exists; use set-status to change it or --replace")
    for u in usage:
        if u not in USAGES:
            raise _fail(f"unknown usage {u!r}; use one of {', '.join(USAGES)}")
    certs = _certs(cert)
    criteria = Criteria(tuple(policy_oid), tuple(key_usage)) if (policy_oid or key_usage) else None
    svc = Service(name, provider or name, service_type_uri(type_), tuple(DigitalIdentity.of(c) for c in certs),
                  (StatusChange(status_uri(status), _time(since, "--since")),), tuple(usage), tuple(supply_point),
                  criteria, sm2_id)
    _write_draft(file, tl.with_service(svc))
    emit(output, {"file": str(file), "service": name, "type": short_name(svc.type),
                  "status": short_name(svc.status.status), "usages": list(svc.usages)},
         f"service {name!r} ({short_name(svc.type)}, {short_name(svc.status.status)}) -> {file}")


@trust_list_app.command("set-status")
@_one_line_errors
def set_status(
    file: Path = typer.Argument(...),
    service: str = typer.Option(..., "--service"),
    status: str = typer.Option(..., "--status", help="granted, withdrawn, recognisedatnationallevel, ..."),
    since: Optional[str] = typer.Option(None, "--since", help="ISO time or date; default now"),
    output: TextOrJson = RESULT_OPTION,
) -> None:
    """Change a service's status from a date on (appended to its status history)."""
    tl = _read(file)
    try:
        svc = tl.service(service)
    except KeyError:
        raise _fail(f"no service named {service!r}; services: {', '.join(s.name for s in tl.services) or 'none'}")
    change = StatusChange(status_uri(status), _time(since, "--since"))
    if change.start <= svc.status.start:
        raise _fail(f"--since {format_time(change.start)} must be after the current status start "
                    f"{format_time(svc.status.start)}")
    _write_draft(file, tl.with_service(replace(svc, history=svc.history + (change,))))
    emit(output, {"file": str(file), "service": service, "status": short_name(change.status),
                  "since": format_time(change.start)},
         f"{service}: {short_name(change.status)} from {format_time(change.start)}")


@trust_list_app.command("add-pointer")
@_one_line_errors
def add_pointer(
    file: Path = typer.Argument(..., help="the GBA list of lists draft"),
    territory: str = typer.Option(..., "--territory"),
    location: str = typer.Option(..., "--location", help="where the member list is published"),
    cert: List[Path] = typer.Option(..., "--cert", help="the member operator's signing certificate(s) to pin"),
    operator: str = typer.Option("", "--operator"),
    output: TextOrJson = RESULT_OPTION,
) -> None:
    """List of lists: point to a member list and pin its operator's signing certificate(s)."""
    tl = _read(file)
    if not tl.is_lotl:
        raise _fail("pointers belong in the GBA list of lists (territory GBA)")
    pointer = Pointer(territory, location, operator, tuple(_certs(cert)))
    _write_draft(file, replace(tl, pointers=tuple(p for p in tl.pointers if p.territory != territory) + (pointer,)))
    emit(output, {"file": str(file), "territory": territory, "location": location,
                  "pinned": [c.subject_str for c in pointer.signing_certificates]},
         f"pointer {territory} -> {location} ({len(pointer.signing_certificates)} pinned)")


@trust_list_app.command("announce-key")
@_one_line_errors
def announce_key(file: Path = typer.Argument(...), cert: List[Path] = typer.Option(..., "--cert"),
                 output: TextOrJson = RESULT_OPTION) -> None:
    """Key rotation: announce the next signing certificate in a list signed by the current key."""
    tl = _read(file)
    announced = _certs(cert)
    _write_draft(file, replace(tl, announced_signing_certificates=tl.announced_signing_certificates + tuple(announced)))
    emit(output, {"file": str(file), "announced": [c.subject_str for c in announced]},
         f"announced {len(cert)} certificate(s) in {file}")


@trust_list_app.command("sign")
@_one_line_errors
def sign(
    file: Path = typer.Argument(..., help="draft list (JSON)"),
    key: Path = typer.Option(..., "--key", help="operator private key (PEM)"),
    cert: Path = typer.Option(..., "--cert", help="operator certificate (PEM/DER)"),
    out: Path = typer.Option(..., "--out", "-o", help="signed list to write"),
    output: TextOrJson = RESULT_LONG_OPTION,
) -> None:
    """Sign the canonical JSON with a detached JWS (ES256 / RS256 / EdDSA / SM2-SM3)."""
    tl = _read(file)
    errors = [m for m in lint_list(tl, at=datetime.now(timezone.utc)) if m.level == "error"]
    if errors:
        raise _fail(f"lint: {errors[0]} (run `trustsvc trust-list lint {file}`)", 1)
    signer = _certs([cert])[0]
    signed = sign_list(tl, SigningKey.from_pem(key.read_bytes()), signer)
    out.write_bytes(signed)
    emit(output, {"file": str(out), "territory": tl.territory, "sequence_number": tl.sequence_number,
                  "signer": signer.subject_str, "sha256": hashlib.sha256(signed).hexdigest()},
         f"signed {tl.territory} #{tl.sequence_number} -> {out}")


@trust_list_app.command("verify")
@_one_line_errors
def verify(
    file: Path = typer.Argument(..., help="signed list"),
    pin: List[Path] = typer.Option([], "--pin", help="certificate(s) pinned for this list's operator"),
    trust_lists: Optional[Path] = typer.Option(None, "--trust-lists", help="a trust_lists/ dir: use its LOTL pins "
                                               "and its accepted sequence numbers"),
    previous: Optional[Path] = typer.Option(None, "--previous", help="the currently accepted version (rollback)"),
    at: Optional[str] = typer.Option(None, "--at", help="ISO time; default now"),
    grace_hours: float = typer.Option(DEFAULT_GRACE.total_seconds() / 3600, "--grace-hours"),
    output: TextOrJson = RESULT_OPTION,
    key_info: bool = typer.Option(False, "--key-info", help="TS 119 612 XML without --pin: check the signature "
                                  "with the certificate it carries in KeyInfo (integrity only: says nothing about "
                                  "who may sign the list)"),
) -> None:
    """Apply the fail-closed loading rules: pinned signer, signature, no rollback, not expired.

    Exit 0 accepted, 1 rejected (the reason on stderr), 2 unreadable input."""
    when = _time(at, "--at")
    grace = timedelta(hours=grace_hours)
    data = file.read_bytes()
    if looks_like_xml(data):
        _verify_xml(data, pin, when, grace, output, key_info=key_info)
        return
    if trust_lists is not None:
        from trustsvc.trustlist.directory import load_directory

        state = load_directory(trust_lists, at=when, grace=grace)
        territory = parse_signed(data).trust_list.territory
        current = state.lists.get(territory)
        if current is not None and current.document == data:
            # Verifying the accepted version itself: judge it without its own sequence number.
            state = replace(state, lists={t: a for t, a in state.lists.items() if t != territory})
        accepted = accept_list(state, data, at=when, grace=grace)
    else:
        if not pin:
            raise _fail("give --pin CERT (the operator certificate pinned by the GBA list of lists) or --trust-lists")
        prev = parse_signed(previous.read_bytes()).trust_list.sequence_number if previous else None
        accepted = check_signed(data, tuple(_certs(pin)), at=when, grace=grace, previous_sequence=prev)
    tl = accepted.trust_list
    emit(output, _accepted_dict(tl, accepted.signer, "jws", sha256=accepted.sha256),
         f"OK {tl.territory} #{tl.sequence_number} signed by '{accepted.signer.subject_str}', "
         f"next update {format_time(tl.next_update)}, sha256 {accepted.sha256}")


def _accepted_dict(tl: TrustList, signer, signature: str, **extra: object) -> dict:
    return {"accepted": True, "territory": tl.territory, "sequence_number": tl.sequence_number,
            "signer": signer.subject_str, "signature": signature, "issued_at": format_time(tl.issued_at),
            "next_update": format_time(tl.next_update), **extra}


def _verify_xml(data: bytes, pin: List[Path], when: datetime, grace: timedelta,
                output: TextOrJson = TextOrJson.text, key_info: bool = False) -> None:
    """TS 119 612 XML: the enveloped signature with one of the pinned certificates (valid at the list's issue
    time), then freshness at `when` (past next update + grace: rejected, exit 1)."""
    from trustsvc.errors import InvalidSignatureError
    from trustsvc.trustlist.ts119612 import import_signed_xml

    if not pin and not key_info:
        raise _fail("give --pin CERT (the certificate the list's pointer gives) to verify TS 119 612 XML, or "
                    "--key-info for a self-check")
    if pin:
        certs = _certs(pin)
    else:
        from trustsvc.trustlist.ts119612 import parse_hardened
        from trustsvc.trustlist.xades import key_info_certificates, the_signature

        try:
            certs = key_info_certificates(the_signature(parse_hardened(data)))
        except InvalidSignatureError as exc:
            raise TrustListRejected("bad_signature", str(exc)) from None
    try:
        tl, signer = import_signed_xml(data, certs)
    except InvalidSignatureError as exc:
        raise TrustListRejected("bad_signature", str(exc)) from None
    if when > tl.next_update + grace:
        # The signature is fine (say so), but a stale list confers no trust at `when` (TS 119 612 5.3.15).
        raise TrustListRejected("expired", f"{tl.territory} list #{tl.sequence_number} expired: next update was "
                                           f"due {format_time(tl.next_update)} (grace {grace}); its signature "
                                           f"verifies with '{signer.subject_str}' at its issue time "
                                           f"{format_time(tl.issued_at)} (give --at to judge it then)")
    emit(output, _accepted_dict(tl, signer, "xades"),
         f"OK {tl.territory} #{tl.sequence_number} signed by '{signer.subject_str}' (XAdES, at its issue "
         f"time {format_time(tl.issued_at)}), next update {format_time(tl.next_update)}"
         + ("" if pin else "; self-check with the certificate in its KeyInfo (integrity only, not authenticity)"))


@trust_list_app.command("lint")
@_one_line_errors
def lint(file: Path = typer.Argument(...), at: Optional[str] = typer.Option(None, "--at"),
         output: TextOrJson = RESULT_OPTION) -> None:
    """Check a list for mistakes; exit 1 if any error."""
    msgs = lint_list(_read(file), at=_time(at, "--at"))
    errors = any(m.level == "error" for m in msgs)
    emit(output, {"ok": not errors, "findings": [{"level": m.level, "where": m.where, "message": m.message}
                                                 for m in msgs]},
         "\n".join(str(m) for m in msgs) if msgs else "no findings")
    if errors:
        raise typer.Exit(1)


@trust_list_app.command("diff")
@_one_line_errors
def diff(old: Path = typer.Argument(...), new: Path = typer.Argument(...),
         output: TextOrJson = RESULT_OPTION) -> None:
    """What changed between two versions (draft, signed or XML): one line per change, `+` added, `-` removed,
    `~` changed."""
    lines = diff_lists(_read(old), _read(new))
    emit(output, {"same": not lines, "changes": lines}, "\n".join(lines) if lines else "no differences")


@trust_list_app.command("show")
@_one_line_errors
def show(
    files: List[Path] = typer.Argument(..., help="lists (draft, signed JSON or TS 119 612 XML) or directories"),
    at: Optional[str] = typer.Option(None, "--at"),
    summary_only: bool = typer.Option(False, "--summary", help="territories and service counts only"),
    output: TextOrJson = RESULT_OPTION,
) -> None:
    """A readable table of each list's services and their status at a time, and a summary: territories and
    services per type and status (signatures are not checked here: `verify` / `import` do that)."""
    from rich.console import Console

    paths: list[Path] = []
    for f in files:
        paths.extend(sorted(p for p in f.iterdir() if p.suffix in (".json", ".xml")) if f.is_dir() else [f])
    when = _time(at, "--at")
    console = Console()
    lists = []
    for path in paths:
        try:
            lists.append(_read(path))
        except TrustListFormatError as exc:
            if len(paths) == 1:
                raise
            typer.echo(f"warning: {path}: {exc}", err=True)
    if output is TextOrJson.json:
        print_json({"at": format_time(when), "lists": [_show_dict(tl, when, summary_only) for tl in lists]})
        return
    for tl in lists:
        _show_one(console, tl, when, summary_only)
    if len(lists) > 1:
        territories = sorted({tl.territory for tl in lists})
        total = sum(len(tl.services) for tl in lists)
        console.print(f"{len(lists)} lists, territories {', '.join(territories)}; {total} services")


def _show_dict(tl: TrustList, when: datetime, summary_only: bool) -> dict:
    """What the text tables show, for programs: each service's status at `when`, usages and identities."""
    from collections import Counter

    def status(s: Service) -> str | None:
        st = s.status_at(when)
        return short_name(st.status) if st else None

    out: dict = {"territory": tl.territory, "scheme_name": tl.scheme_name, "scheme_operator": tl.scheme_operator,
                 "sequence_number": tl.sequence_number, "list_of_lists": tl.is_lotl,
                 "issued_at": format_time(tl.issued_at), "next_update": format_time(tl.next_update),
                 "services_per_type_and_status": [
                     {"type": t, "status": st, "services": n} for (t, st), n in sorted(Counter(
                         (short_name(s.type), status(s) or "(not listed yet)") for s in tl.services).items())]}
    if not summary_only:
        out["services"] = [{"name": s.name, "provider": s.provider, "type": short_name(s.type), "status": status(s),
                            "unusable": s.unusable or None, "usages": list(s.usages),
                            "identities": [i.subject for i in s.identities],
                            "history": [{"status": short_name(h.status), "since": format_time(h.start)}
                                        for h in s.history]} for s in tl.services]
        out["pointers"] = [{"territory": p.territory, "location": p.location,
                            "signing_certificates": [c.subject_str for c in p.signing_certificates]}
                           for p in tl.pointers]
    return out


def _show_one(console, tl: TrustList, when: datetime, summary_only: bool) -> None:
    from collections import Counter

    from rich.markup import escape
    from rich.table import Table as RichTable

    class Table(RichTable):
        """A rich table whose cells are data, never markup (a list's names may contain '[')."""

        def add_row(self, *cells: str) -> None:  # type: ignore[override]
            super().add_row(*(escape(c) for c in cells))

    kind = " (list of lists)" if tl.is_lotl else ""
    console.print(f"[bold]{escape(tl.scheme_name)}[/bold] ({tl.territory}){kind} #{tl.sequence_number} by "
                  f"{escape(tl.scheme_operator)}; issued {format_time(tl.issued_at)}, next update "
                  f"{format_time(tl.next_update)}")
    if tl.services and not summary_only:
        table = Table("service", "provider", "type", f"status at {format_time(when)}", "usages", "identity",
                      "history")
        for s in tl.services:
            st = s.status_at(when)
            ident = ", ".join(i.subject or "?" for i in s.identities)
            hist = "; ".join(f"{short_name(h.status)} {format_time(h.start)[:10]}" for h in s.history)
            usages = ", ".join(s.usages + tuple(short_name(u).rsplit("/", 1)[-1] for u in s.additional_info)
                               + s.other_extensions)
            status = short_name(st.status) if st else "(not listed yet)"
            if s.unusable:
                status += f" (unusable: {s.unusable})"
            table.add_row(s.name, s.provider, short_name(s.type), status, usages, ident, hist)
        console.print(table)
    if tl.services:
        counts = Counter((short_name(s.type), short_name(s.status_at(when).status) if s.status_at(when) else
                          "(not listed yet)") for s in tl.services)
        summary = Table("type", "status", "services", title=f"{tl.territory}: services per type and status")
        for (stype, status), n in sorted(counts.items()):
            summary.add_row(stype, status, str(n))
        console.print(summary)
    if tl.pointers:
        pt = Table("territory", "location", "pinned signing certificates", "mutual recognition")
        for p in tl.pointers:
            mra = ", ".join(e.legal_identifier for e in p.mutual_recognition.equivalences) \
                if p.mutual_recognition else ""
            pins = "; ".join(c.subject_str for c in p.signing_certificates[:1])
            if len(p.signing_certificates) > 1:
                pins += f" (+{len(p.signing_certificates) - 1} more)"
            pt.add_row(p.territory, p.location, pins, mra)
        console.print(pt)


@trust_list_app.command("export")
@_one_line_errors
def export(
    file: Path = typer.Argument(...),
    format_: str = typer.Option("xml", "--format", help="xml (ETSI TS 119 612) or json (canonical)"),
    out: Optional[Path] = typer.Option(None, "--out", "-o", help="default stdout"),
    key: Optional[Path] = typer.Option(None, "--key", help="sign the XML (enveloped XAdES) with this key"),
    cert: Optional[Path] = typer.Option(None, "--cert"),
) -> None:
    """Export as TS 119 612 XML (optionally signed) or canonical JSON."""
    tl = _read(file)
    if format_ == "json":
        data = canonical_json(tl.to_dict()) + b"\n"
    elif format_ == "xml":
        if (key is None) != (cert is None):
            raise _fail("give both --key and --cert to sign the XML, or neither")
        data = export_xml(tl, key=SigningKey.from_pem(key.read_bytes()) if key else None,
                          cert=_certs([cert])[0] if cert else None)
    else:
        raise _fail(f"--format must be xml or json, not {format_!r}")
    if out is None:
        sys.stdout.buffer.write(data)
    else:
        out.write_bytes(data)
        typer.echo(f"{format_} -> {out}")


@trust_list_app.command("import")
@_one_line_errors
def import_(
    files: List[Path] = typer.Argument(..., help="TS 119 612 XML: one list, or a list of lists (LOTL) with its "
                                                "pivots and the national lists it points to, as files or a directory"),
    out: Optional[Path] = typer.Option(None, "--out", "-o", help="one list: the draft (JSON) to write; a LOTL set: "
                                       "a trust-list directory to write (usable as --trust-list DIR)"),
    pin: List[Path] = typer.Option([], "--pin", help="verify the XML signature with this operator certificate; for "
                                   "a LOTL set, the LOTL signer certificate(s) (bootstrap or latest)"),
    no_verify: bool = typer.Option(False, "--no-verify", help="import without checking the XML signature"),
    at: Optional[str] = typer.Option(None, "--at", help="when the pinned certificate must be valid; default the "
                                     "list's issue time (when it was signed)"),
) -> None:
    """Import TS 119 612 XML: one list into a draft (re-sign it with `sign` to publish it), or a published list
    of lists with the lists it points to (each verified with its pointer's certificates)."""
    if not pin and not no_verify:
        raise _fail("give --pin CERT to verify the XML signature, or --no-verify")
    when = _time(at, "--at") if at else None
    if len(files) == 1 and files[0].is_file() and (out is None or out.suffix == ".json"):
        if out is None:
            raise _fail("give --out FILE.json for the imported draft")
        tl = import_xml(files[0].read_bytes(), pinned=_certs(pin) if pin else None, at=when)
        _write_draft(out, tl)
        typer.echo(f"imported {tl.territory} #{tl.sequence_number} ({len(tl.services)} services) -> {out}")
        return
    if no_verify:
        raise _fail("a list of lists and its member lists are imported only with their signatures checked (--pin)")
    _import_lotl_set(files, _certs(pin), out)


def _xml_files(paths: List[Path]) -> list[Path]:
    found: list[Path] = []
    for p in paths:
        if p.is_dir():
            found.extend(sorted(p.glob("*.xml")))
        elif p.is_file():
            found.append(p)
        else:
            raise _fail(f"{p}: no such file or directory")
    if not found:
        raise _fail("no XML trust list among the paths given")
    return found


def _import_lotl_set(paths: List[Path], pins: list, out: Optional[Path]) -> None:
    from asn1crypto import pem as asn1pem

    from trustsvc.trustlist.directory import PINS_DIR, member_file_name
    from trustsvc.trustlist.lotl import load_lotl, summary

    files = _xml_files(paths)
    result = load_lotl([(f.name, f.read_bytes()) for f in files], signers=pins)
    for line in summary(result):
        typer.echo(f"OK {line}")
    if result.pivots:
        typer.echo("authenticated through pivot LOTLs " + ", ".join(f"#{n}" for n in result.pivots))
    for problem in result.problems:
        typer.echo(f"warning: {problem}", err=True)
    if out is not None:
        (out / PINS_DIR).mkdir(parents=True, exist_ok=True)
        lotl_tl = result.lotl.trust_list
        own = next((p for p in lotl_tl.pointers if p.territory == lotl_tl.territory and p.is_xml), None)
        # The pins of the directory: the certificates the authenticated LOTL names for its own next versions
        # (what the pivot chain hands over), and the one that verified it.
        reached = {c.der: c for c in (result.lotl.signer, *(own.signing_certificates if own else ()))}
        for i, cert in enumerate(reached.values()):
            (out / PINS_DIR / f"lotl-signer-{i}.pem").write_bytes(asn1pem.armor("CERTIFICATE", cert.der))
        (out / (member_file_name(own.location) if own else "lotl.xml")).write_bytes(result.lotl.document)
        for territory, accepted in result.lists.items():
            pointer = next(p for p in lotl_tl.pointers if p.territory == territory and p.is_xml)
            (out / member_file_name(pointer.location)).write_bytes(accepted.document)
        typer.echo(f"{len(result.accepted)} list(s) -> {out} (use --trust-list {out})")
    if any(": rejected:" in p for p in result.problems):
        raise typer.Exit(1)


@trust_list_app.command("health")
@_one_line_errors
def health(
    trust_lists: Path = typer.Argument(..., help="a trust_lists/ directory (or a demo dir containing one)"),
    at: Optional[str] = typer.Option(None, "--at", help="ISO time; default now"),
    grace_hours: float = typer.Option(DEFAULT_GRACE.total_seconds() / 3600, "--grace-hours"),
    output: TextOrJson = RESULT_OPTION,
) -> None:
    """Load a directory with the fail-closed rules and report each list's freshness; exit 1 unless all ok."""
    from trustsvc.trustlist.store import load_trust_store

    store = load_trust_store(trust_lists, at=_time(at, "--at"), grace=timedelta(hours=grace_hours))
    reports = store.health()
    emit(output, {"ok": all(h.status == "ok" for h in reports), "snapshot_id": store.snapshot_id,
                  "lists": [h.to_dict() for h in reports]},
         "\n".join([*(f"{h.territory:6} #{h.sequence_number:<4} {h.status:8} {h.message}" for h in reports),
                     f"snapshot {store.snapshot_id}"]))
    if any(h.status != "ok" for h in reports):
        raise typer.Exit(1)
