"""Typed OpenAPI models of the verify answers: the envelope and the EN 319 102-1 reports inside it.

These models document what `CertificateReport.to_dict()`, `SignatureReport.to_dict()` and
`TimestampReport.to_dict()` produce; they are used for the OpenAPI schema only. The endpoints keep answering
with the bytes the fast path (`api/responses.py`, orjson) writes, so no response is validated twice.
Every field has a default because a report over the size limit is cut down to its outcome and first reasons
(`api/guard.cap_report`, `truncated: true`), and `extra="allow"` because such cuts add `<list>_omitted`
counters and the core may add fields before this schema names them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from trustsvc.reports import Indication, SignatureIndication, SubIndication

__all__ = ["CandidatePath", "CertificateReportModel", "CertificateSummary", "CertificateVerification",
           "EGuaranteeModel", "PoeModel", "RecognitionModel", "RevocationEvidenceModel", "RevocationStatusModel",
           "SignatureReportModel", "SignatureVerification", "SignerCertificate", "SignerReportModel",
           "TimestampReportModel", "TimestampVerification"]

Lang = Literal["en", "zh-Hans", "zh-Hant"]


class _Report(BaseModel):
    model_config = ConfigDict(extra="allow")


class CertificateSummary(_Report):
    """One certificate of a built path (anchor first)."""

    subject: str | None = None
    issuer: str | None = None
    serial_number: str | None = Field(default=None, description="Hexadecimal.")
    sha256: str | None = Field(default=None, description="SHA-256 of the DER, hexadecimal.")
    not_before: datetime | None = None
    not_after: datetime | None = None


class SignerCertificate(CertificateSummary):
    """The signer's or the TSA's certificate, with the name attributes people look for."""

    subject_common_name: str | None = None
    subject_organization: str | None = None
    subject_country: str | None = None
    issuer_common_name: str | None = None


class RecognitionModel(_Report):
    """Which trust list, territory and service recognised the path for the usage (TS 119 612), or why none did."""

    recognised: bool | None = None
    reason: str | None = None
    territory: str | None = Field(default=None, examples=["HK"])
    scheme_operator: str | None = None
    sequence_number: int | None = None
    service_name: str | None = None
    service_type: str | None = Field(default=None, examples=["http://uri.etsi.org/TrstSvc/Svctype/CA/QC"])
    status: str | None = Field(default=None, examples=["http://uri.etsi.org/TrstSvc/TrustedList/Svcstatus/granted"])
    status_since: datetime | None = None
    usage: str | None = None
    snapshot_id: str | None = None
    equivalence: str | None = Field(default=None, description="The mutual-recognition (MRA) equivalence that applied.")
    qualifiers: list[str] | None = None


class RevocationEvidenceModel(_Report):
    """One CRL or OCSP response used as evidence (RFC 5280 5, RFC 6960)."""

    kind: str | None = Field(default=None, examples=["crl", "ocsp"])
    source: str | None = None
    issuer: str | None = None
    this_update: datetime | None = None
    next_update: datetime | None = None
    produced_at: datetime | None = None
    sha256: str | None = None
    status: str | None = None
    revocation_time: datetime | None = None
    reason: str | None = None
    certificate: str | None = None


class RevocationStatusModel(_Report):
    """What was established for one certificate of the path: status, evidence used, what was refused."""

    certificate: str | None = None
    serial_number: str | None = None
    end_entity: bool | None = None
    status: Literal["good", "revoked", "unknown"] | None = None
    revocation_time: datetime | None = None
    reason: str | None = None
    evidence: list[RevocationEvidenceModel] = []
    refused: list[str] = []
    indication: str | None = None
    sub_indication: str | None = None


class CandidatePath(_Report):
    """A candidate path the builder tried (labels, anchor first) and why it was dropped (null: validated)."""

    path: list[str] = []
    reason: str | None = None


class CertificateReportModel(_Report):
    """EN 319 102-1 X.509 certificate validation: indication, path, policies, revocation, recognition, reasons."""

    indication: Indication | None = None
    sub_indication: SubIndication | None = None
    validation_time: datetime | None = None
    validation_time_source: str | None = Field(default=None, examples=["now"])
    trust_anchor: str | None = None
    path: list[CertificateSummary] = []
    reasons: list[str] = []
    warnings: list[str] = []
    user_constrained_policy_set: list[str] = []
    authority_constrained_policy_set: list[str] = []
    user_notices: list[str] = []
    revocation_evidence: list[RevocationEvidenceModel] = []
    revocation: list[RevocationStatusModel] = []
    recognition: RecognitionModel | None = None
    usage: str | None = None
    lang: Lang | None = None
    technical_details: list[str] = Field(default=[], description="The layers' own English reasons.")
    candidate_paths: list[CandidatePath] = []
    candidate_paths_total: int | None = None
    truncated: bool | None = Field(default=None, description="Present when the report was cut to the size limit.")


class TimestampReportModel(_Report):
    """An RFC 3161 token's validation (alone, or as a signature / archive timestamp inside a signer's report)."""

    type: Literal["signature", "archive"] | None = None
    indication: SignatureIndication | None = None
    sub_indication: SubIndication | None = None
    reasons: list[str] = []
    gen_time: datetime | None = None
    policy: str | None = None
    serial_number: str | None = Field(default=None, description="Decimal.")
    imprint_algorithm: str | None = None
    imprint_checked: bool | None = None
    tsa: SignerCertificate | None = None
    tsa_name: str | None = None
    path: list[str] = []
    recognition: RecognitionModel | None = None
    revocation_evidence: list[RevocationEvidenceModel] = []
    deadline: datetime | None = None
    validation_time: datetime | None = None
    validation_time_source: str | None = None
    platform_timezone: str | None = Field(default=None, description="With it, each time again as `<name>_local`.")
    truncated: bool | None = None


class EGuaranteeModel(_Report):
    """The e-guarantee payload read from the signed content (when it is one)."""

    guarantee_number: str | None = None
    issuer: str | None = None
    beneficiary: str | None = None
    tender_id: str | None = None
    amount: str | None = Field(default=None, examples=["500000.00"])
    currency: str | None = Field(default=None, examples=["CNY"])
    valid_from: datetime | None = None
    valid_until: datetime | None = None
    applicant: str | None = None


class PoeModel(_Report):
    """A proof of existence of one element (EN 319 102-1 5.6.2.3)."""

    element: str | None = None
    time: datetime | None = None
    source: str | None = None


class SignerReportModel(_Report):
    """One SignerInfo: signature, signed attributes, the signer's chain at the validation time, timestamps."""

    index: int | None = None
    indication: SignatureIndication | None = None
    sub_indication: SubIndication | None = None
    reasons: list[str] = []
    signer: SignerCertificate | None = None
    signature_algorithm: str | None = None
    digest_algorithm: str | None = None
    signing_time_claim: datetime | None = None
    signing_certificate_attribute: Literal["v1", "v2"] | None = None
    path: list[str] = []
    recognition: RecognitionModel | None = None
    validation_time: datetime | None = None
    validation_time_source: str | None = Field(default=None, examples=["timestamp"])
    timestamps: list[TimestampReportModel] = []
    revocation_evidence: list[RevocationEvidenceModel] = []
    certificate_validation: CertificateReportModel | None = None
    eguarantee: EGuaranteeModel | None = None
    signature_level: str | None = Field(default=None, examples=["CAdES-BASELINE-T"])
    validation_process: str | None = Field(default=None, examples=["with-time"])
    poe: list[PoeModel] = []
    platform_timezone: str | None = None


class SignatureReportModel(_Report):
    """A signed document (CMS / CAdES): the overall indication and one report per signer."""

    kind: Literal["signature"] | None = None
    indication: SignatureIndication | None = None
    sub_indication: SubIndication | None = None
    reasons: list[str] = []
    content_type: str | None = None
    detached: bool | None = None
    usage: str | None = None
    deadline: datetime | None = None
    lang: Lang | None = None
    trust_snapshot_id: str | None = None
    signers: list[SignerReportModel] = []
    platform_timezone: str | None = None
    truncated: bool | None = None


class _Envelope(_Report):
    snapshot_id: str = Field(description="sha256 naming exactly which trust-list versions were used.")
    checked_at: datetime
    truncated: bool | None = Field(default=None, description="Present when the report was cut to the size limit.")


class CertificateVerification(_Envelope):
    """The answer of POST /v1/verify/certificate."""

    kind: Literal["certificate"]
    indication: Indication
    sub_indication: SubIndication | None = None
    report: CertificateReportModel


class SignatureVerification(_Envelope):
    """The answer of POST /v1/verify/signature."""

    kind: Literal["signature"]
    indication: SignatureIndication
    sub_indication: SubIndication | None = None
    report: SignatureReportModel


class TimestampVerification(_Envelope):
    """The answer of POST /v1/verify/timestamp."""

    kind: Literal["timestamp"]
    indication: SignatureIndication
    sub_indication: SubIndication | None = None
    report: TimestampReportModel
