"""RFC 3161 tokens: parsing (token or TimeStampResp), imprint, TSA constraints; OpenSSL `ts` interop both ways."""

from __future__ import annotations

import hashlib

import pytest

from tests.cms.conftest import needs_openssl, openssl, write_key, write_pem
from trustsvc.cms.attributes import signing_certificate_binding
from trustsvc.cms.builder import make_timestamp_token
from trustsvc.cms.signed_data import CMSFormatError, verify_signer_crypto
from trustsvc.cms.timestamp import parse_timestamp_token, tsa_certificate_problem

DATA = b"sealed bid envelope\n"

TS_CONFIG = """
[ tsa ]
default_tsa = tsa_config1
[ tsa_config1 ]
serial = {dir}/serial
crypto_device = builtin
default_policy = 1.2.3.4.1
digests = sha256, sha384, sha512
signer_digest = sha256
accuracy = secs:1
ordering = no
tsa_name = yes
ess_cert_id_chain = no
ess_cert_id_alg = sha256
"""


def _crypto_ok(token) -> bool:
    sd = token.signed_data
    signer = sd.signers[0]
    cert = signer.find_certificate(sd.certificates)
    return verify_signer_crypto(signer, cert, econtent_type=sd.econtent_type, content=token.tst_info_der).ok and \
        signing_certificate_binding(signer, cert).ok


@pytest.mark.parametrize("which", ["tsa", "sm2_tsa"])
def test_token_round_trip(pki, now, which):
    tsa = getattr(pki, which)
    digest = hashlib.sha256(DATA).digest()
    token = parse_timestamp_token(make_timestamp_token(digest, "sha256", tsa.cert, tsa.key, gen_time=now, serial=7, nonce=42))
    assert token.gen_time == now and token.serial_number == 7 and token.nonce == 42
    assert token.imprint_matches(data=DATA) and token.imprint_matches(digest=digest)
    assert not token.imprint_matches(data=DATA + b"!")
    assert _crypto_ok(token)
    assert tsa_certificate_problem(tsa.cert) is None


def test_tsa_eku_must_be_critical_and_only_timestamping(pki):
    assert "not critical" in tsa_certificate_problem(pki.tsa_noncritical.cert)
    assert "no extended key usage" in tsa_certificate_problem(pki.leaf("rsa").cert)


def test_a_plain_signed_data_is_not_a_token(pki):
    from trustsvc.cms.builder import sign_cms

    leaf = pki.leaf("rsa")
    with pytest.raises(CMSFormatError, match="TSTInfo"):
        parse_timestamp_token(sign_cms(DATA, leaf.cert, leaf.key, detached=False))


@pytest.fixture()
def openssl_tsa(pki, tmp_path):
    (tmp_path / "serial").write_text("01\n")
    (tmp_path / "ts.cnf").write_text(TS_CONFIG.format(dir=tmp_path))
    write_pem(tmp_path / "tsa.pem", pki.tsa.cert.der)
    write_key(tmp_path / "tsa.key", pki.tsa.key)
    write_pem(tmp_path / "root.pem", pki.tsa_root.cert.der)
    (tmp_path / "data").write_bytes(DATA)
    return tmp_path


@needs_openssl
@pytest.mark.openssl
@pytest.mark.parametrize("token_out", [False, True])
def test_openssl_ts_reply_verifies_here(openssl_tsa, token_out):
    d = openssl_tsa
    r = openssl("ts", "-query", "-data", "data", "-sha256", "-cert", "-out", "req.tsq", cwd=d)
    assert r.returncode == 0, r.stderr
    args = ["ts", "-reply", "-queryfile", "req.tsq", "-signer", "tsa.pem", "-inkey", "tsa.key",
            "-config", "ts.cnf", "-out", "resp.tsr"]
    if token_out:
        args.append("-token_out")
    r = openssl(*args, cwd=d)
    assert r.returncode == 0, r.stderr
    token = parse_timestamp_token((d / "resp.tsr").read_bytes())
    assert token.policy == "1.2.3.4.1"
    assert token.imprint_matches(data=DATA)
    assert _crypto_ok(token)


@needs_openssl
@pytest.mark.openssl
def test_trustsvc_token_verifies_in_openssl(pki, openssl_tsa, now):
    d = openssl_tsa
    token = make_timestamp_token(hashlib.sha256(DATA).digest(), "sha256", pki.tsa.cert, pki.tsa.key,
                                 gen_time=now, serial=99)
    (d / "token.der").write_bytes(token)
    r = openssl("ts", "-verify", "-data", "data", "-in", "token.der", "-token_in", "-CAfile", "root.pem",
                "-untrusted", "tsa.pem", "-attime", str(int(now.timestamp())), cwd=d)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "Verification: OK" in r.stdout
