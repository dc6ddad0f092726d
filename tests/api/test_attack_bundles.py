"""A certificate list entry may be a PEM or PKCS #7 bundle: the number of certificates one request field carries
is capped (422 with the reason) before they are parsed, so a 16 MB bundle of ~70,000 certificates cannot buy
~10 s of parsing outside the request's budget."""

from __future__ import annotations

import base64
from datetime import datetime, timedelta, timezone

import pytest
from asn1crypto import cms, pem
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519
from cryptography.x509.oid import NameOID

from trustsvc.api.verify import MAX_FIELD_CERTIFICATES


def _certs(n: int) -> list[bytes]:
    k = ed25519.Ed25519PrivateKey.generate()
    now = datetime.now(timezone.utc)
    out = []
    for i in range(n):
        nm = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, f"Flood CA {i}")])
        c = (x509.CertificateBuilder().subject_name(nm).issuer_name(nm).public_key(k.public_key()).serial_number(i + 1)
             .not_valid_before(now - timedelta(days=1)).not_valid_after(now + timedelta(days=9)).sign(k, None))
        out.append(c.public_bytes(serialization.Encoding.DER))
    return out


def _pkcs7_pem(ders: list[bytes]) -> str:
    sd = cms.SignedData({"version": "v1", "digest_algorithms": [], "encap_content_info": {"content_type": "data"},
                         "certificates": [asn1_x509.Certificate.load(d) for d in ders], "signer_infos": []})
    return pem.armor("PKCS7", cms.ContentInfo({"content_type": "signed_data", "content": sd}).dump()).decode()


@pytest.fixture(scope="module")
def flood() -> list[bytes]:
    return _certs(MAX_FIELD_CERTIFICATES + 1)


@pytest.mark.parametrize("field", ["intermediates", "trust_anchors"])
def test_a_bundle_over_the_cap_is_a_422_naming_it(client, flood, field):
    leaf = base64.b64encode(flood[0]).decode()
    r = client.post("/v1/verify/certificate", json={"certificate": leaf, field: [_pkcs7_pem(flood)]})
    assert r.status_code == 422, r.text[:300]
    assert f"more than the {MAX_FIELD_CERTIFICATES} allowed" in r.json()["detail"] and field in r.json()["detail"]
    # Split over several entries the total is still capped.
    half = len(flood) // 2
    pems = "".join(pem.armor("CERTIFICATE", d).decode() for d in flood[:half])
    r = client.post("/v1/verify/certificate", json={"certificate": leaf, field: [pems, _pkcs7_pem(flood[half:])]})
    assert r.status_code == 422, r.text[:300]


def test_a_bundle_within_the_cap_is_read(client, flood):
    r = client.post("/v1/verify/certificate", json={"certificate": base64.b64encode(flood[0]).decode(),
                                                    "intermediates": [_pkcs7_pem(flood[:MAX_FIELD_CERTIFICATES])],
                                                    "use_trust_lists": False})
    assert r.status_code == 200, r.text[:300]


def test_signature_and_timestamp_certificate_lists_are_capped(client, flood):
    bundle = _pkcs7_pem(flood)
    for url, body in (("/v1/verify/signature", {"signature": "MAA=", "other_certs": [bundle]}),
                      ("/v1/verify/timestamp", {"token": "MAA=", "trust_anchors": [bundle]})):
        r = client.post(url, json=body)
        assert r.status_code == 422 and "allowed" in r.json()["detail"], r.text[:300]
