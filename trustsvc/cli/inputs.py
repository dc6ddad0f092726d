"""The CLI's one input module: files (or `-` for standard input), certificates, times, trust, enumerated options.

Every `trustsvc verify ...` command reads its inputs here, so the same input gives the same one-line error
(exit 2) whichever command reads it, and the choices offered (and completed by the shell) are the ones the
core accepts.
"""

from __future__ import annotations

import sys
from datetime import datetime, timezone
from enum import Enum
from pathlib import Path
from typing import Any, NoReturn

import typer

from trustsvc.errors import TrustsvcError, reason_of

STDIN = "-"


class Output(str, Enum):
    text = "text"
    json = "json"
    etsi_xml = "etsi-xml"  # ETSI TS 119 102-2 validation report


class TextOrJson(str, Enum):
    """--output of the commands whose result is not a validation report (trust lists, audit, demo, database)."""

    text = "text"
    json = "json"


class Profile(str, Enum):
    """RFC 5280 certificate profile every validated path is held to (docs/path.md)."""

    strict = "strict"
    lenient = "lenient"


class SignLevel(str, Enum):
    """EN 319 122-1 CAdES baseline levels `trustsvc sign` makes."""

    b_b = "B-B"
    b_t = "B-T"
    b_lt = "B-LT"
    b_lta = "B-LTA"


class Revocation(str, Enum):
    off = "off"
    soft_fail = "soft-fail"
    hard_fail = "hard-fail"
    require = "require"


class Lang(str, Enum):
    en = "en"
    zh_hans = "zh-Hans"
    zh_hant = "zh-Hant"


USAGES = ("e-tendering", "e-guarantee", "timestamping")

# Options several commands share, defined once so their names, choices and help read the same everywhere.
PROFILE_OPTION = typer.Option(Profile.strict, "--profile", help="RFC 5280 certificate profile of every path validated: "
                              "strict refuses every profile breach; lenient lets CA-side slips that change no "
                              "meaning pass, each named in the report's warnings.")
# Commands whose -o already names an output file take the long form only.
RESULT_OPTION = typer.Option(TextOrJson.text, "--output", "-o", help="text (for people) or json (for programs).")
RESULT_LONG_OPTION = typer.Option(TextOrJson.text, "--output", help="text (for people) or json (for programs).")
TSA_ID_OPTION = typer.Option(None, "--tsa", help="demo TSA entity id (with --demo), e.g. hk-tsa or gd-tsa")
TSA_URL_OPTION = typer.Option(None, "--tsa-url", help="RFC 3161 TSA over HTTP, e.g. http://127.0.0.1:8000/tsa")
TSA_CERT_OPTION = typer.Option(None, "--tsa-cert", help="local TSA certificate (PEM/DER), with --tsa-key")
TSA_KEY_OPTION = typer.Option(None, "--tsa-key", help="local TSA private key (PEM), with --tsa-cert")


def complete_usage(incomplete: str) -> list[str]:
    return [u for u in USAGES if u.startswith(incomplete)]


def fail(msg: str) -> NoReturn:
    """One line on stderr, exit 2 (unreadable or invalid input)."""
    print(f"error: {msg}", file=sys.stderr)
    raise typer.Exit(2)


def read_input(path: str | Path | None, what: str) -> bytes | None:
    """The bytes of `path`, or of standard input for `-`."""
    if path is None:
        return None
    if str(path) == STDIN:
        return sys.stdin.buffer.read()
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        fail(f"cannot read {what} {path}: {exc.strerror or exc}")


def read_certificates(paths: list[str] | list[Path], what: str) -> list[Any]:
    """Every certificate in each file (DER, PEM, PEM bundle, base64)."""
    from trustsvc.x509 import load_certificates

    out: list[Any] = []
    for p in paths:
        data = read_input(p, what)
        try:
            out.extend(load_certificates(data))
        except (TrustsvcError, ValueError) as exc:
            fail(f"{what} {p}: {reason_of(exc, what)}")
    return out


def parse_time(value: str | None, option: str, zone: Any = None) -> datetime | None:
    """An ISO 8601 time with an offset (a trailing Z means UTC), or read in the platform `zone`
    (--timezone / TRUSTSVC_PLATFORM_TIMEZONE); without either, exit 2 naming the option (validation/times.py)."""
    from trustsvc.validation.times import parse_time as parse

    try:
        return parse(value, option, zone)
    except ValueError as exc:
        fail(str(exc))
    return None


def load_trust(trust_list: Path | None, at: datetime | None) -> Any:
    """The trust store of a trust-list directory (signed lists checked against the pins), or None."""
    if trust_list is None:
        return None
    from trustsvc.trustlist import load_trust_store

    try:
        return load_trust_store(trust_list, at=at)
    except Exception as exc:  # noqa: BLE001 - the loader's typed rejections and I/O errors: one line, exit 2
        fail(f"cannot load trust lists from {trust_list}: {exc}")


def print_json(data: Any) -> None:
    import json

    print(json.dumps(data, ensure_ascii=False, indent=2, default=str))


def emit(output: TextOrJson, data: Any, text: str) -> None:
    """A command's result: `data` as JSON with --output json, else the `text` for people."""
    if output is TextOrJson.json:
        print_json(data)
    else:
        typer.echo(text)


__all__ = ["Lang", "Output", "PROFILE_OPTION", "Profile", "RESULT_LONG_OPTION", "RESULT_OPTION",
           "Revocation", "STDIN", "SignLevel", "TSA_CERT_OPTION", "TSA_ID_OPTION", "TSA_KEY_OPTION", "TSA_URL_OPTION", "TextOrJson",
           "USAGES", "complete_usage", "emit", "fail", "load_trust", "parse_time", "print_json", "read_certificates",
           "read_input"]
