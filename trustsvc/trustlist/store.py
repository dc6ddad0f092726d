"""The trust store: accepted lists -> trust anchors and "was this path's service granted for usage U at T?"."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

from trustsvc.path.anchor import TrustAnchor
from trustsvc.trustlist.jws import canonical_json
from trustsvc.trustlist.loader import DEFAULT_GRACE, AcceptedList, ListHealth, TrustState, accept_all, list_health
from trustsvc.trustlist.lotl import Fetch
from trustsvc.trustlist.criteria import qualifiers_for
from trustsvc.trustlist.model import (
    LOTL_TERRITORY, CA_TYPES, GRANTED_EQUIVALENT, STATUSES, SVCSTATUS, SVCSTATUS_102231, TSA_TYPES, Service, StatusChange,
    format_time, short_name,
)
from trustsvc.trustlist.mra import MutualRecognition, translate
from trustsvc.trustlist.usage import usages_at, usages_of_kind
from trustsvc.x509.certificate import Certificate


@dataclass(frozen=True)
class Recognition:
    """The answer of TrustStore.recognise, carried into validation reports."""

    recognised: bool
    reason: str
    territory: str | None = None
    scheme_operator: str | None = None
    sequence_number: int | None = None
    service_name: str | None = None
    service_type: str | None = None
    status: str | None = None
    status_since: datetime | None = None
    usage: str | None = None
    snapshot_id: str | None = None
    equivalence: str | None = None  # the mutual-recognition equivalence that applied, if any
    qualifiers: tuple[str, ...] = ()  # TS 119 612 qualifiers whose criteria select the end entity

    def to_dict(self) -> dict[str, Any]:
        extra: dict[str, Any] = {}
        if self.equivalence:
            extra["equivalence"] = self.equivalence
        if self.qualifiers:
            extra["qualifiers"] = list(self.qualifiers)
        return {**extra,
            "recognised": self.recognised,
            "reason": self.reason,
            "territory": self.territory,
            "scheme_operator": self.scheme_operator,
            "sequence_number": self.sequence_number,
            "service_name": self.service_name,
            "service_type": self.service_type,
            "status": self.status,
            "status_since": format_time(self.status_since) if self.status_since else None,
            "usage": self.usage,
            "snapshot_id": self.snapshot_id,
        }


POLICY_MAPPINGS = "2.5.29.33"
# Statuses the spec defines that confer no trust (withdrawn, deprecated, ceased, revoked): a service in one of
# them on the path rejects it (fail closed). A status URI we do not know is not "explicitly not granted":
# it may still count through a mutual-recognition equivalence.
NOT_GRANTED = frozenset(
    prefix + s for prefix in (SVCSTATUS, SVCSTATUS_102231) for s in STATUSES
    if prefix + s not in GRANTED_EQUIVALENT)


def _domain_boundary(path: Sequence[Certificate], position: int) -> Certificate | None:
    """A certificate below `position` (towards the end entity) that maps policies: RFC 5280 4.2.1.5 puts
    policyMappings in certificates between policy domains (cross-certificates, bridge CAs), so a service
    above it did not issue the end entity's own chain segment and cannot speak for it."""
    for cert in path[position + 1:]:
        if cert.has_extension(POLICY_MAPPINGS):
            return cert
    return None


def _pointed(lists: dict[str, AcceptedList]) -> dict[str, AcceptedList]:
    """Only the lists the GBA list of lists (when present) still points to confer trust: a territory it
    dropped is delisted for recognition and anchors at once (the GBA list is the authority). Callers holding a
    TrustState pass `state.pointed()`, which also drops lists whose signer's pin was swapped away."""
    lotl = lists.get(LOTL_TERRITORY)
    if lotl is None or not lotl.trust_list.pointers:  # no list of lists (a GBA service list points to nothing)
        return lists
    named = {p.territory for p in lotl.trust_list.pointers} | {LOTL_TERRITORY}
    return {t: a for t, a in lists.items() if t in named}


def _policy_oids(cert: Certificate) -> list[str]:
    """certificatePolicies OIDs in certificate order (RFC 5280 4.2.1.4)."""
    return list(cert.policies or ())


def _under(oid: str, prefix: str) -> bool:
    return oid == prefix or oid.startswith(prefix + ".")


class TrustStore:
    """Immutable view of the accepted trust lists at one moment (`at_loaded`)."""

    def __init__(self, lists: Iterable[AcceptedList], *, at_loaded: datetime, grace: timedelta = DEFAULT_GRACE):
        self._lists = _pointed({a.territory: a for a in lists})
        self.at_loaded = at_loaded
        self.grace = grace
        state = [{"territory": a.territory, "sequence_number": a.sequence_number, "sha256": a.sha256}
                 for a in sorted(self._lists.values(), key=lambda a: a.territory)]
        # The snapshot id pins exactly which list versions a decision used (sha256 of the canonical state).
        self.snapshot_id: str = hashlib.sha256(canonical_json({"lists": state})).hexdigest()
        self._anchors: list[TrustAnchor] | None = None
        # Identity index: normalised subject name (RFC 5280 7.1) and SKI -> [(list, service)], so recognise()
        # costs O(path length), not O(path x services), during a busy bid opening. The name key is read at
        # parse time; the exact identity test (DigitalIdentity.matches) runs only on the few hits.
        self._by_name: dict[str, list[tuple[AcceptedList, Service]]] = {}
        self._by_ski: dict[bytes, list[tuple[AcceptedList, Service]]] = {}
        # Mutual recognition: territory -> (pointing list of lists' territory, the pointer's MRA information).
        self._mra: dict[str, tuple[str, MutualRecognition]] = {}
        for a in self._lists.values():
            if a.trust_list.is_lotl:
                for p in a.trust_list.pointers:
                    if p.mutual_recognition is not None and p.territory != a.territory:
                        self._mra.setdefault(p.territory, (a.territory, p.mutual_recognition))
        for a in self._lists.values():
            for svc in a.trust_list.services:
                for ident in svc.identities:
                    if ident.certificate is not None:
                        self._by_name.setdefault(ident.certificate.subject_key, []).append((a, svc))
                    elif ident.ski is not None:
                        self._by_ski.setdefault(ident.ski, []).append((a, svc))

    # --- construction ---------------------------------------------------------------------
    @classmethod
    def from_lists(cls, lists: Iterable[AcceptedList], *, at_loaded: datetime,
                   grace: timedelta = DEFAULT_GRACE) -> "TrustStore":
        return cls(lists, at_loaded=at_loaded, grace=grace)

    @classmethod
    def from_documents(cls, documents: Mapping[str, bytes], *, bootstrap_pins: Sequence[Certificate],
                       at: datetime, grace: timedelta = DEFAULT_GRACE) -> "TrustStore":
        """Accept signed documents {territory: bytes} (the GBA list of lists first); any rejection raises."""
        state = accept_all(TrustState(tuple(bootstrap_pins)), documents, at=at, grace=grace)
        return cls(state.pointed().values(), at_loaded=at, grace=grace)

    @classmethod
    def from_directory(cls, path: Path | str, *, at: datetime, grace: timedelta = DEFAULT_GRACE) -> "TrustStore":
        """Load a `trust_lists/` directory (demo layout), verifying every list against the LOTL pins."""
        from trustsvc.trustlist.directory import load_directory

        state = load_directory(Path(path), at=at, grace=grace)
        return cls(state.pointed().values(), at_loaded=at, grace=grace)

    @classmethod
    def from_lotl(cls, documents: Iterable[bytes | tuple[str, bytes]], *, signers: Sequence[Certificate],
                  at: datetime, grace: timedelta = DEFAULT_GRACE, fetch: Fetch | None = None,
                  territories: Iterable[str] | None = None) -> "TrustStore":
        """A published list of lists (e.g. the EU LOTL), its pivots and the national lists it points to, each
        authenticated as `trustsvc.trustlist.lotl.load_lotl` does; `fetch(url) -> bytes` finds what is missing."""
        from trustsvc.trustlist.lotl import load_lotl

        result = load_lotl(documents, signers=signers, at=at, fetch=fetch, territories=territories)
        return cls(result.accepted, at_loaded=at, grace=grace)

    def at_time(self, now: datetime) -> "TrustStore":
        """The same lists judged at a later `now` (a long-lived worker calls this so stale lists stop counting)."""
        return TrustStore(self._lists.values(), at_loaded=now, grace=self.grace)

    # --- queries ------------------------------------------------------------------------
    @property
    def lists(self) -> dict[str, AcceptedList]:
        return dict(self._lists)

    def anchors(self) -> list[TrustAnchor]:
        """Every CA/TSA digital identity carried as a certificate in the member lists, any status."""
        if self._anchors is None:
            out: dict[bytes, TrustAnchor] = {}
            for a in self._lists.values():
                for svc in a.trust_list.services:
                    if svc.type not in CA_TYPES and svc.type not in TSA_TYPES:
                        continue
                    for ident in svc.identities:
                        if ident.certificate is not None and ident.certificate.der not in out:
                            out[ident.certificate.der] = TrustAnchor(
                                ident.certificate, "trust-list", f"{a.territory} / {svc.name}",
                                profile=getattr(svc, "profile", None))
            self._anchors = list(out.values())
        return list(self._anchors)

    def health(self, at: datetime | None = None) -> list[ListHealth]:
        when = at or self.at_loaded
        return [list_health(a, at=when, grace=self.grace) for a in sorted(self._lists.values(),
                                                                          key=lambda a: a.territory)]

    def services_granted(self, *, usage: str | None, at: datetime) -> list[tuple[str, Service]]:
        """Which services were granted (or equivalent) for `usage` at `at`: [(territory, service)]."""
        out = []
        for a in self._lists.values():
            for svc in a.trust_list.services:
                st = svc.status_at(at)
                if st and not svc.unusable and st.status in GRANTED_EQUIVALENT and (
                        usage is None or usage in usages_at(svc, st)):
                    out.append((a.territory, svc))
        return out

    def recognise(self, path: Sequence[Certificate], *, usage: str | None, at: datetime,
                  service_types: Sequence[str] | None = None) -> Recognition:
        """Is this path (anchor..EE) recognised for `usage` at `at`?

        Listed identities are looked for from the end entity towards the anchor, so the service
        closest to the certificate (its issuing jurisdiction's) is named. Fail closed: a listed
        service on the path whose status at `at` is explicitly not granted (e.g. withdrawn) rejects
        the path even if another listed service would recognise it, unless the same certificate is also
        listed as a service granted at `at`. Otherwise the first service that is granted for `usage` and
        whose criteria match (directly, or through a mutual-recognition equivalence) recognises the path.
        Attribution follows the issuer: a service above a policy-mapping cross-certificate does not speak
        for the end entity.
        """
        candidates: list[tuple[int, AcceptedList, Service]] = []
        seen: set[tuple[int, int]] = set()
        for position in range(len(path) - 1, -1, -1):
            cert = path[position]
            found = self._by_name.get(cert.subject_key, []) + (self._by_ski.get(cert.ski, []) if cert.ski else [])
            for a, svc in found:
                if service_types is not None and svc.type not in service_types:
                    continue
                if (id(a), id(svc)) not in seen and any(i.matches(cert) for i in svc.identities):
                    seen.add((id(a), id(svc)))
                    candidates.append((position, a, svc))
        if not candidates:
            kinds = f" of type {', '.join(short_name(t) for t in service_types)}" if service_types else ""
            return Recognition(False, f"no certificate on the path is a service{kinds} in any accepted trust list",
                               usage=usage, snapshot_id=self.snapshot_id)
        # Attribution follows the issuer: only services whose own chain segment reaches the end entity count.
        own = [(p, a, svc) for p, a, svc in candidates if _domain_boundary(path, p) is None]
        if not own:
            position, a, svc = candidates[0]
            boundary = _domain_boundary(path, position)
            assert boundary is not None
            return Recognition(
                False, f"{a.trust_list.territory} trust list #{a.trust_list.sequence_number}, service "
                       f"'{svc.name}' did not issue the end entity's chain: it reaches it only through the "
                       f"cross-certificate of '{boundary.subject_str}' (policy mapping), which no list names "
                       "as a service", usage=usage, snapshot_id=self.snapshot_id)
        # Fail closed: an ended status (withdrawn, ...) on the path rejects it, unless the same certificate is
        # also listed as another service granted then (real lists keep a CA's old, withdrawn entries).
        granted_at = {p for p, _, svc in own if (st := svc.status_at(at)) is not None
                      and st.status in GRANTED_EQUIVALENT and not svc.unusable}
        for p, a, svc in own:
            st = svc.status_at(at)
            if st is not None and st.status in NOT_GRANTED and p not in granted_at:
                return self._judge(a, svc, path, usage, at)
        first_failure: Recognition | None = None
        for _, a, svc in own:
            r = self._judge(a, svc, path, usage, at)
            if r.recognised:
                return r
            first_failure = first_failure or r
        assert first_failure is not None
        return first_failure

    def _judge(self, a: AcceptedList, svc: Service, path: Sequence[Certificate], usage: str | None,
               at: datetime) -> Recognition:
        tl = a.trust_list
        st: StatusChange | None = svc.status_at(at)
        qualifiers = qualifiers_for(svc.qualifications, path[-1]) if svc.qualifications else ()

        def answer(ok: bool, reason: str, equivalence: str | None = None) -> Recognition:
            return Recognition(
                ok, reason, tl.territory, tl.scheme_operator, tl.sequence_number, svc.name, svc.type,
                st.status if st else None, st.start if st else None, usage, self.snapshot_id, equivalence,
                qualifiers)

        where = f"{tl.territory} trust list #{tl.sequence_number}, service '{svc.name}'"
        judged_at = max(at, self.at_loaded)
        if a.stale_at(judged_at, self.grace):
            return answer(False, f"{where}: the list expired (next update was due {format_time(tl.next_update)}, "
                                 f"grace {self.grace}) and confers no trust")
        if svc.unusable:
            return answer(False, f"{where}: unusable ({svc.unusable}; TS 119 612 5.5.9)")
        if st is None:
            return answer(False, f"{where}: no status before {format_time(at)} (first status from "
                                 f"{format_time(svc.history[0].start)})")
        direct = self._direct(svc, st, path, usage, at, where)
        if direct is None:
            return answer(True, f"{where}: {short_name(st.status)} since {format_time(st.start)}"
                                + (f" for {usage}" if usage else ""))
        mra = self._mra.get(tl.territory)
        if mra is None or st.status in NOT_GRANTED:
            return answer(False, direct)
        translation, why = translate(mra[1], svc, st, path[-1], at)
        if translation is None:
            return answer(False, f"{direct}; {why}")
        granted = translation.status in GRANTED_EQUIVALENT
        served = {u for k in translation.kinds for u in usages_of_kind(k.type, (k.additional_info or "",))}
        described = translation.describe(tl.territory)
        if not granted:
            return answer(False, f"{direct}; through {described}: not a granted status", translation.legal_identifier)
        if usage is not None and usage not in served:
            return answer(False, f"{direct}; {described}, not for usage {usage}", translation.legal_identifier)
        criteria = self._criteria_problem(svc, path, where)
        if criteria is not None:
            return answer(False, criteria, translation.legal_identifier)
        return answer(True, f"{where}: {short_name(st.status)} since {format_time(st.start)}, recognised "
                            f"through {described}" + (f" for {usage}" if usage else ""),
                      translation.legal_identifier)

    def _direct(self, svc: Service, st: StatusChange, path: Sequence[Certificate], usage: str | None,
                at: datetime, where: str) -> str | None:
        """Why the service, read in its own list's terms, does not recognise the path (None: it does)."""
        if st.status not in GRANTED_EQUIVALENT:
            return f"{where}: status {short_name(st.status)} since {format_time(st.start)} (validation time " \
                   f"{format_time(at)})"
        served = usages_at(svc, st)
        if usage is not None and usage not in served:
            return f"{where}: not recognised for usage {usage} (listed usages: {', '.join(served) or 'none'})"
        return self._criteria_problem(svc, path, where)

    @staticmethod
    def _criteria_problem(svc: Service, path: Sequence[Certificate], where: str) -> str | None:
        """Our criteria (policy OID prefixes, key usage) hold whether recognition is direct or by equivalence."""
        if svc.criteria is not None:
            ee = path[-1]
            if svc.criteria.policy_oids:
                oids = _policy_oids(ee)
                if not any(_under(o, p) for o in oids for p in svc.criteria.policy_oids):
                    return f"{where}: certificate policies {oids or 'none'} are not under " \
                           f"{', '.join(svc.criteria.policy_oids)}"
            if svc.criteria.key_usage:
                have = ee.key_usage or frozenset()
                missing = [k for k in svc.criteria.key_usage if k not in have]
                if missing:
                    return f"{where}: end-entity key usage lacks {', '.join(missing)}"
        return None


def load_trust_store(path: Path | str, *, at: datetime | None = None,
                     grace: timedelta = DEFAULT_GRACE) -> TrustStore:
    """CLI convenience: load a trust_lists/ directory (or a demo dir containing one) at `at` (default now)."""
    from datetime import timezone

    p = Path(path)
    if (p / "trust_lists").is_dir():
        p = p / "trust_lists"
    return TrustStore.from_directory(p, at=at or datetime.now(timezone.utc), grace=grace)


__all__ = ["Recognition", "TrustStore", "load_trust_store"]
