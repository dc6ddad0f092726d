"""B-T -> B-LT -> B-LTA on the demo PKI, validated after every demo certificate has expired, offline."""

from __future__ import annotations

import pytest

from tests.longterm.conftest import CONTENT, TERRITORIES
from trustsvc.cms.levels import LT, LTA, T
from trustsvc.reports import SignatureIndication, SubIndication
from trustsvc.validation.extend import extend_signature
from trustsvc.validation.signature import validate_signature


@pytest.mark.parametrize("kind", ["sm2", "rsa", "ecdsa"])
def test_lta_passes_after_every_certificate_expired(demo, kind):
    leaf, ca, root, tsa = TERRITORIES[kind]
    bt = demo.sign_bt(kind)
    lt = extend_signature(bt, level="B-LT", content=CONTENT, trust_anchors=[demo.cert(root)], crls=demo.crls(kind))
    lta = extend_signature(lt, level="B-LTA", content=CONTENT, trust_anchors=[demo.cert(root)], crls=demo.crls(kind),
                           timestamper=demo.tsa(tsa))
    at = demo.after_everything_expired()
    common = dict(content=CONTENT, trust_anchors=[demo.cert(root)], at=at, revocation="require")
    r = validate_signature(lta, **common)
    assert r.indication is SignatureIndication.TOTAL_PASSED, r.reasons
    s = r.signers[0]
    assert s.level == LTA and s.validation_process == "long-term"
    assert [t.kind for t in s.timestamps] == ["signature", "archive"]
    assert any(p.element == "signature-value" and p.source.startswith("archive") for p in s.poe)
    d = r.to_dict()["signers"][0]
    assert d["signature_level"] == "CAdES-BASELINE-LTA" and d["poe"]
    r_lt = validate_signature(lt, **common)
    assert r_lt.signers[0].level == LT
    r_bt = validate_signature(bt, **common)
    assert r_bt.signers[0].level == T
    assert r_bt.indication is SignatureIndication.INDETERMINATE
    assert r_bt.sub_indication in (SubIndication.OUT_OF_BOUNDS_NO_POE, SubIndication.TRY_LATER)


def test_poe_sources_are_typed_and_in_the_report_language(demo):
    _leaf, _ca, root, tsa = TERRITORIES["rsa"]
    lta = extend_signature(demo.sign_bt("rsa"), level="B-LTA", content=CONTENT, trust_anchors=[demo.cert(root)],
                           crls=demo.crls("rsa"), timestamper=demo.tsa(tsa))
    r = validate_signature(lta, content=CONTENT, trust_anchors=[demo.cert(root)], at=demo.after_everything_expired(),
                           revocation="require", lang="zh-Hant")
    assert r.indication is SignatureIndication.TOTAL_PASSED, r.reasons
    poes = r.to_dict()["signers"][0]["poe"]
    assert {p["source_type"] for p in poes} == {"signature-timestamp", "archive-timestamp"}
    assert all(("歸檔時間戳記" if p["source_type"] == "archive-timestamp" else "簽章時間戳記") in p["source"] for p in poes)
    assert any(p.get("sha256") for p in poes)  # each certificate / CRL the archive timestamp covers
