"""`trustsvc verify signature` and `trustsvc verify timestamp`: thin shells over validate_signature / validate_timestamp."""

from __future__ import annotations

import json
import sys
from datetime import datetime
from pathlib import Path
from typing import Any, Optional

import typer

from trustsvc.cli.inputs import (
    PROFILE_OPTION, Lang, Output, Profile, Revocation, complete_usage, fail, load_trust, parse_time, read_certificates,
    read_input,
)
from trustsvc.cli.verify import (
    ALLOW_OPTION, FETCH_OPTION, JSON_OPTION, LANG_OPTION, REPORT_OUTPUT_OPTION, TIMEZONE_OPTION, fetching_source,
    verify_app,
)
from trustsvc.reports import SignatureIndication, SubIndication

_WARNING = {"en": "warning", "zh-Hans": "警告", "zh-Hant": "警告"}
EXIT = {SignatureIndication.TOTAL_PASSED: 0, SignatureIndication.TOTAL_FAILED: 1, SignatureIndication.INDETERMINATE: 3}


# The shared input helpers (cli/inputs.py) under the names this module's callers (cli/extend.py) import.
_fail = fail
_read = read_input


def _zone(name: str | None) -> Any:
    from trustsvc.validation.times import zone_of

    try:
        return zone_of(name)
    except ValueError as exc:
        _fail(f"--timezone: {exc}")


def _time(value: str | None, what: str, zone: Any = None) -> datetime | None:
    """A time the user typed: with an offset, or read in --timezone; otherwise exit 2 naming the option."""
    return parse_time(value, what, zone)


def _trust(trust_list: Path | None, anchors: list[Path], at: datetime | None) -> tuple[Any, list[bytes]]:
    """The trust-list store and the anchors' DER; neither given is a usage error (exit 2)."""
    store = load_trust(trust_list, at)
    loaded = [c.der for c in read_certificates(anchors, "anchor")]
    if store is None and not loaded:
        fail("give --trust-list DIR or at least one --anchor FILE")
    return store, loaded


def _certs(paths: list[Path]) -> list[bytes]:
    return [c.der for c in read_certificates(paths, "certificate")]


def _given_digest(content: Path | None, digest: str | None, algorithm: str | None, *,
                  needs_algorithm: bool) -> bytes | tuple[str, bytes] | None:
    """--digest / --digest-algorithm as the core takes them; a bad combination or value exits 2 with one line."""
    from trustsvc.cms.signed_data import digest_algorithm_name
    from trustsvc.errors import TrustsvcError

    if digest is None:
        if algorithm is not None:
            _fail("--digest-algorithm needs --digest")
        return None
    if content is not None:
        _fail("give --content or --digest, not both")
    try:
        value = bytes.fromhex(digest.strip())
    except ValueError:
        value = b""
    if not value:
        _fail(f"--digest {digest[:80]!r} is not hexadecimal")
    if algorithm is None:
        if needs_algorithm:
            _fail("--digest needs --digest-algorithm (e.g. sha256)")
        return value
    try:
        return digest_algorithm_name(algorithm), value
    except TrustsvcError as exc:
        _fail(f"--digest-algorithm: {exc}")
    return None


_COUNTERSIGNATURE = {"en": "counter-signature", "zh-Hans": "副署签名", "zh-Hant": "副署簽章"}


def _print_countersignatures(signer: Any, label: str, lang: str, indent: str) -> None:
    """One line per counter-signature (RFC 5652 11.4), nested under its signer: label, signer, verdict."""
    for cs in signer.counter_signatures:
        name = cs.signer.subject_str if cs.signer is not None else "?"
        sub = f" / {cs.sub_indication.value}" if cs.sub_indication else ""
        print(f"{indent}+ {_COUNTERSIGNATURE.get(lang, 'counter-signature')} {label}.{cs.index} ({name}): "
              f"{cs.indication.value}{sub}")
        _print_countersignatures(cs, f"{label}.{cs.index}", lang, indent + "  ")


def _emit(report: Any, as_json: bool, fmt: str | None = None) -> None:
    if fmt == "etsi-xml":  # ETSI TS 119 102-2 validation report
        from trustsvc.validation.etsi_report import etsi_validation_report

        sys.stdout.write(etsi_validation_report(report).decode("utf-8"))
    elif as_json or fmt == "json":
        print(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
    else:
        sub = f" / {report.sub_indication.value}" if report.sub_indication else ""
        print(f"{report.indication.value}{sub}")
        for r in report.reasons:
            print(f"  - {r}")
        for signer in getattr(report, "signers", ()):
            _print_countersignatures(signer, str(signer.index), report.lang, "  ")
        for w in getattr(report, "all_warnings", ()):
            print(f"  ! {_WARNING.get(w.lang, 'warning')}: {w.text}")
    # Input that does not even parse (no signer / no token found) is "unreadable input": exit 2.
    parsed = bool(report.signers) if hasattr(report, "signers") else report.gen_time is not None
    unreadable = report.sub_indication is SubIndication.FORMAT_FAILURE and not parsed
    raise typer.Exit(2 if unreadable else EXIT[report.indication])


@verify_app.command("signature")
def verify_signature_cmd(
    signature: Path = typer.Argument(..., help="CMS / CAdES signature (DER or PEM; - for standard input)"),
    content: Optional[Path] = typer.Option(None, "--content", help="the signed file, for a detached signature"),
    digest: Optional[str] = typer.Option(None, "--digest", help="hex digest of the detached content (instead of "
                                                                "--content); needs --digest-algorithm"),
    digest_algorithm: Optional[str] = typer.Option(None, "--digest-algorithm",
                                                   help="algorithm of --digest: sha256, sha384, sha3-256, sm3, ... "
                                                        "(the signer's digest algorithm)"),
    trust_list: Optional[Path] = typer.Option(None, "--trust-list", "--trust-lists", help="trust-list directory (e.g. DEMO/trust_lists)"),
    anchor: list[Path] = typer.Option([], "--anchor", help="a trust-anchor certificate (repeatable)"),
    cert: list[Path] = typer.Option([], "--cert", help="extra certificates (intermediates; repeatable)"),
    crl: list[Path] = typer.Option([], "--crl", help="a CRL (DER/PEM; repeatable)"),
    usage: Optional[str] = typer.Option(None, "--usage", autocompletion=complete_usage,
                                        help="e-tendering | e-guarantee | e-signature"),
    deadline: Optional[str] = typer.Option(None, "--deadline", help="bid deadline (ISO 8601): a timestamp must prove the bid before it"),
    expected: Optional[Path] = typer.Option(None, "--expected", help="JSON file of e-guarantee fields the platform expects"),
    at: Optional[str] = typer.Option(None, "--at", help="validation time when no timestamp proves one (ISO 8601; default now)"),
    revocation: Revocation = typer.Option(Revocation.soft_fail, "--revocation",
                                          help="what to do when revocation status cannot be established"),
    lang: Lang = LANG_OPTION,
    output: Output = REPORT_OUTPUT_OPTION,
    timezone_name: Optional[str] = TIMEZONE_OPTION,
    as_json: bool = JSON_OPTION,
    fetch: bool = FETCH_OPTION,
    allow_network: list[str] = ALLOW_OPTION,
    profile: Profile = PROFILE_OPTION,
) -> None:
    """Verify a signed bid or e-guarantee (CMS / CAdES, attached or detached)."""
    from trustsvc.validation.signature import validate_signature

    zone = _zone(timezone_name)
    at_t = _time(at, "--at", zone)
    deadline_t = _time(deadline, "--deadline", zone)
    given = _given_digest(content, digest, digest_algorithm, needs_algorithm=True)
    sig = read_input(signature, "signature")
    data = _read(content, "content")
    store, anchors = _trust(trust_list, anchor, at_t)
    exp = None
    if expected is not None:
        try:
            exp = json.loads(_read(expected, "expected fields"))
        except ValueError as exc:
            _fail(f"--expected {expected}: not JSON ({exc})")
        if not isinstance(exp, dict):
            _fail("--expected must hold a JSON object")
    crls = [_read(p, "CRL") for p in crl]
    report = validate_signature(sig, content=data, digest=given, trust=store, trust_anchors=anchors, at=at_t, usage=usage,
                                deadline=deadline_t, crls=crls, other_certs=_certs(cert), revocation=revocation.value,
                                expected=exp, lang=lang.value, platform_timezone=zone,
                                revocation_source=fetching_source(fetch, allow_network), profile=profile.value)
    _emit(report, as_json, output.value)


@verify_app.command("timestamp")
def verify_timestamp_cmd(
    token: Path = typer.Argument(..., help="RFC 3161 timestamp token or TimeStampResp (DER or PEM; - for standard input)"),
    content: Optional[Path] = typer.Option(None, "--content", help="the timestamped file"),
    digest: Optional[str] = typer.Option(None, "--digest", help="hex digest of the timestamped data (instead of --content)"),
    digest_algorithm: Optional[str] = typer.Option(None, "--digest-algorithm",
                                                   help="algorithm of --digest (optional; must be the token's "
                                                        "message-imprint algorithm)"),
    trust_list: Optional[Path] = typer.Option(None, "--trust-list", "--trust-lists", help="trust-list directory"),
    anchor: list[Path] = typer.Option([], "--anchor", help="a trust-anchor certificate (repeatable)"),
    cert: list[Path] = typer.Option([], "--cert", help="extra certificates (repeatable)"),
    deadline: Optional[str] = typer.Option(None, "--deadline", help="genTime must not be after this (ISO 8601)"),
    crl: list[Path] = typer.Option([], "--crl", help="a CRL for the TSA's chain (DER/PEM; repeatable)"),
    revocation: Revocation = typer.Option(Revocation.soft_fail, "--revocation",
                                          help="what to do when the TSA chain's revocation status cannot be established"),
    lang: Lang = LANG_OPTION,
    output: Output = REPORT_OUTPUT_OPTION,
    timezone_name: Optional[str] = TIMEZONE_OPTION,
    as_json: bool = JSON_OPTION,
    fetch: bool = FETCH_OPTION,
    allow_network: list[str] = ALLOW_OPTION,
    profile: Profile = PROFILE_OPTION,
) -> None:
    """Verify a timestamp token: imprint, TSA signature, TSA valid and recognised at genTime, deadline."""
    from trustsvc.validation.timestamp import validate_timestamp

    given = _given_digest(content, digest, digest_algorithm, needs_algorithm=False)
    zone = _zone(timezone_name)
    deadline_t = _time(deadline, "--deadline", zone)
    tok = read_input(token, "timestamp token")
    data = _read(content, "content")
    store, anchors = _trust(trust_list, anchor, None)
    report = validate_timestamp(tok, content=data, digest=given, trust=store, trust_anchors=anchors,
                                deadline=deadline_t, lang=lang.value, other_certs=_certs(cert),
                                platform_timezone=zone, revocation_source=fetching_source(fetch, allow_network),
                                crls=[_read(p, "CRL") for p in crl], revocation=revocation.value,
                                profile=profile.value)
    _emit(report, as_json, output.value)
