"""The certificate/CRL builder: every algorithm (SM2 included) yields certificates and CRLs openssl and we accept."""

from __future__ import annotations

import subprocess
from datetime import datetime, timedelta, timezone

import pytest
from asn1crypto import pem

from trustsvc.errors import InvalidSignatureError, UnusableKeyError
from trustsvc.x509 import load_certificate, load_crl, verify_signature
from trustsvc.x509.builder import ALGORITHMS, Signer, build_certificate, build_crl

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=timezone.utc)
SM2_ID = "distid:1234567812345678"


@pytest.fixture(scope="module")
def signers() -> dict[str, Signer]:
    return {alg: Signer.generate(alg) for alg in ALGORITHMS}


def _root(signer: Signer, **kw):
    name = {"country_name": "HK", "organization_name": "Builder Test", "common_name": f"{signer.scheme} root"}
    return build_certificate(subject=name, issuer=name, public_key_info=signer.public_key_info, signer=signer,
                             not_before=NOW - timedelta(days=1), not_after=NOW + timedelta(days=3650), ca=True, **kw)


def _openssl(*args: str, check: bool = False) -> subprocess.CompletedProcess:
    return subprocess.run(["openssl", *args], capture_output=True, text=True, check=check)


@pytest.mark.parametrize("alg", ALGORITHMS)
def test_self_signed_certificate_verifies_with_us_and_openssl(signers, alg, tmp_path):
    signer = signers[alg]
    cert = _root(signer)
    verify_signature(cert.spki, cert.signature_algorithm, cert.signature, cert.tbs_der)
    path = tmp_path / "c.pem"
    path.write_bytes(pem.armor("CERTIFICATE", cert.der))
    extra = ["-vfyopt", SM2_ID] if alg == "sm2" else []
    r = _openssl("verify", "-partial_chain", *extra, "-CAfile", str(path), str(path))
    assert r.returncode == 0, r.stdout + r.stderr
    assert cert.ski == cert.aki == signer.key_identifier


@pytest.mark.parametrize("alg", ALGORITHMS)
def test_issued_leaf_verifies_under_its_issuer(signers, alg, tmp_path):
    issuer_signer = signers[alg]
    root = _root(issuer_signer)
    leaf_signer = signers["ecdsa-p256"]
    leaf = build_certificate(subject={"country_name": "HK", "common_name": "leaf"}, issuer=root.subject,
                             public_key_info=leaf_signer.public_key_info, signer=issuer_signer,
                             not_before=NOW, not_after=NOW + timedelta(days=700),
                             key_usage={"digital_signature", "non_repudiation"})
    verify_signature(root.spki, leaf.signature_algorithm, leaf.signature, leaf.tbs_der)
    assert leaf.aki == root.ski
    (tmp_path / "root.pem").write_bytes(pem.armor("CERTIFICATE", root.der))
    (tmp_path / "leaf.pem").write_bytes(pem.armor("CERTIFICATE", leaf.der))
    extra = ["-vfyopt", SM2_ID] if alg == "sm2" else []
    r = _openssl("verify", *extra, "-attime", str(int(NOW.timestamp()) + 60), "-CAfile", str(tmp_path / "root.pem"),
                 str(tmp_path / "leaf.pem"))
    assert r.returncode == 0, r.stdout + r.stderr


def test_tampered_tbs_fails(signers):
    cert = _root(signers["sm2"])
    tbs = bytearray(cert.tbs_der)
    tbs[-5] ^= 1
    with pytest.raises(InvalidSignatureError):
        verify_signature(cert.spki, cert.signature_algorithm, cert.signature, bytes(tbs))


def test_sm2_signer_id_is_honoured(signers):
    other = Signer(signers["sm2"].key, "sm2", "sm3", sm2_id=b"ALICE123@YAHOO.COM")
    cert = _root(other)
    with pytest.raises(InvalidSignatureError):
        verify_signature(cert.spki, cert.signature_algorithm, cert.signature, cert.tbs_der)
    verify_signature(cert.spki, cert.signature_algorithm, cert.signature, cert.tbs_der, sm2_id=b"ALICE123@YAHOO.COM")


def test_sm2_key_is_id_ec_public_key_on_the_sm2_curve(signers):
    spki = _root(signers["sm2"]).spki
    assert spki["algorithm"]["algorithm"].dotted == "1.2.840.10045.2.1"
    assert spki["algorithm"]["parameters"].chosen.dotted == "1.2.156.10197.1.301"


def test_extensions_are_encoded_as_asked(signers, tmp_path):
    signer = signers["ecdsa-p256"]
    cert = _root(signer, path_length=1, policies=["2.999.86.1.1"], policy_mappings=[("2.999.86.1.1", "2.999.86.44.1")],
                 require_explicit_policy=0, inhibit_policy_mapping=2, inhibit_any_policy=0,
                 permitted_subtrees=[{"country_name": "CN", "organization_name": "GD"}, ("dns_name", "gd.example")],
                 excluded_subtrees=[{"country_name": "MO"}],
                 extended_key_usage=["time_stamping"], extended_key_usage_critical=True,
                 crl_distribution_points=["http://127.0.0.1:8081/crl/x.crl"], ocsp_url="http://127.0.0.1:8081/ocsp",
                 ca_issuers_url="http://127.0.0.1:8081/ca/x.der")
    a = cert.asn1
    assert a.basic_constraints_value.native == {"ca": True, "path_len_constraint": 1}
    assert a.certificate_policies_value.native[0]["policy_identifier"] == "2.999.86.1.1"
    assert a.policy_mappings_value.native == [{"issuer_domain_policy": "2.999.86.1.1",
                                               "subject_domain_policy": "2.999.86.44.1"}]
    assert a.policy_constraints_value.native == {"require_explicit_policy": 0, "inhibit_policy_mapping": 2}
    assert a.inhibit_any_policy_value.native == 0
    nc = a.name_constraints_value.native
    assert nc["permitted_subtrees"][0]["base"] == {"country_name": "CN", "organization_name": "GD"}
    assert nc["excluded_subtrees"][0]["base"] == {"country_name": "MO"}
    assert a.extended_key_usage_value.native == ["time_stamping"]
    crit = {e["extn_id"].native: e["critical"].native for e in a["tbs_certificate"]["extensions"]}
    assert crit["extended_key_usage"] and crit["name_constraints"] and crit["key_usage"] and crit["basic_constraints"]
    assert a.crl_distribution_points[0].url == "http://127.0.0.1:8081/crl/x.crl"
    assert a.ocsp_urls == ["http://127.0.0.1:8081/ocsp"]
    # openssl reads the same thing
    (tmp_path / "c.pem").write_bytes(pem.armor("CERTIFICATE", cert.der))
    text = _openssl("x509", "-noout", "-text", "-in", str(tmp_path / "c.pem"), check=True).stdout
    assert "2.999.86.1.1:2.999.86.44.1" in text and "DirName:C = CN, O = GD" in text and "Time Stamping" in text


def test_dates_from_2050_use_generalized_time(signers):
    cert = build_certificate(subject={"common_name": "far"}, issuer={"common_name": "far"},
                             public_key_info=signers["ed25519"].public_key_info, signer=signers["ed25519"],
                             not_before=NOW, not_after=datetime(2051, 1, 1, tzinfo=timezone.utc))
    assert cert.asn1["tbs_certificate"]["validity"]["not_after"].name == "general_time"
    assert cert.asn1["tbs_certificate"]["validity"]["not_before"].name == "utc_time"
    assert cert.not_after.year == 2051


@pytest.mark.parametrize("alg", ALGORITHMS)
def test_crl_verifies_with_us_and_openssl(signers, alg, tmp_path):
    signer = signers[alg]
    root = _root(signer)
    der = build_crl(issuer_cert=root, signer=signer, this_update=NOW, next_update=NOW + timedelta(days=7),
                    revoked=[(1234, NOW - timedelta(hours=1), "key_compromise"), (99, NOW, None)], number=7)
    crl = load_crl(der)
    verify_signature(root.spki, crl["signature_algorithm"], crl["signature"].native, crl["tbs_cert_list"].dump())
    assert crl.crl_number_value.native == 7
    assert [r["user_certificate"].native for r in crl["tbs_cert_list"]["revoked_certificates"]] == [1234, 99]
    assert crl.authority_key_identifier == root.ski
    (tmp_path / "ca.pem").write_bytes(pem.armor("CERTIFICATE", root.der))
    (tmp_path / "crl.pem").write_bytes(pem.armor("X509 CRL", der))
    if alg == "sm2":  # `openssl crl` has no distid option: check the signature with dgst instead
        (tmp_path / "tbs").write_bytes(crl["tbs_cert_list"].dump())
        (tmp_path / "sig").write_bytes(crl["signature"].native)
        (tmp_path / "pub.pem").write_text(_openssl("x509", "-in", str(tmp_path / "ca.pem"), "-pubkey", "-noout",
                                                   check=True).stdout)
        r = _openssl("dgst", "-sm3", "-verify", str(tmp_path / "pub.pem"), "-sigopt", SM2_ID,
                     "-signature", str(tmp_path / "sig"), str(tmp_path / "tbs"))
    else:
        r = _openssl("crl", "-in", str(tmp_path / "crl.pem"), "-CAfile", str(tmp_path / "ca.pem"), "-noout")
    out = r.stdout + r.stderr
    assert r.returncode == 0 and ("verify OK" in out or "Verified OK" in out), out


def test_empty_crl_has_no_revoked_list(signers):
    root = _root(signers["ecdsa-p256"])
    crl = load_crl(build_crl(issuer_cert=root, signer=signers["ecdsa-p256"], this_update=NOW,
                             next_update=NOW + timedelta(days=1)))
    assert not crl["tbs_cert_list"]["revoked_certificates"].native  # RFC 5280 5.1.2.6: absent


@pytest.mark.parametrize("alg", ALGORITHMS)
def test_private_key_pem_round_trip(signers, alg):
    signer = signers[alg]
    again = Signer.from_pem(signer.private_key_pem(), pss=alg == "rsa-pss")
    assert again.scheme == signer.scheme and again.hash == signer.hash
    assert again.public_key_info.dump() == signer.public_key_info.dump()
    cert = _root(again)
    verify_signature(load_certificate(cert.der).spki, cert.signature_algorithm, cert.signature, cert.tbs_der)


def test_garbage_key_pem_is_a_typed_error():
    with pytest.raises(UnusableKeyError):
        Signer.from_pem(b"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n")


def test_unknown_algorithm_is_refused():
    with pytest.raises(ValueError, match="unknown key algorithm"):
        Signer.generate("dsa")
