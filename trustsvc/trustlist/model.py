"""The trust list model (ETSI TS 119 612 concepts) as immutable dataclasses, with a JSON dict form."""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from typing import Any

from trustsvc.cache import memoize
from trustsvc.errors import InputFormatError, TrustsvcError
from trustsvc.trustlist.criteria import Qualification
from trustsvc.trustlist.history import in_force_at
from trustsvc.trustlist.mra import MutualRecognition
from trustsvc.x509.certificate import Certificate
from trustsvc.x509.load import load_certificate

FORMAT = "trustsvc-trust-list/1"
# Territories are data: whatever a scheme declares in SchemeTerritory (TS 119 612 5.3.10): an ISO 3166-1
# alpha-2 code (the EU also uses EL and UK), `EU` for the EU list of lists, an ISO 3166-2 region such as
# `CN-GD` or any other `CN-xx` an operator adds, and our `GBA` list of lists. Only the shape is checked.
TERRITORY_PATTERN = re.compile(r"^[A-Z]{2,3}(-[A-Z0-9]{1,3})?$")
LOTL_TERRITORY = "GBA"

# TS 119 612 5.5.1: service type identifiers (the short forms the CLI accepts; any other URI is kept as data)
SVCTYPE = "http://uri.etsi.org/TrstSvc/Svctype/"
SERVICE_TYPES = {
    short: SVCTYPE + short
    for short in ("CA/PKC", "CA/QC", "TSA", "TSA/QTST", "TSA/TSS-QC", "TSA/TSS-AdESQCandQES", "Certstatus/OCSP",
                  "Certstatus/CRL", "Certstatus/OCSP/QC", "Certstatus/CRL/QC", "NationalRootCA-QC", "EDS/Q",
                  "EDS/REM/Q", "PSES/Q", "QESValidation/Q", "RemoteQSigCDManagement/Q", "RemoteQSealCDManagement/Q",
                  "ACA", "Archiv", "IdV", "KEscrow", "PPwd", "TLIssuer", "unspecified", "RA", "RA/nothavingPKIid",
                  "SignaturePolicyAuthority", "EAA/Q", "QWAC", "EDS", "EDS/REM", "PSES", "AdESValidation",
                  "AdESGeneration")
}
CA_TYPES = frozenset(SVCTYPE + s for s in ("CA/PKC", "CA/QC", "NationalRootCA-QC"))
TSA_TYPES = frozenset(SVCTYPE + s for s in ("TSA", "TSA/QTST", "TSA/TSS-QC", "TSA/TSS-AdESQCandQES"))

# TS 119 612 5.5.4: service current status. eIDAS statuses (v5+), the pre-eIDAS ones still found in
# ServiceHistory (v4, Annex J), and TS 102 231 v3's URIs under .../eSigDir-1999-93-EC-TrustedList/.
SVCSTATUS = "http://uri.etsi.org/TrstSvc/TrustedList/Svcstatus/"
SVCSTATUS_102231 = "http://uri.etsi.org/TrstSvc/eSigDir-1999-93-EC-TrustedList/Svcstatus/"
STATUSES = (
    "granted", "withdrawn", "recognisedatnationallevel", "deprecatedatnationallevel",
    "undersupervision", "supervisionincessation", "supervisionceased", "supervisionrevoked",
    "accredited", "accreditationceased", "accreditationrevoked", "setbynationallaw", "deprecatedbynationallaw",
)
# Statuses under which a service confers trust (TS 119 612 5.5.4 and Annex J for the legacy ones).
_TRUSTED_STATUSES = ("granted", "recognisedatnationallevel", "undersupervision", "supervisionincessation",
                     "accredited", "setbynationallaw")
GRANTED_EQUIVALENT = frozenset(
    [SVCSTATUS + s for s in _TRUSTED_STATUSES] + [SVCSTATUS_102231 + s for s in _TRUSTED_STATUSES]
)
USAGES = ("e-tendering", "e-guarantee", "timestamping", "e-signature", "e-seal")
_URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:\S+$")


class TrustListFormatError(InputFormatError):
    """A trust list document that does not follow the model (missing field, bad URI, bad date...)."""


def territory_code(value: Any) -> str:
    """A SchemeTerritory as data: any code of the TS 119 612 5.3.10 shape (`HK`, `EU`, `CN-GD`, `CN-SZ`, `GBA`)."""
    if not isinstance(value, str) or not TERRITORY_PATTERN.match(value):
        raise TrustListFormatError(f"territory {value!r} is not a territory code (ISO 3166-1 alpha-2 such as HK, "
                                   "EU, an ISO 3166-2 region such as CN-GD or CN-SZ, or GBA)")
    return value


def service_type_uri(value: str) -> str:
    """A full TS 119 612 service type URI (any, kept as data) or a short form of a known one (`CA/PKC`)."""
    if value in SERVICE_TYPES:
        return SERVICE_TYPES[value]
    if isinstance(value, str) and _URI.match(value):
        return value
    raise TrustListFormatError(f"unknown service type {value!r}; use a URI or one of {', '.join(SERVICE_TYPES)}")


def status_uri(value: str) -> str:
    """A full TS 119 612 status URI (any, kept as data) or the last segment of a known one (`granted`)."""
    if value in STATUSES:
        return SVCSTATUS + value
    if isinstance(value, str) and _URI.match(value):
        return value
    raise TrustListFormatError(f"unknown service status {value!r}; use a URI or one of {', '.join(STATUSES)}")


def short_name(uri: str) -> str:
    for prefix in (SVCTYPE, SVCSTATUS, SVCSTATUS_102231):
        if uri.startswith(prefix):
            return uri[len(prefix):]
    return uri


@memoize("trustlist.format_time", 4096)
def format_time(t: datetime) -> str:
    """ISO 8601 UTC to the second (memoised: recognition reasons name the same status start times on every call)."""
    if t.tzinfo is None:
        raise TrustListFormatError("times must be timezone-aware")
    return t.astimezone(timezone.utc).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_time(value: Any, what: str) -> datetime:
    if not isinstance(value, str):
        raise TrustListFormatError(f"{what}: expected an ISO 8601 time, got {value!r}")
    try:
        t = datetime.fromisoformat(value)
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
    # A ServiceHistoryInstance carries the type and AdditionalServiceInformation in force then (TS 119 612
    # 5.6); None means "as the current ServiceInformation says".
    type: str | None = None
    additional_info: tuple[str, ...] | None = None

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"status": self.status, "start": format_time(self.start)}
        if self.type is not None:
            d["type"] = self.type
        if self.additional_info is not None:
            d["additional_info"] = list(self.additional_info)
        return d


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
    # TS 119 612 5.5.9 ServiceInformationExtensions, kept as data
    additional_info: tuple[str, ...] = ()  # AdditionalServiceInformation URIs (ForeSignatures, ForeSeals, ...)
    qualifications: tuple[Qualification, ...] = ()  # 5.5.9.2
    taken_over_by: str | None = None  # 5.5.9.3 (the TSP and scheme that took the service over)
    expired_certs_revocation_info: datetime | None = None  # 5.5.9.4
    # Other (non-critical) extensions we do not interpret, as "name=value" text, kept so they can be shown
    other_extensions: tuple[str, ...] = ()
    # Why the service confers nothing whatever its status, e.g. an unknown critical extension (5.5.9).
    unusable: str | None = None
    # "lenient": the operator declares this CA needs the lenient RFC 5280 profile (docs/path.md); None = strict
    profile: str | None = None

    @property
    def status(self) -> StatusChange:
        return self.history[-1]

    def type_at(self, change: StatusChange) -> str:
        return change.type or self.type

    def additional_info_at(self, change: StatusChange) -> tuple[str, ...]:
        return change.additional_info if change.additional_info is not None else self.additional_info

    def status_at(self, at: datetime) -> StatusChange | None:
        """The status in force at `at`: the latest change that started at or before it."""
        return in_force_at(self.history, at)

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
            **_optional({
                "additional_info": list(self.additional_info),
                "qualifications": [q.to_dict() for q in self.qualifications],
                "taken_over_by": self.taken_over_by,
                "expired_certs_revocation_info": (format_time(self.expired_certs_revocation_info)
                                                  if self.expired_certs_revocation_info else None),
                "unusable": self.unusable,
                "other_extensions": list(self.other_extensions),
            }),
            # only when declared, so lists signed before the field existed keep their canonical form
            **({"profile": self.profile} if self.profile is not None else {}),
        }


@dataclass(frozen=True)
class Pointer:
    """TS 119 612 5.3.13 OtherTSLPointer: a member list and the certificates pinned to sign it."""

    territory: str
    location: str
    scheme_operator: str
    signing_certificates: tuple[Certificate, ...]
    tsl_type: str | None = None  # TS 119 612 5.3.3 of the pointed list (e.g. .../EUlistofthelists)
    mime_type: str | None = None  # application/vnd.etsi.tsl+xml, application/pdf, ...
    # MutualRecognitionAgreementInformation (TS 119 612 v2.3+ / EU MRA schema): how the pointed scheme's
    # services count in the pointing scheme's terms.
    mutual_recognition: MutualRecognition | None = None

    @property
    def is_xml(self) -> bool:
        return self.mime_type is None or "xml" in self.mime_type

    def to_dict(self) -> dict[str, Any]:
        return {
            "territory": self.territory,
            "location": self.location,
            "scheme_operator": self.scheme_operator,
            "signing_certificates": [_b64(c.der) for c in self.signing_certificates],
            **_optional({
                "tsl_type": self.tsl_type,
                "mime_type": self.mime_type,
                "mutual_recognition": self.mutual_recognition.to_dict() if self.mutual_recognition else None,
            }),
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
    tsl_type: str | None = None  # TS 119 612 5.3.3; None for our JSON lists (the territory GBA says LOTL)
    version: int | None = None  # TSLVersionIdentifier (5 or 6 for eIDAS lists)
    scheme_information_uris: tuple[str, ...] = ()  # 5.3.7; an EU LOTL lists its pivots here

    @property
    def is_lotl(self) -> bool:
        if self.tsl_type:
            return self.tsl_type.lower().endswith("listofthelists")
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
            **_optional({
                "tsl_type": self.tsl_type,
                "version": self.version,
                "scheme_information_uris": list(self.scheme_information_uris),
            }),
        }

    @classmethod
    def from_dict(cls, d: Any) -> "TrustList":
        """Build from the JSON form; raises TrustListFormatError naming the bad field."""
        if not isinstance(d, dict):
            raise TrustListFormatError("trust list: expected a JSON object")
        if d.get("format") != FORMAT:
            raise TrustListFormatError(f"trust list: format must be {FORMAT!r}, got {d.get('format')!r}")
        try:
            territory = territory_code(d["territory"])
            seq = d["sequence_number"]
            if not isinstance(seq, int) or isinstance(seq, bool) or seq < 1:
                raise TrustListFormatError(f"sequence_number must be a positive integer, got {seq!r}")
            services = tuple(_service_from_dict(s) for s in d.get("services") or ())
            pointers = tuple(
                Pointer(
                    territory_code(p["territory"]), p["location"], p.get("scheme_operator") or "",
                    tuple(_cert(c, f"pointer {p['territory']}") for c in p.get("signing_certificates") or ()),
                    tsl_type=p.get("tsl_type"), mime_type=p.get("mime_type"),
                    mutual_recognition=(MutualRecognition.from_dict(p["mutual_recognition"])
                                        if p.get("mutual_recognition") else None),
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
                tsl_type=d.get("tsl_type"),
                version=d.get("version"),
                scheme_information_uris=tuple(d.get("scheme_information_uris") or ()),
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
        StatusChange(status_uri(h["status"]), parse_time(h["start"], f"service {name!r} status start"),
                     service_type_uri(h["type"]) if h.get("type") else None,
                     tuple(h["additional_info"]) if h.get("additional_info") is not None else None)
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
    profile = s.get("profile")
    if profile not in (None, "strict", "lenient"):
        raise TrustListFormatError(f"service {name!r}: profile must be strict or lenient, not {profile!r}")
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
        additional_info=tuple(s.get("additional_info") or ()),
        qualifications=tuple(Qualification.from_dict(q) for q in s.get("qualifications") or ()),
        taken_over_by=s.get("taken_over_by"),
        expired_certs_revocation_info=(parse_time(s["expired_certs_revocation_info"], f"service {name!r} "
                                                  "expired_certs_revocation_info")
                                       if s.get("expired_certs_revocation_info") else None),
        unusable=s.get("unusable"),
        other_extensions=tuple(s.get("other_extensions") or ()),
        profile=profile,
    )


def _optional(fields: dict[str, Any]) -> dict[str, Any]:
    """Fields added for TS 119 612 lists appear only when set, so our lists' canonical JSON is unchanged."""
    return {k: v for k, v in fields.items() if v not in (None, [], ())}


__all__ = [
    "CA_TYPES", "Criteria", "DigitalIdentity", "FORMAT", "GRANTED_EQUIVALENT", "LOTL_TERRITORY", "Pointer",
    "SERVICE_TYPES", "STATUSES", "Service", "StatusChange", "TERRITORY_PATTERN", "TSA_TYPES", "TrustList",
    "TrustListFormatError", "USAGES", "format_time", "parse_time", "service_type_uri", "short_name", "status_uri",
    "territory_code",
]
