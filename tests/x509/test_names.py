"""The fast name keys and display strings equal asn1crypto's for every certificate in the test data."""

from __future__ import annotations

from pathlib import Path

import pytest
from asn1crypto import pem
from asn1crypto import x509 as asn1_x509

from trustsvc.x509 import load_certificate

DATA = Path(__file__).parents[1] / "data"


def _ders() -> list[bytes]:
    out = []
    for p in sorted(DATA.rglob("*")):
        if p.suffix not in (".crt", ".cer", ".der", ".pem") or not p.is_file():
            continue
        raw = p.read_bytes()
        if pem.detect(raw):
            out.extend(der for label, _h, der in pem.unarmor(raw, multiple=True) if "CERTIFICATE" in label)
        elif raw[:1] == b"\x30":
            out.append(raw)
    return out


DERS = _ders()


def test_there_is_test_data():
    assert len(DERS) > 300


@pytest.mark.parametrize("der", DERS, ids=range(len(DERS)))
def test_name_keys_and_labels_match_asn1crypto(der):
    try:
        ref = asn1_x509.Certificate.load(der)
        expected = (ref.subject.hashable, ref.issuer.hashable, ref.subject.human_friendly, ref.issuer.human_friendly,
                    [rdn.hashable for rdn in ref.subject.chosen], ref.self_issued)
    except ValueError:
        pytest.skip("asn1crypto cannot read this name")
    cert = load_certificate(der)
    got = (cert.subject_key, cert.issuer_key, cert.subject_str, cert.issuer_str, cert.subject_rdn_keys, cert.self_issued)
    assert got == expected


def test_case_and_space_insensitive_keys_are_equal():
    from cryptography import x509
    from cryptography.x509.oid import NameOID

    from trustsvc.x509.names import name_facts

    a = name_facts(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "  Good   CA\t")]))
    b = name_facts(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "good ca")]))
    assert a[0] == b[0] == asn1_x509.Name.build({"common_name": "good ca"}).hashable
