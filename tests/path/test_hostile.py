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


# --- issue 14: floods of same-name / same-key / forged issuers ------------------------------------------
def _flood(n: int, k):
    """`n` distinct CA certificates with one name and one key (self-issued: each links to all the others)."""
    return [der(issue("Flood CA", k, "Flood CA", k, serial=i + 1)) for i in range(n)]


@pytest.fixture(scope="session")
def flood_8000():
    k = key()
    rk = key()
    leaf = der(issue("Flood leaf", key(), "Flood CA", k, ca=False))
    return leaf, _flood(8000, k), der(issue("Unrelated Root", rk, "Unrelated Root", rk))


def _cpu(fn):
    started = time.process_time()
    out = fn()
    return out, time.process_time() - started


def test_same_name_same_key_flood_of_8000_ends_indeterminate_within_2s(flood_8000):
    leaf, cas, root = flood_8000
    from trustsvc.validation.certificate import certificate_of

    parsed = [certificate_of(c) for c in cas]  # parsing is the caller's (linear) cost; the search is measured
    report, cpu = _cpu(lambda: validate_certificate(leaf, intermediates=parsed, trust_anchors=[root], at=NOW,
                                                    revocation="off"))
    assert report.indication is Indication.INDETERMINATE
    assert report.sub_indication is SubIndication.NO_CERTIFICATE_CHAIN_FOUND and report.reasons
    assert cpu < 2.0, cpu  # was 104 s for 8,000 (quadratic loop checks); measured ~0.3 s
    # The report stays small: the candidate paths are summarised past a limit, with their total.
    d = report.to_dict()
    assert len(d["candidate_paths"]) <= 50 and d["candidate_paths_total"] >= 8000


def test_same_name_same_key_flood_is_linear(flood_8000):
    leaf, cas, root = flood_8000
    from trustsvc.validation.certificate import certificate_of

    parsed = [certificate_of(c) for c in cas]
    run = lambda n: _cpu(lambda: validate_certificate(leaf, intermediates=parsed[:n], trust_anchors=[root],  # noqa: E731
                                                      at=NOW, revocation="off"))[1]
    run(500)  # warm caches
    small, large = min(run(1000) for _ in range(2)), min(run(8000) for _ in range(2))
    # 8x the pool: linear work is ~8x; quadratic would be ~64x (1k -> 1.1 s, 8k -> 104 s in the issue).
    assert large < 20 * small + 0.05, (small, large)


def _forged_issuers(n: int, *, same_key: bool):
    """A valid root -> CA -> leaf chain, plus `n` forged "CA" certificates (same name and SKI as the real CA)
    signed by an attacker; with `same_key` they even copy the real CA's public key."""
    from cryptography import x509 as cx
    from cryptography.hazmat.primitives import hashes
    from datetime import timedelta
    from tests.path.pki import name

    rk, ck, attacker = key(), key(), key()
    root = issue("Root", rk, "Root", rk)
    ca = issue("Issuing CA", ck, "Root", rk)
    leaf = issue("Leaf", key(), "Issuing CA", ck, ca=False)
    ski = ca.extensions.get_extension_for_class(cx.SubjectKeyIdentifier).value
    forged = []
    for _ in range(n):
        pub = (ck if same_key else key()).public_key()
        b = (cx.CertificateBuilder().subject_name(name("Issuing CA")).issuer_name(name("Root")).public_key(pub)
             .serial_number(cx.random_serial_number()).not_valid_before(NOW - timedelta(days=30))
             .not_valid_after(NOW + timedelta(days=365)).add_extension(ski, critical=False)
             .add_extension(cx.AuthorityKeyIdentifier.from_issuer_public_key(rk.public_key()), critical=False)
             .add_extension(cx.BasicConstraints(ca=True, path_length=None), critical=True))
        forged.append(der(b.sign(attacker, hashes.SHA256())))
    return der(leaf), forged + [der(ca)], der(root)  # the genuine CA comes last


@pytest.mark.parametrize("same_key", [False, True], ids=["own-keys", "copied-key"])
def test_401_forged_issuers_do_not_starve_the_genuine_one(same_key):
    leaf, inter, root = _forged_issuers(401, same_key=same_key)
    report, cpu = _cpu(lambda: validate_certificate(leaf, intermediates=inter, trust_anchors=[root], at=NOW,
                                                    revocation="off"))
    assert report.indication is Indication.PASSED, report.reasons
    assert cpu < 2.0


def test_forged_issuer_flood_with_own_keys_is_one_check_each_and_the_key_id_finds_the_real_one():
    # With their own keys, the forged certificates cannot carry the real key's hash as key identifier:
    # the genuine issuer is tried first however many forgeries precede it.
    leaf, inter, root = _forged_issuers(1500, same_key=False)
    report = validate_certificate(leaf, intermediates=inter, trust_anchors=[root], at=NOW, revocation="off")
    assert report.indication is Indication.PASSED, report.reasons


def test_every_step_is_counted_by_the_budget(flood_8000):
    from trustsvc.path.budget import Budget

    leaf, cas, root = flood_8000
    report = validate_certificate(leaf, intermediates=cas[:2000], trust_anchors=[root], at=NOW, revocation="off",
                                  budget=Budget(steps=500))
    assert report.indication is Indication.INDETERMINATE
    assert any("step budget exhausted" in r for r in report.reasons), report.reasons


def test_cancel_flag_and_time_limit_stop_a_validation(flood_8000):
    import threading

    from trustsvc.path.budget import limits

    leaf, cas, root = flood_8000
    cancel = threading.Event()
    cancel.set()  # the client went away before the work started
    with limits(cancel=cancel):
        report = validate_certificate(leaf, intermediates=cas, trust_anchors=[root], at=NOW, revocation="off")
    assert report.indication is Indication.INDETERMINATE
    assert any("cancelled" in r for r in report.reasons), report.reasons
    with limits(cpu_seconds=1e-9):
        report = validate_certificate(leaf, intermediates=cas, trust_anchors=[root], at=NOW, revocation="off")
    assert any("CPU-time limit" in r for r in report.reasons), report.reasons
