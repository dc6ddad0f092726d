"""ValidationContext: one immutable set of inputs that reaches every chain a request validates."""

from __future__ import annotations

import dataclasses
import hashlib
import inspect
from datetime import timedelta

import pytest

from tests.cms.conftest import pki  # noqa: F401  (session fixture)
from tests.cms.pki import NOW, make_crl
from trustsvc import ValidationContext, validate_certificate, validate_signature, validate_timestamp
from trustsvc.cache import clear_all
from trustsvc.cms.builder import LocalTSA, make_timestamp_token, sign_cms
from trustsvc.path.budget import Budget
from trustsvc.reports import Indication
from trustsvc.reports import SignatureIndication as SI
from trustsvc.reports import SubIndication as Sub
from trustsvc.revocation.source import SuppliedRevocationSource
from trustsvc.x509.algorithm_policy import DEFAULT_POLICY, AlgorithmPolicy
from trustsvc.x509.builder import Signer, build_certificate
from trustsvc.x509.sm2 import SM2PrivateKey

BID = b"Tender GD-2026-0001 bid: 1,000,000.00 CNY\n"
# RSA keys must be 3072 bits or more: the test PKI's RSA-2048 chain is not acceptable.
NO_RSA_2048 = AlgorithmPolicy(key_size_until={**DEFAULT_POLICY.key_size_until, "rsa": ((3000, None),)})

# The keywords README.md and docs/*.md name for each function (and their defaults): outside suites call them.
CERTIFICATE_KEYWORDS = {
    "intermediates": (), "trust_anchors": (), "at": None, "crls": (), "other_certs": (), "initial_policy_set": None,
    "explicit_policy": False, "policy_mapping_inhibit": False, "any_policy_inhibit": False, "revocation": "soft-fail",
    "key_usage": None, "extended_key_usage": None, "trust": None, "usage": None, "ocsp_responses": (),
    "revocation_source": None, "algorithm_policy": None, "sm2_id": None, "budget": None,
}
SIGNATURE_KEYWORDS = {
    "content": None, "trust": None, "trust_anchors": (), "at": None, "usage": None, "deadline": None, "crls": (),
    "other_certs": (), "revocation": "soft-fail", "expected": None, "lang": "en", "ocsp_responses": (),
    "revocation_source": None, "use_signing_time_claim": False,
}
TIMESTAMP_KEYWORDS = {
    "content": None, "digest": None, "trust": None, "trust_anchors": (), "deadline": None, "lang": "en", "crls": (),
    "other_certs": (), "revocation": "soft-fail", "ocsp_responses": (), "revocation_source": None,
}


@pytest.mark.parametrize("fn, names", [(validate_certificate, CERTIFICATE_KEYWORDS),
                                       (validate_signature, SIGNATURE_KEYWORDS),
                                       (validate_timestamp, TIMESTAMP_KEYWORDS)])
def test_every_documented_keyword_is_kept_with_its_default(fn, names):
    params = inspect.signature(fn).parameters
    for name, default in names.items():
        assert name in params, f"{fn.__name__} lost {name}="
        assert params[name].default == default, name
    assert params["context"].kind is inspect.Parameter.KEYWORD_ONLY


def _tsa(pki):
    return LocalTSA(pki.tsa.cert, pki.tsa.key, clock=lambda: NOW)


def _bid(pki, kind):
    leaf = pki.leaf(kind)
    return sign_cms(BID, leaf.cert, leaf.key, detached=True, signing_time=NOW, extra_certs=[pki.ca(kind).cert],
                    timestamper=_tsa(pki))


def test_calls_with_every_documented_keyword(pki):
    leaf, ca, root = pki.leaf("rsa"), pki.ca("rsa"), pki.root("rsa")
    crl = make_crl(ca, [])
    source = SuppliedRevocationSource()
    r = validate_certificate(
        leaf.cert.der, intermediates=[ca.cert.der], trust_anchors=[root.cert.der], at=NOW, crls=[crl],
        other_certs=[], initial_policy_set=["2.5.29.32.0"], explicit_policy=False, policy_mapping_inhibit=False,
        any_policy_inhibit=False, revocation="soft-fail", key_usage=["digital_signature"], extended_key_usage=None,
        trust=None, usage=None, ocsp_responses=[], revocation_source=source, algorithm_policy=DEFAULT_POLICY,
        sm2_id=None, budget=Budget(), profile="strict", context=ValidationContext())
    assert r.indication is Indication.PASSED, r.reasons
    s = validate_signature(
        _bid(pki, "rsa"), content=BID, trust=None, trust_anchors=[root.cert, pki.tsa_root.cert],
        at=NOW + timedelta(days=1), usage="e-tendering", deadline=NOW + timedelta(hours=1), crls=[crl], other_certs=[],
        revocation="soft-fail", expected=None, lang="zh-Hant", ocsp_responses=[], revocation_source=source,
        use_signing_time_claim=False, algorithm_policy=DEFAULT_POLICY, sm2_id=None, budget=Budget(),
        profile="strict", context=ValidationContext())
    assert s.indication is SI.TOTAL_PASSED, s.reasons
    token = make_timestamp_token(hashlib.sha256(BID).digest(), "sha256", pki.tsa.cert, pki.tsa.key, gen_time=NOW, serial=9)
    t = validate_timestamp(
        token, content=BID, digest=None, trust=None, trust_anchors=[pki.tsa_root.cert], deadline=NOW + timedelta(hours=1),
        lang="en", crls=[], other_certs=[], revocation="soft-fail", ocsp_responses=[], revocation_source=source,
        algorithm_policy=DEFAULT_POLICY, sm2_id=None, budget=Budget(), profile="strict", context=ValidationContext())
    assert t.indication is SI.TOTAL_PASSED, t.reasons


def test_context_alone_gives_the_same_answer_as_keywords(pki):
    root, ca, leaf = pki.root("ecdsa"), pki.ca("ecdsa"), pki.leaf("ecdsa")
    ctx = ValidationContext().with_time(NOW).with_trust(anchors=[root.cert]).with_revocation("off")
    by_ctx = validate_certificate(leaf.cert, [ca.cert], context=ctx)
    by_kw = validate_certificate(leaf.cert, [ca.cert], [root.cert], at=NOW, revocation="off")
    assert by_ctx.indication is by_kw.indication is Indication.PASSED
    assert by_ctx.path == by_kw.path and by_ctx.validation_time == by_kw.validation_time == NOW


def test_keywords_override_the_context(pki):
    root, ca, leaf = pki.root("ecdsa"), pki.ca("ecdsa"), pki.leaf("ecdsa")
    ctx = ValidationContext().with_trust(anchors=[root.cert]).with_time(NOW + timedelta(days=3650 * 2))
    assert validate_certificate(leaf.cert, [ca.cert], context=ctx).indication is not Indication.PASSED
    assert validate_certificate(leaf.cert, [ca.cert], at=NOW, context=ctx).indication is Indication.PASSED
    # require: the leaf's status cannot be established without a CRL; the keyword wins over the context's "off".
    off = ctx.with_time(NOW).with_revocation("off")
    assert validate_certificate(leaf.cert, [ca.cert], context=off).indication is Indication.PASSED
    assert validate_certificate(leaf.cert, [ca.cert], revocation="require", context=off).sub_indication is Sub.TRY_LATER


def test_context_is_immutable_and_builders_return_new_values():
    ctx = ValidationContext()
    with pytest.raises(dataclasses.FrozenInstanceError):
        ctx.usage = "e-tendering"  # type: ignore[misc]
    other = ctx.with_usage("e-tendering").with_sm2_id("1234").with_revocation("hard-fail", crls=[b"x"])
    assert ctx.usage is None and ctx.sm2_id is None and ctx.revocation.mode.value == "soft-fail"
    assert other.usage == "e-tendering" and other.sm2_id == b"1234" and other.revocation.crls == (b"x",)
    with pytest.raises(ValueError):
        ctx.with_profile("sloppy")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        ctx.with_revocation("sometimes")


def test_algorithm_policy_rejecting_rsa_2048_fails_a_signed_bid(pki):
    anchors = [pki.root("rsa").cert, pki.tsa_root.cert]
    assert validate_signature(_bid(pki, "rsa"), content=BID, trust_anchors=anchors).indication is SI.TOTAL_PASSED
    for report in (
        validate_signature(_bid(pki, "rsa"), content=BID, trust_anchors=anchors,
                           context=ValidationContext().with_algorithm_policy(NO_RSA_2048)),
        validate_signature(_bid(pki, "rsa"), content=BID, trust_anchors=anchors, algorithm_policy=NO_RSA_2048),
    ):
        assert report.indication is not SI.TOTAL_PASSED
        assert report.sub_indication is Sub.CRYPTO_CONSTRAINTS_FAILURE, report.reasons
        assert "RSA-2048" in " ".join(report.reasons)


def test_algorithm_policy_reaches_the_timestamp_authority_chain(pki):
    # The TSA chain is ECDSA P-256: a policy accepting only P-384 and up rejects the TSA, not the RSA signer.
    no_p256 = AlgorithmPolicy(key_size_until={**DEFAULT_POLICY.key_size_until, "ec": ((384, None),)})
    token = make_timestamp_token(hashlib.sha256(BID).digest(), "sha256", pki.tsa.cert, pki.tsa.key, gen_time=NOW, serial=7)
    ok = validate_timestamp(token, content=BID, trust_anchors=[pki.tsa_root.cert])
    bad = validate_timestamp(token, content=BID, trust_anchors=[pki.tsa_root.cert],
                             context=ValidationContext().with_algorithm_policy(no_p256))
    assert ok.indication is SI.TOTAL_PASSED
    assert bad.sub_indication is Sub.CRYPTO_CONSTRAINTS_FAILURE, bad.reasons
    # ... and a signed bid's signature timestamp is then not proof of existence (the TSA chain failed too).
    sig = validate_signature(_bid(pki, "rsa"), content=BID, trust_anchors=[pki.root("rsa").cert, pki.tsa_root.cert],
                             at=NOW + timedelta(days=1), algorithm_policy=no_p256)
    assert not sig.signers[0].timestamps[0].passed
    assert sig.signers[0].validation_time_source == "now"


@pytest.fixture(scope="module")
def custom_id_chain():
    """An SM2 root -> CA -> signer chain whose certificate signatures use the signer ID b"GBA-e-tendering"."""
    sm2_id = b"GBA-e-tendering"
    keys = [Signer(SM2PrivateKey.generate(), "sm2", "sm3", sm2_id=sm2_id) for _ in range(3)]
    names = ["custom-id root", "custom-id ca", "custom-id signer"]
    certs = []
    for i, name in enumerate(names):
        issuer = keys[max(i - 1, 0)]
        certs.append(build_certificate(
            subject={"common_name": name, "country_name": "CN"},
            issuer={"common_name": names[max(i - 1, 0)], "country_name": "CN"},
            public_key_info=keys[i].public_key_info, signer=issuer, ca=i < 2,
            key_usage={"digital_signature", "non_repudiation"} if i == 2 else None,
            not_before=NOW - timedelta(days=30), not_after=NOW + timedelta(days=365)))
    return sm2_id, certs, keys[2].key


def test_custom_sm2_id_applies_to_the_signers_chain(custom_id_chain):
    sm2_id, (root, ca, signer), key = custom_id_chain
    sig = sign_cms(BID, signer, key, detached=False, extra_certs=[ca])  # the CMS signature itself: default ID
    default = validate_signature(sig, trust_anchors=[root], at=NOW)
    assert default.indication is not SI.TOTAL_PASSED  # the chain's signatures do not verify under the default ID
    for report in (validate_signature(sig, trust_anchors=[root], at=NOW, context=ValidationContext().with_sm2_id(sm2_id)),
                   validate_signature(sig, trust_anchors=[root], at=NOW, sm2_id=sm2_id)):
        assert report.indication is SI.TOTAL_PASSED, report.reasons
        assert report.signers[0].path[-1] == signer


def test_one_budget_serves_the_whole_request(pki):
    # Cold caches: the TSA's chain costs one signature check and the signer's chain two. A budget of two checks
    # lets the (first validated) timestamp through and stops the signer's chain: the budget is shared, where a
    # budget per chain would have let both pass.
    anchors = [pki.root("rsa").cert, pki.tsa_root.cert]
    clear_all()
    tight = validate_signature(_bid(pki, "rsa"), content=BID, trust_anchors=anchors, budget=Budget(signatures=2))
    assert tight.signers[0].timestamps[0].passed
    assert tight.indication is SI.INDETERMINATE
    assert "budget" in " ".join(tight.reasons)
    clear_all()
    assert validate_signature(_bid(pki, "rsa"), content=BID, trust_anchors=anchors,
                              budget=Budget(signatures=3)).indication is SI.TOTAL_PASSED
