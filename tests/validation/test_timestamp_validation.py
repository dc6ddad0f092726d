"""validate_timestamp: a standalone RFC 3161 token, its TSA judged at genTime, and the bid deadline."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest

pytest.importorskip("trustsvc.validation.certificate")

from tests.cms.conftest import needs_openssl, openssl, pki, write_key, write_pem  # noqa: E402,F401
from tests.cms.pki import NOW, issue, new_key  # noqa: E402
from tests.cms.test_timestamp import TS_CONFIG  # noqa: E402
from trustsvc import validate_timestamp  # noqa: E402
from trustsvc.cms.builder import make_timestamp_token  # noqa: E402
from trustsvc.reports import SignatureIndication as SI  # noqa: E402
from trustsvc.reports import SubIndication as Sub  # noqa: E402

DATA = b"bid file contents\n"


def _token(tsa, at=NOW, data=DATA):
    return make_timestamp_token(hashlib.sha256(data).digest(), "sha256", tsa.cert, tsa.key, gen_time=at, serial=5)


@pytest.mark.parametrize("which", ["tsa", "sm2_tsa"])
def test_token_over_content_passes(pki, which):
    tsa = getattr(pki, which)
    anchors = [pki.tsa_root.cert, pki.root("sm2").cert]
    report = validate_timestamp(_token(tsa), content=DATA, trust_anchors=anchors)
    assert report.indication is SI.TOTAL_PASSED, report.reasons
    assert report.gen_time == NOW and report.validation_time == NOW
    assert report.to_dict()["tsa"]["subject"] == tsa.cert.subject_str


def test_token_over_digest_passes(pki):
    report = validate_timestamp(_token(pki.tsa), digest=hashlib.sha256(DATA).hexdigest(), trust_anchors=[pki.tsa_root.cert])
    assert report.indication is SI.TOTAL_PASSED, report.reasons


def test_wrong_content_is_hash_failure(pki):
    report = validate_timestamp(_token(pki.tsa), content=DATA + b"x", trust_anchors=[pki.tsa_root.cert])
    assert (report.indication, report.sub_indication) == (SI.TOTAL_FAILED, Sub.HASH_FAILURE)


def test_without_data_the_imprint_is_unchecked(pki):
    report = validate_timestamp(_token(pki.tsa), trust_anchors=[pki.tsa_root.cert])
    assert (report.indication, report.sub_indication) == (SI.INDETERMINATE, Sub.SIGNED_DATA_NOT_FOUND)


def test_tsa_certificate_expired_now_is_judged_at_gen_time(pki):
    old_tsa = issue("old tsa", new_key("ecdsa"), pki.tsa_root, tsa=True, not_before=NOW - timedelta(days=10),
                    not_after=NOW + timedelta(days=1))
    # validate_timestamp has no clock: the TSA chain is validated at genTime, whenever we ask.
    report = validate_timestamp(_token(old_tsa), content=DATA, trust_anchors=[pki.tsa_root.cert])
    assert report.indication is SI.TOTAL_PASSED, report.reasons


def test_gen_time_after_deadline_fails_naming_both_times(pki):
    report = validate_timestamp(_token(pki.tsa), content=DATA, trust_anchors=[pki.tsa_root.cert],
                                deadline="2026-03-01T11:59:00Z")
    assert report.indication is SI.TOTAL_FAILED
    assert "2026-03-01T12:00:00Z" in report.reasons[-1] and "2026-03-01T11:59:00Z" in report.reasons[-1]


def test_tsa_without_critical_eku_is_rejected(pki):
    report = validate_timestamp(_token(pki.tsa_noncritical), content=DATA, trust_anchors=[pki.tsa_root.cert])
    assert report.indication is not SI.TOTAL_PASSED
    assert report.sub_indication is Sub.CHAIN_CONSTRAINTS_FAILURE


def test_untrusted_tsa_is_not_accepted(pki):
    report = validate_timestamp(_token(pki.tsa), content=DATA, trust_anchors=[pki.root("rsa").cert])
    assert (report.indication, report.sub_indication) == (SI.INDETERMINATE, Sub.NO_CERTIFICATE_CHAIN_FOUND)


@pytest.mark.parametrize("blob", [b"", b"\x00" * 10, b"0\x82\x01\x00garbage", b"not a token at all"])
def test_garbage_is_format_failure(blob):
    report = validate_timestamp(blob, content=DATA)
    assert (report.indication, report.sub_indication) == (SI.TOTAL_FAILED, Sub.FORMAT_FAILURE)


@needs_openssl
@pytest.mark.openssl
def test_openssl_ts_reply_validates(pki, tmp_path):
    (tmp_path / "serial").write_text("01\n")
    (tmp_path / "ts.cnf").write_text(TS_CONFIG.format(dir=tmp_path))
    write_pem(tmp_path / "tsa.pem", pki.tsa.cert.der)
    write_key(tmp_path / "tsa.key", pki.tsa.key)
    (tmp_path / "data").write_bytes(DATA)
    assert openssl("ts", "-query", "-data", "data", "-sha256", "-cert", "-out", "q.tsq", cwd=tmp_path).returncode == 0
    r = openssl("ts", "-reply", "-queryfile", "q.tsq", "-signer", "tsa.pem", "-inkey", "tsa.key", "-config", "ts.cnf",
                "-out", "r.tsr", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    report = validate_timestamp((tmp_path / "r.tsr").read_bytes(), content=DATA, trust_anchors=[pki.tsa_root.cert])
    # genTime is the real clock: inside the test TSA certificate's validity (NOW +- 1 year).
    assert report.indication is SI.TOTAL_PASSED, report.reasons
