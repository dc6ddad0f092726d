"""Fail-closed acceptance of signed trust lists: pinned signer, no rollback, not expired, well formed."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Mapping

from trustsvc.errors import InvalidSignatureError, TrustsvcError
from trustsvc.trustlist.jws import SignedList, parse_signed
from trustsvc.trustlist.model import LOTL_TERRITORY, TrustList, TrustListFormatError, format_time
from trustsvc.x509.certificate import Certificate

DEFAULT_GRACE = timedelta(hours=24)
# A list dated further in the future than this is refused (clock skew allowance).
MAX_CLOCK_SKEW = timedelta(minutes=5)


class TrustListRejected(TrustsvcError):
    """A trust list that was not accepted; `.code` names the rule it broke."""

    codes = ("malformed", "bad_signature", "unpinned_signer", "rollback", "expired", "not_yet_issued", "no_lotl",
             "wrong_territory")

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


@dataclass(frozen=True)
class AcceptedList:
    """A trust list whose signature, pin, sequence number and freshness were checked."""

    trust_list: TrustList
    document: bytes  # the signed document as received
    signer: Certificate
    sha256: str  # of the canonical JSON of the list
    accepted_at: datetime

    @property
    def territory(self) -> str:
        return self.trust_list.territory

    @property
    def sequence_number(self) -> int:
        return self.trust_list.sequence_number

    def stale_at(self, at: datetime, grace: timedelta = DEFAULT_GRACE) -> bool:
        """True once past next_update + grace: the list stops conferring trust."""
        return at > self.trust_list.next_update + grace


@dataclass(frozen=True)
class TrustState:
    """What has been accepted so far: the current list per territory and the out-of-band GBA pins."""

    bootstrap_pins: tuple[Certificate, ...]  # the GBA list-of-lists operator certificate(s), configured
    lists: Mapping[str, AcceptedList] = field(default_factory=dict)

    @property
    def lotl(self) -> AcceptedList | None:
        return self.lists.get(LOTL_TERRITORY)

    # For each member list: the keys the GBA list of lists pinned for its territory when it was accepted.
    pinned_when_accepted: Mapping[str, frozenset[bytes]] = field(default_factory=dict)

    def lotl_pins(self, territory: str) -> tuple[Certificate, ...]:
        """The certificates the current GBA list of lists pins for `territory` (TS 119 612 5.3.13 pointers)."""
        lotl = self.lotl
        if lotl is None:
            return ()
        return tuple(c for p in lotl.trust_list.pointers if p.territory == territory for c in p.signing_certificates)

    def pins_for(self, territory: str) -> tuple[Certificate, ...]:
        """Certificates allowed to sign `territory`'s next list (TS 119 612 5.3.13 pointers + rotation)."""
        pins: list[Certificate] = []
        lotl = self.lotl
        if territory == LOTL_TERRITORY and lotl is None:
            pins.extend(self.bootstrap_pins)  # until a list of lists is accepted, the configured pins rule
        pins.extend(self.lotl_pins(territory))
        current = self.lists.get(territory)
        if current is not None and (territory == LOTL_TERRITORY or self.pinned_when_accepted.get(territory)
                                    == frozenset(c.spki_der for c in self.lotl_pins(territory))):
            # Key rotation: keys announced in the current list (itself signed by a pinned key), as long as the
            # GBA list of lists has not changed its pins for the territory since. The GBA list is the authority:
            # once it swaps the pin or drops the territory, what the older list announced counts for nothing.
            pins.extend(current.trust_list.announced_signing_certificates)
        if territory == LOTL_TERRITORY and not pins:
            pins.extend(self.bootstrap_pins)
        seen: dict[bytes, Certificate] = {c.der: c for c in pins}
        return tuple(seen.values())

    def pointed(self) -> dict[str, AcceptedList]:
        """The lists that confer trust now, by the authority of the current GBA list of lists: itself, and each
        member list it still points to whose signer it still pins (or that was accepted under the pins it
        still gives). A dropped territory is delisted and a list signed by a key whose pin was swapped away
        stops counting, at once, whatever was accepted before."""
        lotl = self.lotl
        if lotl is None or not lotl.trust_list.pointers:
            return dict(self.lists)
        out = {}
        for t, a in self.lists.items():
            if t == LOTL_TERRITORY:
                out[t] = a
                continue
            pins = self.lotl_pins(t)
            if not pins:
                continue  # delisted
            if _pinned(a.signer, pins) or self.pinned_when_accepted.get(t) == frozenset(c.spki_der for c in pins):
                out[t] = a
        return out

    def with_list(self, accepted: AcceptedList) -> "TrustState":
        lists = dict(self.lists)
        lists[accepted.territory] = accepted
        basis = dict(self.pinned_when_accepted)
        basis[accepted.territory] = frozenset(c.spki_der for c in self.lotl_pins(accepted.territory))
        return replace(self, lists=lists, pinned_when_accepted=basis)


def _pinned(signer: Certificate, pins: tuple[Certificate, ...]) -> bool:
    # A pin is a certificate; the signer must carry the same key (and we compare the whole SPKI).
    return any(p.spki_der == signer.spki_der for p in pins)


def accept_list(state: TrustState, document: bytes, *, at: datetime, grace: timedelta = DEFAULT_GRACE,
                territory: str | None = None) -> AcceptedList:
    """Check a signed trust list against `state`; return it accepted or raise TrustListRejected.

    Rules, in order (each failure has its own code): well formed (`malformed`); for the expected
    `territory` if given (`wrong_territory`); signer pinned for the list's territory by the GBA
    list of lists, the bootstrap pins, or a rotation announced in the current list
    (`no_lotl`, `unpinned_signer`); JWS verifies (`bad_signature`); the signer's certificate valid at the list's
    issue time (`signer_not_valid`); sequence number strictly
    greater than the accepted one (`rollback`); issued no later than `at` (`not_yet_issued`);
    `at` no later than next_update + grace (`expired`).
    """
    signed = _parse(document)
    tl = signed.trust_list
    if territory is not None and tl.territory != territory:
        raise TrustListRejected("wrong_territory", f"expected a {territory} list, got {tl.territory}")
    if tl.territory != LOTL_TERRITORY and state.lotl is None:
        raise TrustListRejected("no_lotl", f"no GBA list of lists accepted yet, so no key is pinned for {tl.territory}")
    current = state.lists.get(tl.territory)
    return _check(signed, document, state.pins_for(tl.territory), at=at, grace=grace,
                  previous_sequence=current.sequence_number if current else None)


def check_signed(document: bytes, pins: tuple[Certificate, ...], *, at: datetime, grace: timedelta = DEFAULT_GRACE,
                 previous_sequence: int | None = None) -> AcceptedList:
    """The same rules as accept_list with explicit pins (the CLI's `verify --pin`)."""
    return _check(_parse(document), document, pins, at=at, grace=grace, previous_sequence=previous_sequence)


def _parse(document: bytes) -> SignedList:
    try:
        return parse_signed(document)
    except TrustListFormatError as exc:
        raise TrustListRejected("malformed", str(exc)) from None


# Sequence numbers are stored as 32-bit integers (TS 119 612 5.3.2 TSLSequenceNumber: an integer counting
# issues; no scheme needs 2^31 of them).
MAX_SEQUENCE_NUMBER = 2**31 - 1


def _check(signed: SignedList, document: bytes, pins: tuple[Certificate, ...], *, at: datetime, grace: timedelta,
           previous_sequence: int | None) -> AcceptedList:
    tl = signed.trust_list
    if not 0 < tl.sequence_number <= MAX_SEQUENCE_NUMBER:
        raise TrustListRejected("malformed", f"{tl.territory} sequence number {tl.sequence_number} is outside "
                                             f"1..{MAX_SEQUENCE_NUMBER}")
    if not _pinned(signed.signer, pins):
        raise TrustListRejected(
            "unpinned_signer",
            f"{tl.territory} list signed by '{signed.signer.subject_str}' (sha256 {signed.signer.sha256[:16]}...), "
            f"which is not among the {len(pins)} certificate(s) pinned for {tl.territory}",
        )
    try:
        signed.verify()
    except InvalidSignatureError as exc:
        raise TrustListRejected("bad_signature", f"{tl.territory} list #{tl.sequence_number}: {exc}") from None
    # The operator's certificate must have been valid when it signed (the list's issue time): a pinned
    # key whose certificate has expired or is not yet valid confers nothing (TS 119 612 5.7.1 and 5.7.2
    # make the signer's certificate part of what the scheme publishes; EN 319 102-1 5.2.6 validity at signing).
    signer = signed.signer
    if not signer.not_before <= tl.issued_at <= signer.not_after:
        raise TrustListRejected(
            "signer_not_valid",
            f"{tl.territory} list #{tl.sequence_number} was issued {format_time(tl.issued_at)}, outside its signer's "
            f"certificate validity {format_time(signer.not_before)} .. {format_time(signer.not_after)}",
        )
    # ...and when the list is accepted: `issued_at` is the signer's claim, so an expired operator certificate
    # could otherwise sign a list backdated into its validity.
    if not signer.not_before <= at <= signer.not_after:
        raise TrustListRejected(
            "signer_not_valid",
            f"{tl.territory} list #{tl.sequence_number}: its signer's certificate is valid "
            f"{format_time(signer.not_before)} .. {format_time(signer.not_after)}, not at acceptance "
            f"{format_time(at)}",
        )
    if previous_sequence is not None and tl.sequence_number <= previous_sequence:
        raise TrustListRejected(
            "rollback",
            f"{tl.territory} sequence number {tl.sequence_number} is not greater than the accepted "
            f"{previous_sequence}",
        )
    if tl.issued_at > at + MAX_CLOCK_SKEW:
        raise TrustListRejected("not_yet_issued", f"{tl.territory} list is dated {format_time(tl.issued_at)}, "
                                                  f"after {format_time(at)}")
    if at > tl.next_update + grace:
        raise TrustListRejected(
            "expired",
            f"{tl.territory} list #{tl.sequence_number} expired: next update was due {format_time(tl.next_update)} "
            f"(grace {grace}), now {format_time(at)}",
        )
    return AcceptedList(tl, document, signed.signer, hashlib.sha256(signed.canonical).hexdigest(), at)


def accept_all(state: TrustState, documents: Mapping[str, bytes], *, at: datetime,
               grace: timedelta = DEFAULT_GRACE) -> TrustState:
    """Accept the GBA list of lists first, then the member lists; any rejection raises."""
    order = sorted(documents, key=lambda t: t != LOTL_TERRITORY)
    for t in order:
        state = state.with_list(accept_list(state, documents[t], at=at, grace=grace, territory=t))
    return state


@dataclass(frozen=True)
class ListHealth:
    territory: str
    sequence_number: int
    next_update: datetime
    status: str  # "ok" | "due" (past next_update, within grace) | "expired" (no longer confers trust)
    message: str

    def to_dict(self) -> dict:
        return {"territory": self.territory, "sequence_number": self.sequence_number,
                "next_update": format_time(self.next_update), "status": self.status, "message": self.message}


def list_health(accepted: AcceptedList, *, at: datetime, grace: timedelta = DEFAULT_GRACE) -> ListHealth:
    tl = accepted.trust_list
    if at > tl.next_update + grace:
        status, msg = "expired", f"past next update {format_time(tl.next_update)} + grace {grace}: confers no trust"
    elif at > tl.next_update:
        status, msg = "due", f"next update {format_time(tl.next_update)} is overdue; trust ends after grace {grace}"
    else:
        status, msg = "ok", f"current until {format_time(tl.next_update)}"
    return ListHealth(tl.territory, tl.sequence_number, tl.next_update, status, msg)


__all__ = ["AcceptedList", "DEFAULT_GRACE", "ListHealth", "TrustListRejected", "TrustState", "accept_all",
           "accept_list", "check_signed", "list_health"]
