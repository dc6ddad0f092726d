"""Tampering with what a B-LT / B-LTA signature embeds gives the right failure; a second archive timestamp renews."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from tests.longterm.conftest import CONTENT, TERRITORIES
from trustsvc.cms.archive import hash_index_of_token
from trustsvc.cms.layout import read_layout
from trustsvc.cms.validation_data import ID_AA_ETS_ARCHIVE_TIMESTAMP_V3
from trustsvc.reports import SignatureIndication, SubIndication
from trustsvc.validation.extend import extend_signature
from trustsvc.validation.signature import validate_signature


def _levels(demo, kind):
    _leaf, _ca, root, tsa = TERRITORIES[kind]
    kw = dict(content=CONTENT, trust_anchors=[demo.cert(root)], crls=demo.crls(kind))
    bt = demo.sign_bt(kind)
    lt = extend_signature(bt, level="B-LT", **kw)
    lta = extend_signature(lt, level="B-LTA", timestamper=demo.tsa(tsa), **kw)
    return bt, lt, lta


def _validate(demo, kind, sig):
    root = TERRITORIES[kind][2]
    return validate_signature(sig, content=CONTENT, trust_anchors=[demo.cert(root)], at=demo.after_everything_expired(),
                              revocation="require")


def _flip_last_byte(sig: bytes, part: bytes) -> bytes:
    i = sig.index(part) + len(part) - 1
    return sig[:i] + bytes([sig[i] ^ 0x01]) + sig[i + 1:]


@pytest.fixture(scope="module")
def ecdsa_levels(demo):
    return _levels(demo, "ecdsa")


def test_byte_changed_in_embedded_crl_breaks_the_archive_timestamp(demo, ecdsa_levels):
    _bt, _lt, lta = ecdsa_levels
    crl = read_layout(lta).crls[0]
    r = _validate(demo, "ecdsa", _flip_last_byte(lta, crl))
    assert r.indication is SignatureIndication.TOTAL_FAILED
    assert r.sub_indication is SubIndication.HASH_FAILURE
    archive = [t for t in r.signers[0].timestamps if t.kind == "archive"][0]
    assert archive.sub_indication is SubIndication.HASH_FAILURE
    assert "ats-hash-index-v3" in " ".join(archive.reasons)


def test_byte_changed_in_embedded_crl_of_b_lt_leaves_status_unknown(demo, ecdsa_levels):
    _bt, lt, _lta = ecdsa_levels
    crl = read_layout(lt).crls[0]
    r = _validate(demo, "ecdsa", _flip_last_byte(lt, crl))
    assert r.indication is SignatureIndication.INDETERMINATE
    assert r.sub_indication in (SubIndication.TRY_LATER, SubIndication.OUT_OF_BOUNDS_NO_POE)


def test_byte_changed_in_hash_index_fails_that_archive_timestamp(demo, ecdsa_levels):
    _bt, _lt, lta = ecdsa_levels
    attr = [a for a in read_layout(lta).signers[0].unsigned if a.oid == ID_AA_ETS_ARCHIVE_TIMESTAMP_V3][0]
    index = hash_index_of_token(read_layout(attr.values[0]).signers[0])
    r = _validate(demo, "ecdsa", _flip_last_byte(lta, index))
    archive = [t for t in r.signers[0].timestamps if t.kind == "archive"][0]
    assert archive.indication is SignatureIndication.TOTAL_FAILED
    assert archive.sub_indication is SubIndication.HASH_FAILURE
    assert r.indication is SignatureIndication.TOTAL_FAILED


def test_second_archive_timestamp_renews_the_first(demo, ecdsa_levels):
    _bt, _lt, lta = ecdsa_levels
    _leaf, _ca, root, tsa = TERRITORIES["ecdsa"]
    lta2 = extend_signature(lta, level="B-LTA", content=CONTENT, trust_anchors=[demo.cert(root)],
                            crls=demo.crls("ecdsa"), timestamper=demo.tsa(tsa))
    r = _validate(demo, "ecdsa", lta2)
    assert r.indication is SignatureIndication.TOTAL_PASSED, r.reasons
    s = r.signers[0]
    assert [t.kind for t in s.timestamps] == ["signature", "archive", "archive"]
    assert all(t.passed for t in s.timestamps)
    assert any(p.element == "archive-timestamp #0" and "#1" in p.source for p in s.poe)
    # The second covers the first: removing the first breaks the second's hash index.
    layout = read_layout(lta2)
    si = layout.signers[0]
    first = [a for a in si.unsigned if a.oid == ID_AA_ETS_ARCHIVE_TIMESTAMP_V3][0]
    stripped = layout.__class__(**{**layout.__dict__, "signers": (si.with_unsigned([a for a in si.unsigned if a is not first]),)})
    r = _validate(demo, "ecdsa", stripped.der())
    assert r.sub_indication is SubIndication.HASH_FAILURE


def test_signed_attributes_and_signature_value_keep_their_octets(demo, ecdsa_levels):
    bt, lt, lta = ecdsa_levels
    original = read_layout(bt).signers[0].signed_fields
    assert read_layout(lt).signers[0].signed_fields == original
    assert read_layout(lta).signers[0].signed_fields == original


@pytest.mark.openssl
@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl CLI")
@pytest.mark.parametrize("kind", ["rsa", "ecdsa"])
def test_openssl_still_verifies_every_extended_signature(demo, kind, tmp_path):
    _leaf, _ca, root, _tsa = TERRITORIES[kind]
    (tmp_path / "content").write_bytes(CONTENT)
    (tmp_path / "root.pem").write_bytes(demo.cert(root).pem if hasattr(demo.cert(root), "pem") else _pem(demo.cert(root).der))
    bt, lt, lta = _levels(demo, kind)
    # A renewed B-LTA (a second archive timestamp over the first) as well: the signed parts stay untouched.
    lta2 = extend_signature(lta, level="B-LTA", content=CONTENT, trust_anchors=[demo.cert(root)], crls=demo.crls(kind),
                            timestamper=demo.tsa(TERRITORIES[kind][3]))
    assert [a.oid for a in read_layout(lta2).signers[0].unsigned].count(ID_AA_ETS_ARCHIVE_TIMESTAMP_V3) == 2
    for name, sig in zip(("bt", "lt", "lta", "lta2"), (bt, lt, lta, lta2)):
        (tmp_path / name).write_bytes(sig)
        out = subprocess.run(["openssl", "cms", "-verify", "-binary", "-inform", "DER", "-in", str(tmp_path / name),
                              "-content", str(tmp_path / "content"), "-CAfile", str(tmp_path / "root.pem"),
                              "-purpose", "any", "-out", "/dev/null"], capture_output=True, text=True)
        assert out.returncode == 0, (name, out.stderr)


def _pem(der: bytes) -> bytes:
    from asn1crypto import pem

    return pem.armor("CERTIFICATE", der)
