"""OCSP (RFC 6960): build requests and validate responses for one certificate at a validation time."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from asn1crypto import algos, core, ocsp

from trustsvc.errors import InvalidSignatureError, TrustsvcError, UnsupportedAlgorithmError, UnusableKeyError
from trustsvc.x509.certificate import Certificate
from trustsvc.x509.signature import load_public_key, verify_signature
from trustsvc.x509.sm2 import SM3_OID, sm3

from trustsvc.failures import Failure
from trustsvc.reports import SubIndication
from trustsvc.revocation.evidence import RevocationEvidence
from trustsvc.revocation.status import EvidenceStatus, OCSPProblem

__all__ = ["OCSPResult", "build_ocsp_request", "cert_id", "check_ocsp_response", "DEFAULT_CLOCK_SKEW",
           "DEFAULT_MAX_AGE_WITHOUT_NEXT_UPDATE"]

OCSP_SIGNING_EKU = "1.3.6.1.5.5.7.3.9"  # id-kp-OCSPSigning, RFC 6960 4.2.2.2
OCSP_NOCHECK = "1.3.6.1.5.5.7.48.1.5"  # id-pkix-ocsp-nocheck, RFC 6960 4.2.2.2.1
MAX_OCSP_RESPONSE_BYTES = 64 * 1024
DEFAULT_CLOCK_SKEW = timedelta(minutes=5)
# RFC 5019 2.2.4 / RFC 6960 4.2.2.1: without nextUpdate, "newer information is always available";
# we then accept a response only if thisUpdate is this close to the validation time (unless told otherwise).
DEFAULT_MAX_AGE_WITHOUT_NEXT_UPDATE = timedelta(hours=24)

_HASH_OIDS = {"sha1": "1.3.14.3.2.26", "sha256": "2.16.840.1.101.3.4.2.1", "sha384": "2.16.840.1.101.3.4.2.2",
              "sha512": "2.16.840.1.101.3.4.2.3", "sm3": SM3_OID}


def _digest(name: str, data: bytes) -> bytes:
    if name in ("sm3", SM3_OID):
        return sm3(data)
    try:
        return hashlib.new(name, data).digest()
    except (ValueError, TypeError):
        raise UnsupportedAlgorithmError(name, "CertID hash algorithm") from None


def _issuer_key_bits(issuer: Certificate) -> bytes:
    # RFC 6960 4.1.1: the hash of the issuer's public key BIT STRING value (without tag/length/unused bits).
    return bytes(issuer.spki["public_key"].contents[1:])


def cert_id(cert: Certificate, issuer: Certificate, hash_algorithm: str = "sha1") -> ocsp.CertId:
    """The RFC 6960 4.1.1 CertID of `cert` (issuer name/key hashes with `hash_algorithm`, serial)."""
    oid = _HASH_OIDS.get(hash_algorithm, hash_algorithm)
    return ocsp.CertId({
        "hash_algorithm": algos.DigestAlgorithm({"algorithm": oid, "parameters": core.Null()}),
        "issuer_name_hash": _digest(hash_algorithm, issuer.subject.dump()),
        "issuer_key_hash": _digest(hash_algorithm, _issuer_key_bits(issuer)),
        "serial_number": cert.serial_number,
    })


def build_ocsp_request(cert: Certificate, issuer: Certificate, *, hash_algorithm: str = "sha1",
                       nonce: bytes | None | bool = True) -> tuple[bytes, bytes | None]:
    """DER OCSPRequest for one certificate (RFC 6960 4.1) and the nonce sent (RFC 8954), if any.

    SHA-1 is the CertID default because every responder understands it (RFC 5019 2.1.1); pass
    "sha256" for responders that want it. `nonce=True` draws a fresh 32-byte nonce.
    """
    if nonce is True:
        nonce = os.urandom(32)
    elif nonce is False:
        nonce = None
    tbs: dict = {"request_list": [{"req_cert": cert_id(cert, issuer, hash_algorithm)}]}
    if nonce is not None:
        tbs["request_extensions"] = [{"extn_id": "nonce", "critical": False, "extn_value": nonce}]
    return ocsp.OCSPRequest({"tbs_request": tbs}).dump(), nonce


@dataclass
class OCSPResult:
    """The outcome of checking one OCSP response for one certificate at `at`.

    `status` (`EvidenceStatus`): GOOD (not revoked at `at`), REVOKED (revocationTime <= at), UNKNOWN (the
    responder does not know the certificate) or INVALID (unusable: `problem`, an `OCSPProblem`, says why, and
    `failure` is the typed value with the clause broken). `responder_unchecked` names a delegated responder
    certificate WITHOUT id-pkix-ocsp-nocheck whose own revocation status the caller should still check
    (RFC 6960 4.2.2.2.1); we do not recurse into it here.
    """

    status: EvidenceStatus
    revocation_time: datetime | None = None
    reason: str | None = None
    error: str | None = None
    evidence: RevocationEvidence | None = None
    problem: OCSPProblem | None = None
    responder: Certificate | None = None
    responder_unchecked: Certificate | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def failure(self) -> Failure | None:
        """Why the response is no usable evidence (None when it is): the status it leaves is not established,
        EN 319 102-1 INDETERMINATE / TRY_LATER if that matters (revocation/modes.judge decides)."""
        if self.problem is None:
            return None
        return Failure.indeterminate(SubIndication.TRY_LATER, self.error or self.problem.value, rule=self.problem.rule)


class _Invalid(TrustsvcError):
    def __init__(self, problem: OCSPProblem, message: str) -> None:
        super().__init__(message)
        self.problem = problem


def _find_responder(basic: ocsp.BasicOCSPResponse, issuer: Certificate,
                    other_certs: Sequence[Certificate]) -> Certificate:
    rid = basic["tbs_response_data"]["responder_id"]
    candidates = [issuer]
    for c in basic["certs"] or []:
        candidates.append(Certificate.from_der(c.dump()))
    for other in other_certs:
        candidates.append(other if isinstance(other, Certificate) else Certificate.from_der(bytes(other)))
    for cand in candidates:
        if rid.name == "by_key":
            if hashlib.sha1(_issuer_key_bits(cand)).digest() == rid.chosen.native:
                return cand
        elif cand.subject == rid.chosen:
            return cand
    raise _Invalid(OCSPProblem.RESPONDER, f"no certificate for the responder ({rid.name}) in the response or supplied")


def _authorise_responder(responder: Certificate, issuer: Certificate, produced_at: datetime, sm2_id: bytes | None,
                         result: OCSPResult) -> None:
    """RFC 6960 4.2.2.2: the CA itself, or a certificate issued by the CA with id-kp-OCSPSigning."""
    if responder.spki_der == issuer.spki_der and responder.subject == issuer.subject:
        return
    if responder.issuer != issuer.subject:
        raise _Invalid(OCSPProblem.RESPONDER, f"responder {responder.subject_str!r} is neither the CA nor issued by it")
    try:
        verify_signature(load_public_key(issuer.spki), responder.signature_algorithm, responder.signature,
                         responder.tbs_der, sm2_id=sm2_id)
    except (InvalidSignatureError, UnsupportedAlgorithmError, UnusableKeyError) as exc:
        raise _Invalid(OCSPProblem.RESPONDER, f"responder certificate is not signed by the CA: {exc}") from None
    eku = responder.asn1.extended_key_usage_value
    if eku is None or OCSP_SIGNING_EKU not in [p.dotted for p in eku]:
        raise _Invalid(OCSPProblem.RESPONDER, f"delegated responder {responder.subject_str!r} lacks id-kp-OCSPSigning "
                                    "(RFC 6960 4.2.2.2)")
    if not responder.not_before <= produced_at <= responder.not_after:
        raise _Invalid(OCSPProblem.RESPONDER, f"responder certificate not valid at producedAt {produced_at.isoformat()}")
    nocheck = any(ext["extn_id"].dotted == OCSP_NOCHECK for ext in responder.asn1["tbs_certificate"]["extensions"])
    if not nocheck:
        result.responder_unchecked = responder
        result.notes.append("delegated responder has no id-pkix-ocsp-nocheck: its own status needs checking")


def _match_single(basic: ocsp.BasicOCSPResponse, cert: Certificate, issuer: Certificate) -> ocsp.SingleResponse:
    name_der, key_bits = issuer.subject.dump(), _issuer_key_bits(issuer)
    for single in basic["tbs_response_data"]["responses"]:
        cid = single["cert_id"]
        if cid["serial_number"].native != cert.serial_number:
            continue
        alg = cid["hash_algorithm"]["algorithm"]
        name = SM3_OID if alg.dotted == SM3_OID else alg.native
        try:
            if (cid["issuer_name_hash"].native == _digest(name, name_der)
                    and cid["issuer_key_hash"].native == _digest(name, key_bits)):
                return single
        except UnsupportedAlgorithmError:
            continue
    raise _Invalid(OCSPProblem.NO_MATCH, f"no SingleResponse for serial {cert.serial_number:x} under this issuer (CertID)")


def check_ocsp_response(cert: Certificate, issuer: Certificate, response_der: bytes, *, at: datetime,
                        freshness: timedelta | None = None, algorithm_policy=None,
                        other_certs: Sequence[Certificate] = (), clock_skew: timedelta = DEFAULT_CLOCK_SKEW,
                        nonce: bytes | None = None, source: str = "supplied",
                        sm2_id: bytes | None = None) -> OCSPResult:
    """Validate `response_der` for `cert` (issued by `issuer`) and give its status at `at`.

    Never raises for bad input: an unusable response gives status "invalid" with `problem`/`error`.
    `freshness`: maximum age of thisUpdate relative to `at` (RFC 6960 3.2 (4)); nextUpdate must
    not be before `at` - `clock_skew` (3.2 (5)). A response produced after `at` is fine: it proves
    status at `at` (revoked with revocationTime > at means not revoked at `at`).
    """
    digest = hashlib.sha256(response_der).hexdigest()
    result = OCSPResult(status=EvidenceStatus.INVALID)
    times: dict[str, datetime | None] = {"this_update": None, "next_update": None, "produced_at": None}
    try:
        _check(cert, issuer, response_der, at, freshness, algorithm_policy, other_certs, clock_skew, nonce, sm2_id,
               result, times)
    except _Invalid as exc:
        result.status, result.problem, result.error = EvidenceStatus.INVALID, exc.problem, str(exc)
    except (ValueError, TypeError, KeyError, AttributeError, OverflowError, TrustsvcError) as exc:
        result.status, result.problem = EvidenceStatus.INVALID, OCSPProblem.MALFORMED
        result.error = f"malformed OCSP response ({exc})"
    result.evidence = RevocationEvidence(
        kind="ocsp", source=source, issuer=issuer.subject_str, this_update=times["this_update"],
        next_update=times["next_update"], produced_at=times["produced_at"], sha256=digest, status=result.status.value,
        revocation_time=result.revocation_time,
        reason=result.reason if result.status is not EvidenceStatus.INVALID else result.error,
        certificate=cert.subject_str,
    )
    return result


def _check(cert, issuer, response_der, at, freshness, algorithm_policy, other_certs, clock_skew, nonce, sm2_id,
           result: OCSPResult, times: dict) -> None:
    if len(response_der) > MAX_OCSP_RESPONSE_BYTES:
        raise _Invalid(OCSPProblem.MALFORMED, f"OCSP response of {len(response_der)} bytes exceeds the limit")
    resp = ocsp.OCSPResponse.load(response_der, strict=True)
    status = resp["response_status"].native
    if status != "successful":  # RFC 6960 4.2.1
        raise _Invalid(OCSPProblem.TRY_LATER if status == "try_later" else "not-successful", f"OCSP responder said {status}")
    rb = resp["response_bytes"]
    if rb["response_type"].native != "basic_ocsp_response":
        raise _Invalid(OCSPProblem.MALFORMED, f"unsupported OCSP response type {rb['response_type'].dotted}")
    basic: ocsp.BasicOCSPResponse = rb["response"].parsed
    data = basic["tbs_response_data"]
    produced_at = data["produced_at"].native
    times["produced_at"] = produced_at
    single = _match_single(basic, cert, issuer)  # RFC 6960 3.2 (1)
    this_update = single["this_update"].native
    next_update = single["next_update"].native
    times["this_update"], times["next_update"] = this_update, next_update
    # RFC 6960 3.2 (2)-(3): signature by the CA or an authorised responder
    responder = _find_responder(basic, issuer, other_certs)
    result.responder = responder
    _authorise_responder(responder, issuer, produced_at, sm2_id, result)
    try:
        used = verify_signature(load_public_key(responder.spki), basic["signature_algorithm"],
                                basic["signature"].native, data.dump(), sm2_id=sm2_id)
    except (InvalidSignatureError, UnsupportedAlgorithmError, UnusableKeyError) as exc:
        raise _Invalid(OCSPProblem.SIGNATURE, f"OCSP response signature: {exc}") from None
    if algorithm_policy is not None:
        why = algorithm_policy.check(used, produced_at)
        if why:
            raise _Invalid(OCSPProblem.ALGORITHM, f"OCSP response signature: {why}")
    # RFC 8954: a nonce is optional; if both sides have one they must agree
    if nonce is not None:
        for ext in data["response_extensions"] or []:
            if ext["extn_id"].native == "nonce" and ext["extn_value"].parsed.native != nonce:
                raise _Invalid(OCSPProblem.NONCE, "OCSP nonce does not match the request")
    # RFC 6960 3.2 (4)-(5): freshness at the validation time
    if next_update is not None and next_update < at - clock_skew:
        raise _Invalid(OCSPProblem.STALE, f"OCSP response is stale: nextUpdate {next_update.isoformat()} is before the "
                                f"validation time {at.isoformat()}")
    window = freshness if freshness is not None else (None if next_update is not None
                                                      else DEFAULT_MAX_AGE_WITHOUT_NEXT_UPDATE)
    if window is not None and this_update < at - window - clock_skew:
        raise _Invalid(OCSPProblem.STALE, f"OCSP response is stale: thisUpdate {this_update.isoformat()} is more than "
                                f"{window} before the validation time {at.isoformat()}")
    if this_update > produced_at + clock_skew:
        raise _Invalid(OCSPProblem.MALFORMED, "OCSP thisUpdate is after producedAt")
    cs = single["cert_status"]
    if cs.name == "good":
        result.status = EvidenceStatus.GOOD
    elif cs.name == "unknown":
        result.status = EvidenceStatus.UNKNOWN
    else:
        rtime = cs.chosen["revocation_time"].native
        reason = cs.chosen["revocation_reason"].native if cs.chosen["revocation_reason"].native is not None else None
        result.revocation_time, result.reason = rtime, reason
        if rtime <= at:  # revoked at the validation time
            result.status = EvidenceStatus.REVOKED
        else:  # revoked later than `at`: not revoked at `at` (EN 319 102-1 5.2.6)
            result.status = EvidenceStatus.GOOD
            result.notes.append(f"revoked at {rtime.isoformat()}, after the validation time")

