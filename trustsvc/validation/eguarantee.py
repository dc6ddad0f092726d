"""The GBA electronic letter of guarantee (e-guarantee) JSON payload: parse, and check against expectations.

The signed content of an e-guarantee is one UTF-8 JSON object (see docs/signatures.md):

    {"type": "gba-e-guarantee", "version": 1,
     "guarantee_number": "MOB-2026-000123", "issuer": "Banco Demo de Macau",
     "beneficiary": "Guangdong Public Resources Trading Centre", "applicant": "Example Bidder Ltd",
     "tender_id": "GD-2026-0001", "amount": "500000.00", "currency": "CNY",
     "valid_from": "2026-03-01T00:00:00Z", "valid_until": "2026-09-01T00:00:00Z"}

`amount` is a decimal string (never a float), `currency` an ISO 4217 code, the times ISO 8601 with
a zone. `applicant` is optional; every other field is required. Unknown fields are kept, not checked.
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

    def in_force(self, at: datetime) -> bool:
        return self.valid_from <= at <= self.valid_until


def _iso(t: datetime) -> str:
    return t.isoformat().replace("+00:00", "Z")


def _time(name: str, value: Any) -> datetime:
    if not isinstance(value, str):
        raise EGuaranteeError(f"{name} must be an ISO 8601 string")
    try:
        t = datetime.fromisoformat(value.replace("Z", "+00:00"))
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


def mismatches(payload: EGuarantee, expected: Mapping[str, Any]) -> list[tuple[str, Any, Any]]:
    """(field, actual, expected) for each expected field that differs; amounts compare as decimals."""
    out = []
    for name, want in expected.items():
        if name not in FIELDS:
            out.append((name, None, want))
            continue
        have = getattr(payload, name)
        if name == "amount":
            try:
                same = Decimal(str(want)) == have
            except InvalidOperation:
                same = False
            if not same:
                out.append((name, str(have), str(want)))
        elif name in ("valid_from", "valid_until"):
            try:
                same = _time(name, want) == have if isinstance(want, str) else want == have
            except EGuaranteeError:
                same = False
            if not same:
                out.append((name, _iso(have), want if isinstance(want, str) else str(want)))
        elif have != want:
            out.append((name, have, want))
    return out


def build_payload(**fields: Any) -> bytes:
    """Canonical UTF-8 JSON for an e-guarantee (sorted keys), after checking it parses."""
    obj = {"type": PAYLOAD_TYPE, "version": 1, **fields}
    parse_eguarantee(obj)
    return json.dumps(obj, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()
