"""Pydantic v2 request and response models of the HTTP API (with OpenAPI examples)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

Revocation = Literal["soft-fail", "hard-fail", "require"]
# RFC 5280 certificate profile every validated path is held to (docs/path.md): strict refuses every profile
# breach; lenient lets CA-side slips that change no meaning pass, each named in the report's warnings.
CertProfile = Literal["strict", "lenient"]
_CERT = "MIIB...base64 DER, or the PEM text"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_max_length=64 * 1024 * 1024)


class CertificateRequest(_Strict):
    certificate: str = Field(description="End-entity certificate: PEM, or base64 of the DER.", examples=[_CERT])
    intermediates: list[str] = Field(default=[], max_length=64,
                                     description="Extra certificates for path building (CA, cross-certificates).")
    trust_anchors: list[str] = Field(default=[], max_length=64,
                                     description="The relying party's own roots (the bridge model).")
    use_trust_lists: bool = Field(default=True, description="Also trust the CAs of the accepted trust lists and "
                                                            "require recognition for `usage`.")
    usage: str | None = Field(default=None, examples=["e-tendering"],
                              description="e-tendering, e-guarantee, timestamping or e-signature.")
    at: datetime | None = Field(default=None, description="Validation time (default: now).")
    revocation: Revocation = "soft-fail"
    profile: CertProfile = "strict"
    crls: list[str] = Field(default=[], max_length=64, description="Base64 DER CRLs.")
    ocsp_responses: list[str] = Field(default=[], max_length=64, description="Base64 DER OCSPResponses.")
    initial_policy_set: list[str] | None = Field(default=None, max_length=64)
    explicit_policy: bool = False
    lang: Literal["en", "zh-Hans", "zh-Hant"] = Field(default="en", description="Language of the reasons.")


class SignatureRequest(_Strict):
    signature: str = Field(description="Base64 of the CMS / CAdES SignedData (DER) or its PEM.",
                           examples=["MIAGCSqGSIb3DQEHAqCAMIA..."])
    content: str | None = Field(default=None, description="Base64 of the signed content, for a detached signature.")
    digest: str | None = Field(default=None, max_length=256, examples=["9f86d081884c7d659a2feaa0c55ad015..."],
                               description="Hex digest of the detached content, instead of `content` "
                                           "(RFC 5652 5.4); needs `digest_algorithm`.")
    digest_algorithm: str | None = Field(default=None, max_length=64, examples=["sha256"],
                                         description="Algorithm of `digest`: a name (sha256, sha3-256, sm3) or "
                                                     "dotted OID; must be the signer's digest algorithm.")
    usage: str | None = Field(default=None, examples=["e-tendering"])
    at: datetime | None = None
    deadline: datetime | None = Field(default=None, description="E-tendering bid deadline: the signature timestamp "
                                                                "must be before it.", examples=["2026-12-01T10:00:00Z"])
    revocation: Revocation = "soft-fail"
    profile: CertProfile = "strict"
    crls: list[str] = Field(default=[], max_length=64)
    other_certs: list[str] = Field(default=[], max_length=64,
                                   description="Extra certificates: each entry PEM (one or a bundle) or base64 DER.")
    trust_anchors: list[str] = Field(default=[], max_length=64,
                                     description="The relying party's own roots: each entry PEM (one or a bundle) "
                                                 "or base64 DER.")
    expected: dict[str, Any] | None = Field(default=None, description="E-guarantee fields the caller expects.")
    ocsp_responses: list[str] = Field(default=[], max_length=64, description="Base64 DER OCSPResponses.")
    use_signing_time_claim: bool = Field(default=False, description="Without a signature timestamp, validate at the "
                                                                     "claimed signing time instead of now.")
    lang: Literal["en", "zh-Hans", "zh-Hant"] = "en"


class TimestampRequest(_Strict):
    token: str = Field(description="Base64 of the RFC 3161 TimeStampToken (or TimeStampResp) DER.")
    content: str | None = Field(default=None, description="Base64 of the timestamped data.")
    digest: str | None = Field(default=None, description="Hex digest of the timestamped data (instead of content).")
    digest_algorithm: str | None = Field(default=None, max_length=64, examples=["sha256"],
                                         description="Algorithm of `digest` (name or dotted OID); when given it must "
                                                     "be the token's message-imprint algorithm.")
    deadline: datetime | None = None
    trust_anchors: list[str] = Field(default=[], max_length=64)
    revocation: Revocation = "soft-fail"
    profile: CertProfile = "strict"
    crls: list[str] = Field(default=[], max_length=64)
    other_certs: list[str] = Field(default=[], max_length=64)
    ocsp_responses: list[str] = Field(default=[], max_length=64)
    lang: Literal["en", "zh-Hans", "zh-Hant"] = "en"


class VerifyResponse(BaseModel):
    kind: Literal["certificate", "signature", "timestamp"]
    indication: str = Field(examples=["PASSED"])
    sub_indication: str | None = Field(default=None, examples=[None])
    snapshot_id: str = Field(description="sha256 naming exactly which trust-list versions were used.")
    checked_at: datetime
    report: dict[str, Any]


class TrustListSummary(BaseModel):
    territory: str
    sequence_number: int
    scheme_operator: str
    issued_at: datetime
    next_update: datetime
    status: str = Field(description="ok | due | expired")
    services: int
    sha256: str
    href: str


class TrustListsResponse(BaseModel):
    snapshot_id: str
    loaded_at: datetime
    lists: list[TrustListSummary]


class VersionModel(BaseModel):
    sha256: str
    territory: str
    sequence_number: int
    issued_at: datetime
    next_update: datetime
    accepted_at: datetime
    accepted_by: str


class UploadResponse(BaseModel):
    territory: str
    sequence_number: int
    sha256: str
    accepted_at: datetime
    snapshot_id: str


__all__ = ["CertificateRequest", "SignatureRequest", "TimestampRequest", "TrustListSummary", "TrustListsResponse",
           "UploadResponse", "VerifyResponse", "VersionModel"]
