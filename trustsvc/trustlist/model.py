"""The trust list model (ETSI TS 119 612 concepts) as immutable dataclasses, with a JSON dict form."""

from __future__ import annotations

import base64
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from typing import Any

from trustsvc.errors import InputFormatError, TrustsvcError
from trustsvc.x509.certificate import Certificate
from trustsvc.x509.load import load_certificate

FORMAT = "trustsvc-trust-list/1"
TERRITORIES = ("CN-GD", "HK", "MO", "GBA")
LOTL_TERRITORY = "GBA"

# TS 119 612 5.5.1: service type identifiers
SVCTYPE = "http://uri.etsi.org/TrstSvc/Svctype/"
SERVICE_TYPES = {
    short: SVCTYPE + short
    for short in ("CA/PKC", "CA/QC", "TSA", "TSA/QTST", "TSA/TSS-QC", "Certstatus/OCSP", "Certstatus/CRL",
                  "Certstatus/OCSP/QC", "Certstatus/CRL/QC")
}
CA_TYPES = frozenset(SVCTYPE + s for s in ("CA/PKC", "CA/QC"))
TSA_TYPES = frozenset(SVCTYPE + s for s in ("TSA", "TSA/QTST", "TSA/TSS-QC"))

# TS 119 612 5.5.4: service current status (v2 statuses and the legacy ones still found in history)
SVCSTATUS = "http://uri.etsi.org/TrstSvc/TrustedList/Svcstatus/"
STATUSES = (
    "granted", "withdrawn", "recognisedatnationallevel", "deprecatedatnationallevel",
    "undersupervision", "supervisionincessation", "supervisionceased", "supervisionrevoked",
    "accredited", "accreditationceased", "accreditationrevoked", "setbynationallaw", "deprecatedbynationallaw",
)
# Statuses under which a service confers trust (TS 119 612 5.5.4 and Annex J for the legacy ones).
GRANTED_EQUIVALENT = frozenset(
    SVCSTATUS + s for s in ("granted", "recognisedatnationallevel", "undersupervision", "supervisionincessation",
                            "accredited", "setbynationallaw")
)
USAGES = ("e-tendering", "e-guarantee", "timestamping", "e-signature")


class TrustListFormatError(InputFormatError):
    """A trust list document that does not follow the model (missing field, bad URI, bad date...)."""


def service_type_uri(value: str) -> str:
    """Accept a full TS 119 612 service type URI or its short form (`CA/PKC`)."""
    if value in SERVICE_TYPES:
        return SERVICE_TYPES[value]
    if value.startswith(SVCTYPE) and value[len(SVCTYPE):] in SERVICE_TYPES:
        return value
    raise TrustListFormatError(f"unknown service type {value!r}; use one of {', '.join(SERVICE_TYPES)}")


def status_uri(value: str) -> str:
    """Accept a full TS 119 612 status URI or its last segment (`granted`)."""
    short = value[len(SVCSTATUS):] if value.startswith(SVCSTATUS) else value
    if short not in STATUSES:
        raise TrustListFormatError(f"unknown service status {value!r}; use one of {', '.join(STATUSES)}")
    return SVCSTATUS + short


def short_name(uri: str) -> str:
    for prefix in (SVCTYPE, SVCSTATUS):
        if uri.startswith(prefix):
            return uri[len(prefix):]
    return uri


def format_time(t: datetime) -> str:
    if t.tzinfo is None:
        raise TrustListFormatError("times must be timezone-aware")
    return t.astimezone(timezone.utc).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_time(value: Any, what: str) -> datetime:
    if not isinstance(value, str):
        raise TrustListFormatError(f"{what}: expected an ISO 8601 time, got {value!r}")
    try:
        t = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise TrustListFormatError(f"{what}: not an ISO 8601 time: {value!r}") from None
    if t.tzinfo is None:
        raise TrustListFormatError(f"{what}: time {value!r} has no timezone")
    return t.astimezone(timezone.utc).replace(microsecond=0)


def _b64(der: bytes) -> str:
    return base64.b64encode(der).decode("ascii")


def _cert(value: Any, what: str) -> Certificate:
    if not isinstance(value, str):
        raise TrustListFormatError(f"{what}: expected a base64 certificate")
    try:
        return load_certificate(base64.b64decode(value, validate=True))
    except (ValueError, TrustsvcError) as exc:
        raise TrustListFormatError(f"{what}: {exc}") from None


@dataclass(frozen=True)
class DigitalIdentity:
    """TS 119 612 5.5.3: a certificate, or a subject name + SKI, that identifies a service."""

    certificate: Certificate | None = None
    subject: str | None = None
    ski: bytes | None = None

    @classmethod
    def of(cls, cert: Certificate) -> "DigitalIdentity":
        return cls(cert, cert.subject_str, cert.ski)

    def matches(self, cert: Certificate) -> bool:
        if self.certificate is not None:
            # Same certificate, or the same name and key re-issued (e.g. a cross-certificate of a listed CA).
            return self.certificate.der == cert.der or (
                self.certificate.spki_der == cert.spki_der and self.certificate.subject.dump() == cert.subject.dump()
            )
        return self.ski is not None and cert.ski == self.ski and (self.subject in (None, cert.subject_str))

    def to_dict(self) -> dict[str, Any]:
        return {
            "certificate": _b64(self.certificate.der) if self.certificate else None,
            "subject": self.subject,
            "ski": self.ski.hex() if self.ski else None,
        }

    @classmethod
    def from_dict(cls, d: Any) -> "DigitalIdentity":
        if not isinstance(d, dict):
            raise TrustListFormatError("digital identity: expected an object")
        cert = _cert(d["certificate"], "digital identity") if d.get("certificate") else None
        try:
            ski = bytes.fromhex(d["ski"]) if d.get("ski") else None
        except ValueError:
            raise TrustListFormatError(f"digital identity: SKI {d.get('ski')!r} is not hex") from None
        if cert is not None:
            return cls.of(cert)
        if ski is None:
            raise TrustListFormatError("digital identity: needs a certificate or an SKI")
        return cls(None, d.get("subject"), ski)


@dataclass(frozen=True)
class StatusChange:
    """One entry of a service's status history (TS 119 612 5.5.4, 5.5.5 and 5.6 ServiceHistory)."""

    status: str  # full URI
    start: datetime

    def to_dict(self) -> dict[str, Any]:
        return {"status": self.status, "start": format_time(self.start)}


@dataclass(frozen=True)
class Criteria:
    """Which certificates under a listed CA are recognised: policy OID prefixes and required key usages."""

    policy_oids: tuple[str, ...] = ()
    key_usage: tuple[str, ...] = ()  # asn1crypto names: digital_signature, non_repudiation, ...

    def to_dict(self) -> dict[str, Any]:
        return {"policy_oids": list(self.policy_oids), "key_usage": list(self.key_usage)}


@dataclass(frozen=True)
class Service:
    """A trust service (TS 119 612 5.5) with our GBA additions: usages, criteria, SM2 signer ID."""

    name: str
    provider: str
    type: str
    identities: tuple[DigitalIdentity, ...]
    history: tuple[StatusChange, ...]  # oldest first; the last is the current status
    usages: tuple[str, ...] = ()
    supply_points: tuple[str, ...] = ()
    criteria: Criteria | None = None
    sm2_signer_id: str | None = None

    @property
    def status(self) -> StatusChange:
        return self.history[-1]

    def status_at(self, at: datetime) -> StatusChange | None:
        """The status in force at `at`: the latest change that started at or before it."""
        current = None
        for change in self.history:
            if change.start <= at:
                current = change
        return current

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "provider": self.provider,
            "type": self.type,
            "identities": [i.to_dict() for i in self.identities],
            "history": [h.to_dict() for h in self.history],
            "usages": list(self.usages),
            "supply_points": list(self.supply_points),
            "criteria": self.criteria.to_dict() if self.criteria else None,
            "sm2_signer_id": self.sm2_signer_id,
        }


@dataclass(frozen=True)
class Pointer:
    """TS 119 612 5.3.13 OtherTSLPointer: a member list and the certificates pinned to sign it."""

    territory: str
    location: str
    scheme_operator: str
    signing_certificates: tuple[Certificate, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "territory": self.territory,
            "location": self.location,
            "scheme_operator": self.scheme_operator,
            "signing_certificates": [_b64(c.der) for c in self.signing_certificates],
        }


@dataclass(frozen=True)
class TrustList:
    """A scheme's trust list (or, for territory GBA, the list of lists)."""

    territory: str
    scheme_name: str
    scheme_operator: str
    sequence_number: int
    issued_at: datetime
    next_update: datetime
    services: tuple[Service, ...] = ()
    pointers: tuple[Pointer, ...] = ()
    # Key rotation: certificates the operator announces for its future lists (accepted only when the
    # list announcing them is signed by a key already pinned).
    announced_signing_certificates: tuple[Certificate, ...] = ()
    scheme_operator_uri: str | None = None

    @property
    def is_lotl(self) -> bool:
        return self.territory == LOTL_TERRITORY

    def service(self, name: str) -> Service:
        for s in self.services:
            if s.name == name:
                return s
        raise KeyError(name)

    def with_service(self, service: Service) -> "TrustList":
        others = tuple(s for s in self.services if s.name != service.name)
        return replace(self, services=others + (service,))

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "territory": self.territory,
            "scheme_name": self.scheme_name,
            "scheme_operator": self.scheme_operator,
            "scheme_operator_uri": self.scheme_operator_uri,
            "sequence_number": self.sequence_number,
            "issued_at": format_time(self.issued_at),
            "next_update": format_time(self.next_update),
            "services": [s.to_dict() for s in self.services],
            "pointers": [p.to_dict() for p in self.pointers],
            "announced_signing_certificates": [_b64(c.der) for c in self.announced_signing_certificates],
        }

    @classmethod
    def from_dict(cls, d: Any) -> "TrustList":
        """Build from the JSON form; raises TrustListFormatError naming the bad field."""
        if not isinstance(d, dict):
            raise TrustListFormatError("trust list: expected a JSON object")
        if d.get("format") != FORMAT:
            raise TrustListFormatError(f"trust list: format must be {FORMAT!r}, got {d.get('format')!r}")
        try:
            territory = d["territory"]
            if territory not in TERRITORIES:
                raise TrustListFormatError(f"territory {territory!r} is not one of {', '.join(TERRITORIES)}")
            seq = d["sequence_number"]
            if not isinstance(seq, int) or isinstance(seq, bool) or seq < 1:
                raise TrustListFormatError(f"sequence_number must be a positive integer, got {seq!r}")
            services = tuple(_service_from_dict(s) for s in d.get("services") or ())
            pointers = tuple(
                Pointer(
                    p["territory"], p["location"], p.get("scheme_operator") or "",
                    tuple(_cert(c, f"pointer {p['territory']}") for c in p.get("signing_certificates") or ()),
                )
                for p in d.get("pointers") or ()
            )
            return cls(
                territory=territory,
                scheme_name=str(d["scheme_name"]),
                scheme_operator=str(d["scheme_operator"]),
                scheme_operator_uri=d.get("scheme_operator_uri"),
                sequence_number=seq,
                issued_at=parse_time(d["issued_at"], "issued_at"),
                next_update=parse_time(d["next_update"], "next_update"),
                services=services,
                pointers=pointers,
                announced_signing_certificates=tuple(
                    _cert(c, "announced signing certificate") for c in d.get("announced_signing_certificates") or ()
                ),
            )
        except KeyError as exc:
            raise TrustListFormatError(f"trust list: missing field {exc.args[0]!r}") from None
        except (TypeError, AttributeError, ValueError) as exc:
            if isinstance(exc, TrustListFormatError):
                raise
            raise TrustListFormatError(f"trust list: wrong shape ({exc})") from None


def _service_from_dict(s: Any) -> Service:
    if not isinstance(s, dict):
        raise TrustListFormatError("service: expected an object")
    name = s.get("name", "?")
    history = tuple(
        StatusChange(status_uri(h["status"]), parse_time(h["start"], f"service {name!r} status start"))
        for h in s["history"]
    )
    if not history:
        raise TrustListFormatError(f"service {name!r}: empty status history")
    if list(history) != sorted(history, key=lambda h: h.start):
        raise TrustListFormatError(f"service {name!r}: status history is not in time order")
    usages = tuple(s.get("usages") or ())
    for u in usages:
        if u not in USAGES:
            raise TrustListFormatError(f"service {name!r}: unknown usage {u!r}; use one of {', '.join(USAGES)}")
    crit = s.get("criteria")
    return Service(
        name=s["name"],
        provider=s.get("provider") or s["name"],
        type=service_type_uri(s["type"]),
        identities=tuple(DigitalIdentity.from_dict(i) for i in s["identities"]),
        history=history,
        usages=usages,
        supply_points=tuple(s.get("supply_points") or ()),
        criteria=Criteria(tuple(crit.get("policy_oids") or ()), tuple(crit.get("key_usage") or ())) if crit else None,
        sm2_signer_id=s.get("sm2_signer_id"),
    )


__all__ = [
    "CA_TYPES", "Criteria", "DigitalIdentity", "FORMAT", "GRANTED_EQUIVALENT", "LOTL_TERRITORY", "Pointer",
    "SERVICE_TYPES", "STATUSES", "Service", "StatusChange", "TERRITORIES", "TSA_TYPES", "TrustList",
    "TrustListFormatError", "USAGES", "format_time", "parse_time", "service_type_uri", "short_name", "status_uri",
]
