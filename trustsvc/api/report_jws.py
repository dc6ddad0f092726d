"""Signed reports for the service: the report key, its JWKS and offline verification live in `trustsvc/jose.py`
(shared with the CLI); this module keeps the names the API and its callers import."""

from __future__ import annotations

from trustsvc.jose import (
    MAX_JWS, P256_ORDER, REPORT_TYP, ReportKey, b64u, canonical_json, jwk_to_spki, parse_keys, public_jwk, unb64u,
    verify_report,
)

canonical = canonical_json  # the name this module gave the canonical JSON rule before `trustsvc.jose`

__all__ = ["MAX_JWS", "P256_ORDER", "REPORT_TYP", "ReportKey", "b64u", "canonical", "jwk_to_spki", "parse_keys",
           "public_jwk", "unb64u", "verify_report"]
