"""extend_signature: raise a CAdES signature to B-LT or B-LTA by adding what is missing (EN 319 122-1, EN 319 102-1 5.5/5.6).

B-LT adds the certificate and revocation values needed to validate the signature and its timestamps
later without a network: the certification paths of the signer and of every TSA, the CRLs / OCSP
responses that establish their status now, and the OCSP responders' certificates. B-LTA also adds
an archive-time-stamp-v3 over all of it; a second B-LTA extension first adds the validation data of
the previous archive timestamp's TSA, then renews with a new one. The core is pure: revocation data
comes from the arguments or from an injected `revocation_source` (a fetcher built at the edge).
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timezone
from typing import Callable, Sequence

from trustsvc.cms.augment import add_archive_timestamp, add_validation_data
from trustsvc.cms.layout import RawSignedData, read_layout
from trustsvc.cms.levels import LT, LTA, SHORT
from trustsvc.cms.signed_data import CMSFormatError, SignedData, parse_signed_data
from trustsvc.cms.timestamp import parse_timestamp_token
from trustsvc.cms.validation_data import ARCHIVE_TIMESTAMPS, ValidationData, embedded
from trustsvc.cms.attributes import ID_AA_SIGNATURE_TIMESTAMP
from trustsvc.context import CertificateInput, CRLInput, TrustSource
from trustsvc.errors import InputFormatError
from trustsvc.path.anchor import TrustAnchor
from trustsvc.revocation.source import ExplainingRevocationSource, RevocationSource
from trustsvc.validation.report import CertificateReport
from trustsvc.validation.timestamp import coerce_certs
from trustsvc.x509.certificate import Certificate

__all__ = ["ExtendError", "extend_signature"]


class ExtendError(InputFormatError):
    """The signature cannot be extended as asked (no timestamp source, detached without content...)."""


class _Recording:
    """Wraps a revocation source and keeps every byte string it returned (to embed what was used)."""

    def __init__(self, inner: RevocationSource | None) -> None:
        self.inner = inner
        self.crls: list[bytes] = []
        self.ocsp: list[bytes] = []

    def begin(self, cert: Certificate) -> None:
        if isinstance(self.inner, ExplainingRevocationSource):
            self.inner.begin(cert)

    def crls_for(self, cert: Certificate, issuer: Certificate | None) -> Sequence[bytes]:
        got = list(self.inner.crls_for(cert, issuer)) if self.inner is not None else []
        self.crls.extend(bytes(b) for b in got)
        return got

    def ocsp_for(self, cert: Certificate, issuer: Certificate) -> Sequence[bytes]:
        got = list(self.inner.ocsp_for(cert, issuer)) if self.inner is not None else []
        self.ocsp.extend(bytes(b) for b in got)
        return got

    def reasons_for(self, cert: Certificate) -> list[str]:
        return self.inner.reasons_for(cert) if isinstance(self.inner, ExplainingRevocationSource) else []


def extend_signature(
    signature: bytes | str,
    *,
    level: str = "B-LTA",
    content: bytes | None = None,
    timestamper: Callable[[bytes, str], bytes] | None = None,
    trust: TrustSource | None = None,
    trust_anchors: Sequence[CertificateInput] = (),
    other_certs: Sequence[CertificateInput] = (),
    crls: Sequence[CRLInput] = (),
    ocsp_responses: Sequence[bytes] = (),
    revocation_source: RevocationSource | None = None,
    at: datetime | None = None,
) -> bytes:
    """Return `signature` extended to `level` ("B-LT" or "B-LTA"); the signed parts keep their octets.

    `timestamper(imprint, hash_name) -> TimeStampToken DER` makes the archive timestamp (B-LTA).
    Revocation data: `crls` / `ocsp_responses` given, and what `revocation_source` yields.
    Raises ExtendError (or a CMS format error) when the signature cannot be extended.
    """
    target = SHORT.get(level, level)
    if target not in (LT, LTA):
        raise ExtendError(f"extend: level must be B-LT or B-LTA, not {level!r}")
    sd = parse_signed_data(signature)
    der = sd.der
    if not any(s.values(ID_AA_SIGNATURE_TIMESTAMP, signed=False) for s in sd.signers):
        if timestamper is None:
            raise ExtendError("extend: the signature has no signature timestamp (B-T); give a TSA to add one")
        from trustsvc.cms.builder import add_signature_timestamp

        der = add_signature_timestamp(der, timestamper)
    now = at or datetime.now(timezone.utc)
    gatherer = _Gatherer(trust, coerce_certs(trust_anchors), coerce_certs(other_certs), list(crls),
                         list(ocsp_responses), _Recording(revocation_source), now)
    der = gatherer.add_missing(der)
    if target == LTA:
        if timestamper is None:
            raise ExtendError("extend: B-LTA needs a TSA for the archive timestamp")
        der = add_archive_timestamp(der, timestamper, content=content)
    return der


class _Gatherer:
    """Finds the paths and revocation data of the signer and every TSA and adds what the signature lacks."""

    def __init__(self, trust: TrustSource | None, anchors: list[Certificate | TrustAnchor],
                 others: list[Certificate | TrustAnchor], crls: list[CRLInput], ocsp: list[bytes],
                 source: _Recording, now: datetime) -> None:
        self.trust, self.anchors = trust, anchors
        self.others = [c.certificate if isinstance(c, TrustAnchor) else c for c in others]
        self.crls, self.ocsp, self.source, self.now = crls, ocsp, source, now

    def add_missing(self, der: bytes) -> bytes:
        sd = parse_signed_data(der)
        layout = read_layout(der)
        have = embedded(layout, layout.signers[0])
        for raw in layout.signers[1:]:
            have.extend(embedded(layout, raw))
        certs: list[bytes] = []
        used: set[str] = set()
        pool = sd.certificates + self.others + [Certificate.from_der(c) for c in have.certificates
                                                 if c not in {x.der for x in sd.certificates}]
        uncovered: list[str] = []
        for cert, at, extra in self._subjects(sd, layout, pool):
            report = self._validate(cert, at, pool + extra, have)
            for c in report.path or [cert]:
                if c.der not in certs:
                    certs.append(c.der)
            used.update(e.sha256 for e in report.revocation_evidence if getattr(e, "sha256", None))
            covered = {getattr(e, "certificate", None) for e in report.revocation_evidence}
            uncovered += [c.subject_str for c in (report.path or [cert])[1:]
                          if c.subject_str not in covered and c.subject_str not in uncovered]
        if uncovered and (self.anchors or self.trust is not None):
            # EN 319 122-1 B-LT: the values needed to validate the signature later must be embedded; a result
            # that lacks them is not B-LT, so say which certificates have no revocation data (as DSS does).
            raise ExtendError("extend: no revocation data (CRL or OCSP response) found for "
                              + "; ".join(uncovered[:5]) + " — give --crl / --ocsp files, or --fetch")
        # Without any anchor no path can be built: what the caller supplied is embedded as given.
        blind = not self.anchors and self.trust is None
        crls = [c for c in self._candidates(self.crls + self.source.crls) if blind or _sha(c) in used]
        ocsp = [o for o in self._candidates(self.ocsp + self.source.ocsp) if blind or _sha(o) in used]
        certs += [c for o in ocsp for c in _responder_certs(o) if c not in certs]
        return add_validation_data(der, certificates=certs, crls=crls, ocsp_responses=ocsp)

    @staticmethod
    def _candidates(items: list[bytes]) -> list[bytes]:
        out: list[bytes] = []
        for b in items:
            if bytes(b) not in out:
                out.append(bytes(b))
        return out

    def _subjects(self, sd: SignedData, layout: RawSignedData,
                  pool: list[Certificate]) -> list[tuple[Certificate, datetime, list[Certificate]]]:
        """(certificate, time to find its path at, extra certificates): each signer and each TSA."""
        out = []
        for signer in sd.signers:
            cert = signer.find_certificate(pool)
            if cert is None:
                raise ExtendError(f"extend: signer {signer.index}'s certificate is not in the signature; give it")
            tokens = [*signer.values(ID_AA_SIGNATURE_TIMESTAMP, signed=False),
                      *[v for oid in ARCHIVE_TIMESTAMPS for v in signer.values(oid, signed=False)]]
            first = None
            for der in tokens:
                try:
                    token = parse_timestamp_token(der)
                except (CMSFormatError, InputFormatError):
                    continue
                tsa = token.signed_data.signers[0].find_certificate(token.signed_data.certificates + pool)
                if tsa is not None:
                    out.append((tsa, token.gen_time, token.signed_data.certificates))
                first = token.gen_time if first is None or token.gen_time < first else first
            out.append((cert, first or self.now, []))
        return out

    def _validate(self, cert: Certificate, at: datetime, pool: list[Certificate], have: ValidationData) -> CertificateReport:
        from trustsvc.validation.certificate import validate_certificate

        # Paths are found at the time the certificate was used; revocation data is what exists now
        # (issued after that time, it is the best evidence of the status at it).
        return validate_certificate(
            cert, intermediates=[c for c in pool if c != cert], trust_anchors=self.anchors, at=at,
            crls=self.crls + have.crls, ocsp_responses=self.ocsp + have.ocsp, other_certs=self.others,
            revocation="soft-fail", trust=self.trust, revocation_source=self.source,
        )


def _sha(data: bytes) -> str:
    return hashlib.sha256(bytes(data)).hexdigest()


def _responder_certs(ocsp_der: bytes) -> list[bytes]:
    from asn1crypto import ocsp

    try:
        basic = ocsp.OCSPResponse.load(ocsp_der)["response_bytes"]["response"].parsed
        return [c.dump() for c in basic["certs"]] if basic["certs"].native else []
    except (ValueError, TypeError, KeyError, AttributeError):
        return []
