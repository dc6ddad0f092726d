"""Mutual recognition as the EU models it (TS 119 612 v2.3+ MutualRecognitionAgreementInformation on a pointer).

A pointer from a list of lists to a scheme may carry equivalences: which of the pointed scheme's service
types (with AdditionalServiceInformation), statuses, qualifiers and certificate contents count as which of
the pointing scheme's. EU DSS applies them to third-country lists (`eu.europa.esig.dss.tsl` MRA support);
the GBA list of lists uses the same structure for its territories. `translate()` says whether one service,
at one time, for one end-entity certificate, counts in the pointing scheme's terms, and through which
equivalence.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from trustsvc.trustlist.criteria import CriteriaList
from trustsvc.trustlist.history import in_force_at

if TYPE_CHECKING:
    from trustsvc.trustlist.model import Service, StatusChange
    from trustsvc.x509.certificate import Certificate

MRA_NS = "http://ec.europa.eu/tools/lotl/mra/schema/v2#"
EQUIVALENCE_STATUS = "http://uri.etsi.org/19612/TrstSvc/TrustedList/TrustServiceEquivalenceStatus/"
ENACTED = EQUIVALENCE_STATUS + "enacted"
REPEALED = EQUIVALENCE_STATUS + "repealed"


def _fmt(t: datetime) -> str:
    from trustsvc.trustlist.model import format_time

    return format_time(t)


def _parse(value: Any, what: str) -> datetime:
    from trustsvc.trustlist.model import parse_time

    return parse_time(value, what)


@dataclass(frozen=True)
class ServiceKind:
    """A TrustServiceTSLType: a service type, optionally narrowed by an AdditionalServiceInformation URI."""

    type: str
    additional_info: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"type": self.type, "additional_info": self.additional_info}

    @classmethod
    def from_dict(cls, d: dict) -> "ServiceKind":
        return cls(str(d["type"]), d.get("additional_info"))


@dataclass(frozen=True)
class ContentEquivalence:
    """CertificateContentReferenceEquivalence: a certificate the pointed declaration selects counts as
    carrying the pointing declaration's content in `context` (QcCompliance, QcSSCD, a policy, ...)."""

    context: str
    pointing: CriteriaList | None
    pointed: CriteriaList | None

    def to_dict(self) -> dict[str, Any]:
        return {"context": self.context, "pointing": self.pointing.to_dict() if self.pointing else None,
                "pointed": self.pointed.to_dict() if self.pointed else None}

    @classmethod
    def from_dict(cls, d: dict) -> "ContentEquivalence":
        return cls(str(d["context"]), CriteriaList.from_dict(d["pointing"]) if d.get("pointing") else None,
                   CriteriaList.from_dict(d["pointed"]) if d.get("pointed") else None)


@dataclass(frozen=True)
class EquivalenceState:
    """One TrustServiceEquivalenceInformation (or one of its history instances): what holds from `start`."""

    status: str  # ENACTED or REPEALED
    start: datetime
    pointing_kinds: tuple[ServiceKind, ...] = ()
    pointed_kinds: tuple[ServiceKind, ...] = ()
    pointing_valid_statuses: tuple[str, ...] = ()
    pointed_valid_statuses: tuple[str, ...] = ()
    pointing_invalid_statuses: tuple[str, ...] = ()
    pointed_invalid_statuses: tuple[str, ...] = ()
    content: tuple[ContentEquivalence, ...] = ()
    qualifiers: tuple[tuple[str, str], ...] = ()  # (pointing qualifier URI, pointed qualifier URI)

    def to_dict(self) -> dict[str, Any]:
        return {
            "status": self.status, "start": _fmt(self.start),
            "pointing_kinds": [k.to_dict() for k in self.pointing_kinds],
            "pointed_kinds": [k.to_dict() for k in self.pointed_kinds],
            "pointing_valid_statuses": list(self.pointing_valid_statuses),
            "pointed_valid_statuses": list(self.pointed_valid_statuses),
            "pointing_invalid_statuses": list(self.pointing_invalid_statuses),
            "pointed_invalid_statuses": list(self.pointed_invalid_statuses),
            "content": [c.to_dict() for c in self.content],
            "qualifiers": [list(q) for q in self.qualifiers],
        }

    @classmethod
    def from_dict(cls, d: dict) -> "EquivalenceState":
        return cls(
            status=str(d["status"]), start=_parse(d["start"], "equivalence start"),
            pointing_kinds=tuple(ServiceKind.from_dict(k) for k in d.get("pointing_kinds", ())),
            pointed_kinds=tuple(ServiceKind.from_dict(k) for k in d.get("pointed_kinds", ())),
            pointing_valid_statuses=tuple(d.get("pointing_valid_statuses", ())),
            pointed_valid_statuses=tuple(d.get("pointed_valid_statuses", ())),
            pointing_invalid_statuses=tuple(d.get("pointing_invalid_statuses", ())),
            pointed_invalid_statuses=tuple(d.get("pointed_invalid_statuses", ())),
            content=tuple(ContentEquivalence.from_dict(c) for c in d.get("content", ())),
            qualifiers=tuple((str(a), str(b)) for a, b in d.get("qualifiers", ())),
        )


@dataclass(frozen=True)
class Equivalence:
    """TrustServiceEquivalenceInformation: a legal identifier (e.g. QCForESig) and its history, oldest first."""

    legal_identifier: str
    history: tuple[EquivalenceState, ...]

    def state_at(self, at: datetime) -> EquivalenceState | None:
        return in_force_at(self.history, at)

    def to_dict(self) -> dict[str, Any]:
        return {"legal_identifier": self.legal_identifier, "history": [h.to_dict() for h in self.history]}

    @classmethod
    def from_dict(cls, d: dict) -> "Equivalence":
        history = tuple(sorted((EquivalenceState.from_dict(h) for h in d.get("history", ())), key=lambda h: h.start))
        return cls(str(d["legal_identifier"]), history)


@dataclass(frozen=True)
class MutualRecognition:
    """MutualRecognitionAgreementInformation on an OtherTSLPointer."""

    equivalences: tuple[Equivalence, ...]
    pointing_legislation: str | None = None
    pointed_legislation: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"pointing_legislation": self.pointing_legislation, "pointed_legislation": self.pointed_legislation,
                "equivalences": [e.to_dict() for e in self.equivalences]}

    @classmethod
    def from_dict(cls, d: Any) -> "MutualRecognition":
        if not isinstance(d, dict):
            raise ValueError("mutual_recognition: expected an object")
        return cls(tuple(Equivalence.from_dict(e) for e in d.get("equivalences", ())),
                   d.get("pointing_legislation"), d.get("pointed_legislation"))


@dataclass(frozen=True)
class Translation:
    """A service seen in the pointing scheme's terms through one equivalence."""

    legal_identifier: str
    kinds: tuple[ServiceKind, ...]  # the pointing party's types (+ASI) the service counts as
    status: str  # the pointing party's status it counts as
    since: datetime  # when the equivalence came into force
    qualifiers: tuple[str, ...] = ()

    def describe(self, territory: str) -> str:
        kinds = ", ".join(_short(k.type) + (f" + {_short(k.additional_info)}" if k.additional_info else "")
                          for k in self.kinds)
        return (f"equivalence '{self.legal_identifier}' of the {territory} pointer (enacted "
                f"{_fmt(self.since)}): counts as {kinds} {_short(self.status)}")


def _short(uri: str) -> str:
    return uri.rstrip("/").rsplit("/", 1)[-1] if "/" in uri else uri.rsplit(":", 1)[-1]


def _kind_matches(kind: ServiceKind, service_type: str, infos: tuple[str, ...]) -> bool:
    return kind.type == service_type and (kind.additional_info is None or kind.additional_info in infos)


def translate(mra: MutualRecognition, service: "Service", change: "StatusChange", leaf: "Certificate",
              at: datetime) -> tuple[Translation | None, str]:
    """The first enacted equivalence under which `service` (in status `change` at `at`) and `leaf` count,
    or None and why none did."""
    why = "no equivalence of the pointer covers it"
    stype, infos = service.type_at(change), service.additional_info_at(change)
    for eq in mra.equivalences:
        state = eq.state_at(at)
        if state is None:
            why = f"equivalence '{eq.legal_identifier}' was not yet in force at {_fmt(at)}"
            continue
        if state.status != ENACTED:
            why = f"equivalence '{eq.legal_identifier}' is {_short(state.status)} since {_fmt(state.start)}"
            continue
        if state.pointed_kinds and not any(_kind_matches(k, stype, infos) for k in state.pointed_kinds):
            why = f"equivalence '{eq.legal_identifier}' does not cover service type {_short(stype)}"
            continue
        if change.status in state.pointed_invalid_statuses or (
                state.pointed_valid_statuses and change.status not in state.pointed_valid_statuses):
            why = f"equivalence '{eq.legal_identifier}' does not count status {_short(change.status)} as valid"
            continue
        if state.content and not any(c.pointed is None or c.pointed.matches(leaf) for c in state.content):
            why = (f"equivalence '{eq.legal_identifier}': the certificate's content matches none of the pointed "
                   "scheme's declarations")
            continue
        status = state.pointing_valid_statuses[0] if state.pointing_valid_statuses else change.status
        kinds = state.pointing_kinds or (ServiceKind(stype),)
        quals = tuple(a for a, b in state.qualifiers)
        return Translation(eq.legal_identifier, kinds, status, state.start, quals), ""
    return None, why


__all__ = ["ContentEquivalence", "ENACTED", "Equivalence", "EquivalenceState", "MRA_NS", "MutualRecognition",
           "REPEALED", "ServiceKind", "Translation", "translate"]
