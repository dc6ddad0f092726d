"""RFC 5280 6.3 CRL processing: scope, distribution points, indirect and delta CRLs, reason masks."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cached_property

from asn1crypto import crl as asn1_crl
from asn1crypto import x509

from trustsvc.errors import InputFormatError
from trustsvc.failures import Failure
from trustsvc.path.budget import check_limits
from trustsvc.reports import SubIndication
from trustsvc.revocation.evidence import RevocationEvidence
from trustsvc.revocation.status import EvidenceStatus, RevocationStatus
from trustsvc.x509.certificate import Certificate
from trustsvc.x509.load import CRL_ENTRIES_PER_PROGRESS, load_crl

ALL_REASONS = frozenset({"key_compromise", "ca_compromise", "affiliation_changed", "superseded",
                         "cessation_of_operation", "certificate_hold", "privilege_withdrawn", "aa_compromise"})
# RFC 5280 5.2 / 5.3: CRL and CRL entry extensions we process.
_KNOWN_CRL_EXT = frozenset({"2.5.29.20", "2.5.29.27", "2.5.29.28", "2.5.29.35", "2.5.29.46", "2.5.29.18", "1.3.6.1.5.5.7.1.1"})
_KNOWN_ENTRY_EXT = frozenset({"2.5.29.21", "2.5.29.24", "2.5.29.29"})


class ParsedCRL:
    """A CRL parsed once per validation, with the facts RFC 5280 6.3.3 needs."""

    def __init__(self, der: bytes, source: str = "supplied") -> None:
        # the request's limits are checked while a long list is parsed (tests/revocation/test_hostile_crl.py)
        self.asn1: asn1_crl.CertificateList = load_crl(der, progress=check_limits)
        self.der = der
        self.source = source
        tbs = self.asn1["tbs_cert_list"]
        self.tbs_der = tbs.dump()
        self.issuer: x509.Name = tbs["issuer"]
        self.issuer_key = self.issuer.hashable
        self.this_update: datetime = tbs["this_update"].native
        self.next_update: datetime | None = tbs["next_update"].native
        # RFC 5280 5.2: an unrecognised extension is kept as its octets (a non-critical one is ignored, a critical
        # one makes the CRL unusable); only the extensions this module processes are decoded
        self.exts: dict[str, tuple[bool, object]] = {}
        for e in tbs["crl_extensions"]:
            oid, value = e["extn_id"].dotted, e["extn_value"]
            self.exts[oid] = (bool(e["critical"].native), value.parsed if oid in _KNOWN_CRL_EXT else value.contents)
        self.sha256 = hashlib.sha256(der).hexdigest()

    def ext(self, oid: str):
        item = self.exts.get(oid)
        return None if item is None else item[1]

    @cached_property
    def unknown_critical(self) -> list[str]:
        out = [o for o, (c, _v) in self.exts.items() if c and o not in _KNOWN_CRL_EXT]
        return out

    @property
    def idp(self):
        return self.ext("2.5.29.28")

    @cached_property
    def idp_der(self) -> bytes:
        idp = self.idp
        return b"" if idp is None else idp.dump()

    @property
    def is_delta(self) -> bool:
        return "2.5.29.27" in self.exts

    @property
    def number(self) -> int | None:
        v = self.ext("2.5.29.20")
        return None if v is None else v.native

    @property
    def base_number(self) -> int | None:
        v = self.ext("2.5.29.27")
        return None if v is None else v.native

    @property
    def indirect(self) -> bool:
        idp = self.idp
        return bool(idp is not None and idp["indirect_crl"].native)

    @cached_property
    def entries(self) -> dict[tuple[str, int], tuple[datetime, str | None]] | str:
        """(issuer name key, serial) -> (revocation date, reason); a string = unusable (critical entry ext)."""
        out: dict[tuple[str, int], tuple[datetime, str | None]] = {}
        issuer = self.issuer_key
        for i, entry in enumerate(self.asn1["tbs_cert_list"]["revoked_certificates"]):
            if i % CRL_ENTRIES_PER_PROGRESS == 0:
                check_limits()
            reason = None
            for e in entry["crl_entry_extensions"]:
                oid = e["extn_id"].dotted
                if e["critical"].native and oid not in _KNOWN_ENTRY_EXT:
                    return f"CRL entry has unrecognised critical extension {oid}"
                if oid == "2.5.29.21":
                    reason = e["extn_value"].parsed.native
                elif oid == "2.5.29.29" and self.indirect:  # RFC 5280 5.3.3 certificateIssuer
                    for gn in e["extn_value"].parsed:
                        if gn.name == "directory_name":
                            issuer = gn.chosen.hashable
                            break
            out[(issuer, entry["user_certificate"].native)] = (entry["revocation_date"].native, reason)
        return out


def crl_profile_problem(crl: ParsedCRL) -> str | None:
    """Why `crl` breaks the RFC 5280 5.1 / 5.2 CRL profile so that it is no usable evidence, or None.

    cRLNumber present and non-critical (5.2.3), deltaCRLIndicator critical (5.2.4), issuingDistributionPoint
    critical (5.2.5). The issuer's cRLSign bit (6.3.3 (f)) is judged with the issuer's certificate, by `signer_ok`.
    """
    who = f"CRL from {crl.issuer.human_friendly}"
    number = crl.exts.get("2.5.29.20")
    if number is None:
        return f"{who} has no cRLNumber (RFC 5280 5.2.3)"
    if number[0]:
        return f"{who}: cRLNumber is critical (RFC 5280 5.2.3)"
    delta = crl.exts.get("2.5.29.27")
    if delta is not None and not delta[0]:
        return f"{who}: deltaCRLIndicator is not critical (RFC 5280 5.2.4)"
    idp = crl.exts.get("2.5.29.28")
    if idp is not None and not idp[0]:
        return f"{who}: issuingDistributionPoint is not critical (RFC 5280 5.2.5)"
    return None


def parse_crls(blobs: Sequence[bytes], source: str = "supplied") -> tuple[list[ParsedCRL], list[str]]:
    """Parse CRLs, skipping (and reporting) unreadable ones."""
    out, problems, seen = [], [], set()
    for b in blobs:
        if isinstance(b, ParsedCRL):
            if b.sha256 not in seen:
                seen.add(b.sha256)
                out.append(b)
            continue
        try:
            p = ParsedCRL(bytes(b), source)
        except (InputFormatError, ValueError, TypeError, KeyError, AttributeError) as exc:
            problems.append(f"unreadable CRL: {exc}")
            continue
        if p.sha256 not in seen:
            seen.add(p.sha256)
            out.append(p)
    return out, problems


@dataclass
class CRLStatus:
    """The outcome of RFC 5280 6.3 for one certificate: status good / revoked / None (undetermined)."""

    status: RevocationStatus | None
    revocation_time: datetime | None = None
    reason: str | None = None
    evidence: list[RevocationEvidence] = field(default_factory=list)
    # Why the CRLs left the status open, one typed failure each (stale, refuted, none in scope).
    failures: list[Failure] = field(default_factory=list)
    only_stale: bool = False
    # CRLs that claim to cover the certificate (in scope, fresh) but do not hold: their signature or issuer
    # path fails (6.3.3 (f), (g)) or they break the CRL profile (5.2, 5.3). Evidence put forward and refuted,
    # as opposed to evidence missing or stale; `revocation/modes.judge` does not let it pass silently.
    refuted: list[Failure] = field(default_factory=list)

    @property
    def problems(self) -> list[str]:
        """The failures as English text (the reports' `refused` list, logs)."""
        return [f.detail for f in self.failures]


def _gn_names(general_names, relative_base: x509.Name | None = None) -> list[str]:
    out = []
    for gn in general_names or []:
        if gn.name == "directory_name":
            out.append("dn:" + gn.chosen.hashable)
        else:
            out.append(f"{gn.name}:{gn.native}")
    return out


def _dp_names(dpname, issuer: x509.Name) -> list[str]:
    """Names of a DistributionPointName: fullName, or nameRelativeToCRLIssuer appended to `issuer`."""
    if dpname is None or dpname.native is None:
        return []
    if dpname.name == "full_name":
        return _gn_names(dpname.chosen)
    rdns = list(issuer.chosen) + [dpname.chosen]
    return ["dn:" + x509.Name(name="", value=x509.RDNSequence(rdns)).hashable]


def _evidence(crl: ParsedCRL, cert: Certificate, status: EvidenceStatus, rt: datetime | None = None,
              reason: str | None = None) -> RevocationEvidence:
    return RevocationEvidence(kind="crl", source=crl.source, issuer=crl.issuer.human_friendly, this_update=crl.this_update,
                              next_update=crl.next_update, sha256=crl.sha256, status=status.value, revocation_time=rt,
                              reason=reason, certificate=cert.subject_str)


def stale_reason(crl: ParsedCRL, at: datetime, max_freshness: timedelta | None = None) -> str | None:
    """Why `crl` cannot speak for the status at `at`, or None (EN 319 102-1 5.2.5 revocation freshness).

    A CRL issued at or after `at` is the best evidence about the status at `at` (its entries carry
    the revocation dates). One issued before `at` counts only while fresh: `at` not after its
    nextUpdate (RFC 5280 6.3.3 (a)(2)) and, with `max_freshness`, issued no longer than that before `at`.
    """
    if crl.this_update >= at:
        return None
    if crl.next_update is not None and crl.next_update < at:
        return f"CRL from {crl.issuer.human_friendly} is stale: nextUpdate {crl.next_update.isoformat()} is before {at.isoformat()}"
    if max_freshness is not None and at - crl.this_update > max_freshness:
        return (f"CRL from {crl.issuer.human_friendly} is stale: issued {crl.this_update.isoformat()}, more than "
                f"{max_freshness} before {at.isoformat()}")
    return None


@dataclass(frozen=True)
class _DistributionPoint:
    """One of the certificate's CRL distribution points (RFC 5280 4.2.1.13), as 6.3.3 (b) matches CRLs to it."""

    names: list[str]  # the distribution point's names (fullName, or nameRelativeToCRLIssuer resolved)
    crl_issuers: list[str] | None  # cRLIssuer names (an indirect CRL's issuer), None when the CA issues its CRLs
    reasons: frozenset[str]  # the reasons it covers


def _distribution_points(cert: Certificate) -> list[_DistributionPoint]:
    """The certificate's distribution points; without the extension, one covering every reason from its issuer."""
    cdps = cert.crl_distribution_points
    if not cdps:
        return [_DistributionPoint([], None, ALL_REASONS)]
    out = []
    for dp in cdps:
        crl_issuers = _gn_names(dp["crl_issuer"]) if dp["crl_issuer"].native else None
        # RFC 5280 4.2.1.13: nameRelativeToCRLIssuer is relative to cRLIssuer when present
        rel_base = next((gn.chosen for gn in dp["crl_issuer"] if gn.name == "directory_name"), None) \
            if dp["crl_issuer"].native else None
        rel_base = rel_base if rel_base is not None else cert.issuer
        names = _dp_names(dp["distribution_point"], rel_base) if dp["distribution_point"].native is not None else []
        r = dp["reasons"].native
        out.append(_DistributionPoint(names, crl_issuers, frozenset(r) & ALL_REASONS if r else ALL_REASONS))
    return out


def _in_scope(crl: ParsedCRL, cert: Certificate, dp: _DistributionPoint) -> bool:
    """RFC 5280 6.3.3 (b): the CRL's issuer and issuing distribution point cover `cert` through `dp`."""
    # 6.3.3 (b)(1) issuer
    if dp.crl_issuers is not None:
        if "dn:" + crl.issuer_key not in dp.crl_issuers or not crl.indirect:
            return False
    elif crl.issuer_key != cert.issuer_key:
        return False
    # 6.3.3 (b)(2) issuing distribution point scope
    idp = crl.idp
    if idp is None:
        return True
    idp_names = _dp_names(idp["distribution_point"], crl.issuer)
    if idp_names:
        candidates = dp.names or dp.crl_issuers or ["dn:" + cert.issuer_key]
        if not set(idp_names) & set(candidates):
            return False
    if idp["only_contains_user_certs"].native and cert.is_ca:
        return False
    if idp["only_contains_ca_certs"].native and not cert.is_ca:
        return False
    return not idp["only_contains_attribute_certs"].native


def _idp_reasons(crl: ParsedCRL) -> frozenset[str]:
    """RFC 5280 6.3.3 (d): the reasons the CRL's issuing distribution point covers (all without onlySomeReasons)."""
    idp = crl.idp
    if idp is None or not idp["only_some_reasons"].native:
        return ALL_REASONS
    return frozenset(idp["only_some_reasons"].native) & ALL_REASONS


def broken_reason(crl: ParsedCRL) -> str | None:
    """Why `crl` is no usable evidence at any time: an unrecognised critical extension (RFC 5280 5.2) or a
    broken CRL profile (5.2.3-5.2.5); None when it is usable."""
    if crl.unknown_critical:
        return f"CRL has unrecognised critical extension(s) {crl.unknown_critical}"
    return crl_profile_problem(crl)


def unusable_reason(crl: ParsedCRL, at: datetime, max_freshness: timedelta | None = None) -> str | None:
    """Why `crl` cannot serve as evidence at `at` whatever its signer: not fresh (6.3.3 (a)) or broken
    (`broken_reason`); None when it can."""
    return stale_reason(crl, at, max_freshness) or broken_reason(crl)


def _refuted(result: CRLStatus, why: str, rule: str) -> None:
    failure = Failure.indeterminate(SubIndication.TRY_LATER, why, rule=rule)
    result.failures.append(failure)
    result.refuted.append(failure)


def _delta_entry(crl: ParsedCRL, deltas: Sequence[ParsedCRL], cert: Certificate, at: datetime,
                 max_freshness: timedelta | None, signer_ok: Callable[[ParsedCRL], str | None],
                 result: CRLStatus) -> tuple[datetime, str | None] | None:
    """RFC 5280 6.3.3 (c), (h), (i): `cert`'s entry in a usable delta CRL for the complete CRL `crl`, if any
    (the delta is recorded as evidence when one is used)."""
    for d in deltas:
        if (d.issuer_key == crl.issuer_key and d.idp_der == crl.idp_der and d.base_number is not None
                and crl.number is not None and d.base_number <= crl.number and (d.number or 0) > crl.number
                and unusable_reason(d, at, max_freshness) is None and signer_ok(d) is None
                and not isinstance(d.entries, str)):
            hit = d.entries.get((cert.issuer_key, cert.serial_number))
            result.evidence.append(_evidence(d, cert, EvidenceStatus.REVOKED if hit and hit[1] != "remove_from_crl"
                                                        else EvidenceStatus.GOOD))
            return None if hit is None else (min(hit[0], d.this_update), hit[1])  # see _apply_entry
    return None


def check_crls(
    cert: Certificate,
    crls: Sequence[ParsedCRL],
    *,
    at: datetime,
    signer_ok: Callable[[ParsedCRL], str | None],
    max_freshness: timedelta | None = None,
) -> CRLStatus:
    """RFC 5280 6.3.3 for `cert` over the candidate `crls` at the validation time `at`; `signer_ok(crl)`
    validates the CRL's issuer path and signature (6.3.3 (f), (g)) and returns None or the reason it is
    not acceptable. Newest CRLs are considered first; freshness as in `stale_reason`."""
    result = CRLStatus(None)
    reasons_mask: set[str] = set()
    complete = sorted((c for c in crls if not c.is_delta), key=lambda c: c.this_update, reverse=True)
    deltas = [c for c in crls if c.is_delta]
    stale_seen = fresh_seen = False
    for dp in _distribution_points(cert):
        for crl in complete:
            if reasons_mask >= ALL_REASONS:
                break
            if not _in_scope(crl, cert, dp):
                continue
            # 6.3.3 (a) currency at the validation time (EN 319 102-1 5.2.5)
            why = stale_reason(crl, at, max_freshness)
            if why is not None:
                stale_seen = True
                result.failures.append(Failure.indeterminate(SubIndication.TRY_LATER, why, rule="RFC 5280 6.3.3 (a)(2)"))
                continue
            why = broken_reason(crl)  # RFC 5280 5.2: usable at all
            if why is not None:
                _refuted(result, why, "RFC 5280 5.2")
                continue
            interim = _idp_reasons(crl) & dp.reasons  # 6.3.3 (d)
            if interim <= reasons_mask:  # 6.3.3 (e)
                continue
            # 6.3.3 (f), (g) CRL issuer path and signature; then the entries themselves must be readable (5.3)
            why = signer_ok(crl)
            if why is not None:
                _refuted(result, why, "RFC 5280 6.3.3 (f)")
                continue
            entries = crl.entries
            if isinstance(entries, str):
                _refuted(result, entries, "RFC 5280 5.3")
                continue
            fresh_seen = True
            if _apply_entry(crl, cert, entries, _delta_entry(crl, deltas, cert, at, max_freshness, signer_ok, result),
                            at, result):
                return result
            reasons_mask |= interim
    if reasons_mask >= ALL_REASONS:
        result.status = RevocationStatus.GOOD
        result.failures, result.refuted = [], []
    else:
        result.only_stale = stale_seen and not fresh_seen
        if not result.failures:  # RFC 5280 6.3.3: reasons_mask short of all-reasons leaves the status UNDETERMINED
            why = ("no CRL covers this certificate" if not reasons_mask
                   else f"CRLs cover only reasons {sorted(reasons_mask)}")
            result.failures.append(Failure.indeterminate(SubIndication.TRY_LATER, why, rule="RFC 5280 6.3.3"))
    return result


def _apply_entry(crl: ParsedCRL, cert: Certificate, entries: dict[tuple[str, int], tuple[datetime, str | None]],
                 delta_hit: tuple[datetime, str | None] | None, at: datetime, result: CRLStatus) -> bool:
    """RFC 5280 6.3.3 (i), (j): record what `crl` (and its delta) say of `cert`; True when it is revoked at `at`.
    A delta entry overrides the complete CRL's; removeFromCRL lifts a hold."""
    hit = entries.get((cert.issuer_key, cert.serial_number))
    if hit is not None:
        # RFC 5280 5.1.2.6: a listed certificate is revoked by the time the CRL was issued, whatever later
        # revocationDate the entry claims (a CA cannot list a revocation that has not happened yet)
        hit = (min(hit[0], crl.this_update), hit[1])
    if delta_hit is not None:
        hit = None if delta_hit[1] == "remove_from_crl" else delta_hit
    if hit is not None and hit[1] == "remove_from_crl":
        hit = None
    if hit is None:
        result.evidence.append(_evidence(crl, cert, EvidenceStatus.GOOD))
        return False
    rt, reason = hit
    result.evidence.append(_evidence(crl, cert, EvidenceStatus.REVOKED, rt, reason))
    result.revocation_time, result.reason = rt, reason  # revoked after `at`: good at `at`, noted
    if rt <= at:
        result.status = RevocationStatus.REVOKED
        return True
    return False
