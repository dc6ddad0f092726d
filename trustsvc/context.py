"""`ValidationContext`: everything a validation call is judged by, in one immutable, typed value.

The pyca `PolicyBuilder` shape: a frozen value whose `with_*` methods return a new context, so the API and
the CLI parse their inputs once, at the edge, into a context, and every chain a request validates (the
signer's, each timestamp's TSA, each CRL signer's) runs under the same time rules, algorithm policy, SM2
signer ID, profile, revocation policy, trust and work budget.

    ctx = (ValidationContext()
           .with_trust(store=store)
           .with_usage("e-tendering")
           .with_revocation("hard-fail")
           .with_algorithm_policy(policy))
    trustsvc.validate_signature(sig, content=bid, context=ctx)

`validate_certificate`, `validate_signature` and `validate_timestamp` keep every keyword they had; a keyword
given with a value other than its default overrides the same setting of `context`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone
from typing import Literal, Protocol, Union, runtime_checkable

from asn1crypto import crl as asn1_crl

from trustsvc.path.anchor import TrustAnchor
from trustsvc.path.budget import Budget
from trustsvc.revocation.crl import ParsedCRL
from trustsvc.revocation.modes import RevocationMode
from trustsvc.revocation.source import RevocationSource
from trustsvc.x509.algorithm_policy import DEFAULT_POLICY, AlgorithmPolicy
from trustsvc.x509.certificate import Certificate

__all__ = [
    "CRLInput", "CertificateInput", "InitialInputs", "Profile", "Recognition", "RevocationPolicy", "TrustSource",
    "ValidationContext",
]

# A certificate as callers hand it over: parsed, a trust anchor, or DER / PEM / base64 bytes or text.
CertificateInput = Union[Certificate, TrustAnchor, bytes, bytearray, str]
# A CRL as callers hand it over: DER (or PEM) bytes, asn1crypto's CertificateList (a CMS's embedded CRLs), or
# one already parsed for RFC 5280 6.3.
CRLInput = Union[bytes, bytearray, asn1_crl.CertificateList, ParsedCRL]
# "strict": RFC 5280 4.1/4.2 certificate profile enforced on every certificate of the path; "lenient": the
# CA-side slips real CAs ship are tolerated and named in the report's warnings (never the ones that change meaning).
Profile = Literal["strict", "lenient"]
PROFILES: tuple[Profile, ...] = ("strict", "lenient")


@runtime_checkable
class Recognition(Protocol):
    """A trust source's answer for one path: recognised or not, and why."""

    recognised: bool
    reason: str

    def to_dict(self) -> dict[str, object]: ...


@runtime_checkable
class TrustSource(Protocol):
    """Trust behind a protocol: the anchors to build to, and whether a built path is recognised.

    `trustsvc.TrustStore` (trust lists, ETSI TS 119 612) is one; a fixed set of roots with no usage rules is
    another. `recognise` is asked only about paths that validated (RFC 5280 6.1) to one of `anchors()`.
    """

    def anchors(self) -> Sequence[TrustAnchor]: ...

    def recognise(self, path: Sequence[Certificate], *, usage: str | None, at: datetime,
                  service_types: Sequence[str] | None = None) -> Recognition: ...


@dataclass(frozen=True, slots=True)
class InitialInputs:
    """RFC 5280 6.1.1 (c), (e), (f), (g): the relying party's policy inputs to path validation."""

    policy_set: frozenset[str] | None = None  # (c) user-initial-policy-set; None = {anyPolicy}
    explicit_policy: bool = False  # (f) initial-explicit-policy
    policy_mapping_inhibit: bool = False  # (e) initial-policy-mapping-inhibit
    any_policy_inhibit: bool = False  # (g) initial-any-policy-inhibit


@dataclass(frozen=True, slots=True)
class RevocationPolicy:
    """How revocation is checked (RFC 5280 6.3, RFC 6960): the mode, data supplied with the request, and an
    injected source (fetching lives at the edge; the core only asks)."""

    mode: RevocationMode = RevocationMode.SOFT_FAIL
    crls: tuple[bytes, ...] = ()
    ocsp_responses: tuple[bytes, ...] = ()
    source: RevocationSource | None = None
    # Evidence issued before the validation time counts only while fresh: its nextUpdate, and at most this old.
    max_freshness: timedelta | None = None

    def with_supplied(self, crls: Iterable[bytes] = (), ocsp_responses: Iterable[bytes] = ()) -> "RevocationPolicy":
        """This policy with more supplied CRLs / OCSP responses (e.g. those embedded in a CMS)."""
        return replace(self, crls=(*self.crls, *_blobs(crls)), ocsp_responses=(*self.ocsp_responses, *_blobs(ocsp_responses)))


def _blobs(items: Iterable[object] | None) -> tuple[bytes, ...]:
    # asn1crypto values (a CMS's embedded CRLs) are dumped to DER; bytes (or PEM text) are kept for the parser,
    # which reports what it cannot read.
    if not items:
        return ()
    return tuple(i.dump() if hasattr(i, "dump") else i for i in items)  # type: ignore[misc]


# Shared immutable defaults: a context built per call (every keyword-only call builds one) allocates no more.
_DEFAULT_REVOCATION = RevocationPolicy()
_DEFAULT_INITIAL = InitialInputs()


@dataclass(frozen=True, slots=True)
class ValidationContext:
    """The inputs every check of one request is judged by (immutable; build it with the `with_*` methods).

    * `at`: the validation time (None = now, taken once when a request starts); naive times are UTC.
    * `algorithm_policy`: which algorithms and key sizes are acceptable until when (ETSI TS 119 312 style).
    * `sm2_id`: the GM/T 0009 signer ID used to verify SM2 certificate signatures (None = the default ID).
    * `profile`: "strict" or "lenient" RFC 5280 certificate profile.
    * `revocation`: mode, supplied CRLs / OCSP responses, injected `RevocationSource`.
    * `trust_anchors` and/or `trust` (a `TrustSource`, e.g. a trust-list `TrustStore`), and the `usage`
      recognition is asked for.
    * `initial`: the RFC 5280 6.1.1 policy inputs; `key_usage` / `extended_key_usage` the end entity must allow.
    * `budget`: the one work budget for the whole request (None = a fresh default `Budget` per top-level call,
      shared by every chain that call validates). A `Budget` is spent as work is done: give a context that
      carries one to one request only.
    """

    at: datetime | None = None
    algorithm_policy: AlgorithmPolicy = DEFAULT_POLICY
    sm2_id: bytes | None = None
    profile: Profile = "strict"
    revocation: RevocationPolicy = _DEFAULT_REVOCATION
    trust_anchors: tuple[CertificateInput, ...] = ()
    trust: TrustSource | None = None
    usage: str | None = None
    initial: InitialInputs = _DEFAULT_INITIAL
    key_usage: frozenset[str] | None = None
    extended_key_usage: frozenset[str] | None = None
    budget: Budget | None = None

    def __post_init__(self) -> None:
        if self.profile not in PROFILES:
            raise ValueError(f"unknown certificate profile {self.profile!r} (expected one of {', '.join(PROFILES)})")
        if self.sm2_id is not None and not isinstance(self.sm2_id, bytes):
            raise TypeError("sm2_id must be bytes")

    # --- builder methods (each returns a new context) ------------------------------------------------
    def with_time(self, at: datetime | None) -> "ValidationContext":
        return replace(self, at=as_utc(at))

    def with_algorithm_policy(self, policy: AlgorithmPolicy) -> "ValidationContext":
        return replace(self, algorithm_policy=policy)

    def with_sm2_id(self, sm2_id: bytes | str | None) -> "ValidationContext":
        return replace(self, sm2_id=sm2_id.encode("utf-8") if isinstance(sm2_id, str) else sm2_id)

    def with_profile(self, profile: Profile) -> "ValidationContext":
        return replace(self, profile=profile)

    def with_revocation(self, mode: RevocationMode | str | None = None, *, crls: Iterable[bytes] | None = None,
                        ocsp_responses: Iterable[bytes] | None = None, source: RevocationSource | None = None,
                        max_freshness: timedelta | None = None) -> "ValidationContext":
        """Set the mode and/or replace the supplied data and source (arguments left None keep their value).
        An unknown mode raises ValueError."""
        r = self.revocation
        return replace(self, revocation=RevocationPolicy(
            mode=RevocationMode(mode) if mode is not None else r.mode,
            crls=_blobs(crls) if crls is not None else r.crls,
            ocsp_responses=_blobs(ocsp_responses) if ocsp_responses is not None else r.ocsp_responses,
            source=source if source is not None else r.source,
            max_freshness=max_freshness if max_freshness is not None else r.max_freshness,
        ))

    def with_trust(self, *, store: TrustSource | None = None,
                   anchors: Iterable[CertificateInput] | None = None) -> "ValidationContext":
        """Set the trust store and/or the explicit trust anchors (arguments left None keep their value)."""
        return replace(self, trust=store if store is not None else self.trust,
                       trust_anchors=tuple(anchors) if anchors is not None else self.trust_anchors)

    def with_usage(self, usage: str | None) -> "ValidationContext":
        return replace(self, usage=usage)

    def with_initial(self, *, policy_set: Iterable[str] | None = None, explicit_policy: bool = False,
                     policy_mapping_inhibit: bool = False, any_policy_inhibit: bool = False) -> "ValidationContext":
        return replace(self, initial=InitialInputs(
            frozenset(policy_set) if policy_set is not None else None, explicit_policy, policy_mapping_inhibit,
            any_policy_inhibit))

    def with_key_usage(self, key_usage: Iterable[str] | None = None,
                       extended_key_usage: Iterable[str] | None = None) -> "ValidationContext":
        return replace(self, key_usage=frozenset(key_usage) if key_usage else None,
                       extended_key_usage=frozenset(extended_key_usage) if extended_key_usage else None)

    def with_budget(self, budget: Budget | None) -> "ValidationContext":
        return replace(self, budget=budget)

    def overridden(self, *, at: datetime | None = None, trust: TrustSource | None = None,
                   trust_anchors: Iterable[CertificateInput] = (), usage: str | None = None,
                   revocation: RevocationMode | str | None = None, crls: Iterable[CRLInput] = (),
                   ocsp_responses: Iterable[bytes] = (), revocation_source: RevocationSource | None = None,
                   max_freshness: timedelta | None = None, algorithm_policy: AlgorithmPolicy | None = None, sm2_id: bytes | None = None,
                   budget: Budget | None = None, profile: Profile | None = None,
                   initial_policy_set: Iterable[str] | None = None, explicit_policy: bool = False,
                   policy_mapping_inhibit: bool = False, any_policy_inhibit: bool = False,
                   key_usage: Iterable[str] | None = None,
                   extended_key_usage: Iterable[str] | None = None) -> "ValidationContext":
        """This context with the `validate_*` keywords applied: a keyword left at its default keeps the context's
        setting; anchors, CRLs and OCSP responses given as keywords are added to the context's. One `replace`,
        so a call that passes only keywords pays for one context. Raises ValueError for an unknown mode/profile."""
        r = self.revocation
        mode = RevocationMode(revocation) if revocation is not None else r.mode
        more_crls, more_ocsp = _blobs(crls), _blobs(ocsp_responses)
        if more_crls or more_ocsp or mode is not r.mode or revocation_source is not None or max_freshness is not None:
            r = RevocationPolicy(mode, (*r.crls, *more_crls), (*r.ocsp_responses, *more_ocsp),
                                 revocation_source if revocation_source is not None else r.source,
                                 max_freshness if max_freshness is not None else r.max_freshness)
        initial = self.initial
        if initial_policy_set is not None or explicit_policy or policy_mapping_inhibit or any_policy_inhibit:
            initial = InitialInputs(
                frozenset(initial_policy_set) if initial_policy_set is not None else initial.policy_set,
                explicit_policy or initial.explicit_policy, policy_mapping_inhibit or initial.policy_mapping_inhibit,
                any_policy_inhibit or initial.any_policy_inhibit)
        return ValidationContext(
            at=as_utc(at) if at is not None else self.at,
            algorithm_policy=algorithm_policy if algorithm_policy is not None else self.algorithm_policy,
            sm2_id=sm2_id if sm2_id is not None else self.sm2_id,
            profile=profile if profile is not None else self.profile,
            revocation=r,
            trust_anchors=(*self.trust_anchors, *trust_anchors) if trust_anchors else self.trust_anchors,
            trust=trust if trust is not None else self.trust,
            usage=usage if usage is not None else self.usage,
            initial=initial,
            key_usage=frozenset(key_usage) if key_usage else self.key_usage,
            extended_key_usage=frozenset(extended_key_usage) if extended_key_usage else self.extended_key_usage,
            budget=budget if budget is not None else self.budget,
        )

    # --- what a request derives ------------------------------------------------------------------------
    def for_request(self) -> "ValidationContext":
        """The context one top-level call runs under: a work budget of its own unless the caller gave one, so
        every chain the call validates (signers, timestamps, CRL signers) draws on the same budget."""
        return self if self.budget is not None else replace(self, budget=Budget())

    def request_budget(self) -> Budget:
        """The budget of this request (a fresh default one if the context has none)."""
        return self.budget if self.budget is not None else Budget()


def as_utc(t: datetime | None) -> datetime | None:
    """A time with a zone (naive means UTC), or None."""
    if t is None:
        return None
    return t if t.tzinfo is not None else t.replace(tzinfo=timezone.utc)
