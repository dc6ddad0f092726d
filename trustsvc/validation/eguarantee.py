"""The GBA electronic letter of guarantee (e-guarantee) JSON payload: parse, and check against expectations.

The signed content of an e-guarantee is one UTF-8 JSON object (see docs/signatures.md):

    {"type": "gba-e-guarantee", "version": 1,
     "guarantee_number": "MOB-2026-000123", "issuer": "Banco Demo de Macau",
     "beneficiary": "Guangdong Public Resources Trading Centre", "applicant": "Example Bidder Ltd",
     "tender_id": "GD-2026-0001", "amount": "500000.00", "currency": "CNY",
     "valid_from": "2026-03-01T00:00:00Z", "valid_until": "2026-09-01T00:00:00Z"}

`amount` is a decimal string (never a float), `currency` an ISO 4217 code, the times ISO 8601 with
a zone. `applicant` is optional; every other field is required. Unknown fields are kept, not checked.

The platform's terms (`check_terms`): in force at the validation time; `expected.valid_until` and
`expected.amount` are minimums (the amount in the same currency), `expected.valid_from` a latest
start, beneficiary, tender_id and the other fields exact.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any, Mapping

from trustsvc.errors import InputFormatError

PAYLOAD_TYPE = "gba-e-guarantee"
REQUIRED = ("guarantee_number", "issuer", "beneficiary", "tender_id", "amount", "currency", "valid_from", "valid_until")
FIELDS = (*REQUIRED, "applicant")
MAX_PAYLOAD_BYTES = 64 * 1024
_AMOUNT = re.compile(r"^\d{1,15}(\.\d{1,4})?$")
_CURRENCY = re.compile(r"^[A-Z]{3}$")


class EGuaranteeError(InputFormatError):
    """Content that is not a well-formed e-guarantee payload."""


@dataclass(frozen=True)
class EGuarantee:
    guarantee_number: str
    issuer: str
    beneficiary: str
    tender_id: str
    amount: Decimal
    currency: str
    valid_from: datetime
    valid_until: datetime
    applicant: str | None = None

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["amount"] = str(self.amount)
        d["valid_from"] = _iso(self.valid_from)
        d["valid_until"] = _iso(self.valid_until)
        return d


def _iso(t: datetime) -> str:
    return t.isoformat().replace("+00:00", "Z")


def _time(name: str, value: Any) -> datetime:
    if not isinstance(value, str):
        raise EGuaranteeError(f"{name} must be an ISO 8601 string")
    try:
        t = datetime.fromisoformat(value)
    except ValueError:
        raise EGuaranteeError(f"{name} {value!r} is not an ISO 8601 time") from None
    if t.tzinfo is None:
        raise EGuaranteeError(f"{name} {value!r} has no time zone")
    return t


def _amount(value: Any) -> Decimal:
    if not isinstance(value, str) or not _AMOUNT.match(value):
        raise EGuaranteeError(f"amount {value!r} must be a decimal string such as \"500000.00\"")
    try:
        return Decimal(value)
    except InvalidOperation:
        raise EGuaranteeError(f"amount {value!r} is not a decimal") from None


def parse_eguarantee(content: bytes | str | Mapping[str, Any]) -> EGuarantee:
    """Parse and check an e-guarantee payload; raise EGuaranteeError naming the first bad field."""
    if isinstance(content, Mapping):
        obj: Any = dict(content)
    else:
        if isinstance(content, str):
            content = content.encode()
        if len(content) > MAX_PAYLOAD_BYTES:
            raise EGuaranteeError(f"payload of {len(content)} bytes exceeds {MAX_PAYLOAD_BYTES}")
        try:
            obj = json.loads(content.decode("utf-8"))
        except (UnicodeDecodeError, ValueError, RecursionError) as exc:
            raise EGuaranteeError(f"not UTF-8 JSON ({exc.__class__.__name__})") from None
    if not isinstance(obj, dict):
        raise EGuaranteeError("payload must be a JSON object")
    if obj.get("type", PAYLOAD_TYPE) != PAYLOAD_TYPE:
        raise EGuaranteeError(f"type is {obj.get('type')!r}, expected {PAYLOAD_TYPE!r}")
    for name in REQUIRED:
        if name not in obj:
            raise EGuaranteeError(f"required field {name!r} is missing")
    for name in ("guarantee_number", "issuer", "beneficiary", "tender_id", "applicant"):
        if name in obj and obj[name] is not None and (not isinstance(obj[name], str) or not obj[name].strip()):
            raise EGuaranteeError(f"{name} must be a non-empty string")
    currency = obj["currency"]
    if not isinstance(currency, str) or not _CURRENCY.match(currency):
        raise EGuaranteeError(f"currency {currency!r} must be an ISO 4217 code such as CNY, HKD, MOP")
    valid_from, valid_until = _time("valid_from", obj["valid_from"]), _time("valid_until", obj["valid_until"])
    if valid_until < valid_from:
        raise EGuaranteeError("valid_until is before valid_from")
    return EGuarantee(
        guarantee_number=obj["guarantee_number"], issuer=obj["issuer"], beneficiary=obj["beneficiary"],
        tender_id=obj["tender_id"], amount=_amount(obj["amount"]), currency=currency,
        valid_from=valid_from, valid_until=valid_until, applicant=obj.get("applicant"),
    )


@dataclass(frozen=True)
class TermFailure:
    """One guarantee term the platform's rules reject: which term, by which rule, what was found and wanted.

    Rules: `not_in_force_yet` / `expired` (the guarantee must be in force at the validation time),
    `minimum` (amount, valid_until: at least what the tender requires), `maximum` (valid_from: in force
    from no later than required), `exact` (every other field), `unknown` (an expected field the
    payload format does not have), `unreadable` (an expectation that is not a decimal / time).
    Rendered to text only at the edge (`messages.eguarantee_term`).
    """

    term: str
    rule: str
    actual: str | None
    expected: str | None


def _want_time(name: str, want: Any) -> datetime | None:
    if isinstance(want, datetime):
        return want if want.tzinfo else None
    try:
        return _time(name, want)
    except EGuaranteeError:
        return None


def _compare(payload: EGuarantee, name: str, want: Any) -> TermFailure | None:
    have = getattr(payload, name)
    if name == "amount":
        # A minimum, and only meaningful in the same currency (checked as its own term when expected).
        try:
            floor = Decimal(str(want))
        except InvalidOperation:
            return TermFailure(name, "unreadable", str(have), str(want))
        return None if have >= floor else TermFailure(name, "minimum", str(have), str(want))
    if name in ("valid_from", "valid_until"):
        t = _want_time(name, want)
        if t is None:
            return TermFailure(name, "unreadable", _iso(have), str(want))
        ok = have >= t if name == "valid_until" else have <= t
        return None if ok else TermFailure(name, "minimum" if name == "valid_until" else "maximum", _iso(have), _iso(t))
    return None if have == want else TermFailure(name, "exact", None if have is None else str(have), str(want))


def check_terms(payload: EGuarantee, expected: Mapping[str, Any] | None, at: datetime | None = None) -> list[TermFailure]:
    """Every term of `payload` the platform rejects, in a stable order: validity at `at` first, then `expected`.

    The guarantee must be in force at the validation time `at` (valid_from <= at <= valid_until);
    `expected.valid_until` and `expected.amount` are minimums (amount in the expected currency),
    `expected.valid_from` a latest start, every other expected field (beneficiary, tender_id, ...) exact.
    """
    out: list[TermFailure] = []
    if at is not None:
        if at < payload.valid_from:
            out.append(TermFailure("valid_from", "not_in_force_yet", _iso(payload.valid_from), _iso(at)))
        elif at > payload.valid_until:
            out.append(TermFailure("valid_until", "expired", _iso(payload.valid_until), _iso(at)))
    expected = expected or {}
    if "currency" in expected and "amount" in expected and expected["currency"] != payload.currency:
        # A minimum amount in another currency is not comparable: the currency term fails, not the amount.
        return out + [TermFailure("currency", "exact", payload.currency, str(expected["currency"]))]
    for name, want in expected.items():
        if name not in FIELDS:
            out.append(TermFailure(name, "unknown", None, str(want)))
            continue
        failure = _compare(payload, name, want)
        if failure is not None:
            out.append(failure)
    return out


def mismatches(payload: EGuarantee, expected: Mapping[str, Any]) -> list[tuple[str, Any, Any]]:
    """(field, actual, expected) for each expected term not met (see `check_terms`; validity time not checked)."""
    return [(f.term, f.actual, f.expected) for f in check_terms(payload, expected)]


def build_payload(**fields: Any) -> bytes:
    """Canonical UTF-8 JSON for an e-guarantee (sorted keys), after checking it parses."""
    obj = {"type": PAYLOAD_TYPE, "version": 1, **fields}
    parse_eguarantee(obj)
    return json.dumps(obj, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()
