"""PEM armour from untrusted input costs time linear in its size (asn1crypto's reader and a lazy regex were
quadratic: a 4 MB block or a flood of BEGIN lines held a worker for seconds to hours, outside every budget)."""

from __future__ import annotations

import time

import pytest
from asn1crypto import pem

from tests.path.pki import der, issue, key
from trustsvc.errors import TrustsvcError
from trustsvc.x509 import armor
from trustsvc.x509.load import load_certificate, load_certificates


def _cpu(fn, *args) -> float:
    start = time.process_time()
    try:
        fn(*args)
    except (TrustsvcError, ValueError):
        pass
    return time.process_time() - start


def _huge_block(lines: int, label: bytes = b"CERTIFICATE") -> bytes:
    return b"-----BEGIN " + label + b"-----\n" + b"\n".join([b"QUFB" * 16] * lines) + b"\n-----END " + label + b"-----\n"


def test_a_huge_many_line_block_is_read_in_linear_time():
    data = _huge_block(100_000)  # 6.5 MB in 64-character lines: ~15 s of CPU through asn1crypto
    assert _cpu(load_certificates, data) < 2.0
    assert _cpu(load_certificate, data) < 2.0


def test_a_flood_of_begin_lines_without_end_is_read_in_linear_time():
    data = b"-----BEGIN CERTIFICATE-----\n" * 400_000
    assert _cpu(load_certificates, data) < 2.0
    with pytest.raises(ValueError):
        armor.unarmor(data)


def test_a_huge_pem_signature_is_read_in_linear_time():
    from trustsvc.cms.signed_data import parse_signed_data

    assert _cpu(parse_signed_data, _huge_block(100_000, b"PKCS7")) < 2.0


def test_armor_reads_what_asn1crypto_reads():
    k = key()
    a, b = der(issue("A", k, "A", k)), der(issue("B", k, "A", k))
    text = (b"subject=A\n" + pem.armor("CERTIFICATE", a) + b"junk between\n" + pem.armor("X509 CRL", b)
            + b"-----BEGIN TRAILING-----\nnever closed\n")
    assert armor.unarmor(text) == [("CERTIFICATE", a), ("X509 CRL", b)]
    assert [(label, d) for label, _h, d in pem.unarmor(text.split(b"-----BEGIN TRAILING")[0], multiple=True)] == \
        armor.unarmor(text)
    headers = b"-----BEGIN CERTIFICATE-----\nProc-Type: 4,CRL\nX: y\n\n" + pem.armor("CERTIFICATE", a).split(b"\n", 1)[1]
    assert armor.unarmor(headers) == [("CERTIFICATE", a)]
    assert [c.der for c in load_certificates(pem.armor("CERTIFICATE", a) + pem.armor("CERTIFICATE", b))] == [a, b]
