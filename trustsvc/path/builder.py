"""Path building: an index of candidate issuers and one depth-first search with a budget (RFC 4158 style)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence

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


class CandidateIndex:
    """Untrusted certificates and trust anchors indexed by normalised subject name (RFC 5280 7.1)."""

    def __init__(self, anchors: Sequence[TrustAnchor], certificates: Iterable[Certificate]) -> None:
        self.anchors: dict[str, list[TrustAnchor]] = {}
        anchor_ders = set()
        for a in anchors:
            if a.certificate.der in anchor_ders:
                continue
            anchor_ders.add(a.certificate.der)
            self.anchors.setdefault(a.certificate.subject_key, []).append(a)
        self.by_subject: dict[str, list[Certificate]] = {}
        seen = set(anchor_ders)
        for c in certificates:
            if c.der in seen:
                continue
            seen.add(c.der)
            self.by_subject.setdefault(c.subject_key, []).append(c)

    def issuers(self, cert: Certificate) -> tuple[list[TrustAnchor], list[Certificate]]:
        """Candidate issuers of `cert`, AKI/SKI matches first (RFC 4158 3.5.12)."""
        name = cert.issuer_key
        return _by_kid(self.anchors.get(name, []), cert.aki, lambda a: a.certificate.ski), _by_kid(
            self.by_subject.get(name, []), cert.aki, lambda c: c.ski
        )


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

    Depth-first, anchors before intermediates, AKI/SKI matches first; a certificate or key already on
    the path is never revisited (loop detection). Dead ends are recorded in `attempts`.
    """
    yield from _extend([end_entity], index, budget, attempts, sm2_id)


def _extend(chain: list[Certificate], index: CandidateIndex, budget: Budget, attempts: list[Attempt],
            sm2_id: bytes | None) -> Iterator[tuple[TrustAnchor, list[Certificate]]]:
    budget.build_call()
    cert = chain[-1]
    if len(chain) > budget.depth:
        attempts.append(Attempt([_label(c) for c in reversed(chain)], f"path longer than {budget.depth} certificates"))
        return
    anchors, intermediates = index.issuers(cert)
    if not anchors and not intermediates:
        attempts.append(Attempt([_label(c) for c in reversed(chain)], f"no issuer found for {cert.issuer_str!r}"))
        return
    for anchor in anchors:
        reason = _link(cert, anchor.certificate, budget, sm2_id)
        path = [anchor.certificate, *reversed(chain)]
        if reason is not None:
            attempts.append(Attempt([_label(c) for c in path], reason))
            continue
        yield anchor, path
    loops = 0
    for issuer in intermediates:
        if any(issuer == c or (issuer.subject_key == c.subject_key and issuer.spki_der == c.spki_der) for c in chain):
            loops += 1
            continue  # loop: this certificate (or this name+key) is already on the path
        reason = _link(cert, issuer, budget, sm2_id)
        if reason is not None:
            attempts.append(Attempt([_label(c) for c in [issuer, *reversed(chain)]], reason))
            continue
        chain.append(issuer)
        try:
            yield from _extend(chain, index, budget, attempts, sm2_id)
        finally:
            chain.pop()
    if not anchors and loops == len(intermediates):
        attempts.append(Attempt([_label(c) for c in reversed(chain)], "dead end: every candidate issuer is already on the path"))


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
