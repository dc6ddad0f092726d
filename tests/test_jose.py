"""trustsvc/jose.py: the one canonical JSON rule (RFC 8785) and the compact ES256 JWS of signed reports."""

from __future__ import annotations

import base64
import hashlib
import json

import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from trustsvc.errors import InputFormatError, InvalidSignatureError
from trustsvc.jose import (
    P256_ORDER, CanonicalJSONError, ReportKey, b64u, canonical_json, json_ready, parse_keys, public_jwk, unb64u,
    verify_report,
)
from trustsvc.trustlist import jws as trust_list_jws
from trustsvc.trustlist.model import TrustListFormatError


def test_canonical_json_is_rfc_8785():
    # RFC 8785 3.2.2.3 numbers as ECMAScript writes them; 3.2.3 members sorted by UTF-16 code units (the
    # astral-plane key sorts before U+FB33 in UTF-16, after it in code points); 3.2.2.2 strings escaped minimally.
    value = {"\ufb33": 1, "\U0001f600": 2, "a": [1.0, 1e21, 0.1, -0.0, 5e-7], "b": "\u00e9\u0001\n\"\\/"}
    assert canonical_json(value) == (
        '{"a":[1,1e+21,0.1,0,5e-7],"b":"\u00e9\\u0001\\n\\"\\\\/","\U0001f600":2,"\ufb33":1}'.encode("utf-8"))


@pytest.mark.parametrize("value", [{"x": float("nan")}, {"x": float("inf")}, {"x": 2**53}, {1: "key"}])
def test_what_rfc_8785_cannot_say_is_refused(value):
    with pytest.raises(CanonicalJSONError):
        canonical_json(value)


def test_trust_lists_use_the_same_rule_and_refuse_with_their_own_error():
    doc = {"b": [1, 2], "a": "\u7ca4"}
    assert trust_list_jws.canonical_json(doc) == canonical_json(doc)
    with pytest.raises(TrustListFormatError):
        trust_list_jws.canonical_json({"sequence_number": 2**60})


def test_json_ready_keeps_report_values_and_writes_others_as_text():
    from datetime import datetime, timezone

    from trustsvc.reports import Indication

    ready = json_ready({"i": Indication.PASSED, "t": datetime(2026, 1, 1, tzinfo=timezone.utc), "n": 2**64, "s": (1,)})
    assert ready == {"i": "PASSED", "t": "2026-01-01 00:00:00+00:00", "n": str(2**64), "s": [1]}
    canonical_json(ready)  # always canonicalisable


def test_jwk_kid_is_the_rfc_7638_thumbprint():
    key = ec.generate_private_key(ec.SECP256R1()).public_key()
    jwk = public_jwk(key)
    members = {k: jwk[k] for k in ("crv", "kty", "x", "y")}
    text = '{"crv":"P-256","kty":"EC","x":"%s","y":"%s"}' % (jwk["x"], jwk["y"])
    assert jwk["kid"] == b64u(hashlib.sha256(text.encode()).digest()) == b64u(hashlib.sha256(canonical_json(members)).digest())


def test_a_signed_report_verifies_and_its_payload_is_canonical(tmp_path):
    rk = ReportKey.load_or_create(tmp_path / "report-key.pem")
    payload = {"kind": "certificate", "indication": "PASSED", "reasons": ["\u8bc1\u4e66\u6709\u6548"], "iat": 1}
    jws = rk.sign(payload)
    head, body, _sig = jws.split(".")
    assert json.loads(unb64u(head)) == {"alg": "ES256", "kid": rk.kid, "typ": "trustsvc-report+jws"}
    assert unb64u(body) == canonical_json(payload)
    assert verify_report(jws, rk.jwks()["keys"]) == payload
    assert ReportKey.load_or_create(tmp_path / "report-key.pem").kid == rk.kid  # the key is kept


def test_a_tampered_report_or_another_key_does_not_verify(tmp_path):
    rk = ReportKey.load_or_create(tmp_path / "a.pem")
    other = ReportKey.load_or_create(tmp_path / "b.pem")
    jws = rk.sign({"indication": "PASSED"})
    head, _body, sig = jws.split(".")
    forged = ".".join([head, b64u(canonical_json({"indication": "FAILED"})), sig])
    with pytest.raises(InvalidSignatureError):
        verify_report(forged, rk.jwks()["keys"])
    with pytest.raises(InvalidSignatureError):
        verify_report(jws, [{**other.jwk, "kid": rk.kid}])


def test_high_s_twin_of_a_report_signature_is_refused(tmp_path):
    rk = ReportKey.load_or_create(tmp_path / "report-key.pem")
    jws = rk.sign({"kind": "certificate", "indication": "PASSED"})
    keys = rk.jwks()["keys"]
    assert verify_report(jws, keys)["indication"] == "PASSED"
    head, payload, sig = jws.split(".")
    raw = base64.urlsafe_b64decode(sig + "=" * (-len(sig) % 4))
    s = int.from_bytes(raw[32:], "big")
    twin = raw[:32] + (P256_ORDER - s).to_bytes(32, "big")
    twin_jws = ".".join([head, payload, base64.urlsafe_b64encode(twin).rstrip(b"=").decode()])
    with pytest.raises(InvalidSignatureError, match="low-S"):
        verify_report(twin_jws, keys)


_ES256 = b64u(b'{"alg":"ES256"}')


@pytest.mark.parametrize("text", ["a.b", f"{_ES256}.e30.A", "!!.e30.AAAA", f"{_ES256}.W10.AAAA"])
def test_malformed_jws_is_an_input_format_error(text):
    with pytest.raises(InputFormatError):
        verify_report(text, [{"kty": "EC"}])


def test_keys_from_a_pem_public_key(tmp_path):
    from cryptography.hazmat.primitives import serialization

    key = ec.generate_private_key(ec.SECP256R1())
    pem = key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    assert parse_keys(pem)[0]["kid"] == public_jwk(key.public_key())["kid"]
