"""CMS as real signers make it (RFC 5652 5, 11): encodings, algorithms and attribute rules other tools produce."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.cms import craft
from tests.cms.conftest import pki  # noqa: F401  (session fixture)
from tests.cms.encodings import indefinite, streamed
from tests.cms.pki import NOW
from trustsvc import validate_signature
from trustsvc.cms.signed_data import compute_digest, parse_signed_data
from trustsvc.reports import SignatureIndication as SI
from trustsvc.reports import SubIndication as Sub

DOC = b"Tender GD-2026-0042: bid documents\n" * 20


def _validate(pki, kind, sig, **kw):
    return validate_signature(sig, trust_anchors=[pki.root(kind).cert], at=NOW, **kw)


def _unsorted(attrs):
    """The attributes in an order that is not DER's (ascending encodings), as several national tools send them."""
    out = sorted(attrs, reverse=True)
    assert out != sorted(out)
    return out


# --- signed attributes verified over the bytes as received (RFC 5652 5.4) -------------------------------------

@pytest.mark.parametrize("kind", ["rsa", "ecdsa", "sm2"])
def test_signed_attributes_out_of_der_order_verify_as_received(pki, kind):
    leaf = pki.leaf(kind)
    digest = "sm3" if kind == "sm2" else "sha256"
    attrs = _unsorted(craft.standard_attrs(leaf.cert, compute_digest(digest, DOC), signing_time=NOW))
    sig = craft.simple(DOC, leaf.cert, leaf.key, [pki.ca(kind).cert], digest=digest, attrs=attrs, sort=False)
    report = _validate(pki, kind, sig)
    assert report.indication is SI.TOTAL_PASSED, report.reasons


def test_unsorted_attributes_signed_over_their_der_also_verify(pki):
    leaf = pki.leaf("rsa")
    attrs = _unsorted(craft.standard_attrs(leaf.cert, compute_digest("sha256", DOC)))
    sig = craft.simple(DOC, leaf.cert, leaf.key, [pki.ca("rsa").cert], attrs=attrs, sort=False, sign_der=True)
    assert _validate(pki, "rsa", sig).indication is SI.TOTAL_PASSED


def test_ber_indefinite_signed_attributes_signed_over_der_verify(pki):
    leaf = pki.leaf("ecdsa")
    attrs = craft.standard_attrs(leaf.cert, compute_digest("sha256", DOC))
    sig = craft.simple(DOC, leaf.cert, leaf.key, [pki.ca("ecdsa").cert], attrs=attrs, indefinite=True, sign_der=True)
    assert parse_signed_data(sig).signers[0].signed_attrs_der[:2] == b"\x31\x80"
    assert _validate(pki, "ecdsa", sig).indication is SI.TOTAL_PASSED


def test_ber_signed_attributes_signed_as_received_verify(pki):
    leaf = pki.leaf("rsa")
    attrs = craft.standard_attrs(leaf.cert, compute_digest("sha256", DOC))
    sig = craft.simple(DOC, leaf.cert, leaf.key, [pki.ca("rsa").cert], attrs=attrs, indefinite=True)
    assert _validate(pki, "rsa", sig).indication is SI.TOTAL_PASSED


def test_unsorted_attributes_with_a_forged_value_still_fail(pki):
    leaf = pki.leaf("rsa")
    attrs = _unsorted(craft.standard_attrs(leaf.cert, compute_digest("sha256", DOC), signing_time=NOW))
    sig = craft.simple(DOC, leaf.cert, leaf.key, [pki.ca("rsa").cert], attrs=attrs, sort=False)
    forged_time = craft.utc_time(NOW - timedelta(days=1))
    assert craft.utc_time(NOW) in sig
    forged = sig.replace(craft.utc_time(NOW), forged_time)
    report = _validate(pki, "rsa", forged)
    assert report.indication is SI.TOTAL_FAILED and report.sub_indication is Sub.SIG_CRYPTO_FAILURE


# --- BER ContentInfo / SignedData and trailing bytes ----------------------------------------------------------

@pytest.mark.parametrize("depth", [1, 2, 3, 4])
def test_ber_indefinite_length_content_info_and_signed_data_parse(pki, depth):
    leaf = pki.leaf("rsa")
    sig = craft.simple(DOC, leaf.cert, leaf.key, [pki.ca("rsa").cert])
    ber = indefinite(sig, depth)
    assert ber != sig and ber[1] == 0x80
    report = _validate(pki, "rsa", ber)
    assert report.indication is SI.TOTAL_PASSED, report.reasons
    assert parse_signed_data(ber).econtent == DOC


@pytest.mark.parametrize("detached", [False, True])
def test_streamed_ber_with_a_segmented_econtent_verifies(pki, detached):
    leaf = pki.leaf("ecdsa")
    doc = DOC * 10
    sig = streamed(craft.simple(doc, leaf.cert, leaf.key, [pki.ca("ecdsa").cert], detached=detached), chunk=1000)
    assert sig[:2] == b"\x30\x80" and (detached or b"\x24\x80" in sig)
    assert parse_signed_data(sig).econtent == (None if detached else doc)
    report = _validate(pki, "ecdsa", sig, content=doc if detached else None)
    assert report.indication is SI.TOTAL_PASSED, report.reasons


@pytest.mark.parametrize("trailer", [b"\x00" * 16, b"\n", b"garbage after the signature"])
def test_trailing_bytes_after_content_info_are_tolerated(pki, trailer):
    leaf = pki.leaf("ecdsa")
    sig = craft.simple(DOC, leaf.cert, leaf.key, [pki.ca("ecdsa").cert])
    report = _validate(pki, "ecdsa", sig + trailer)
    assert report.indication is SI.TOTAL_PASSED, report.reasons


def test_trailing_bytes_after_a_ber_content_info_are_tolerated(pki):
    leaf = pki.leaf("rsa")
    sig = indefinite(craft.simple(DOC, leaf.cert, leaf.key, [pki.ca("rsa").cert]), 2) + b"\x00\x00\x00\x00"
    report = _validate(pki, "rsa", sig)
    assert report.indication is SI.TOTAL_PASSED


def test_a_truncated_signature_is_still_a_format_failure(pki):
    leaf = pki.leaf("rsa")
    sig = craft.simple(DOC, leaf.cert, leaf.key, [pki.ca("rsa").cert])
    report = _validate(pki, "rsa", sig[:-10])
    assert report.indication is SI.TOTAL_FAILED and report.sub_indication is Sub.FORMAT_FAILURE


# --- algorithms: SHA-3, and bare key OIDs as signatureAlgorithm ------------------------------------------------

@pytest.mark.parametrize("digest", ["sha3_224", "sha3_256", "sha3_384", "sha3_512"])
@pytest.mark.parametrize("kind", ["rsa", "ecdsa"])
def test_sha3_signatures_verify(pki, kind, digest):
    leaf = pki.leaf(kind)
    sig = craft.simple(DOC, leaf.cert, leaf.key, [pki.ca(kind).cert], digest=digest)
    report = _validate(pki, kind, sig)
    assert report.indication is SI.TOTAL_PASSED, report.reasons
    assert report.signers[0].digest_algorithm == digest
    assert report.signers[0].signature_algorithm == f"{digest}_{'rsa' if kind == 'rsa' else 'ecdsa'}"


def test_sha3_signature_over_tampered_content_is_hash_failure(pki):
    leaf = pki.leaf("rsa")
    sig = craft.simple(DOC, leaf.cert, leaf.key, [pki.ca("rsa").cert], digest="sha3_256", detached=True)
    report = _validate(pki, "rsa", sig, content=DOC + b"!")
    assert report.indication is SI.TOTAL_FAILED and report.sub_indication is Sub.HASH_FAILURE


@pytest.mark.parametrize("kind, bare", [("rsa", craft.RSA_ENCRYPTION), ("ecdsa", craft.EC_PUBLIC_KEY)])
@pytest.mark.parametrize("digest", ["sha256", "sha384", "sha3_256"])
def test_bare_key_oid_as_signature_algorithm_takes_the_digest_algorithm(pki, kind, bare, digest):
    leaf = pki.leaf(kind)
    sig = craft.simple(DOC, leaf.cert, leaf.key, [pki.ca(kind).cert], digest=digest, signature_algorithm=bare)
    report = _validate(pki, kind, sig)
    assert report.indication is SI.TOTAL_PASSED, report.reasons
    assert report.signers[0].signature_algorithm.startswith(digest)


def test_bare_rsa_oid_with_a_signature_made_with_another_hash_fails(pki):
    leaf = pki.leaf("rsa")
    attrs = craft.standard_attrs(leaf.cert, compute_digest("sha384", DOC))
    si = craft.signer_info(leaf.cert, leaf.key, attrs=attrs, digest="sha384", signature_algorithm=craft.RSA_ENCRYPTION)
    # the SignerInfo claims SHA-384 but the value was made over SHA-256 of the attributes: must not verify
    good = craft.signer_info(leaf.cert, leaf.key, attrs=attrs, digest="sha256", signature_algorithm=craft.RSA_ENCRYPTION)
    forged = si.replace(craft.signature_value(si), craft.signature_value(good))
    sig = craft.signed_data(DOC, [forged], [leaf.cert, pki.ca("rsa").cert], digests=["sha384"])
    assert _validate(pki, "rsa", sig).sub_indication is Sub.SIG_CRYPTO_FAILURE


# --- RFC 5652 11: single-instance, single-valued attributes ----------------------------------------------------

def _with_attrs(pki, kind, attrs):
    leaf = pki.leaf(kind)
    return _validate(pki, kind, craft.simple(DOC, leaf.cert, leaf.key, [pki.ca(kind).cert], attrs=attrs))


@pytest.mark.parametrize("dup", ["signing-time", "content-type", "message-digest"])
def test_duplicate_attribute_instances_fail(pki, dup):
    leaf = pki.leaf("rsa")
    attrs = craft.standard_attrs(leaf.cert, compute_digest("sha256", DOC), signing_time=NOW)
    extra = {
        "signing-time": craft.attribute(craft.SIGNING_TIME, craft.utc_time(NOW - timedelta(hours=1))),
        "content-type": craft.attribute(craft.CONTENT_TYPE, craft.oid(craft.ID_DATA)),
        "message-digest": craft.attribute(craft.MESSAGE_DIGEST, craft.octets(compute_digest("sha256", DOC))),
    }[dup]
    report = _with_attrs(pki, "rsa", [*attrs, extra])
    assert report.indication is SI.TOTAL_FAILED and report.sub_indication is Sub.FORMAT_FAILURE
    assert dup in " ".join(report.reasons) and "more than once" in " ".join(report.reasons)


@pytest.mark.parametrize("attr", ["signing-time", "content-type", "message-digest"])
def test_attribute_with_several_values_fails(pki, attr):
    leaf = pki.leaf("ecdsa")
    digest = compute_digest("sha256", DOC)
    multi = {
        "signing-time": craft.attribute(craft.SIGNING_TIME, craft.utc_time(NOW), craft.utc_time(NOW - timedelta(days=1))),
        "content-type": craft.attribute(craft.CONTENT_TYPE, craft.oid(craft.ID_DATA), craft.oid("1.2.840.113549.1.7.5")),
        "message-digest": craft.attribute(craft.MESSAGE_DIGEST, craft.octets(digest), craft.octets(bytes(32))),
    }[attr]
    attrs = {
        "content-type": craft.attribute(craft.CONTENT_TYPE, craft.oid(craft.ID_DATA)),
        "message-digest": craft.attribute(craft.MESSAGE_DIGEST, craft.octets(digest)),
        "signing-time": craft.attribute(craft.SIGNING_TIME, craft.utc_time(NOW)),
    }
    attrs[attr] = multi
    report = _with_attrs(pki, "ecdsa", [*attrs.values(), craft.attribute(craft.SIGNING_CERTIFICATE_V2, craft.ess_cert_id_v2(leaf.cert))])
    assert report.indication is SI.TOTAL_FAILED and report.sub_indication is Sub.FORMAT_FAILURE
    assert "values" in " ".join(report.reasons)


def test_one_instance_of_each_passes(pki):
    leaf = pki.leaf("ecdsa")
    report = _with_attrs(pki, "ecdsa", craft.standard_attrs(leaf.cert, compute_digest("sha256", DOC), signing_time=NOW))
    assert report.indication is SI.TOTAL_PASSED


def test_signature_algorithm_oid_in_digest_algorithm_means_its_hash(pki):
    # Some tools write sha256WithRSAEncryption where the digestAlgorithm belongs; BouncyCastle reads it as SHA-256.
    leaf = pki.leaf("rsa")
    attrs = craft.standard_attrs(leaf.cert, compute_digest("sha256", DOC))
    si = craft.signer_info(leaf.cert, leaf.key, attrs=attrs, digest_oid="1.2.840.113549.1.1.11")
    odd = craft.signed_data(DOC, [si], [leaf.cert, pki.ca("rsa").cert])
    report = _validate(pki, "rsa", odd)
    assert report.indication is SI.TOTAL_PASSED, report.reasons
    assert report.signers[0].digest_algorithm == "sha256"


def test_streamed_ber_with_unsorted_attributes_verifies_as_received(pki):
    # The segmented eContent sends the parse down asn1crypto's typed reader: it too must keep the received bytes.
    leaf = pki.leaf("rsa")
    attrs = _unsorted(craft.standard_attrs(leaf.cert, compute_digest("sha256", DOC), signing_time=NOW))
    sig = streamed(craft.simple(DOC, leaf.cert, leaf.key, [pki.ca("rsa").cert], attrs=attrs, sort=False), chunk=100)
    assert _validate(pki, "rsa", sig).indication is SI.TOTAL_PASSED
    attrs_ber = craft.standard_attrs(leaf.cert, compute_digest("sha256", DOC))
    sig = streamed(craft.simple(DOC, leaf.cert, leaf.key, [pki.ca("rsa").cert], attrs=attrs_ber, indefinite=True), chunk=100)
    assert _validate(pki, "rsa", sig).indication is SI.TOTAL_PASSED
