"""Hostile input: a mesh of cross-certified CAs, and garbage certificates, cost bounded work and never raise."""

from __future__ import annotations

import random
import time
import tracemalloc

import pytest
from hypothesis import given, settings, strategies as st

from trustsvc.reports import Indication, SubIndication
from trustsvc.validation.certificate import validate_certificate
from tests.path.pki import NOW, der, issue, key


@pytest.fixture(scope="session")
def mesh():
    """1,000 CAs, each cross-certified by three others (all links verify), none reaching the anchor."""
    rng = random.Random(4)
    k = key()  # one key for every CA: every link's signature verifies, the worst case for a builder
    certs = []
    for i in range(1000):
        for j in rng.sample(range(1000), 3):
            if j != i:
                certs.append(der(issue(f"Mesh CA {i}", k, f"Mesh CA {j}", k)))
    rng.shuffle(certs)
    leaf = der(issue("Mesh leaf", key(), "Mesh CA 0", k, ca=False))
    root_key = key()
    root = der(issue("Unrelated Root", root_key, "Unrelated Root", root_key))
    return leaf, certs, root


def test_cross_certified_mesh_ends_indeterminate_in_bounded_time_and_memory(mesh):
    leaf, certs, root = mesh
    # CPU time of this process: the bound is about our work, not about what else shares the machine.
    started = time.process_time()
    report = validate_certificate(leaf, intermediates=certs, trust_anchors=[root], at=NOW, revocation="off")
    elapsed = time.process_time() - started
    assert report.indication is Indication.INDETERMINATE
    assert report.sub_indication is SubIndication.NO_CERTIFICATE_CHAIN_FOUND
    assert report.reasons
    # The bound that holds on any machine is the work budget: the search stopped because a counter ran out.
    assert any("budget exhausted" in reason for reason in report.reasons), report.reasons
    # Issue 4: within 2 s. Measured as this process's CPU time (0.07-0.16 s, cold or warm signature cache): wall
    # time on a shared 2-core CI machine also counts other processes' work (one 2.04 s wall-clock flake).
    assert elapsed < 2.0
    tracemalloc.start()
    validate_certificate(leaf, intermediates=certs, trust_anchors=[root], at=NOW, revocation="off")
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < 200 * 1024 * 1024


@pytest.fixture(scope="session")
def simple():
    rk = key()
    root = der(issue("Root", rk, "Root", rk))
    leaf = der(issue("Leaf", key(), "Root", rk, ca=False))
    return leaf, root


@pytest.mark.parametrize("blob", [b"", b"\x00", b"garbage" * 10, b"\x30\x82\xff\xff", b"\x30" * 200_000,
                                  b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n", "not a cert"])
def test_garbage_end_entity_gives_format_failure(blob):
    report = validate_certificate(blob, at=NOW)
    assert report.indication is Indication.INDETERMINATE
    assert report.sub_indication is SubIndication.FORMAT_FAILURE
    assert report.reasons
    report.to_dict()


def test_truncated_and_garbage_helpers_are_ignored_with_a_warning(simple):
    leaf, root = simple
    report = validate_certificate(leaf, intermediates=[leaf[:100], b"junk"], trust_anchors=[root, b"\x30\x03\x02\x01\x01"],
                                  crls=[b"not a crl"], at=NOW, revocation="off")
    assert report.indication is Indication.PASSED
    assert len(report.warnings) >= 3


@settings(max_examples=40, deadline=None)
@given(st.data())
def test_mutated_certificates_never_raise(simple, data):
    leaf, root = simple
    pos = data.draw(st.integers(0, len(leaf) - 1))
    byte = data.draw(st.integers(0, 255))
    mutated = leaf[:pos] + bytes([byte]) + leaf[pos + 1:]
    cut = data.draw(st.integers(1, len(mutated)))
    report = validate_certificate(mutated[:cut], trust_anchors=[root], at=NOW, revocation="off")
    assert report.indication in set(Indication)
    assert report.indication is not Indication.PASSED or mutated[:cut] == leaf or cut == len(leaf)
    report.to_dict()
