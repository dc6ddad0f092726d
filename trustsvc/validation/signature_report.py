"""Report types for signed documents and timestamp tokens (EN 319 102-1 validation reports)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from typing import TYPE_CHECKING, Any, Protocol, Union

from trustsvc.reports import SignatureIndication, SubIndication
from trustsvc.validation.messages import message
from trustsvc.validation.signature_messages import register as _register_messages
from trustsvc.validation.times import local_iso, utc_iso

if TYPE_CHECKING:
    from asn1crypto.x509 import Name

    from trustsvc.context import Recognition
    from trustsvc.revocation.evidence import RevocationEvidence
    from trustsvc.validation.eguarantee import EGuarantee
    from trustsvc.validation.longterm import POE
    from trustsvc.validation.report import CertificateReport
    from trustsvc.x509.certificate import Certificate
    from trustsvc.x509.signature import SignatureAlgorithm

_register_messages()

# A report's JSON object (values are JSON types, nested reports included).
JSONObject = dict[str, Any]


class _Reportable(Protocol):
    def to_dict(self) -> JSONObject: ...


# Recognition arrives as the trust source's answer or already as its dict (validate_certificate's report).
RecognitionResult = Union["Recognition", dict[str, object], None]

_RANK = {SignatureIndication.TOTAL_PASSED: 0, SignatureIndication.INDETERMINATE: 1, SignatureIndication.TOTAL_FAILED: 2}


def _t(value: datetime | None) -> str | None:
    # Every report time in UTC (`...Z`); `_local` adds the platform zone's reading beside it.
    return utc_iso(value) if value is not None and value.tzinfo is not None else (
        value.isoformat() if value is not None else None)


def _local(d: JSONObject, zone: str | None, **named: datetime | None) -> JSONObject:
    """Each time again in the platform zone (`gen_time_local: 2026-12-05T07:15:51+08:00`), when one is set."""
    d["platform_timezone"] = zone
    if zone:
        for name, value in named.items():
            d[f"{name}_local"] = local_iso(value, zone)
    return d


def _dict(value: _Reportable | dict[str, object] | None) -> object:
    if value is None:
        return None
    if hasattr(value, "to_dict"):
        return value.to_dict()
    return value


def _attr(name: Name, attr: str) -> str | None:
    """One attribute of a Name (the last if repeated), for people: the bidder's CN, its country."""
    try:
        value = name.native.get(attr)
    except (ValueError, TypeError, AttributeError):
        return None
    if isinstance(value, list):
        value = value[-1] if value else None
    return value if isinstance(value, str) else None


def _cert_summary(cert: Certificate | None) -> JSONObject | None:
    if cert is None:
        return None
    return {
        "subject": cert.subject_str,
        "issuer": cert.issuer_str,
        "subject_common_name": _attr(cert.subject, "common_name"),
        "subject_organization": _attr(cert.subject, "organization_name"),
        "subject_country": _attr(cert.subject, "country_name"),
        "issuer_common_name": _attr(cert.issuer, "common_name"),
        "serial_number": format(cert.serial_number, "x"),
        "sha256": cert.sha256,
        "not_before": _t(cert.not_before),
        "not_after": _t(cert.not_after),
    }


def worst(indications: list[SignatureIndication]) -> SignatureIndication:
    """Overall indication of several: any failure fails, else any indeterminate is indeterminate."""
    return max(indications, key=_RANK.__getitem__) if indications else SignatureIndication.INDETERMINATE


class WarningCode(str, Enum):
    """What a signature report warns about: each did not change the indication, and each is worth knowing."""

    TRAILING_DATA = "trailing_data"  # bytes after the ContentInfo, ignored (as DSS and OpenSSL do)
    SIGNATURE_TIMESTAMP_FAILED = "signature_timestamp_failed"  # a signature timestamp that proves nothing
    COUNTERSIGNATURE_FAILED = "countersignature_failed"  # a counter-signature that did not pass (RFC 5652 11.4)
    COUNTERSIGNATURES_SKIPPED = "countersignatures_skipped"  # past the count / depth bound, not validated


@dataclass(frozen=True)
class SignatureWarning:
    """One warning as a typed value (code + the facts it names); its text is rendered in `lang` only in `to_dict`."""

    code: WarningCode
    params: tuple[tuple[str, str | int], ...] = ()
    lang: str = "en"

    @classmethod
    def of(cls, code: WarningCode, lang: str = "en", **params: str | int) -> "SignatureWarning":
        return cls(code, tuple(params.items()), lang)

    @property
    def text(self) -> str:
        return message(f"warning_{self.code.value}", self.lang, **dict(self.params))

    def to_dict(self) -> JSONObject:
        return {"code": self.code.value, "message": self.text, **dict(self.params)}


@dataclass
class TimestampReport:
    """Validation of one RFC 3161 token (alone, or as a signature timestamp)."""

    indication: SignatureIndication
    sub_indication: SubIndication | None = None
    reasons: list[str] = field(default_factory=list)
    gen_time: datetime | None = None
    policy: str | None = None
    serial_number: int | None = None
    imprint_algorithm: str | None = None
    imprint_checked: bool = False
    tsa: Certificate | None = None
    tsa_name: str | None = None
    path: list[Certificate] = field(default_factory=list)
    recognition: RecognitionResult = None
    certificate: CertificateReport | None = None  # of the TSA certificate at genTime
    revocation_evidence: list[RevocationEvidence] = field(default_factory=list)
    deadline: datetime | None = None
    validation_time: datetime | None = None
    kind: str | None = None  # "signature" | "archive" inside a signer's report (EN 319 122-1 5.3, 5.5.3)
    algorithm: SignatureAlgorithm | None = None  # the token's, for algorithm checks at a POE
    platform_timezone: str | None = None
    der: bytes | None = None  # the token as embedded, for the TS 119 102-2 validation objects (not in JSON)

    @property
    def passed(self) -> bool:
        return self.indication is SignatureIndication.TOTAL_PASSED

    def to_dict(self) -> JSONObject:
        return _local({
            "type": self.kind,
            "indication": self.indication.value,
            "sub_indication": self.sub_indication.value if self.sub_indication else None,
            "reasons": list(self.reasons),
            "gen_time": _t(self.gen_time),
            "policy": self.policy,
            "serial_number": str(self.serial_number) if self.serial_number is not None else None,
            "imprint_algorithm": self.imprint_algorithm,
            "imprint_checked": self.imprint_checked,
            "tsa": _cert_summary(self.tsa),
            "tsa_name": self.tsa_name,
            "path": [c.subject_str for c in self.path],
            "recognition": _dict(self.recognition),
            "revocation_evidence": [_dict(e) for e in self.revocation_evidence],
            "deadline": _t(self.deadline),
            "validation_time": _t(self.validation_time),
            "validation_time_source": "timestamp" if self.gen_time else None,
        }, self.platform_timezone, gen_time=self.gen_time, deadline=self.deadline, validation_time=self.validation_time)


@dataclass
class SignerReport:
    """Validation of one SignerInfo."""

    index: int
    indication: SignatureIndication
    sub_indication: SubIndication | None = None
    reasons: list[str] = field(default_factory=list)
    signer: Certificate | None = None
    signature_algorithm: str | None = None
    digest_algorithm: str | None = None
    signing_time_claim: datetime | None = None
    signing_certificate_attribute: str | None = None  # "v1" | "v2" | None
    path: list[Certificate] = field(default_factory=list)
    recognition: RecognitionResult = None
    validation_time: datetime | None = None
    validation_time_source: str | None = None  # "now" | "signing-time-claim" | "timestamp"
    timestamps: list[TimestampReport] = field(default_factory=list)
    revocation_evidence: list[RevocationEvidence] = field(default_factory=list)
    certificate: CertificateReport | None = None
    eguarantee: EGuarantee | None = None
    level: str | None = None  # "CAdES-BASELINE-LTA", ... (EN 319 122-1 clause 6)
    validation_process: str | None = None  # "basic" | "with-time" | "long-term" (EN 319 102-1 5.3, 5.5, 5.6)
    poe: list[POE] = field(default_factory=list)  # POE per element (EN 319 102-1 5.6.2.3)
    algorithm: SignatureAlgorithm | None = None  # the signature value's
    platform_timezone: str | None = None
    warnings: list[SignatureWarning] = field(default_factory=list)
    signature_value: bytes | None = None  # for the TS 119 102-2 SignatureIdentifier (not in JSON)
    # sha256 -> (kind, DER) of what the signature embeds: TS 119 102-2 validation objects (not in JSON).
    embedded_values: dict[str, tuple[str, bytes]] = field(default_factory=dict)
    # certificate-values / revocation-values attribute -> sha256 of the values it holds (TS 119 102-2, not in JSON).
    value_attributes: dict[str, list[str]] = field(default_factory=dict)
    # RFC 5652 11.4: each counter-signature of this signer, validated as a signer of its own (nested in turn).
    counter_signatures: list["SignerReport"] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return self.indication is SignatureIndication.TOTAL_PASSED

    @property
    def all_warnings(self) -> list[SignatureWarning]:
        """This signer's warnings, then those of its counter-signatures (depth first)."""
        return [*self.warnings, *(w for c in self.counter_signatures for w in c.all_warnings)]

    def to_dict(self) -> JSONObject:
        return _local({
            "index": self.index,
            "indication": self.indication.value,
            "sub_indication": self.sub_indication.value if self.sub_indication else None,
            "reasons": list(self.reasons),
            "signer": _cert_summary(self.signer),
            "signature_algorithm": self.signature_algorithm,
            "digest_algorithm": self.digest_algorithm,
            "signing_time_claim": _t(self.signing_time_claim),
            "signing_certificate_attribute": self.signing_certificate_attribute,
            "path": [c.subject_str for c in self.path],
            "recognition": _dict(self.recognition),
            "validation_time": _t(self.validation_time),
            "validation_time_source": self.validation_time_source,
            "timestamps": [t.to_dict() for t in self.timestamps],
            "revocation_evidence": [_dict(e) for e in self.revocation_evidence],
            "certificate_validation": _dict(self.certificate),
            "eguarantee": _dict(self.eguarantee),
            "signature_level": self.level,
            "validation_process": self.validation_process,
            "poe": [p.to_dict() for p in self.poe],
            "warnings": [w.to_dict() for w in self.warnings],
            "counter_signatures": [c.to_dict() for c in self.counter_signatures],
        }, self.platform_timezone, signing_time_claim=self.signing_time_claim, validation_time=self.validation_time)


@dataclass
class SignatureReport:
    """Validation of a signed document (CMS / CAdES): one entry per signer, and the overall answer."""

    indication: SignatureIndication
    sub_indication: SubIndication | None = None
    reasons: list[str] = field(default_factory=list)
    signers: list[SignerReport] = field(default_factory=list)
    content_type: str | None = None
    detached: bool | None = None
    usage: str | None = None
    deadline: datetime | None = None
    lang: str = "en"
    trust_snapshot_id: str | None = None
    platform_timezone: str | None = None
    # The document's own warnings (trailing data); `all_warnings` adds every signer's.
    warnings: list[SignatureWarning] = field(default_factory=list)

    @property
    def all_warnings(self) -> list[SignatureWarning]:
        return [*self.warnings, *(w for s in self.signers for w in s.all_warnings)]

    @property
    def passed(self) -> bool:
        return self.indication is SignatureIndication.TOTAL_PASSED

    def to_dict(self) -> JSONObject:
        return _local({
            "kind": "signature",
            "indication": self.indication.value,
            "sub_indication": self.sub_indication.value if self.sub_indication else None,
            "reasons": list(self.reasons),
            "content_type": self.content_type,
            "detached": self.detached,
            "usage": self.usage,
            "deadline": _t(self.deadline),
            "lang": self.lang,
            "trust_snapshot_id": self.trust_snapshot_id,
            "signers": [s.to_dict() for s in self.signers],
            "warnings": [w.to_dict() for w in self.all_warnings],
        }, self.platform_timezone, deadline=self.deadline)
