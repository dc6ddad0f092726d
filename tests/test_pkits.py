"""NIST PKITS (2011): every case of tests/data/pkits/manifest.json, revocation required."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest

from trustsvc.reports import Indication
from trustsvc.validation.certificate import validate_certificate

DATA = Path(__file__).parent / "data" / "pkits"
CASES = json.loads((DATA / "manifest.json").read_text())


def _read(rel: str) -> bytes:
    return (DATA / rel).read_bytes()


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_pkits(case: dict) -> None:
    report = validate_certificate(
        _read(case["end_entity"]),
        intermediates=[_read(p) for p in case["intermediates"]],
        trust_anchors=[_read(case["trust_anchor"])],
        other_certs=[_read(p) for p in case["extra_certs"]],
        crls=[_read(p) for p in case["crls"]],
        at=datetime.fromisoformat(case["validation_time"]),
        initial_policy_set=case["initial_policy_set"],
        explicit_policy=case["initial_explicit_policy"],
        policy_mapping_inhibit=case["initial_policy_mapping_inhibit"],
        any_policy_inhibit=case["initial_any_policy_inhibit"],
        revocation="require",
    )
    detail = f"{case['name']}: {report.indication} {report.sub_indication} {report.reasons} {report.attempts}"
    if case["expected"] == "valid":
        assert report.indication is Indication.PASSED, detail
        assert sorted(report.user_constrained_policy_set) == sorted(case["expected_user_constrained_policy_set"]), detail
        if case["expected_authority_constrained_policy_set"] is not None:
            assert sorted(report.authority_constrained_policy_set) == sorted(case["expected_authority_constrained_policy_set"]), detail
    else:
        assert report.indication is not Indication.PASSED, detail
    report.to_dict()
