"""Issue 14 / RFC 5280 4.1: a BER re-encoding of a certificate (same content, same signature) is refused."""

from __future__ import annotations

import pytest

from tests.path.pki import der, issue, key
from trustsvc.errors import InputFormatError
from trustsvc.validation.certificate import certificate_of
from trustsvc.x509.certificate import Certificate, ber_problem


def _long_form_outer(d: bytes) -> bytes:
    """The same certificate with its outer SEQUENCE length in a longer-than-needed form (valid BER, not DER)."""
    assert d[0] == 0x30 and d[1] == 0x82
    return b"\x30\x83\x00" + d[2:]


def test_ber_re_encoding_of_a_certificate_is_refused():
    k = key()
    good = der(issue("DER Root", k, "DER Root", k))
    assert ber_problem(good) is None
    Certificate.from_der(good)
    bad = _long_form_outer(good)
    assert ber_problem(bad) == "length not in its shortest form"
    with pytest.raises(InputFormatError, match="not DER"):
        Certificate.from_der(bad)
    with pytest.raises(InputFormatError):
        certificate_of(bad)


@pytest.mark.parametrize("blob,why", [(b"\x30\x80\x02\x01\x01\x00\x00", "indefinite length"),
                                      (b"\x30\x03\x01\x01\x01", "BOOLEAN not 00 or FF"),
                                      (b"\x30\x03\x02\x01\x01\x00", "bytes after the certificate")])
def test_ber_problems_are_named(blob, why):
    assert ber_problem(blob) == why
