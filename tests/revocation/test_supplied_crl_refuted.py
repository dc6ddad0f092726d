"""A CRL supplied with the request that covers a certificate but does not hold (forged signature, another CA's key
under the issuer's name, a broken RFC 5280 5.2 profile) is never passed over silently: the certificate's status is
UNDETERMINED (RFC 5280 6.3.3), INDETERMINATE / TRY_LATER in every revocation mode but off (revocation/modes.judge).
Soft-fail still tolerates what could not be obtained or is only stale."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from tests.path.rawpki import NOW, leaf, new_key, root
from tests.revocation.test_crl_profile import make_crl
from trustsvc import validate_certificate
from trustsvc.reports import Indication, SubIndication
from trustsvc.revocation.source import SuppliedRevocationSource
from trustsvc.x509.certificate import Certificate


@pytest.fixture(scope="module")
def pki():
    r = root()
    return r, leaf(r)


def check(pki, *crls: bytes, mode: str = "soft-fail", **kw):
    r, lf = pki
    kw.setdefault("at", NOW)
    return validate_certificate(lf.der, trust_anchors=[r.der], crls=list(crls), revocation=mode, **kw)


def forged(r) -> bytes:
    """A CRL in the issuer's name, signed by another key (a forgery, or another CA's CRL under a clashing name)."""
    return make_crl(replace(r, key=new_key()))


def test_a_good_supplied_crl_passes(pki):
    report = check(pki, make_crl(pki[0]))
    assert report.indication is Indication.PASSED, report.reasons
    assert [c.status.value for c in report.revocation] == ["good"]


@pytest.mark.parametrize("mode", ["soft-fail", "hard-fail", "require"])
def test_a_forged_supplied_crl_is_indeterminate_in_every_mode(pki, mode):
    report = check(pki, forged(pki[0]), mode=mode)
    assert report.indication is Indication.INDETERMINATE, report.reasons
    assert report.sub_indication is SubIndication.TRY_LATER
    assert "CRL" in " ".join(report.reasons) and "signer" in " ".join(report.reasons)


def test_a_supplied_crl_breaking_the_profile_is_indeterminate_under_soft_fail(pki):
    report = check(pki, make_crl(pki[0], number=None))  # RFC 5280 5.2.3: cRLNumber MUST be present
    assert report.indication is Indication.INDETERMINATE, report.reasons
    assert report.sub_indication is SubIndication.TRY_LATER
    assert "5.2.3" in " ".join(report.reasons)


def test_a_valid_crl_beside_the_forged_one_decides(pki):
    report = check(pki, forged(pki[0]), make_crl(pki[0]))
    assert report.indication is Indication.PASSED, report.reasons


def test_a_valid_crl_from_the_source_decides_after_a_forged_supplied_one(pki):
    source = SuppliedRevocationSource(crls=[make_crl(pki[0])])
    report = check(pki, forged(pki[0]), revocation_source=source)
    assert report.indication is Indication.PASSED, report.reasons


def test_a_forged_crl_that_revokes_does_not_revoke(pki):
    r, lf = pki
    serial = Certificate.from_der(lf.der).serial_number
    report = check(pki, make_crl(replace(r, key=new_key()), revoked=[serial]))
    assert report.indication is Indication.INDETERMINATE and report.sub_indication is SubIndication.TRY_LATER


def test_a_crl_of_another_issuer_claims_nothing_and_soft_fail_passes(pki):
    other = root("Another Root")
    report = check(pki, make_crl(other))
    assert report.indication is Indication.PASSED, report.reasons
    assert any("no CRL covers" in w for w in report.warnings), report.warnings


def test_a_stale_supplied_crl_is_tolerated_by_soft_fail_with_a_warning(pki):
    report = check(pki, make_crl(pki[0]), at=NOW + timedelta(days=30))
    assert report.indication is Indication.PASSED, report.reasons
    assert any("stale" in w for w in report.warnings), report.warnings


def test_revocation_off_ignores_a_forged_crl(pki):
    assert check(pki, forged(pki[0]), mode="off").indication is Indication.PASSED
