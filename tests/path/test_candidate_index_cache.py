"""The candidate index of a pool is built once per distinct pool of objects (a service passes the same parsed
anchors and CA certificates with every request) and answers exactly as a fresh one would."""

from __future__ import annotations

import trustsvc
from tests.path.pki import NOW, der, issue, key
from trustsvc.path.anchor import TrustAnchor
from trustsvc.path.builder import CandidateIndex, candidate_index
from trustsvc.reports import Indication
from trustsvc.x509.certificate import Certificate


def _pool(n: int) -> tuple[list[TrustAnchor], list[Certificate], Certificate, list[Certificate]]:
    rk, ck = key(), key()
    root = Certificate.from_der(der(issue("Index Root", rk, "Index Root", rk)))
    ca = Certificate.from_der(der(issue("Index CA", ck, "Index Root", rk)))
    others = [Certificate.from_der(der(issue(f"Other CA {i}", key(), f"Other Root {i}", key()))) for i in range(n)]
    leaves = [Certificate.from_der(der(issue(f"Index Leaf {i}", key(), "Index CA", ck, ca=False))) for i in range(2)]
    return [root.derived("explicit-anchor", TrustAnchor)], [*others, ca], root, leaves


def test_same_pool_objects_share_one_index_and_another_pool_gets_its_own():
    anchors, pool, _, _ = _pool(20)
    first = candidate_index(anchors, pool)
    assert candidate_index(anchors, list(pool)) is first  # the same objects, in a new list
    assert candidate_index(anchors, pool[1:]) is not first
    small = candidate_index(anchors, pool[-2:])  # small pools are not cached: indexing them is cheaper
    assert small is not candidate_index(anchors, pool[-2:])


def test_a_cached_index_answers_as_a_fresh_one():
    anchors, pool, _, leaves = _pool(20)
    cached, fresh = candidate_index(anchors, pool), CandidateIndex(anchors, pool)
    for leaf in leaves:
        got, want = cached.issuers(leaf), fresh.issuers(leaf)
        assert [a.certificate.der for a in got[0]] == [a.certificate.der for a in want[0]]
        assert [c.der for c in got[1]] == [c.der for c in want[1]]


def test_validations_through_a_cached_index_pass_for_every_new_leaf():
    _, pool, root, leaves = _pool(20)
    for leaf in leaves:
        report = trustsvc.validate_certificate(leaf, intermediates=pool, trust_anchors=[root], at=NOW, revocation="off")
        assert report.indication is Indication.PASSED, report.reasons
