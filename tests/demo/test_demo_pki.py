"""The demo GBA PKI: openssl and our registry accept every link; bridge paths carry policy mappings and name limits."""

from __future__ import annotations

import os
import stat
import subprocess
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from trustsvc.demo.pki import DEFAULT_BASE_URL, NAMESPACES, POLICIES, DemoPKI
from trustsvc.x509 import load_certificate, verify_signature
from trustsvc.x509.builder import Signer, build_certificate

CONTRACT_IDS = {
    "gd-root", "gd-ca", "gd-leaf", "gd-tsa", "hk-root", "hk-ca", "hk-leaf", "hk-tsa", "mo-root", "mo-ca", "mo-leaf",
    "mo-bank", "bridge", "bridge-by-gd-root", "gd-root-by-bridge", "bridge-by-hk-root", "hk-root-by-bridge",
    "bridge-by-mo-root", "mo-root-by-bridge",
}
ALGORITHM = {"gd": "sm2", "hk": "rsa", "mo": "ecdsa", "bridge": "ecdsa"}
SM2_ID = ["-vfyopt", "distid:1234567812345678"]
PKI_IDS = sorted(CONTRACT_IDS | {"mo-tsa"})  # what the PKI step itself generates


def _cert(d: Path, index: dict, ident: str):
    return load_certificate((d / index["entities"][ident]["cert_der"]).read_bytes())


def _path(d: Path, index: dict, ident: str) -> str:
    return str(d / index["entities"][ident]["cert"])


def _openssl_verify(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["openssl", "verify", *args], capture_output=True, text=True)


def _signed_with_sm2(index: dict, ident: str) -> bool:
    issuer = index["entities"][ident]["issuer"]
    return index["entities"][issuer]["algorithm"] == "sm2" if index["entities"][ident]["role"] == "cross" else \
        index["entities"][ident]["algorithm"] == "sm2"


# --- pki.json -----------------------------------------------------------------------------------
def test_index_matches_the_contract(demo_pki):
    d, index = demo_pki
    assert index["version"] == 1
    assert datetime.fromisoformat(index["created_at"]).tzinfo is not None
    assert set(index["policies"]) == {"CN-GD", "HK", "MO", "GBA"}
    assert index["policies"]["HK"].startswith("2.16.344.8.2.2008.810.2.")
    assert CONTRACT_IDS <= set(index["entities"])
    for ident in CONTRACT_IDS:
        e = index["entities"][ident]
        assert set(e) == {"cert", "cert_der", "key", "algorithm", "territory", "role", "issuer", "subject"}, ident
        assert e["cert"] == f"certs/{ident}.pem" and e["cert_der"] == f"certs/{ident}.der"
        assert e["algorithm"] in ("sm2", "rsa", "ecdsa") and e["territory"] in ("CN-GD", "HK", "MO", "GBA")
        assert e["role"] in ("root", "ca", "leaf", "tsa", "bridge", "cross", "ocsp")
        assert e["issuer"] in index["entities"]
        assert (d / e["key"]).is_file()
        cert = _cert(d, index, ident)
        assert load_certificate((d / e["cert"]).read_bytes()) == cert
        assert e["subject"] == cert.subject_str
        assert cert.issuer == _cert(d, index, e["issuer"]).subject
    for ident, alg in (("gd-leaf", "sm2"), ("hk-leaf", "rsa"), ("mo-bank", "ecdsa"), ("bridge", "ecdsa"),
                       ("bridge-by-gd-root", "ecdsa"), ("gd-root-by-bridge", "sm2")):
        assert index["entities"][ident]["algorithm"] == alg
    assert index["entities"]["bridge-by-hk-root"]["issuer"] == "hk-root"
    assert index["entities"]["hk-root-by-bridge"]["issuer"] == "bridge"


def test_keys_are_private_pkcs8_and_match_their_certificates(demo_pki):
    d, index = demo_pki
    for ident in PKI_IDS:
        e = index["entities"][ident]
        path = d / e["key"]
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
        assert path.read_bytes().startswith(b"-----BEGIN PRIVATE KEY-----")
        signer = Signer.from_pem(path.read_bytes())
        assert signer.public_key_info.dump() == _cert(d, index, ident).spki_der, ident


def test_fresh_keys_each_run(demo_pki):
    d, index = demo_pki
    again = DemoPKI(datetime.now(timezone.utc))
    assert again.entities["gd-root"].certificate.spki_der != _cert(d, index, "gd-root").spki_der
    assert again.entities["hk-root"].certificate.spki_der != _cert(d, index, "hk-root").spki_der


# --- every link verifies ---------------------------------------------------------------------------
@pytest.mark.parametrize("ident", PKI_IDS)
def test_our_registry_verifies_every_link(demo_pki, ident):
    d, index = demo_pki
    cert = _cert(d, index, ident)
    issuer = _cert(d, index, index["entities"][ident]["issuer"])
    used = verify_signature(issuer.spki, cert.signature_algorithm, cert.signature, cert.tbs_der)
    assert used.key_family == {"sm2": "sm2", "rsa": "rsa", "ecdsa": "ec"}[
        index["entities"][index["entities"][ident]["issuer"]]["algorithm"]]


@pytest.mark.parametrize("leaf", ["hk-ca", "hk-leaf", "hk-tsa", "mo-ca", "mo-leaf", "mo-bank", "mo-tsa"])
def test_openssl_verifies_whole_rsa_and_ecdsa_chains(demo_pki, leaf):
    d, index = demo_pki
    prefix = leaf.split("-")[0]
    r = _openssl_verify("-x509_strict", "-CAfile", _path(d, index, f"{prefix}-root"),
                        "-untrusted", _path(d, index, f"{prefix}-ca"), _path(d, index, leaf))
    assert r.returncode == 0, r.stdout + r.stderr


@pytest.mark.parametrize("ident", ["gd-root", "gd-ca", "gd-leaf", "gd-tsa"])
def test_openssl_verifies_sm2_chain_link_by_link(demo_pki, ident):
    # OpenSSL 3.0 applies the SM2 ID only to the target certificate: one link at a time.
    d, index = demo_pki
    issuer = index["entities"][ident]["issuer"]
    r = _openssl_verify("-partial_chain", *SM2_ID, "-CAfile", _path(d, index, issuer), _path(d, index, ident))
    assert r.returncode == 0, r.stdout + r.stderr


@pytest.mark.parametrize("ident", sorted(i for i in CONTRACT_IDS if "-by-" in i))
def test_openssl_verifies_each_cross_certificate_against_its_issuer(demo_pki, ident):
    d, index = demo_pki
    issuer = index["entities"][ident]["issuer"]
    extra = SM2_ID if _signed_with_sm2(index, ident) else []
    r = _openssl_verify("-partial_chain", *extra, "-CAfile", _path(d, index, issuer), _path(d, index, ident))
    assert r.returncode == 0, r.stdout + r.stderr


# --- bridge: policy mappings and name constraints, judged by openssl ----------------------------------
@pytest.mark.parametrize("relying,foreign", [("hk", "mo"), ("mo", "hk")])
def test_openssl_builds_bridge_path_with_policy_mapping(demo_pki, relying, foreign):
    d, index = demo_pki
    p = lambda i: _path(d, index, i)  # noqa: E731
    chain = ["-untrusted", p(f"bridge-by-{relying}-root"), "-untrusted", p(f"{foreign}-root-by-bridge"),
             "-untrusted", p(f"{foreign}-ca")]
    own = index["policies"][relying.upper()]
    r = _openssl_verify("-CAfile", p(f"{relying}-root"), *chain, "-policy", own, "-explicit_policy",
                        p(f"{foreign}-leaf"))
    assert r.returncode == 0, r.stdout + r.stderr
    # The foreign policy is not acceptable as such to the relying party: only through the mapping.
    foreign_policy = index["policies"][foreign.upper()]
    r = _openssl_verify("-CAfile", p(f"{relying}-root"), *chain, "-policy", foreign_policy, "-explicit_policy",
                        p(f"{foreign}-leaf"))
    assert r.returncode != 0


def test_bridge_cannot_speak_for_the_relying_partys_own_names(demo_pki, tmp_path):
    # bridge-by-mo-root permits only GD and HK names: a Macao-named CA issued by the bridge is refused.
    d, index = demo_pki
    bridge = _cert(d, index, "bridge")
    bridge_key = Signer.from_pem((d / index["entities"]["bridge"]["key"]).read_bytes())
    rogue_key = Signer.generate("ecdsa-p256")
    now = datetime.now(timezone.utc)
    rogue = build_certificate(subject={**NAMESPACES["MO"], "common_name": "Rogue MO CA"}, issuer=bridge.subject,
                              public_key_info=rogue_key.public_key_info, signer=bridge_key, ca=True,
                              not_before=now - timedelta(hours=1), not_after=now + timedelta(days=30),
                              policies=[POLICIES["GBA"]])
    (tmp_path / "rogue.pem").write_text(_pem(rogue.der))
    r = _openssl_verify("-CAfile", _path(d, index, "mo-root"), "-untrusted", _path(d, index, "bridge-by-mo-root"),
                        str(tmp_path / "rogue.pem"))
    assert r.returncode != 0 and "subtree" in (r.stdout + r.stderr), r.stdout + r.stderr
    # ... while a Hong Kong name through the same cross-certificate is fine.
    fine = build_certificate(subject={**NAMESPACES["HK"], "common_name": "Fine HK CA"}, issuer=bridge.subject,
                             public_key_info=rogue_key.public_key_info, signer=bridge_key, ca=True,
                             not_before=now - timedelta(hours=1), not_after=now + timedelta(days=30))
    (tmp_path / "fine.pem").write_text(_pem(fine.der))
    r = _openssl_verify("-CAfile", _path(d, index, "mo-root"), "-untrusted", _path(d, index, "bridge-by-mo-root"),
                        str(tmp_path / "fine.pem"))
    assert r.returncode == 0, r.stdout + r.stderr


def _pem(der: bytes) -> str:
    from asn1crypto import pem

    return pem.armor("CERTIFICATE", der).decode()


# --- profiles -------------------------------------------------------------------------------------
def test_cross_certificates_map_policies_and_constrain_names(demo_pki):
    d, index = demo_pki
    gba = POLICIES["GBA"]
    for territory, prefix in (("CN-GD", "gd"), ("HK", "hk"), ("MO", "mo")):
        own = POLICIES[territory]
        up = _cert(d, index, f"bridge-by-{prefix}-root").asn1
        assert up.policy_mappings_value.native == [{"issuer_domain_policy": own, "subject_domain_policy": gba}]
        permitted = [s["base"] for s in up.name_constraints_value.native["permitted_subtrees"]]
        assert NAMESPACES[territory] not in permitted and len(permitted) == 2
        down = _cert(d, index, f"{prefix}-root-by-bridge").asn1
        assert down.policy_mappings_value.native == [{"issuer_domain_policy": gba, "subject_domain_policy": own}]
        assert [s["base"] for s in down.name_constraints_value.native["permitted_subtrees"]] == [NAMESPACES[territory]]
        assert down.subject == _cert(d, index, f"{prefix}-root").subject
        assert down.public_key.dump() == _cert(d, index, f"{prefix}-root").spki_der


def test_every_certificate_asserts_its_jurisdiction_policy(demo_pki):
    d, index = demo_pki
    for ident in PKI_IDS:
        e = index["entities"][ident]
        policies = [p["policy_identifier"] for p in _cert(d, index, ident).asn1.certificate_policies_value.native]
        assert policies == [POLICIES[e["territory"]]], ident
    assert index["policies"]["HK"] == POLICIES["HK"]


def test_leaf_and_tsa_profiles(demo_pki):
    d, index = demo_pki
    for ident in ("gd-leaf", "gd-tsa", "hk-leaf", "hk-tsa", "mo-leaf", "mo-bank", "mo-tsa"):
        a = _cert(d, index, ident).asn1
        issuer = index["entities"][ident]["issuer"]
        assert a.key_usage_value.native == {"digital_signature", "non_repudiation"}
        assert a.crl_distribution_points[0].url == f"{DEFAULT_BASE_URL}/crl/{issuer}.crl"
        assert a.ocsp_urls == [f"{DEFAULT_BASE_URL}/ocsp"]
        assert not a.ca
        exts = {e["extn_id"].native: e for e in a["tbs_certificate"]["extensions"]}
        if ident.endswith("-tsa"):  # RFC 3161 2.3
            assert a.extended_key_usage_value.native == ["time_stamping"]
            assert exts["extended_key_usage"]["critical"].native is True
        else:
            assert "extended_key_usage" not in exts


def test_validity_periods(demo_pki):
    d, index = demo_pki
    created = datetime.fromisoformat(index["created_at"])
    for ident in PKI_IDS:
        c = _cert(d, index, ident)
        assert c.not_before == created - timedelta(days=1)
        years = {"root": 20, "bridge": 20, "ca": 10, "cross": 10}.get(index["entities"][ident]["role"], 2)
        assert abs((c.not_after - c.not_before).days - 365.25 * years) < 2, ident


def test_base_url_is_a_parameter():
    pki = DemoPKI(datetime.now(timezone.utc), base_url="http://revocation.demo.example:9000/")
    assert pki.entities["hk-leaf"].certificate.asn1.ocsp_urls == ["http://revocation.demo.example:9000/ocsp"]
    assert pki.entities["gd-ca"].certificate.asn1.crl_distribution_points[0].url == \
        "http://revocation.demo.example:9000/crl/gd-root.crl"


# --- a second independent implementation: pyhanko-certvalidator (RFC 5280 path building + policies) ---
@pytest.mark.parametrize("relying,foreign", [("hk", "mo"), ("mo", "hk")])
def test_pyhanko_certvalidator_reaches_the_foreign_leaf_through_the_bridge(demo_pki, relying, foreign):
    certvalidator = pytest.importorskip("pyhanko_certvalidator")
    import asyncio

    from pyhanko_certvalidator.policy_decl import PKIXValidationParams

    d, index = demo_pki
    c = lambda i: _cert(d, index, i).asn1  # noqa: E731
    # A messy pool: the HK/MO cross-certificates both ways and issuing CAs, so the builder must choose.
    # (GD's SM2 certificates are left out: pyhanko-certvalidator 0.33 raises cryptography's
    # UnsupportedAlgorithm on an SM2 candidate instead of skipping it.)
    pool = [c(i) for i in index["entities"] if ("-by-" in i or i.endswith("-ca")) and "gd-" not in i]

    def validate(policy: str):
        ctx = certvalidator.ValidationContext(trust_roots=[c(f"{relying}-root")], other_certs=pool,
                                              allow_fetching=False, revocation_mode="soft-fail")
        params = PKIXValidationParams(user_initial_policy_set=frozenset({policy}), initial_explicit_policy=True)
        v = certvalidator.CertificateValidator(c(f"{foreign}-leaf"), validation_context=ctx, pkix_params=params)
        return asyncio.run(v.async_validate_usage(set()))

    path = validate(POLICIES[relying.upper()])
    assert [cert.dump() for cert in path] == [c(i).dump() for i in (
        f"{relying}-root", f"bridge-by-{relying}-root", f"{foreign}-root-by-bridge", f"{foreign}-ca", f"{foreign}-leaf")]
    with pytest.raises(certvalidator.errors.PathValidationError):
        validate(POLICIES[foreign.upper()])
