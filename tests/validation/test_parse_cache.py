"""The core's certificate parse cache: one parse per exact input, safe under the API's worker threads."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from asn1crypto import pem

from tests.x509.test_names import DERS
from trustsvc.cache import BoundedCache
from trustsvc.errors import InputFormatError
from trustsvc.validation import certificate as vc
from trustsvc.validation.certificate import certificate_of


def test_pem_text_der_and_base64_each_parse_once():
    der = DERS[0]
    text = pem.armor("CERTIFICATE", der).decode()
    assert certificate_of(text) is certificate_of(text)
    assert certificate_of(der) is certificate_of(der)
    assert certificate_of(text).der == certificate_of(der).der == der


def test_garbage_is_a_format_error_and_not_cached():
    with pytest.raises(InputFormatError):
        certificate_of("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n")
    assert b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n" not in vc._parsed


def test_concurrent_use_past_the_bound_never_raises(monkeypatch):
    # A small private cache: constant eviction while threads read and move entries; earlier tests' entries stay out.
    monkeypatch.setattr(vc, "_parsed", BoundedCache("test.parsed", 8, register=False))
    inputs = list(DERS[:40]) * 20
    with ThreadPoolExecutor(8) as pool:
        parsed = list(pool.map(certificate_of, inputs))
    assert [c.der for c in parsed] == inputs
    assert len(vc._parsed) <= 8
