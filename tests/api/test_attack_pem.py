"""Hostile PEM over HTTP: a huge armoured block or a flood of BEGIN lines is a bounded 422, not a worker held
for minutes outside the request's CPU limit (the PEM readers were quadratic)."""

from __future__ import annotations

import resource


def _cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def _block(lines: int, label: str) -> str:
    return f"-----BEGIN {label}-----\n" + "\n".join(["QUFB" * 16] * lines) + f"\n-----END {label}-----\n"


def test_huge_pem_certificate_and_bundle_are_bounded_422(client):
    for req in ({"certificate": _block(60_000, "CERTIFICATE")},  # 3.9 MB: ~7 s of CPU before
                {"certificate": "AAAA", "intermediates": [_block(60_000, "PKCS7")]}):
        start = _cpu()
        r = client.post("/v1/verify/certificate", json=req)
        assert r.status_code == 422 and r.headers["content-type"].startswith("application/problem+json"), r.text
        assert _cpu() - start < 3.0


def test_begin_flood_in_a_signature_is_bounded_422(client):
    start = _cpu()
    r = client.post("/v1/verify/signature", json={"signature": "-----BEGIN PKCS7-----\n" * 8_000})  # ~6 s before
    assert r.status_code == 422 and "base64" in r.json()["detail"], r.text
    r = client.post("/v1/verify/timestamp", json={"token": "-----BEGIN X-----\n" * 8_000})
    assert r.status_code == 422, r.text
    assert _cpu() - start < 3.0
