"""Actionable checks on a trust list before it is signed and published (TS 119 612 rules + GBA usage rules)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from trustsvc.trustlist.model import CA_TYPES, TSA_TYPES, TrustList, format_time, short_name

_OID = re.compile(r"^[0-2](\.(0|[1-9][0-9]*))+$")
MAX_VALIDITY = timedelta(days=183)  # TS 119 612 5.3.14: next update at most six months after issue


@dataclass(frozen=True)
class LintMessage:
    level: str  # "error" | "warning"
    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.level}: {self.where}: {self.message}"


def lint(tl: TrustList, *, at: datetime) -> list[LintMessage]:
    """Every finding says what to do about it; errors must be fixed before signing."""
    out: list[LintMessage] = []

    def err(where: str, msg: str) -> None:
        out.append(LintMessage("error", where, msg))

    def warn(where: str, msg: str) -> None:
        out.append(LintMessage("warning", where, msg))

    head = f"{tl.territory} #{tl.sequence_number}"
    if tl.next_update <= tl.issued_at:
        err(head, "next_update is not after issued_at; set a later --next-update")
    elif tl.next_update - tl.issued_at > MAX_VALIDITY:
        warn(head, "next_update is more than 6 months after issue (TS 119 612 5.3.14); shorten it")
    if tl.next_update < at:
        err(head, f"next_update {format_time(tl.next_update)} has passed; raise the sequence number and set a new "
                  "next update before signing")
    if tl.is_lotl:
        if not tl.pointers:
            err(head, "the list of lists points to no member list; add one with `trust-list add-pointer`")
        if not any(p.territory == "GBA" for p in tl.pointers):
            warn(head, "no GBA pointer pins the list-of-lists operator's own key; add one so key rotation works")
        for p in tl.pointers:
            if not p.signing_certificates:
                err(f"pointer {p.territory}", "pins no signing certificate; add --cert")
    elif not tl.services:
        warn(head, "the list has no services; add one with `trust-list add-service`")
    names: set[str] = set()
    for s in tl.services:
        where = f"service '{s.name}'"
        if s.name in names:
            err(where, "duplicate service name; rename one")
        names.add(s.name)
        if not s.usages and (s.type in CA_TYPES or s.type in TSA_TYPES):
            warn(where, "is recognised for no usage; add --usage e-tendering|e-guarantee|timestamping|e-signature")
        if s.type in TSA_TYPES and "timestamping" not in s.usages:
            warn(where, f"is a {short_name(s.type)} service without the timestamping usage")
        if "timestamping" in s.usages and s.type not in TSA_TYPES:
            warn(where, f"timestamping usage on a {short_name(s.type)} service; use type TSA or TSA/QTST")
        for h in s.history:
            if h.start > tl.issued_at:
                warn(where, f"status {short_name(h.status)} starts {format_time(h.start)}, after the list's issue "
                            "date; relying parties will see it only from then")
        if s.criteria:
            for oid in s.criteria.policy_oids:
                if not _OID.match(oid):
                    err(where, f"policy OID prefix {oid!r} is not a dotted OID")
        for ident in s.identities:
            cert = ident.certificate
            if cert is None:
                warn(where, "identity without a certificate cannot be a trust anchor; add the certificate")
                continue
            if cert.not_after < at:
                warn(where, f"certificate '{cert.subject_str}' expired {format_time(cert.not_after)}; "
                            "keep it only for historical validation")
            bc = cert.asn1.basic_constraints_value
            if s.type in CA_TYPES and not (bc is not None and bc["ca"].native):
                err(where, f"certificate '{cert.subject_str}' is not a CA certificate but the type is "
                           f"{short_name(s.type)}")
    return out


__all__ = ["LintMessage", "lint"]
