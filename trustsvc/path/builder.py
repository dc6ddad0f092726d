"""Path building: an index of candidate issuers and one depth-first search with a budget (RFC 4158 style)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator, Sequence

from asn1crypto import keys

from trustsvc.cache import BoundedCache
from trustsvc.path.anchor import TrustAnchor
from trustsvc.path.budget import Budget
from trustsvc.path.signatures import SignatureError, certificate_key, verify_certificate_signature
from trustsvc.x509.certificate import Certificate


class Attempt:
    """One candidate path that was tried, and why it died (None = it was handed to validation).

    `path` holds display labels; built from certificates, they are rendered on first read only
    (most callers never look at the candidate paths of a chain that validated).
    """

    __slots__ = ("_path", "_certs", "reason")

    def __init__(self, path: list[str] | None, reason: str | None, *, certificates: list[Certificate] | None = None) -> None:
        self._path = path
        self._certs = certificates
        self.reason = reason

    @classmethod
    def of(cls, certificates: list[Certificate], reason: str | None) -> "Attempt":
        """An attempt over `certificates` (anchor first), labelled lazily."""
        return cls(None, reason, certificates=list(certificates))

    @property
    def path(self) -> list[str]:
        if self._path is None:
            self._path = [_label(c) for c in self._certs]
        return self._path

    def to_dict(self) -> dict:
        return {"path": self.path, "reason": self.reason}

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Attempt) and (self.path, self.reason) == (other.path, other.reason)

    __hash__ = None  # type: ignore[assignment] - mutable, like the dataclass it replaces

    def __repr__(self) -> str:
        return f"Attempt(path={self.path!r}, reason={self.reason!r})"


class Attempts(list):
    """The candidate paths tried, kept to the first `keep` (a flood of candidates must not grow the report);
    `total` counts every one."""

    def __init__(self, keep: int = 50) -> None:
        super().__init__()
        self.keep = keep
        self.total = 0

    def append(self, attempt: Attempt) -> None:  # type: ignore[override]
        self.total += 1
        if len(self) < self.keep:
            super().append(attempt)

    @property
    def omitted(self) -> int:
        return self.total - len(self)


class IssuerGroup:
    """Candidate issuers sharing one subject name and one key (SPKI): one loop check and one signature
    check serve them all, so a flood of same-name, same-key certificates costs linear work."""

    __slots__ = ("name", "spki", "certs", "_key_hashes")

    def __init__(self, name: str, spki: bytes) -> None:
        self.name, self.spki, self.certs = name, spki, []
        self._key_hashes: tuple[bytes, ...] | None = None

    @property
    def identity(self) -> tuple[str, bytes]:
        return self.name, self.spki

    def kid_rank(self, aki: bytes | None) -> int:
        """RFC 4158 3.5.12: 0 = the key's own SHA-1 hash is the AKI (RFC 5280 4.2.1.2 method 1: a forger cannot
        claim it without the key), 1 = a member claims the AKI as its SKI, 2 = no SKI, 3 = a different SKI."""
        if aki is None:
            return 2
        if self._key_hashes is None:
            try:
                bits = keys.PublicKeyInfo.load(self.spki)["public_key"].contents
                # The BIT STRING value without its unused-bits octet (RFC 5280), and with it (seen in the wild).
                self._key_hashes = (hashlib.sha1(bits[1:]).digest(), hashlib.sha1(bits).digest())
            except (ValueError, TypeError):
                self._key_hashes = ()
        if aki in self._key_hashes:
            return 0
        skis = {c.ski for c in self.certs}
        return 1 if aki in skis else 2 if None in skis else 3


class CandidateIndex:
    """Untrusted certificates and trust anchors indexed by normalised subject name (RFC 5280 7.1),
    identical certificates once, and certificates grouped by (name, key)."""

    def __init__(self, anchors: Sequence[TrustAnchor], certificates: Iterable[Certificate]) -> None:
        self.anchors: dict[str, list[TrustAnchor]] = {}
        anchor_ders = set()
        for a in anchors:
            if a.certificate.der in anchor_ders:
                continue
            anchor_ders.add(a.certificate.der)
            self.anchors.setdefault(a.certificate.subject_key, []).append(a)
        self.by_subject: dict[str, list[Certificate]] = {}
        self.groups: dict[str, list[IssuerGroup]] = {}
        by_identity: dict[tuple[str, bytes], IssuerGroup] = {}
        seen = set(anchor_ders)
        for c in certificates:
            if c.der in seen:
                continue
            seen.add(c.der)
            self.by_subject.setdefault(c.subject_key, []).append(c)
            ident = (c.subject_key, c.spki_der)
            group = by_identity.get(ident)
            if group is None:
                group = by_identity[ident] = IssuerGroup(*ident)
                self.groups.setdefault(c.subject_key, []).append(group)
            group.certs.append(c)
        self._sorted: dict[tuple[str, bytes | None], list[IssuerGroup]] = {}

    def issuers(self, cert: Certificate) -> tuple[list[TrustAnchor], list[Certificate]]:
        """Candidate issuers of `cert`, AKI/SKI matches first (RFC 4158 3.5.12)."""
        anchors, groups = self.issuer_groups(cert)
        return anchors, [c for g in groups for c in g.certs]

    def issuer_groups(self, cert: Certificate) -> tuple[list[TrustAnchor], list[IssuerGroup]]:
        """Candidate anchors and (name, key) groups of untrusted issuers of `cert`, best key match first."""
        name, aki = cert.issuer_key, cert.aki
        anchors = _by_kid(self.anchors.get(name, []), aki, lambda a: a.certificate.ski)
        ck = (name, aki)
        groups = self._sorted.get(ck)
        if groups is None:
            found = self.groups.get(name, [])
            groups = found if len(found) < 2 else sorted(found, key=lambda g: g.kid_rank(aki))
            self._sorted[ck] = groups
        return anchors, groups


# Pools this small are indexed faster than a cache key is made.
_INDEX_CACHE_MIN = 16
# One index per distinct pool of anchor and certificate *objects*: a service passes the same trust-list anchors
# and CA certificates (parsed once, so the same objects) with every request, and indexing a pool of hundreds is
# most of a warm validation's cost. Keyed by identity; each entry holds its objects, so no id is reused while it is
# cached. The index is read-only once built (its `_sorted` and key-hash memos are deterministic).
_INDEXES: BoundedCache[tuple[tuple[int, ...], tuple[int, ...]], tuple[CandidateIndex, tuple, tuple]] = \
    BoundedCache("path.candidate_index", 64)


def candidate_index(anchors: Sequence[TrustAnchor], certificates: Sequence[Certificate]) -> CandidateIndex:
    """The CandidateIndex of this pool, built once per distinct pool of objects."""
    anchors, certificates = tuple(anchors), tuple(certificates)
    if len(anchors) + len(certificates) < _INDEX_CACHE_MIN:
        return CandidateIndex(anchors, certificates)
    key = (tuple(map(id, anchors)), tuple(map(id, certificates)))
    hit = _INDEXES.get(key)
    if hit is not None:
        return hit[0]
    index = CandidateIndex(anchors, certificates)
    _INDEXES.put(key, (index, anchors, certificates))
    return index


def _by_kid(items: list, aki: bytes | None, ski_of) -> list:
    if aki is None or len(items) < 2:
        return items
    return sorted(items, key=lambda x: 0 if ski_of(x) == aki else 1 if ski_of(x) is None else 2)


def _label(c: Certificate) -> str:
    return c.subject_str


def build_paths(
    end_entity: Certificate,
    index: CandidateIndex,
    budget: Budget,
    attempts: list[Attempt],
    *,
    sm2_id: bytes | None = None,
) -> Iterator[tuple[TrustAnchor, list[Certificate]]]:
    """Yield (anchor, [anchor cert, ..., end entity]) for every chain whose names and signatures link.

    Depth-first, anchors before intermediates, best key-identifier match first; a name+key already on
    the path is never revisited (loop detection, one set lookup per group). Every step is charged to
    `budget`. Dead ends are recorded in `attempts`.
    """
    on_path = {(end_entity.subject_key, end_entity.spki_der)}
    yield from _extend([end_entity], on_path, index, budget, attempts, sm2_id)


def _extend(chain: list[Certificate], on_path: set[tuple[str, bytes]], index: CandidateIndex, budget: Budget,
            attempts: list[Attempt], sm2_id: bytes | None) -> Iterator[tuple[TrustAnchor, list[Certificate]]]:
    budget.build_call()
    cert = chain[-1]
    if len(chain) > budget.depth:
        attempts.append(Attempt.of(list(reversed(chain)), f"path longer than {budget.depth} certificates"))
        return
    anchors, groups = index.issuer_groups(cert)
    budget.step()  # the candidate lookup
    if not anchors and not groups:
        attempts.append(Attempt.of(list(reversed(chain)), f"no issuer found for {cert.issuer_str!r}"))
        return
    for anchor in anchors:
        budget.step()
        reason = _link(cert, anchor.certificate, budget, sm2_id)
        path = [anchor.certificate, *reversed(chain)]
        if reason is not None:
            attempts.append(Attempt.of(path, reason))
            continue
        yield anchor, path
    loops = 0
    for group in groups:
        budget.step()  # the loop check: one set lookup for the whole group
        if group.identity in on_path:
            loops += 1
            continue  # loop: this name+key is already on the path
        reason = _link(cert, group.certs[0], budget, sm2_id)  # one key: one check for every member
        if reason is not None:
            more = len(group.certs) - 1
            attempts.append(Attempt.of([group.certs[0], *reversed(chain)],
                                       reason + (f" (and {more} more certificates with this name and key)" if more else "")))
            continue
        on_path.add(group.identity)
        try:
            for issuer in group.certs:
                budget.step()
                chain.append(issuer)
                try:
                    yield from _extend(chain, on_path, index, budget, attempts, sm2_id)
                finally:
                    chain.pop()
        finally:
            on_path.discard(group.identity)
    if not anchors and loops == len(groups):
        attempts.append(Attempt.of(list(reversed(chain)), "dead end: every candidate issuer is already on the path"))


def _link(cert: Certificate, issuer: Certificate, budget: Budget, sm2_id: bytes | None) -> str | None:
    """Check that `issuer`'s key signed `cert`; keys needing inherited DSA parameters are left to validation."""
    try:
        key = certificate_key(issuer, None)
    except SignatureError:
        return None  # e.g. DSA key without parameters: checked in the forward pass with inherited params
    try:
        verify_certificate_signature(cert, key, budget, sm2_id=sm2_id)
    except SignatureError as exc:
        return f"signature of {cert.subject_str!r} does not verify with the key of {issuer.subject_str!r}: {exc}"
    return None
