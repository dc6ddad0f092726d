"""OpenSSL `ts -reply -chain` tokens (TSA certificate plus its chain, in OpenSSL's order) validate with the right genTime."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from asn1crypto import tsp

from tests.cms.conftest import needs_openssl, openssl, write_key, write_pem
from tests.cms.pki import issue, new_key
from tests.cms.test_timestamp import TS_CONFIG
from trustsvc import validate_timestamp
from trustsvc.reports import SignatureIndication as SI

DATA = b"bid envelope timestamped by a TSA that sends its chain\n"


class ChainTSA:
    """root -> TSA issuing CA -> TSA, valid around the real clock (`openssl ts -reply` stamps the current time)."""

    def __init__(self, kind: str) -> None:
        now = datetime.now(timezone.utc)
        years = dict(not_before=now - timedelta(days=400), not_after=now + timedelta(days=400))
        self.root = issue(f"chain tsa root {kind}", new_key(kind), None, ca=True, **years)
        self.ca = issue(f"chain tsa issuing ca {kind}", new_key(kind), self.root, ca=True, **years)
        self.tsa = issue(f"chain tsa {kind}", new_key(kind), self.ca, tsa=True, **years)


@pytest.fixture(scope="module", params=["rsa", "ecdsa"])
def chain_tsa(request) -> ChainTSA:
    return ChainTSA(request.param)


def _reply(tsa: ChainTSA, d: Path, *, chain: bool) -> tuple[bytes, datetime, datetime]:
    """An `openssl ts -reply` response over DATA, and the clock just before and after it was made."""
    (d / "serial").write_text("01\n")
    (d / "ts.cnf").write_text(TS_CONFIG.format(dir=d))
    write_pem(d / "tsa.pem", tsa.tsa.cert.der)
    write_key(d / "tsa.key", tsa.tsa.key)
    (d / "chain.pem").write_bytes(write_pem(d / "ca.pem", tsa.ca.cert.der).read_bytes()
                                  + write_pem(d / "root.pem", tsa.root.cert.der).read_bytes())
    (d / "data").write_bytes(DATA)
    r = openssl("ts", "-query", "-data", "data", "-sha256", "-cert", "-out", "q.tsq", cwd=d)
    assert r.returncode == 0, r.stderr
    before = datetime.now(timezone.utc).replace(microsecond=0)
    r = openssl("ts", "-reply", "-queryfile", "q.tsq", "-signer", "tsa.pem", "-inkey", "tsa.key", "-config", "ts.cnf",
                "-out", "r.tsr", *(["-chain", "chain.pem"] if chain else []), cwd=d)
    after = datetime.now(timezone.utc)
    assert r.returncode == 0, r.stderr
    return (d / "r.tsr").read_bytes(), before, after


def _certificates(resp: bytes) -> list[bytes]:
    sd = tsp.TimeStampResp.load(resp)["time_stamp_token"]["content"]
    return [c.chosen.dump() for c in sd["certificates"]]


@needs_openssl
@pytest.mark.openssl
def test_openssl_token_carrying_the_tsa_chain_validates_from_its_own_certificates(chain_tsa, tmp_path):
    resp, before, after = _reply(chain_tsa, tmp_path, chain=True)
    # OpenSSL writes signer first, then the chain as given: not the DER order of a SET OF (X.690 11.6),
    # which a strict DER decoder refuses. CMS is BER-encoded (RFC 5652 1): the order is valid.
    assert _certificates(resp) == [chain_tsa.tsa.cert.der, chain_tsa.ca.cert.der, chain_tsa.root.cert.der]
    # Only the root is configured: the issuing CA comes from the token itself.
    report = validate_timestamp(resp, content=DATA, trust_anchors=[chain_tsa.root.cert], revocation="off")
    assert report.indication is SI.TOTAL_PASSED, report.reasons
    assert before <= report.gen_time <= after
    assert report.validation_time == report.gen_time
    assert {c.der for c in report.path} >= {chain_tsa.tsa.cert.der, chain_tsa.ca.cert.der}


@needs_openssl
@pytest.mark.openssl
def test_gen_time_is_the_one_openssl_wrote(chain_tsa, tmp_path):
    resp, _, _ = _reply(chain_tsa, tmp_path, chain=True)
    text = openssl("ts", "-reply", "-in", "r.tsr", "-text", cwd=tmp_path)
    assert text.returncode == 0, text.stderr
    line = next(ln for ln in text.stdout.splitlines() if ln.startswith("Time stamp:"))
    written = datetime.strptime(line.split(":", 1)[1].strip(), "%b %d %H:%M:%S %Y %Z").replace(tzinfo=timezone.utc)
    report = validate_timestamp(resp, content=DATA, trust_anchors=[chain_tsa.root.cert], revocation="off")
    assert report.indication is SI.TOTAL_PASSED, report.reasons
    assert report.gen_time == written


@needs_openssl
@pytest.mark.openssl
def test_chain_token_over_other_data_or_under_another_root_fails(chain_tsa, tmp_path):
    resp, _, _ = _reply(chain_tsa, tmp_path, chain=True)
    assert validate_timestamp(resp, content=DATA + b"!", trust_anchors=[chain_tsa.root.cert],
                              revocation="off").indication is SI.TOTAL_FAILED
    impostor = issue(chain_tsa.root.name, new_key("ecdsa"), None, ca=True)  # same subject, other key
    assert validate_timestamp(resp, content=DATA, trust_anchors=[impostor.cert],
                              revocation="off").indication is not SI.TOTAL_PASSED


@needs_openssl
@pytest.mark.openssl
def test_gen_time_agrees_with_rfc3161_client(chain_tsa, tmp_path):
    rfc3161_client = pytest.importorskip("rfc3161_client")  # the bench extra only
    from cryptography import x509 as cx509

    resp, _, _ = _reply(chain_tsa, tmp_path, chain=False)
    theirs = rfc3161_client.decode_timestamp_response(resp)
    verifier = rfc3161_client.VerifierBuilder(roots=[cx509.load_der_x509_certificate(chain_tsa.root.cert.der)],
                                              intermediates=[cx509.load_der_x509_certificate(chain_tsa.ca.cert.der)]
                                              ).build()
    assert verifier.verify_message(theirs, DATA)
    report = validate_timestamp(resp, content=DATA, trust_anchors=[chain_tsa.root.cert], other_certs=[chain_tsa.ca.cert],
                                revocation="off")
    assert report.indication is SI.TOTAL_PASSED, report.reasons
    assert report.gen_time == theirs.tst_info.gen_time.replace(tzinfo=timezone.utc)
    assert report.serial_number == theirs.tst_info.serial_number
