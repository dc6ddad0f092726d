"""/v1/verify/signature and /v1/verify/timestamp: warnings in the JSON, digest-only content, PEM bundles."""

from __future__ import annotations

import base64

import pytest

from tests.api.test_verify import _chain, demo, demo_client, demo_settings, signed_bid  # noqa: F401  (fixtures)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def test_trailing_bytes_are_a_warning_in_the_json(demo_client, signed_bid):
    bid, sig, _ = signed_bid
    r = demo_client.post("/v1/verify/signature", json={"signature": _b64(sig + b"\x00" * 4), "content": _b64(bid),
                                                       "usage": "e-tendering"})
    assert r.status_code == 200 and r.json()["indication"] == "TOTAL-PASSED", r.json()["report"]
    (warning,) = r.json()["report"]["warnings"]
    assert warning["code"] == "trailing_data" and warning["count"] == 4 and "4 bytes" in warning["message"]


def _digest_body(bid: bytes, sig: bytes, **kw) -> dict:
    import hashlib

    return {"signature": _b64(sig), "digest": hashlib.sha256(bid).hexdigest(), "digest_algorithm": "sha256",
            "usage": "e-tendering", **kw}


def test_signature_with_digest_instead_of_content(demo_client, signed_bid):
    bid, sig, _ = signed_bid
    r = demo_client.post("/v1/verify/signature", json=_digest_body(bid, sig))
    assert r.status_code == 200 and r.json()["indication"] == "TOTAL-PASSED", r.json()
    wrong = demo_client.post("/v1/verify/signature", json=_digest_body(bid + b"x", sig))
    assert wrong.json()["indication"] == "TOTAL-FAILED" and wrong.json()["sub_indication"] == "HASH_FAILURE"
    # Multipart: the digest as form fields, no content file.
    mp = demo_client.post("/v1/verify/signature", files={"signature": ("bid.p7s", sig)},
                          data={k: v for k, v in _digest_body(bid, sig).items() if k != "signature"})
    assert mp.status_code == 200 and mp.json()["indication"] == "TOTAL-PASSED", mp.json()


def test_signature_digest_of_another_algorithm_is_not_passed(demo_client, signed_bid):
    import hashlib

    bid, sig, _ = signed_bid
    r = demo_client.post("/v1/verify/signature", json={**_digest_body(bid, sig), "digest_algorithm": "sha512",
                                                       "digest": hashlib.sha512(bid).hexdigest()})
    assert r.status_code == 200 and r.json()["indication"] != "TOTAL-PASSED"


@pytest.mark.parametrize("change,field", [
    ({"content": "QUJD"}, "digest"),                       # content and digest
    ({"digest": "not hex"}, "digest"),
    ({"digest_algorithm": None}, "digest_algorithm"),      # a signature's digest needs its algorithm
    ({"digest_algorithm": "whirlpool"}, "digest_algorithm"),
])
def test_bad_digest_inputs_are_422_problems(demo_client, signed_bid, change, field):
    bid, sig, _ = signed_bid
    body = {k: v for k, v in {**_digest_body(bid, sig), **change}.items() if v is not None}
    r = demo_client.post("/v1/verify/signature", json=body)
    assert r.status_code == 422 and r.headers["content-type"].startswith("application/problem+json"), r.text
    assert r.json().get("field") == field


def test_algorithm_without_digest_is_a_422(demo_client, signed_bid):
    bid, sig, _ = signed_bid
    r = demo_client.post("/v1/verify/signature", json={"signature": _b64(sig), "content": _b64(bid),
                                                       "digest_algorithm": "sha256"})
    assert r.status_code == 422 and r.json()["field"] == "digest_algorithm"


def test_timestamp_with_named_digest(demo_client, signed_bid):
    import hashlib

    bid, _, tsa = signed_bid
    token = _b64(tsa.timestamp(hashlib.sha256(bid).digest(), "sha256"))
    ok = demo_client.post("/v1/verify/timestamp", json={"token": token, "digest": hashlib.sha256(bid).hexdigest(),
                                                        "digest_algorithm": "SHA-256"})
    assert ok.status_code == 200 and ok.json()["indication"] == "TOTAL-PASSED", ok.json()
    other = demo_client.post("/v1/verify/timestamp", json={"token": token, "digest": hashlib.sha384(bid).hexdigest(),
                                                           "digest_algorithm": "sha384"})
    assert other.status_code == 200 and other.json()["sub_indication"] == "FORMAT_FAILURE"
    both = demo_client.post("/v1/verify/timestamp", json={"token": token, "content": _b64(bid),
                                                          "digest": hashlib.sha256(bid).hexdigest()})
    assert both.status_code == 422


def test_pem_bundles_in_certificate_lists(demo, demo_client, signed_bid):
    from asn1crypto import pem

    from trustsvc.cms.signed_data import parse_signed_data

    bid, sig, _ = signed_bid
    certs = parse_signed_data(sig).certificates
    bundle = b"".join(pem.armor("CERTIFICATE", c.der) for c in certs).decode()
    roots = "".join((demo / "certs" / f"{n}.pem").read_text() for n in ("hk-root", "gd-root", "mo-root"))
    r = demo_client.post("/v1/verify/signature", json={"signature": _b64(sig), "content": _b64(bid),
                                                       "other_certs": [bundle], "trust_anchors": [roots]})
    assert r.status_code == 200 and r.json()["indication"] == "TOTAL-PASSED", r.json()["report"]["reasons"]
    cert = demo_client.post("/v1/verify/certificate", json={
        "certificate": (demo / "certs" / "hk-leaf.pem").read_text(), "use_trust_lists": False,
        "intermediates": ["".join((demo / "certs" / f"{n}.pem").read_text() for n in ("hk-ca", "gd-ca"))],
        "trust_anchors": [roots]})
    assert cert.status_code == 200 and cert.json()["indication"] == "PASSED", cert.json()
    bad = demo_client.post("/v1/verify/signature", json={"signature": _b64(sig), "content": _b64(bid),
                                                         "other_certs": [bundle + "-----BEGIN CERTIFICATE-----\nQUJD\n-----END CERTIFICATE-----\n"]})
    assert bad.status_code == 422 and "other_certs[0]" in bad.json()["detail"]
