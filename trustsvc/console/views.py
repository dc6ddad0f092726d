"""What the console pages show, computed from the trust state and from report envelopes (no I/O, no HTML).

Pictures (status timelines, the recognition map, the certification path) are laid out here as plain
shapes with coordinates; the templates draw them as inline SVG, so no script or asset is needed."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any, Iterable, Mapping

from trustsvc.trustlist.loader import AcceptedList, list_health
from trustsvc.trustlist.model import GRANTED_EQUIVALENT, Pointer, Service, short_name

TIMELINE_WIDTH = 360
WITHDRAWN = ("withdrawn", "deprecatedatnationallevel", "supervisionceased", "supervisionrevoked",
             "accreditationceased", "accreditationrevoked", "deprecatedbynationallaw")


def _iso(t: datetime | None) -> str:
    return t.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M UTC") if t else ""


def _tone(status_uri: str) -> str:
    """granted / withdrawn / other, for the colour of a timeline segment."""
    if status_uri in GRANTED_EQUIVALENT:
        return "granted"
    return "withdrawn" if short_name(status_uri) in WITHDRAWN else "other"


@dataclass(frozen=True)
class Segment:
    x: float
    width: float
    status: str
    tone: str
    since: str


@dataclass(frozen=True)
class ServiceView:
    name: str
    provider: str
    type: str
    status: str
    tone: str
    since: str
    usages: tuple[str, ...]
    subject: str
    validity: str
    segments: tuple[Segment, ...]
    axis: tuple[str, str]


@dataclass(frozen=True)
class ListView:
    territory: str
    scheme_name: str
    operator: str
    sequence_number: int
    issued_at: str
    next_update: str
    signer: str
    health: str
    health_message: str
    sha256: str
    services: tuple[ServiceView, ...]
    pointers: tuple[str, ...] = ()


def timeline(service: Service, now: datetime) -> tuple[tuple[Segment, ...], tuple[str, str]]:
    """The status history as segments on a line from the first change to now (a month past the last change)."""
    history = sorted(service.history, key=lambda h: h.start)
    if not history:
        return (), ("", "")
    start = history[0].start
    end = max(now, history[-1].start + timedelta(days=30))
    span = (end - start).total_seconds() or 1.0
    segments = []
    for i, change in enumerate(history):
        until = history[i + 1].start if i + 1 < len(history) else end
        x = (change.start - start).total_seconds() / span * TIMELINE_WIDTH
        w = max(2.0, (until - change.start).total_seconds() / span * TIMELINE_WIDTH)
        segments.append(Segment(round(x, 1), round(w, 1), short_name(change.status), _tone(change.status),
                                change.start.strftime("%Y-%m-%d")))
    return tuple(segments), (start.strftime("%Y-%m-%d"), end.strftime("%Y-%m-%d"))


def service_view(service: Service, now: datetime) -> ServiceView:
    cert = next((i.certificate for i in service.identities if i.certificate is not None), None)
    segments, axis = timeline(service, now)
    current = service.status_at(now) or service.status
    return ServiceView(
        name=service.name, provider=service.provider, type=short_name(service.type),
        status=short_name(current.status), tone=_tone(current.status), since=current.start.strftime("%Y-%m-%d"),
        usages=tuple(service.usages),
        subject=cert.subject_str if cert is not None else (service.identities[0].subject or "" if service.identities
                                                            else ""),
        validity=f"{cert.not_before:%Y-%m-%d} – {cert.not_after:%Y-%m-%d}" if cert is not None else "",
        segments=segments, axis=axis)


def list_view(accepted: AcceptedList, now: datetime) -> ListView:
    tl = accepted.trust_list
    health = list_health(accepted, at=now)
    return ListView(
        territory=tl.territory, scheme_name=tl.scheme_name, operator=tl.scheme_operator,
        sequence_number=tl.sequence_number, issued_at=_iso(tl.issued_at), next_update=_iso(tl.next_update),
        signer=accepted.signer.subject_str, health=health.status, health_message=health.message,
        sha256=accepted.sha256, services=tuple(service_view(s, now) for s in tl.services),
        pointers=tuple(p.territory for p in tl.pointers))


@dataclass(frozen=True)
class Node:
    id: str
    label: str
    x: float
    y: float
    listed: bool


@dataclass(frozen=True)
class Edge:
    x1: float
    y1: float
    x2: float
    y2: float
    label: str


@dataclass(frozen=True)
class MapView:
    width: int
    height: int
    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]


def _pointer_label(pointer: Pointer, at: datetime) -> str:
    """What the list of lists says about recognition on this pointer: the MRA equivalences in force at `at`."""
    mra = pointer.mutual_recognition
    if mra is None:
        return ""
    names = [e.legal_identifier.rsplit("/", 1)[-1] for e in mra.equivalences if e.state_at(at) is not None]
    return ", ".join(names)[:60]


def recognition_map(lists: Mapping[str, AcceptedList], at: datetime, lotl_territory: str = "GBA") -> MapView:
    """The list of lists on top, each member territory below it, an arrow per pointer (labelled by equivalence)."""
    lotl = lists.get(lotl_territory)
    members = [p.territory for p in lotl.trust_list.pointers if p.territory != lotl_territory] if lotl else []
    members += sorted(t for t in lists if t != lotl_territory and t not in members)
    width = max(360, 150 * max(1, len(members)))
    nodes = [Node(lotl_territory, lotl.trust_list.scheme_name if lotl else lotl_territory, width / 2, 40,
                  lotl is not None)]
    edges = []
    for i, t in enumerate(members):
        x = (i + 0.5) * width / max(1, len(members))
        nodes.append(Node(t, t, x, 170, t in lists))
        pointer = next((p for p in lotl.trust_list.pointers if p.territory == t), None) if lotl else None
        if pointer is not None:
            edges.append(Edge(width / 2, 62, x, 148, _pointer_label(pointer, at)))
    return MapView(int(width), 220, tuple(nodes), tuple(edges))


# --- reports ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ChainLink:
    subject: str
    issuer: str
    validity: str
    role: str  # anchor, ca, leaf


@dataclass
class ReportView:
    kind: str
    indication: str
    sub_indication: str | None
    tone: str
    reasons: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    chain: list[ChainLink] = field(default_factory=list)
    recognition: dict[str, Any] | None = None
    revocation: list[dict[str, Any]] = field(default_factory=list)
    timestamps: list[dict[str, Any]] = field(default_factory=list)
    validation_time: str = ""
    signer: str = ""


def _tone_of(indication: str) -> str:
    if indication in ("PASSED", "TOTAL-PASSED"):
        return "passed"
    return "failed" if indication in ("FAILED", "TOTAL-FAILED") else "indeterminate"


def _chain(path: Iterable[Any]) -> list[ChainLink]:
    """The path in RFC 5280 order, as reports list it (anchor first); entries are dicts or subject names."""
    links = [c if isinstance(c, Mapping) else {"subject": str(c)} for c in path]
    out = []
    for i, c in enumerate(links):
        role = "anchor" if i == 0 else ("leaf" if i == len(links) - 1 else "ca")
        validity = (f"{str(c.get('not_before'))[:10]} – {str(c.get('not_after'))[:10]}"
                    if c.get("not_before") else "")
        out.append(ChainLink(str(c.get("subject", "")), str(c.get("issuer", "")), validity, role))
    return out


def _certificate_part(report: Mapping[str, Any]) -> Mapping[str, Any]:
    """The certificate validation inside a signature or timestamp report (the first signer's, or the TSA's)."""
    signers = report.get("signers")
    part: Any = signers[0] if isinstance(signers, list) and signers else report
    inner = part.get("certificate_validation") or part.get("certificate")
    if isinstance(inner, Mapping) and inner.get("path"):
        return inner
    return part


def report_view(envelope: Mapping[str, Any]) -> ReportView:
    report = envelope.get("report") or {}
    indication = str(envelope.get("indication"))
    cert_part = _certificate_part(report)
    timestamps = []
    for key in ("timestamps", "signature_timestamps"):
        for ts in report.get(key) or []:
            if isinstance(ts, Mapping):
                timestamps.append(ts)
    if envelope.get("kind") == "timestamp":
        timestamps.append(report)
    for signer in report.get("signers") or []:
        if isinstance(signer, Mapping):
            timestamps += [t for t in signer.get("timestamps") or [] if isinstance(t, Mapping)]
    path = cert_part.get("path") or []
    signers = report.get("signers") or [{}]
    signer_subject = str((signers[0].get("signer") or {}).get("subject", "")) if isinstance(signers[0], Mapping) else ""
    return ReportView(
        kind=str(envelope.get("kind")), indication=indication, sub_indication=envelope.get("sub_indication"),
        tone=_tone_of(indication), reasons=[str(r) for r in report.get("reasons") or []],
        warnings=[str(w) for w in report.get("warnings") or []], chain=_chain(path),
        recognition=cert_part.get("recognition") if isinstance(cert_part.get("recognition"), Mapping) else None,
        revocation=[e for e in cert_part.get("revocation_evidence") or [] if isinstance(e, Mapping)],
        timestamps=timestamps, validation_time=str(cert_part.get("validation_time") or report.get("validation_time")
                                                   or ""),
        signer=signer_subject)


__all__ = ["ListView", "MapView", "ReportView", "list_view", "recognition_map", "report_view", "service_view",
           "timeline"]
