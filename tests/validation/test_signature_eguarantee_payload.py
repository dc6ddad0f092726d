"""The e-guarantee JSON payload: required fields, decimal amounts, ISO 4217 currency, expectations."""

from __future__ import annotations

import json

import pytest

from trustsvc.validation.eguarantee import EGuaranteeError, build_payload, mismatches, parse_eguarantee

FIELDS = dict(guarantee_number="MOB-1", issuer="Banco Demo", beneficiary="GD Trading Centre", tender_id="T-1",
              amount="500000.00", currency="MOP", valid_from="2026-03-01T00:00:00Z", valid_until="2026-09-01T00:00:00+08:00")


def test_round_trip():
    g = parse_eguarantee(build_payload(**FIELDS))
    assert str(g.amount) == "500000.00" and g.currency == "MOP" and g.valid_until.utcoffset().total_seconds() == 8 * 3600


@pytest.mark.parametrize("field,value,match", [
    ("amount", 500000.0, "decimal string"),
    ("amount", "5e5", "decimal string"),
    ("currency", "mop", "ISO 4217"),
    ("valid_from", "yesterday", "ISO 8601"),
    ("valid_until", "2026-09-01T00:00:00", "time zone"),
    ("guarantee_number", "", "non-empty"),
])
def test_bad_fields_are_named(field, value, match):
    with pytest.raises(EGuaranteeError, match=match):
        parse_eguarantee({**FIELDS, field: value})


@pytest.mark.parametrize("blob", [b"", b"[1]", b"\xff\xfe", b"{" * 5000, json.dumps({"type": "other"}).encode()])
def test_garbage_is_a_typed_error(blob):
    with pytest.raises(EGuaranteeError):
        parse_eguarantee(blob)


def test_missing_required_field():
    fields = dict(FIELDS)
    del fields["beneficiary"]
    with pytest.raises(EGuaranteeError, match="beneficiary"):
        parse_eguarantee(fields)


def test_mismatches_compare_amounts_as_decimals_and_name_fields():
    g = parse_eguarantee(FIELDS)
    assert mismatches(g, {"amount": "500000", "currency": "MOP", "valid_from": "2026-03-01T08:00:00+08:00"}) == []
    assert [m[0] for m in mismatches(g, {"amount": "500001", "tender_id": "T-2", "colour": "red"})] == [
        "amount", "tender_id", "colour"]
