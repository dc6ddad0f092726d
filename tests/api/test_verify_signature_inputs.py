"""/v1/verify/signature and /v1/verify/timestamp: warnings in the JSON, digest-only content, PEM bundles."""

from __future__ import annotations

import base64

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
