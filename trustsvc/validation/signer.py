"""One SignerInfo judged (EN 319 102-1 5.3 basic, 5.5 with time), and its counter-signatures (RFC 5652 11.4).

`SignerProcess.run` is the per-signer half of `validate_signature`, in named steps:

    signing certificate -> crypto (5.2.7) -> binding (5.2.3) -> signature timestamps (5.4, 5.5.4)
        -> validation time -> chain (5.2.6) -> constraints (deadline, e-guarantee) -> counter-signatures

A counter-signature is a SignerInfo whose "content" is the countersigned signature value (RFC 5652 11.4): it
runs through the same steps with that target, under the same `ValidationContext` (trust, revocation, work
budget), and is reported nested in its parent's report. Counter-signatures are evidence *about* a signature,
not part of it: one that fails is reported failed in its own entry and as a warning of its parent, and leaves
the parent's indication as it is (docs/signatures.md).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timezone, tzinfo
from typing import Callable, Mapping

from trustsvc.cms.attributes import ID_AA_SIGNATURE_TIMESTAMP, ID_COUNTERSIGNATURE, signing_certificate_binding
from trustsvc.cms.signed_data import (
    DATA_TYPES, CMSFormatError, SignedData, SignerInfo, compute_digest, parse_signer_info, signing_time,
    verify_signer_crypto,
)
from trustsvc.cms.timestamp import parse_timestamp_token
from trustsvc.context import ValidationContext
from trustsvc.errors import InputFormatError, TrustsvcError, UnsupportedAlgorithmError
from trustsvc.reports import Indication, SignatureIndication, SubIndication
from trustsvc.validation import localise, times
from trustsvc.validation.eguarantee import EGuaranteeError, check_terms, parse_eguarantee
from trustsvc.validation.messages import message, source_label
from trustsvc.validation.report import CertificateReport
from trustsvc.validation.signature_report import (
    SignatureWarning, SignerReport, TimestampReport, WarningCode,
)
from trustsvc.validation.timestamp import as_utc, cert_indication, check_token, fmt_time
from trustsvc.x509.certificate import Certificate

_FAIL, _INDET, _PASS = SignatureIndication.TOTAL_FAILED, SignatureIndication.INDETERMINATE, SignatureIndication.TOTAL_PASSED
# A signing key must allow document signatures (RFC 5280 4.2.1.3).
_SIGNING_KU = {"digital_signature", "non_repudiation"}
# Hostile input costs bounded work: counter-signatures nest at most this deep, and one SignedData has at most
# this many validated (each chain also draws on the request's one work budget).
MAX_COUNTERSIGNATURE_DEPTH = 4
MAX_COUNTERSIGNATURES = 16


@dataclass(frozen=True)
class _Stop:
    """A step's verdict that ends the signer's process: indication, sub-indication and the reason (rendered)."""

    indication: SignatureIndication
    sub_indication: SubIndication | None
    reason: str


class Shared:
    """Everything one validate_signature call shares between its signers (and their counter-signatures)."""

    def __init__(self, sd: SignedData, data: bytes | None, vctx: ValidationContext, other_certs: list[Certificate], *,
                 deadline: datetime | None, expected: Mapping[str, object] | None, lang: str, use_claim: bool,
                 zone: tzinfo | None, given_digest: tuple[str | None, bytes] | None) -> None:
        self.sd, self.data, self.deadline = sd, data, deadline
        # The request's context; the CRLs embedded in the SignedData (RFC 5652 5.1) join the supplied ones.
        self.vctx = replace(vctx, revocation=vctx.revocation.with_supplied(crls=sd.crls)) if sd.crls else vctx
        self.now = vctx.at or datetime.now(timezone.utc)
        self.usage = vctx.usage
        self.other_certs = other_certs
        self.expected, self.lang, self.use_claim, self.zone = expected, lang, use_claim, zone
        self.given_digest = given_digest  # detached content known only by its digest
        self.archive_poe: datetime | None = None  # set per signer by the long-term step
        self.countersignatures_left = MAX_COUNTERSIGNATURES
        self._digests: dict[str, bytes] = {}

    @property
    def pool(self) -> list[Certificate]:
        return self.sd.certificates + self.other_certs

    def content_digest(self, name: str) -> bytes:
        """The content's digest with `name` (hashed once for several signers), or the caller's given digest."""
        if name not in self._digests:
            if self.data is not None:
                self._digests[name] = compute_digest(name, self.data)
            else:
                algorithm, value = self.given_digest or (None, b"")
                if algorithm not in (None, name) or len(value) != len(compute_digest(name, b"")):
                    raise UnsupportedAlgorithmError(f"the content's digest was given as {algorithm or 'a bare value'} "
                                                    f"of {len(value)} bytes; this signer digests with {name}")
                self._digests[name] = value
        return self._digests[name]


@dataclass(frozen=True)
class Target:
    """What a signer signed: the document (eContent, RFC 5652 5.4) or a parent's signature value (11.4)."""

    econtent_type: str | None  # None for a counter-signature (no content-type attribute, 11.4)
    content: bytes | None
    digest_of: Callable[[str], bytes]
    document: bool  # the deadline and e-guarantee constraints apply to the document's signers only

    @classmethod
    def document_of(cls, shared: Shared) -> "Target":
        return cls(shared.sd.econtent_type, shared.data, shared.content_digest, True)

    @classmethod
    def countersigned(cls, parent: SignerInfo) -> "Target":
        # RFC 5652 11.4: "the content of the countersignature is the contents octets of the signature OCTET STRING".
        value = parent.signature
        return cls(None, value, lambda name: compute_digest(name, value), False)


class SignerProcess:
    """EN 319 102-1 for one SignerInfo: each step either records what it found or returns the `_Stop` verdict."""

    def __init__(self, shared: Shared, signer: SignerInfo, target: Target, *, label: str, depth: int = 0) -> None:
        self.s, self.signer, self.target, self.label, self.depth = shared, signer, target, label, depth
        self.r = SignerReport(signer.index, _INDET, digest_algorithm=signer.digest_algorithm,
                              signing_time_claim=signing_time(signer), platform_timezone=times.zone_name(shared.zone))
        self.cert: Certificate | None = None
        self.poe: TimestampReport | None = None

    def run(self) -> SignerReport:
        stop = (self._certificate() or self._crypto() or self._binding() or self._timestamps()
                or self._chain_and_constraints())
        r = self.r
        if stop is None:
            r.indication = _PASS
            r.reasons.insert(0, message("signature_ok", self.s.lang, index=self.label,
                                        signer=localise.certificate_name(self.cert, self.s.lang),
                                        time=fmt_time(r.validation_time, self.s.zone),
                                        source=source_label(r.validation_time_source or "now", self.s.lang)))
        else:
            r.indication, r.sub_indication = stop.indication, stop.sub_indication
            r.reasons.append(stop.reason)
        self._countersignatures()
        return r

    # --- EN 319 102-1 5.2.2 / 5.2.7 / 5.2.3 -------------------------------------------------------------
    def _certificate(self) -> _Stop | None:
        self.cert = self.signer.find_certificate(self.s.pool)
        if self.cert is None:
            return _Stop(_INDET, SubIndication.NO_SIGNING_CERTIFICATE_FOUND,
                         message("no_signer_cert", self.s.lang, index=self.label))
        self.r.signer = self.cert
        return None

    def _crypto(self) -> _Stop | None:
        """EN 319 102-1 5.2.7: cryptographic verification (message digest, then signature value)."""
        lang, t = self.s.lang, self.target
        try:
            digest = t.digest_of(self.signer.digest_algorithm)
        except UnsupportedAlgorithmError as exc:
            return _Stop(_FAIL, SubIndication.FORMAT_FAILURE, message(
                "signer_format", lang, index=self.label, detail=localise.detail(str(exc), SubIndication.FORMAT_FAILURE, lang)))
        assert self.cert is not None
        crypto = verify_signer_crypto(self.signer, self.cert, econtent_type=t.econtent_type, content=t.content,
                                      content_digest=digest)
        if not crypto.ok:
            sub = crypto.failure or SubIndication.FORMAT_FAILURE
            return _Stop(_FAIL if sub is not SubIndication.SIGNED_DATA_NOT_FOUND else _INDET, sub,
                         message(localise.crypto_message_key(sub), lang, index=self.label,
                                 detail=localise.detail(crypto.detail, sub, lang)))
        self.r.signature_algorithm = crypto.algorithm.name if crypto.algorithm else None
        self.r.algorithm = crypto.algorithm
        return None

    def _binding(self) -> _Stop | None:
        """EN 319 102-1 5.2.3 / EN 319 122-1 5.2.2.3: the signing certificate is bound to the signature."""
        lang, cert = self.s.lang, self.cert
        assert cert is not None
        binding = signing_certificate_binding(self.signer, cert)
        self.r.signing_certificate_attribute = f"v{binding.version}" if binding.version else None
        if binding.present and not binding.ok:
            return _Stop(_INDET, SubIndication.NO_SIGNING_CERTIFICATE_FOUND, message(
                "cert_binding", lang, index=self.label,
                detail=localise.detail(binding.detail, SubIndication.NO_SIGNING_CERTIFICATE_FOUND, lang)))
        ku = cert.key_usage
        if ku is not None and not (ku & _SIGNING_KU):
            return _Stop(_INDET, SubIndication.CHAIN_CONSTRAINTS_FAILURE, message("key_usage", lang, index=self.label))
        return None

    # --- EN 319 102-1 5.4 / 5.5.4: signature timestamps, then the validation time -------------------------
    def _timestamps(self) -> _Stop | None:
        """Each signature timestamp validated and listed; the earliest passing one is the POE (5.5.4 3)).

        A token that cannot be read, or does not match this signature, is removed from the POE candidates
        (5.5.4 3) a)) but never silently: it is a failed entry in `timestamps`, a reason and a warning.
        """
        r, lang = self.r, self.s.lang
        for number, ts in enumerate(self._timestamp_reports()):
            ts.kind = "signature"
            r.timestamps.append(ts)
            if ts.passed and ts.gen_time is not None and (self.poe is None or ts.gen_time < self.poe.gen_time):
                self.poe = ts
            if not ts.passed:
                r.reasons.append(message("timestamp_invalid", lang, index=self.label, detail="; ".join(ts.reasons)))
                r.warnings.append(SignatureWarning.of(
                    WarningCode.SIGNATURE_TIMESTAMP_FAILED, lang, index=self.label, number=number,
                    sub_indication=ts.sub_indication.value if ts.sub_indication else ts.indication.value,
                    detail="; ".join(ts.reasons)))
        claim = r.signing_time_claim
        if self.poe is not None and claim is not None and as_utc(claim) > self.poe.gen_time:
            # EN 319 102-1 5.6.2.4: the signature cannot have been made after the timestamp that covers it.
            return _Stop(_INDET, SubIndication.TIMESTAMP_ORDER_FAILURE, message(
                "timestamp_order_failure", lang, index=self.label, gen_time=fmt_time(self.poe.gen_time, self.s.zone),
                claim=fmt_time(as_utc(claim), self.s.zone)))
        self._validation_time()
        return None

    def _timestamp_reports(self) -> list[TimestampReport]:
        out: list[TimestampReport] = []
        for attr in self.signer.unsigned or ():
            if attr.oid != ID_AA_SIGNATURE_TIMESTAMP:
                continue
            try:
                values = attr.values()
            except (ValueError, TypeError):
                values = []
            if not values:  # RFC 5652 5.3: an attribute carries its values; one that does not parse proves nothing
                out.append(self._unreadable("the attribute holds no readable token"))
            out.extend(self._timestamp(v) for v in values)
        return out

    def _unreadable(self, detail: str) -> TimestampReport:
        lang = self.s.lang
        return TimestampReport(_FAIL, SubIndication.FORMAT_FAILURE, [message(
            "timestamp_attribute_unreadable", lang, detail=localise.detail(detail, SubIndication.FORMAT_FAILURE, lang))],
            platform_timezone=times.zone_name(self.s.zone))

    def _timestamp(self, token_der: bytes) -> TimestampReport:
        lang = self.s.lang
        try:
            token = parse_timestamp_token(token_der)
        except (CMSFormatError, InputFormatError, TrustsvcError, ValueError, TypeError) as exc:
            return TimestampReport(_FAIL, SubIndication.FORMAT_FAILURE, [message(
                "ts_format", lang, detail=localise.detail(str(exc), SubIndication.FORMAT_FAILURE, lang))],
                platform_timezone=times.zone_name(self.s.zone))
        # The signature timestamp's imprint covers the signature value (EN 319 122-1 5.3). Its TSA's path may use
        # the certificates the signature carries (EN 319 122-1 B-LT puts them in SignedData.certificates).
        report = check_token(token, data=self.signer.signature, lang=lang, other_certs=self.s.pool,
                             context=self.s.vctx, zone=self.s.zone)
        report.der = token_der
        return report

    def _validation_time(self) -> None:
        """The best-proven time (EN 319 102-1 5.5.4, 5.6.2.3): a timestamp, an archive POE, the claim, or now."""
        r, s = self.r, self.s
        if self.poe is not None and self.poe.gen_time is not None:
            at, source = self.poe.gen_time, "timestamp"
        elif s.archive_poe is not None and self.target.document:  # the archive timestamp covers this signer's value
            at, source = s.archive_poe, "archive-timestamp"
        elif s.use_claim and r.signing_time_claim is not None:
            at, source = as_utc(r.signing_time_claim), "signing-time-claim"
        else:
            at, source = s.now, "now"
        r.validation_time, r.validation_time_source = at, source

    # --- EN 319 102-1 5.2.6 and the signature constraints -----------------------------------------------
    def _chain_and_constraints(self) -> _Stop | None:
        chain = self._chain()
        if chain is not None:
            if self.target.document and self.poe is None:
                # A deadline that a broken timestamp was meant to prove fails whatever the chain says (`_deadline`).
                deadline = self._deadline()
                if deadline is not None and deadline.indication is _FAIL:
                    return deadline
            return chain
        if not self.target.document:
            return self._algorithm_at_time()
        deadline = self._deadline()
        if deadline is not None:
            return deadline
        if self.s.usage == "e-guarantee" or self.s.expected is not None:
            return self._eguarantee()
        return None

    def _algorithm_at_time(self) -> _Stop | None:
        """EN 319 102-1 5.2.8: a counter-signature's algorithms acceptable at its validation time (a document
        signer's are checked at its earliest POE by the long-term step, validation/longterm.py)."""
        r, s = self.r, self.s
        if r.algorithm is None or r.validation_time is None:
            return None
        why = s.vctx.algorithm_policy.check(r.algorithm, r.validation_time)
        if why is None:
            return None
        sub = SubIndication.CRYPTO_CONSTRAINTS_FAILURE if self.poe is not None else \
            SubIndication.CRYPTO_CONSTRAINTS_FAILURE_NO_POE
        return _Stop(_INDET, sub, message("crypto_no_poe", s.lang, index=self.label, detail=why,
                                          time=fmt_time(r.validation_time, s.zone),
                                          source=source_label(r.validation_time_source or "now", s.lang)))

    def _chain(self) -> _Stop | None:
        """EN 319 102-1 5.2.6: X.509 certificate validation at the validation time."""
        from trustsvc.validation.certificate import validate_certificate

        r, s, cert = self.r, self.s, self.cert
        assert cert is not None and r.validation_time is not None
        cert_report = validate_certificate(cert, intermediates=[c for c in s.pool if c != cert],
                                           other_certs=s.other_certs, context=s.vctx.with_time(r.validation_time))
        r.certificate = cert_report
        r.path = list(cert_report.path)
        r.recognition = cert_report.recognition
        r.revocation_evidence = list(cert_report.revocation_evidence)
        if cert_report.indication is Indication.PASSED:
            return None
        detail = localise.certificate_failure(cert_report, s.lang)
        if cert_report.sub_indication is SubIndication.REVOKED:
            return _revoked_outcome(cert_report, self.poe, self.label, detail, s.zone, s.lang)
        return _Stop(cert_indication(cert_report.indication), cert_report.sub_indication, message(
            "cert_invalid", s.lang, index=self.label, time=fmt_time(r.validation_time, s.zone),
            source=source_label(r.validation_time_source or "now", s.lang), detail=detail))

    def _deadline(self) -> _Stop | None:
        """E-tendering: the bid must be proven (a valid signature timestamp) to exist no later than the deadline.

        Without a valid timestamp there is no POE (EN 319 102-1 5.5.4 3) removes the failed ones): INDETERMINATE
        / NO_POE when the tokens were only unverifiable (a TSA not trusted, revocation unknown: curable), but
        TOTAL-FAILED / SIG_CONSTRAINTS_FAILURE when a token is proven broken (unreadable, or not over this
        signature): the one proof the bid offers for the deadline never can be one, like a timestamp after it.
        """
        s, deadline = self.s, self.s.deadline
        if deadline is None:
            return None
        when = fmt_time(deadline, s.zone)
        if self.poe is None or self.poe.gen_time is None:
            broken = [t for t in self.r.timestamps if t.indication is _FAIL]
            if broken:
                return _Stop(_FAIL, SubIndication.SIG_CONSTRAINTS_FAILURE, message(
                    "deadline_timestamp_failed", s.lang, deadline=when, detail="; ".join(broken[0].reasons)))
            return _Stop(_INDET, SubIndication.NO_POE, message("deadline_no_poe", s.lang, deadline=when))
        gen = fmt_time(self.poe.gen_time, s.zone)
        if self.poe.gen_time > deadline:
            return _Stop(_FAIL, SubIndication.SIG_CONSTRAINTS_FAILURE,
                         message("deadline_missed", s.lang, gen_time=gen, deadline=when))
        self.r.reasons.append(message("deadline_met", s.lang, gen_time=gen, deadline=when))
        return None

    def _eguarantee(self) -> _Stop | None:
        s, r = self.s, self.r
        failure = _eguarantee_failure(s, r)
        return _Stop(_FAIL, SubIndication.SIG_CONSTRAINTS_FAILURE, failure) if failure is not None else None

    # --- RFC 5652 11.4: counter-signatures ------------------------------------------------------------
    def _countersignatures(self) -> None:
        values, skipped = self._countersignature_values()
        for number, value in enumerate(values):
            label = f"{self.label}.{number}"
            if isinstance(value, str):
                sub = SignerReport(number, _FAIL, SubIndication.FORMAT_FAILURE, [message(
                    "countersignature_unreadable", self.s.lang, index=self.label, number=number,
                    detail=localise.detail(value, SubIndication.FORMAT_FAILURE, self.s.lang))])
            else:
                sub = SignerProcess(self.s, value, Target.countersigned(self.signer), label=label,
                                    depth=self.depth + 1).run()
            self.r.counter_signatures.append(sub)
            if not sub.passed:
                self.r.warnings.append(SignatureWarning.of(
                    WarningCode.COUNTERSIGNATURE_FAILED, self.s.lang, index=self.label, number=number,
                    indication=sub.indication.value, sub_indication=sub.sub_indication.value if sub.sub_indication else ""))
        if skipped:
            self.r.warnings.append(SignatureWarning.of(
                WarningCode.COUNTERSIGNATURES_SKIPPED, self.s.lang, index=self.label, count=skipped,
                limit=MAX_COUNTERSIGNATURES, depth=MAX_COUNTERSIGNATURE_DEPTH))

    def _countersignature_values(self) -> tuple[list[SignerInfo | str], int]:
        """The counter-signatures to validate (a SignerInfo, or why one cannot be read) and how many are skipped."""
        found: list[SignerInfo | str] = []
        for attr in self.signer.unsigned or ():
            if attr.oid != ID_COUNTERSIGNATURE:
                continue
            try:
                values = attr.values()
            except (ValueError, TypeError):
                found.append("malformed countersignature attribute")
                continue
            for der in values:
                try:
                    found.append(parse_signer_info(der, len(found)))
                except (CMSFormatError, TrustsvcError) as exc:
                    found.append(str(exc))
        if self.depth >= MAX_COUNTERSIGNATURE_DEPTH:
            return [], len(found)
        take = min(len(found), max(self.s.countersignatures_left, 0))
        self.s.countersignatures_left -= take
        return found[:take], len(found) - take


def _eguarantee_failure(s: Shared, r: SignerReport) -> str | None:
    """The e-guarantee payload, in force at the validation time and meeting the `expected` terms."""
    if s.sd.econtent_type not in DATA_TYPES:
        return message("eguarantee_invalid", s.lang, detail=s.sd.econtent_type)
    if s.data is None:
        return message("eguarantee_invalid", s.lang, detail="the guarantee's payload is needed, not its digest")
    try:
        payload = parse_eguarantee(s.data)
    except EGuaranteeError as exc:
        return message("eguarantee_invalid", s.lang, detail=localise.detail(str(exc), SubIndication.FORMAT_FAILURE, s.lang))
    r.eguarantee = payload
    assert r.validation_time is not None
    # The guarantee must be in force when the signature is judged, and meet the tender's terms.
    for f in check_terms(payload, s.expected, r.validation_time):
        return message(f"eguarantee_term_{f.rule}", s.lang, term=f.term, actual=f.actual, expected=f.expected)
    r.reasons.append(message("eguarantee_ok", s.lang))
    return None


def _revoked_outcome(cert_report: CertificateReport, poe: TimestampReport | None, index: str, detail: str,
                     zone: tzinfo | None, lang: str) -> _Stop:
    """EN 319 102-1 5.2.6 / 5.5.4: a revoked certificate on the signer's path, with or without POE.

    With a valid signature timestamp the path was judged at genTime, so a revocation found there
    happened before the proof of existence: TOTAL-FAILED / REVOKED. Without one, the signature may
    have been made before the revocation: INDETERMINATE / REVOKED_NO_POE for the signing certificate,
    REVOKED_CA_NO_POE for a CA certificate of its path.
    """
    bad = cert_report.revoked
    when = fmt_time(bad.revocation_time, zone) if bad is not None and bad.revocation_time else "?"
    if poe is not None and poe.gen_time is not None:
        return _Stop(_FAIL, SubIndication.REVOKED, message("revoked_before_poe", lang, index=index, revoked_at=when,
                                                           gen_time=fmt_time(poe.gen_time, zone), detail=detail))
    if bad is not None and not bad.is_end_entity:
        return _Stop(_INDET, SubIndication.REVOKED_CA_NO_POE, message("revoked_ca_no_poe", lang, index=index,
                                                                      revoked_at=when, detail=detail))
    return _Stop(_INDET, SubIndication.REVOKED_NO_POE, message("revoked_no_poe", lang, index=index, revoked_at=when,
                                                               detail=detail))
