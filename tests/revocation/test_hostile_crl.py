"""A CRL may list hundreds of thousands of entries, and parsing them is the expensive part (a 16 MB list is
seconds of CPU): the request's limits (time, CPU, client gone) are checked while its entries are parsed, so one
anonymous request with a huge CRL stops at its limit instead of running past it."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization

import trustsvc
from tests.path.pki import NOW, der, issue, key, name
from trustsvc.path.budget import Cancelled, limits
from trustsvc.reports import Indication
from trustsvc.revocation.crl import ParsedCRL
from trustsvc.x509.load import CRL_ENTRIES_PER_PROGRESS, load_crl

ENTRIES = 3 * CRL_ENTRIES_PER_PROGRESS


@pytest.fixture(scope="module")
def pki():
    root_key, leaf_key = key(), key()
    root = issue("Big CRL Root", root_key, "Big CRL Root", root_key)
    leaf = issue("Big CRL Leaf", leaf_key, "Big CRL Root", root_key, ca=False)
    builder = (x509.CertificateRevocationListBuilder().issuer_name(name("Big CRL Root"))
               .last_update(NOW - timedelta(days=1)).next_update(NOW + timedelta(days=6))
               .add_extension(x509.CRLNumber(7), critical=False))
    for serial in range(1, ENTRIES + 1):
        builder = builder.add_revoked_certificate(
            x509.RevokedCertificateBuilder().serial_number(serial).revocation_date(NOW - timedelta(days=2)).build())
    crl = builder.sign(root_key, hashes.SHA256()).public_bytes(serialization.Encoding.DER)
    return der(root), der(leaf), crl


def test_parse_reports_progress_between_entries(pki):
    _, _, crl = pki
    calls: list[int] = []
    load_crl(crl, progress=lambda: calls.append(1))
    assert len(calls) == ENTRIES // CRL_ENTRIES_PER_PROGRESS


def test_a_cancelled_request_stops_parsing_a_long_crl(pki):
    _, _, crl = pki
    stop = threading.Event()
    stop.set()  # the client went away, or the request's time ran out, before the list was read
    with limits(cancel=stop), pytest.raises(Cancelled):
        ParsedCRL(crl)
    assert len(ParsedCRL(crl).entries) == ENTRIES  # outside a request: read whole


def test_validation_with_a_long_crl_past_the_limit_is_indeterminate_not_an_exception(pki):
    root, leaf, crl = pki
    stop = threading.Event()
    stop.set()
    with limits(cancel=stop):
        report = trustsvc.validate_certificate(leaf, trust_anchors=[root], crls=[crl], at=NOW, revocation="require")
    assert report.indication is Indication.INDETERMINATE
    good = trustsvc.validate_certificate(leaf, trust_anchors=[root], crls=[crl], at=NOW, revocation="require")
    assert good.indication is Indication.PASSED, good.reasons
