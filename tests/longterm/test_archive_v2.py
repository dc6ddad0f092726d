"""An archive-time-stamp-v2 (RFC 5126 6.4.1 / TS 101 733 Annex K) of an older signature is read and checked."""

from __future__ import annotations

import hashlib

from asn1crypto import cms, core

from tests.longterm.conftest import TERRITORIES
from trustsvc.cms.layout import RawAttribute, read_layout
from trustsvc.cms.validation_data import ID_AA_ETS_ARCHIVE_TIMESTAMP_V2
from trustsvc.reports import SignatureIndication, SubIndication
from trustsvc.validation.extend import extend_signature
from trustsvc.validation.signature import validate_signature

ATTACHED = b"attached content for an old CAdES-A\n"


def _v2_input(der: bytes) -> bytes:
    """TS 101 733 v2.2.1 Annex K, computed with asn1crypto's typed tree (independently of cms/archive.py)."""
    sd = cms.ContentInfo.load(der)["content"]
    si = sd["signer_infos"][0]
    out = sd["encap_content_info"].dump()
    out += sd["certificates"].dump() if sd["certificates"].contents is not None else b""
    out += sd["crls"].dump() if sd["crls"].contents is not None else b""
    for name in ("version", "sid", "digest_algorithm", "signed_attrs", "signature_algorithm", "signature"):
        out += si[name].dump()
    return out + si["unsigned_attrs"].dump()


def _with_v2(demo, kind: str, tamper: bool = False) -> bytes:
    from trustsvc.cms.builder import sign_cms

    leaf, ca, root, tsa = TERRITORIES[kind]
    bt = sign_cms(ATTACHED, demo.cert(leaf), demo.key(leaf), detached=False, extra_certs=[demo.cert(ca)],
                  timestamper=demo.tsa(tsa))
    lt = extend_signature(bt, level="B-LT", trust_anchors=[demo.cert(root)], crls=demo.crls(kind))
    imprint = hashlib.sha256(_v2_input(lt) + (b"x" if tamper else b"")).digest()
    token = demo.tsa(tsa)(imprint, "sha256")
    layout = read_layout(lt)
    si = layout.signers[0]
    attr = RawAttribute.build(core.ObjectIdentifier(ID_AA_ETS_ARCHIVE_TIMESTAMP_V2).dump(), [token])
    return layout.__class__(**{**layout.__dict__, "signers": (si.with_unsigned([*si.unsigned, attr]),)}).der()


def test_archive_timestamp_v2_is_validated(demo):
    root = demo.cert(TERRITORIES["ecdsa"][2])
    r = validate_signature(_with_v2(demo, "ecdsa"), trust_anchors=[root], revocation="require",
                           at=demo.after_everything_expired())
    assert r.indication is SignatureIndication.TOTAL_PASSED, r.reasons
    s = r.signers[0]
    assert s.level == "CAdES-A" and [t.kind for t in s.timestamps] == ["signature", "archive"]


def test_archive_timestamp_v2_over_other_bytes_fails(demo):
    root = demo.cert(TERRITORIES["ecdsa"][2])
    r = validate_signature(_with_v2(demo, "ecdsa", tamper=True), trust_anchors=[root])
    archive = [t for t in r.signers[0].timestamps if t.kind == "archive"][0]
    assert archive.sub_indication is SubIndication.HASH_FAILURE
