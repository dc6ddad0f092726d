"""Point-in-time revocation (RFC 5280 6.3.3, EN 319 102-1 5.2.5 / 5.2.6 / 5.5), each case with CRLs and with OCSP.

Evidence issued after the validation time T is the best evidence about the status at T: revoked at R
means revoked at T iff R <= T. Evidence issued before T counts only while fresh. A signature without a
proof of existence (timestamp) whose signer was revoked is INDETERMINATE / REVOKED_NO_POE.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest

from tests.cms.conftest import pki  # noqa: F401  (session fixture)
from tests.cms.pki import NOW, Entity, issue, new_key
from trustsvc import validate_certificate, validate_signature
from trustsvc.cms.builder import LocalTSA, sign_cms
from trustsvc.demo.revocation import Revoked, make_crl, make_ocsp_response
from trustsvc.reports import Indication
from trustsvc.reports import SignatureIndication as SI
from trustsvc.reports import SubIndication as Sub

BID = b"Tender GD-2026-0042 bid: 2,500,000.00 HKD\n" * 5
GEN_TIME = NOW
LATER = NOW + timedelta(days=30)  # bid opening: the platform holds today's evidence
KINDS = ["crl", "ocsp"]


@dataclass
class Chain:
    root: Entity
    ca: Entity
    leaf: Entity


@pytest.fixture(scope="module")
def chain() -> Chain:
    root = issue("pit root", new_key("rsa"), None, ca=True, not_before=NOW - timedelta(days=3650),
                 not_after=NOW + timedelta(days=3650))
    ca = issue("pit ca", new_key("rsa"), root, ca=True, not_before=NOW - timedelta(days=3000),
               not_after=NOW + timedelta(days=3000))
    return Chain(root, ca, issue("pit bidder", new_key("ecdsa"), ca))


def _evidence(kind: str, issuer: Entity, subjects: list[Entity], *, revoked: dict[int, tuple[datetime, str]] | None = None,
              this_update: datetime, next_update: datetime | None = None) -> dict[str, list[bytes]]:
    """CRL (one for all `subjects`) or one OCSP response per subject, signed by `issuer`, issued at `this_update`."""
    revoked = revoked or {}
    next_update = next_update or this_update + timedelta(days=7)
    if kind == "crl":
        entries = [Revoked(serial, t, reason) for serial, (t, reason) in revoked.items()]
        return {"crls": [make_crl(issuer.cert, issuer.key, entries, this_update=this_update, next_update=next_update)]}
    out = []
    for s in subjects:
        hit = revoked.get(s.cert.serial_number)
        out.append(make_ocsp_response(
            s.cert.serial_number, issuer.cert, issuer.cert, issuer.key, status="revoked" if hit else "good",
            revocation_time=hit[0] if hit else None, reason=hit[1] if hit else None,
            this_update=this_update, next_update=next_update))
    return {"ocsp_responses": out}


def _merge(*parts: dict[str, list[bytes]]) -> dict[str, list[bytes]]:
    out: dict[str, list[bytes]] = {"crls": [], "ocsp_responses": []}
    for p in parts:
        for k, v in p.items():
            out[k].extend(v)
    return out


def _current(kind: str, chain: Chain, pki, *, leaf_revoked=None, ca_revoked=None, issued=LATER):
    """Today's evidence for the whole signer path and the TSA path."""
    return _merge(
        _evidence(kind, chain.ca, [chain.leaf], revoked=leaf_revoked, this_update=issued),
        _evidence(kind, chain.root, [chain.ca], revoked=ca_revoked, this_update=issued),
        _evidence(kind, pki.tsa_root, [pki.tsa], this_update=issued),
    )


def _bid(chain: Chain, pki, *, timestamp: bool = True, signing_time: datetime = GEN_TIME) -> bytes:
    tsa = LocalTSA(pki.tsa.cert, pki.tsa.key, clock=lambda: GEN_TIME) if timestamp else None
    return sign_cms(BID, chain.leaf.cert, chain.leaf.key, detached=True, signing_time=signing_time,
                    extra_certs=[chain.ca.cert], timestamper=tsa)


def _verify(chain: Chain, pki, sig: bytes, evidence, *, revocation: str = "require", at: datetime = LATER):
    return validate_signature(sig, content=BID, trust_anchors=[chain.root.cert, pki.tsa_root.cert], at=at,
                              revocation=revocation, **evidence)


def _revoked(entity: Entity, when: datetime, reason: str = "superseded") -> dict[int, tuple[datetime, str]]:
    return {entity.cert.serial_number: (when, reason)}


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("mode", ["require", "soft-fail"])
def test_revoked_after_gen_time_with_current_evidence_passes(chain, pki, kind, mode):
    evidence = _current(kind, chain, pki, leaf_revoked=_revoked(chain.leaf, GEN_TIME + timedelta(days=10)))
    report = _verify(chain, pki, _bid(chain, pki), evidence, revocation=mode)
    assert report.indication is SI.TOTAL_PASSED, report.reasons
    signer = report.signers[0]
    assert signer.validation_time == GEN_TIME and signer.validation_time_source == "timestamp"
    leaf_status = [c for c in signer.certificate.revocation if c.is_end_entity][0]
    # good at genTime; the later revocation is reported with its date and reason
    assert leaf_status.status.value == "good" and leaf_status.outcome.indication is None
    assert leaf_status.revocation_time == GEN_TIME + timedelta(days=10) and leaf_status.reason == "superseded"


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("mode", ["require", "soft-fail"])
def test_revoked_before_gen_time_with_current_evidence_is_revoked(chain, pki, kind, mode):
    leaf = issue("pit bidder revoked early", new_key("ecdsa"), chain.ca)
    c = Chain(chain.root, chain.ca, leaf)
    evidence = _current(kind, c, pki, leaf_revoked=_revoked(leaf, GEN_TIME - timedelta(days=1), "key_compromise"))
    report = _verify(c, pki, _bid(c, pki), evidence, revocation=mode)
    assert (report.indication, report.sub_indication) == (SI.TOTAL_FAILED, Sub.REVOKED), report.reasons
    assert "key_compromise" in " ".join(report.reasons)


@pytest.mark.parametrize("kind", KINDS)
def test_cades_bes_revoked_signer_is_revoked_no_poe(chain, pki, kind):
    evidence = _current(kind, chain, pki, leaf_revoked=_revoked(chain.leaf, GEN_TIME + timedelta(days=10)))
    report = _verify(chain, pki, _bid(chain, pki, timestamp=False), evidence)
    assert (report.indication, report.sub_indication) == (SI.INDETERMINATE, Sub.REVOKED_NO_POE), report.reasons


@pytest.mark.parametrize("kind", KINDS)
def test_revoked_intermediate_without_poe_is_revoked_ca_no_poe(chain, pki, kind):
    ca = issue("pit ca revoked", new_key("rsa"), chain.root, ca=True)
    c = Chain(chain.root, ca, issue("pit bidder under revoked ca", new_key("ecdsa"), ca))
    evidence = _current(kind, c, pki, ca_revoked=_revoked(ca, GEN_TIME + timedelta(days=10), "ca_compromise"))
    report = _verify(c, pki, _bid(c, pki, timestamp=False), evidence)
    assert (report.indication, report.sub_indication) == (SI.INDETERMINATE, Sub.REVOKED_CA_NO_POE), report.reasons
    # ... while the timestamp (POE before the CA's revocation) keeps the bid valid.
    report = _verify(c, pki, _bid(c, pki), evidence)
    assert report.indication is SI.TOTAL_PASSED, report.reasons


@pytest.mark.parametrize("kind", KINDS)
def test_validation_at_a_past_time_with_evidence_issued_later(chain, pki, kind):
    past = NOW - timedelta(days=100)
    leaf = issue("pit bidder past", new_key("ecdsa"), chain.ca, not_before=NOW - timedelta(days=365))
    anchors = [chain.root.cert]
    for revoked_at, expected in ((past - timedelta(days=1), (Indication.FAILED, Sub.REVOKED)),
                                 (past + timedelta(days=1), (Indication.PASSED, None))):
        evidence = _merge(_evidence(kind, chain.ca, [leaf], revoked=_revoked(leaf, revoked_at), this_update=NOW),
                          _evidence(kind, chain.root, [chain.ca], this_update=NOW))
        report = validate_certificate(leaf.cert, intermediates=[chain.ca.cert], trust_anchors=anchors, at=past,
                                      revocation="require", **evidence)
        assert (report.indication, report.sub_indication) == expected, report.reasons
        ee = report.revocation[-1]
        assert ee.evidence and ee.evidence[0].this_update == NOW


@pytest.mark.parametrize("kind", KINDS)
def test_stale_evidence_from_before_the_validation_time_is_try_later(chain, pki, kind):
    leaf = issue("pit bidder stale", new_key("ecdsa"), chain.ca)
    stale = _merge(_evidence(kind, chain.ca, [leaf], this_update=NOW - timedelta(days=20),
                             next_update=NOW - timedelta(days=10)),
                   _evidence(kind, chain.root, [chain.ca], this_update=NOW))
    kw = dict(intermediates=[chain.ca.cert], trust_anchors=[chain.root.cert], at=NOW, **stale)
    report = validate_certificate(leaf.cert, revocation="require", **kw)
    assert (report.indication, report.sub_indication) == (Indication.INDETERMINATE, Sub.TRY_LATER)
    assert "stale" in " ".join(report.reasons)
    soft = validate_certificate(leaf.cert, revocation="soft-fail", **kw)
    assert soft.indication is Indication.PASSED and "stale" in " ".join(soft.warnings)  # never a silent pass


@pytest.mark.parametrize("kind", KINDS)
def test_max_freshness_limits_evidence_issued_before_the_validation_time(chain, pki, kind):
    leaf = issue("pit bidder freshness", new_key("ecdsa"), chain.ca)
    evidence = _merge(_evidence(kind, chain.ca, [leaf], this_update=NOW - timedelta(days=2),
                                next_update=NOW + timedelta(days=5)),
                      _evidence(kind, chain.root, [chain.ca], this_update=NOW))
    kw = dict(intermediates=[chain.ca.cert], trust_anchors=[chain.root.cert], at=NOW, revocation="require", **evidence)
    assert validate_certificate(leaf.cert, **kw).indication is Indication.PASSED
    report = validate_certificate(leaf.cert, max_freshness=timedelta(days=1), **kw)
    assert (report.indication, report.sub_indication) == (Indication.INDETERMINATE, Sub.TRY_LATER)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("mode", ["soft-fail", "require"])
def test_certificate_hold_is_try_later(chain, pki, kind, mode):
    leaf = issue("pit bidder on hold", new_key("ecdsa"), chain.ca)
    evidence = _merge(_evidence(kind, chain.ca, [leaf], revoked=_revoked(leaf, NOW - timedelta(days=1),
                                                                         "certificate_hold"), this_update=NOW),
                      _evidence(kind, chain.root, [chain.ca], this_update=NOW))
    report = validate_certificate(leaf.cert, intermediates=[chain.ca.cert], trust_anchors=[chain.root.cert],
                                  at=NOW, revocation=mode, **evidence)
    assert (report.indication, report.sub_indication) == (Indication.INDETERMINATE, Sub.TRY_LATER)
    assert "hold" in " ".join(report.reasons)


@pytest.mark.parametrize("kind", KINDS)
def test_plain_certificate_validation_of_a_revoked_certificate_is_failed_revoked(chain, pki, kind):
    leaf = issue("pit bidder plain", new_key("ecdsa"), chain.ca)
    evidence = _merge(_evidence(kind, chain.ca, [leaf], revoked=_revoked(leaf, NOW - timedelta(hours=1)),
                                this_update=NOW),
                      _evidence(kind, chain.root, [chain.ca], this_update=NOW))
    report = validate_certificate(leaf.cert, intermediates=[chain.ca.cert], trust_anchors=[chain.root.cert],
                                  at=NOW, **evidence)
    assert (report.indication, report.sub_indication) == (Indication.FAILED, Sub.REVOKED)
    d = report.to_dict()["revocation"][-1]
    assert d["status"] == "revoked" and d["reason"] == "superseded" and d["evidence"][0]["source"] == "supplied"


def test_signing_time_claim_after_gen_time_is_timestamp_order_failure(chain, pki):
    sig = _bid(chain, pki, signing_time=GEN_TIME + timedelta(hours=2))
    report = _verify(chain, pki, sig, _current("crl", chain, pki))
    assert (report.indication, report.sub_indication) == (SI.INDETERMINATE, Sub.TIMESTAMP_ORDER_FAILURE)
