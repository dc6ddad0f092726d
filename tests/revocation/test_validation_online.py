"""validate_certificate(..., revocation_source=FetchingRevocationSource(...)) against the live local responder.

Runs once the path engine (issue 4) provides `trustsvc.validation.certificate.validate_certificate`.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from tests.revocation.revocation_fixtures import NOW
from trustsvc.demo.revocation import Revoked
from trustsvc.revocation.online import FetchingRevocationSource

certificate_mod = pytest.importorskip("trustsvc.validation.certificate")
validate_certificate = certificate_mod.validate_certificate


def _validate(lab, tag, mode, **source_kw):
    j = lab.j[tag]
    source_kw.setdefault("allow_networks", ["127.0.0.0/8"])
    source = FetchingRevocationSource(timeout=3.0, **source_kw)  # generous: the suite shares two cores
    return validate_certificate(j.leaf.der, trust_anchors=[j.ca.der], at=datetime.now(timezone.utc),
                                revocation=mode, revocation_source=source)


def _value(x):
    return getattr(x, "value", x)


@pytest.mark.parametrize("tag", ["gd", "hk", "mo"])
def test_good_status_passes_with_evidence(lab, server, tag):
    report = _validate(lab, tag, "require")
    assert _value(report.indication) == "PASSED", report.reasons
    assert report.revocation_evidence


@pytest.mark.parametrize("mode", ["soft-fail", "hard-fail", "require"])
def test_revoked_fails_in_every_checking_mode(lab, server, mode):
    j = lab.j["gd"]
    server.knobs.revoked[j.leaf.serial_number] = Revoked(j.leaf.serial_number, NOW - timedelta(hours=2))
    report = _validate(lab, "gd", mode)
    assert (_value(report.indication), _value(report.sub_indication)) == ("FAILED", "REVOKED")


def test_responder_down_soft_fail_passes_with_a_warning(lab, server):
    server.knobs.down = True
    report = _validate(lab, "hk", "soft-fail")
    assert _value(report.indication) == "PASSED"


@pytest.mark.parametrize("mode", ["hard-fail", "require"])
def test_responder_down_hard_fail_and_require_fail(lab, server, mode):
    server.knobs.down = True
    report = _validate(lab, "hk", mode)
    assert _value(report.indication) != "PASSED"


def test_ssrf_refusal_with_require_does_not_pass(lab, server):
    report = _validate(lab, "mo", "require", allow_networks=())
    assert _value(report.indication) != "PASSED"
    assert sum(server.requests.values()) == 0
