"""A certificate read through cryptography's parser gives the same facts as the asn1crypto-only path."""

from __future__ import annotations

import pytest

from trustsvc.x509.certificate import Certificate
from tests.x509.test_names import DERS

FACTS = ("subject_key", "issuer_key", "subject_str", "issuer_str", "subject_rdn_keys", "self_issued", "serial_number",
         "tbs_der", "signature", "signature_algorithm_oid", "key_algorithm_oid", "ski", "aki", "version", "is_ca",
         "path_len_constraint", "key_usage", "extended_key_usage", "critical_extension_oids", "policies",
         "policy_mappings", "policy_constraints", "inhibit_any_policy", "not_before", "not_after",
         "subject_email_addresses", "has_revocation_pointers", "spki_der")


def _both(der: bytes) -> tuple[Certificate, Certificate]:
    try:
        slow = Certificate._from_asn1(der)
    except Exception:  # noqa: BLE001
        pytest.skip("asn1crypto refuses this certificate")
    return Certificate.from_der(der), slow


@pytest.mark.parametrize("der", DERS, ids=range(len(DERS)))
def test_fast_and_asn1crypto_paths_agree(der):
    fast, slow = _both(der)
    for name in FACTS:
        assert getattr(fast, name) == getattr(slow, name), name
    for oid in ("2.5.29.30", "2.5.29.17", "2.5.29.31"):
        a, b = fast.ext(oid), slow.ext(oid)
        assert (a.native if a is not None else None) == (b.native if b is not None else None), oid


def test_certificates_cryptography_refuses_still_load():
    refused = [d for d in DERS if Certificate.from_der(d)._rs is None]
    # PKITS DSA parameter inheritance: the EE key has no parameters, which cryptography will not parse
    assert refused and all(Certificate.from_der(d).subject_str for d in refused)
