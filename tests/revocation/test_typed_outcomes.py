"""Revocation speaks in typed values (revocation/status.py, failures.Failure, modes.Objection); the reports' JSON
keeps its strings, and a zh reader gets the revocation outcome from the typed parts, not from English text."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization

from tests.path.rawpki import NOW, leaf, new_key, root
from tests.revocation import revocation_fixtures
from tests.revocation.test_ocsp import _resp
from trustsvc import validate_certificate
from trustsvc.demo.revocation import generate_key
from trustsvc.failures import Failure
from trustsvc.reports import Indication, SubIndication
from trustsvc.revocation.modes import Objection
from trustsvc.revocation.ocsp import check_ocsp_response
from trustsvc.revocation.status import EvidenceStatus, OCSPProblem, RevocationStatus
from trustsvc.validation.localise import localise_certificate_report
from trustsvc.x509.certificate import Certificate


def crl(issuer, *, revoked=(), reason=None, key=None) -> bytes:
    cert = x509.load_der_x509_certificate(issuer.der)
    b = (x509.CertificateRevocationListBuilder().issuer_name(cert.subject)
         .last_update(NOW - timedelta(days=1)).next_update(NOW + timedelta(days=7))
         .add_extension(x509.CRLNumber(1), critical=False))
    for serial in revoked:
        entry = x509.RevokedCertificateBuilder().serial_number(serial).revocation_date(NOW - timedelta(days=2))
        if reason is not None:
            entry = entry.add_extension(x509.CRLReason(reason), critical=False)
        b = b.add_revoked_certificate(entry.build())
    return b.sign(key or issuer.key, hashes.SHA256()).public_bytes(serialization.Encoding.DER)


@pytest.fixture(scope="module")
def pki():
    r = root("Typed Root")
    return r, leaf(r, "typed.example")


def test_a_revoked_certificate_is_a_typed_failure_and_stable_json(pki):
    r, lf = pki
    serial = Certificate.from_der(lf.der).serial_number
    report = validate_certificate(lf.der, trust_anchors=[r.der], at=NOW,
                                  crls=[crl(r, revoked=[serial], reason=x509.ReasonFlags.key_compromise)])
    assert report.indication is Indication.FAILED and report.sub_indication is SubIndication.REVOKED
    status = report.revoked
    assert status.status is RevocationStatus.REVOKED and status.outcome.objection is Objection.REVOKED
    failure = status.failure
    assert isinstance(failure, Failure) and failure.sub_indication is SubIndication.REVOKED
    assert failure.certificate == status.certificate and failure.rule == "RFC 5280 6.3.3 (i)"
    body = json.loads(json.dumps(report.to_dict()))
    assert body["revocation"][0]["status"] == "revoked"
    assert body["revocation"][0]["evidence"][0]["status"] == "revoked"
    assert body["revocation"][0]["reason"] == "key_compromise"


@pytest.mark.parametrize(("lang", "words"), [("zh-Hans", ("被吊销", "密钥泄露")), ("zh-Hant", ("被廢止", "金鑰洩露"))])
def test_a_revocation_reads_in_chinese_from_the_typed_outcome(pki, lang, words):
    r, lf = pki
    serial = Certificate.from_der(lf.der).serial_number
    report = validate_certificate(lf.der, trust_anchors=[r.der], at=NOW,
                                  crls=[crl(r, revoked=[serial], reason=x509.ReasonFlags.key_compromise)])
    text = localise_certificate_report(report, lang).reasons[0]
    assert all(w in text for w in words), text
    assert "revoked" not in text and "key_compromise" not in text
    assert any("revoked" in t for t in report.technical_details)  # the English stays for engineers


def test_a_refuted_supplied_crl_names_its_rule_in_chinese(pki):
    r, lf = pki
    report = validate_certificate(lf.der, trust_anchors=[r.der], at=NOW, crls=[crl(replace(r, key=new_key()))])
    status = report.revoked
    assert status.outcome.objection is Objection.REFUTED
    assert [f.rule for f in status.refuted_by] == ["RFC 5280 6.3.3 (f)"]
    text = localise_certificate_report(report, "zh-Hans").reasons[0]
    assert "CRL 无法使用" in text and "RFC 5280 6.3.3 (f)" in text, text


def test_an_unusable_ocsp_response_is_a_typed_problem_with_its_clause(lab):
    j = lab.j["mo"]
    result = check_ocsp_response(j.leaf, j.ca, _resp(j, key=generate_key("ecdsa")), at=revocation_fixtures.NOW)
    assert result.status is EvidenceStatus.INVALID and result.problem is OCSPProblem.SIGNATURE
    assert result.failure.rule == "RFC 6960 3.2 (2)" and result.failure.sub_indication is SubIndication.TRY_LATER
    assert result.evidence.to_dict()["status"] == "invalid"
    good = check_ocsp_response(j.leaf, j.ca, _resp(j), at=revocation_fixtures.NOW)
    assert good.status is EvidenceStatus.GOOD and good.status.decides and good.failure is None


def test_crl_checking_says_why_in_typed_failures(pki):
    from trustsvc.revocation.crl import ParsedCRL, check_crls

    r, lf = pki
    cert = Certificate.from_der(lf.der)
    stale = check_crls(cert, [ParsedCRL(crl(r))], at=NOW + timedelta(days=30), signer_ok=lambda c: None)
    assert stale.status is None and stale.only_stale
    assert [f.rule for f in stale.failures] == ["RFC 5280 6.3.3 (a)(2)"] and "stale" in stale.problems[0]
    none = check_crls(cert, [], at=NOW, signer_ok=lambda c: None)
    assert [f.rule for f in none.failures] == ["RFC 5280 6.3.3"] and none.problems == ["no CRL covers this certificate"]
    good = check_crls(cert, [ParsedCRL(crl(r))], at=NOW, signer_ok=lambda c: None)
    assert good.status is RevocationStatus.GOOD and good.failures == [] and good.evidence[0].status == "good"
