"""Counter-signatures (RFC 5652 11.4) validated as nested signers: crypto over the parent's signature value, their
own chain under the same context and budget, revocation as for the main signer, a bounded depth."""

from __future__ import annotations

from datetime import timedelta

from tests.cms import craft
from tests.cms.conftest import pki  # noqa: F401  (session fixture)
from tests.cms.pki import NOW, issue, make_crl, new_key
from trustsvc import validate_signature
from trustsvc.cms.builder import LocalTSA
from trustsvc.cms.signed_data import compute_digest
from trustsvc.path.budget import Budget
from trustsvc.reports import SignatureIndication as SI
from trustsvc.reports import SubIndication as Sub
from trustsvc.validation.signature_report import WarningCode
from trustsvc.validation.signer import MAX_COUNTERSIGNATURE_DEPTH

DOC = b"E-guarantee MO-2026-0311 notarised\n" * 6


def _main(pki, kind="rsa"):
    leaf = pki.leaf(kind)
    return craft.signer_info(leaf.cert, leaf.key, attrs=craft.standard_attrs(leaf.cert, compute_digest("sha256", DOC)))


def _doc(pki, si, kind="rsa", extra=()):
    return craft.signed_data(DOC, [si], [pki.leaf(kind).cert, pki.ca(kind).cert, *extra])


def _anchors(pki, *kinds):
    return [pki.root(k).cert for k in kinds] + [pki.tsa_root.cert]


def _validate(pki, sig, *kinds, **kw):
    kw.setdefault("at", NOW)
    return validate_signature(sig, trust_anchors=_anchors(pki, *kinds), **kw)


def test_a_valid_counter_signature_is_reported_as_a_nested_signer(pki):
    main = _main(pki)
    notary = pki.leaf("ecdsa")
    cs = craft.countersignature(main, notary.cert, notary.key)
    sig = _doc(pki, craft.countersigned(main, cs), extra=[notary.cert, pki.ca("ecdsa").cert])
    report = _validate(pki, sig, "rsa", "ecdsa")
    assert report.indication is SI.TOTAL_PASSED, report.reasons
    (nested,) = report.signers[0].counter_signatures
    assert nested.indication is SI.TOTAL_PASSED, nested.reasons
    assert nested.signer == notary.cert and nested.path[-1] == notary.cert
    body = report.to_dict()["signers"][0]["counter_signatures"][0]
    assert body["indication"] == "TOTAL-PASSED" and body["signer"]["subject_common_name"] == "ecdsa leaf"
    assert report.all_warnings == []


def test_counter_signature_over_another_value_fails_in_its_own_entry_only(pki):
    main = _main(pki)
    notary = pki.leaf("ecdsa")
    forged = craft.countersignature(main, notary.cert, notary.key, over=b"some other signature value")
    sig = _doc(pki, craft.countersigned(main, forged), extra=[notary.cert, pki.ca("ecdsa").cert])
    report = _validate(pki, sig, "rsa", "ecdsa")
    assert report.indication is SI.TOTAL_PASSED, report.reasons  # the main signature is judged on its own
    nested = report.signers[0].counter_signatures[0]
    assert (nested.indication, nested.sub_indication) == (SI.TOTAL_FAILED, Sub.HASH_FAILURE)
    (warning,) = report.all_warnings
    assert warning.code is WarningCode.COUNTERSIGNATURE_FAILED
    assert report.to_dict()["warnings"][0]["sub_indication"] == "HASH_FAILURE"


def test_counter_signature_without_signed_attributes_signs_the_value_itself(pki):
    main = _main(pki)
    notary = pki.leaf("sm2")
    cs = craft.countersignature(main, notary.cert, notary.key, digest="sm3", attrs=None)
    sig = _doc(pki, craft.countersigned(main, cs), extra=[notary.cert, pki.ca("sm2").cert])
    nested = _validate(pki, sig, "rsa", "sm2").signers[0].counter_signatures[0]
    assert nested.indication is SI.TOTAL_PASSED, nested.reasons


def test_counter_signature_with_a_content_type_attribute_is_a_format_failure(pki):
    main = _main(pki)
    notary = pki.leaf("ecdsa")
    value = craft.signature_value(main)
    attrs = craft.standard_attrs(notary.cert, compute_digest("sha256", value))  # content-type included: RFC 5652 11.4
    cs = craft.countersignature(main, notary.cert, notary.key, attrs=attrs)
    sig = _doc(pki, craft.countersigned(main, cs), extra=[notary.cert, pki.ca("ecdsa").cert])
    nested = _validate(pki, sig, "rsa", "ecdsa").signers[0].counter_signatures[0]
    assert (nested.indication, nested.sub_indication) == (SI.TOTAL_FAILED, Sub.FORMAT_FAILURE)


def test_untrusted_counter_signer_is_indeterminate_and_the_main_signature_passes(pki):
    main = _main(pki)
    notary = pki.leaf("ecdsa")
    sig = _doc(pki, craft.countersigned(main, craft.countersignature(main, notary.cert, notary.key)),
               extra=[notary.cert, pki.ca("ecdsa").cert])
    report = _validate(pki, sig, "rsa")  # only the RSA root is trusted
    nested = report.signers[0].counter_signatures[0]
    assert report.indication is SI.TOTAL_PASSED
    assert (nested.indication, nested.sub_indication) == (SI.INDETERMINATE, Sub.NO_CERTIFICATE_CHAIN_FOUND)


def test_revoked_counter_signer_is_judged_like_a_signer(pki):
    main = _main(pki)
    notary = issue("revoked notary", new_key("ecdsa"), pki.ca("ecdsa"))
    crl = make_crl(pki.ca("ecdsa"), [(notary.cert, NOW - timedelta(days=2))], this_update=NOW - timedelta(days=1))
    sig = _doc(pki, craft.countersigned(main, craft.countersignature(main, notary.cert, notary.key)),
               extra=[notary.cert, pki.ca("ecdsa").cert])
    report = _validate(pki, sig, "rsa", "ecdsa", crls=[crl], revocation="hard-fail")
    nested = report.signers[0].counter_signatures[0]
    assert (nested.indication, nested.sub_indication) == (SI.INDETERMINATE, Sub.REVOKED_NO_POE), nested.reasons


def test_counter_signature_with_its_own_timestamp_is_judged_at_gen_time(pki):
    main = _main(pki)
    notary = issue("short-lived notary", new_key("ecdsa"), pki.ca("ecdsa"), not_before=NOW - timedelta(days=10),
                   not_after=NOW + timedelta(days=1))
    cs = craft.countersignature(main, notary.cert, notary.key)
    token = LocalTSA(pki.tsa.cert, pki.tsa.key, clock=lambda: NOW)(compute_digest("sha256", craft.signature_value(cs)),
                                                                   "sha256")
    cs = craft.with_unsigned(cs, [craft.attribute(craft.SIGNATURE_TIMESTAMP, token)])
    sig = _doc(pki, craft.countersigned(main, cs), extra=[notary.cert, pki.ca("ecdsa").cert])
    report = _validate(pki, sig, "rsa", "ecdsa", at=NOW + timedelta(days=30))
    nested = report.signers[0].counter_signatures[0]
    assert nested.indication is SI.TOTAL_PASSED, nested.reasons
    assert nested.validation_time == NOW and nested.validation_time_source == "timestamp"


def test_nested_counter_signatures_are_reported_recursively_to_a_bounded_depth(pki):
    signers = [pki.leaf(k) for k in ("ecdsa", "rsa")]
    main = _main(pki)
    chain = [main]
    for n in range(MAX_COUNTERSIGNATURE_DEPTH + 2):
        who = signers[n % 2]
        chain.append(craft.countersignature(chain[-1], who.cert, who.key))
    # Wrap from the innermost out: each counter-signature carries the next one.
    inner = chain[-1]
    for parent in reversed(chain[:-1]):
        inner = craft.countersigned(parent, inner)
    sig = _doc(pki, inner, extra=[pki.leaf("ecdsa").cert, pki.ca("ecdsa").cert])
    report = _validate(pki, sig, "rsa", "ecdsa")
    assert report.indication is SI.TOTAL_PASSED
    depth, node = 0, report.signers[0]
    while node.counter_signatures:
        (node,) = node.counter_signatures
        assert node.indication is SI.TOTAL_PASSED, node.reasons
        depth += 1
    assert depth == MAX_COUNTERSIGNATURE_DEPTH
    skipped = [w for w in report.all_warnings if w.code is WarningCode.COUNTERSIGNATURES_SKIPPED]
    assert len(skipped) == 1 and dict(skipped[0].params)["count"] == 1


def test_an_unreadable_counter_signature_is_a_failed_entry(pki):
    main = _main(pki)
    sig = _doc(pki, craft.countersigned(main, craft.seq(b"\x02\x01\x01")))
    report = _validate(pki, sig, "rsa")
    nested = report.signers[0].counter_signatures[0]
    assert report.indication is SI.TOTAL_PASSED
    assert (nested.indication, nested.sub_indication) == (SI.TOTAL_FAILED, Sub.FORMAT_FAILURE)


def test_counter_signer_chain_draws_on_the_request_budget(pki):
    main = _main(pki)
    notary = pki.leaf("ecdsa")
    plain = _doc(pki, main)
    countersigned = _doc(pki, craft.countersigned(main, craft.countersignature(main, notary.cert, notary.key)),
                         extra=[notary.cert, pki.ca("ecdsa").cert])
    spent = []
    for sig in (plain, countersigned):
        budget = Budget()
        _validate(pki, sig, "rsa", "ecdsa", budget=budget)
        spent.append(Budget().signatures - budget.signatures)
    assert spent[1] > spent[0] > 0


def test_counter_signature_algorithm_is_judged_by_the_request_policy(pki):
    from dataclasses import replace

    from trustsvc.x509.algorithm_policy import DEFAULT_POLICY

    main = _main(pki)
    notary = pki.leaf("ecdsa")
    cs = craft.countersignature(main, notary.cert, notary.key, digest="sha384",
                                signature_algorithm="1.2.840.10045.4.3.3")  # ecdsa-with-SHA384
    sig = _doc(pki, craft.countersigned(main, cs), extra=[notary.cert, pki.ca("ecdsa").cert])
    assert _validate(pki, sig, "rsa", "ecdsa").signers[0].counter_signatures[0].passed
    policy = replace(DEFAULT_POLICY, hash_until={**DEFAULT_POLICY.hash_until, "sha384": NOW - timedelta(days=1)})
    report = _validate(pki, sig, "rsa", "ecdsa", algorithm_policy=policy)
    nested = report.signers[0].counter_signatures[0]
    assert report.indication is SI.TOTAL_PASSED
    assert (nested.indication, nested.sub_indication) == (SI.INDETERMINATE, Sub.CRYPTO_CONSTRAINTS_FAILURE_NO_POE)


def test_cli_text_lists_counter_signatures(pki, tmp_path):
    from asn1crypto import pem
    from typer.testing import CliRunner

    from trustsvc.cli import _register, app

    _register()
    main = _main(pki)
    notary = pki.leaf("ecdsa")
    path = tmp_path / "doc.p7m"
    path.write_bytes(_doc(pki, craft.countersigned(main, craft.countersignature(main, notary.cert, notary.key)),
                          extra=[notary.cert, pki.ca("ecdsa").cert]))
    anchors = []
    for kind in ("rsa", "ecdsa"):
        anchors += ["--anchor", str(tmp_path / f"{kind}.pem")]
        (tmp_path / f"{kind}.pem").write_bytes(pem.armor("CERTIFICATE", pki.root(kind).cert.der))
    r = CliRunner().invoke(app, ["verify", "signature", str(path), *anchors, "--at", NOW.isoformat()])
    assert r.exit_code == 0, r.output
    assert "+ counter-signature 0.0 (" in r.output and "ecdsa leaf" in r.output and "): TOTAL-PASSED" in r.output


def test_counter_signature_with_attributes_as_real_tools_encode_them(pki):
    """Unsorted and indefinite-length signed attributes verify as received, in a counter-signature too."""
    main = _main(pki)
    notary = pki.leaf("ecdsa")
    value = craft.signature_value(main)
    attrs = sorted(craft.standard_attrs(notary.cert, compute_digest("sha256", value), content_type=None,
                                        signing_time=NOW), reverse=True)
    for kw in ({"sort": False}, {"indefinite": True, "sign_der": True}):
        cs = craft.countersignature(main, notary.cert, notary.key, attrs=attrs, **kw)
        sig = _doc(pki, craft.countersigned(main, cs), extra=[notary.cert, pki.ca("ecdsa").cert])
        nested = _validate(pki, sig, "rsa", "ecdsa").signers[0].counter_signatures[0]
        assert nested.indication is SI.TOTAL_PASSED, (kw, nested.reasons)
        assert nested.signing_time_claim == NOW
