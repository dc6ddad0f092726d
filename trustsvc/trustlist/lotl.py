"""Published TS 119 612 lists of lists (the EU LOTL and its kind): pivots, then OtherTSLPointer -> national lists.

Authentication follows the chain the scheme publishes (EU Implementing Decision 2015/1505 art. 4 and the
EC's pivot-LOTL guidance): the configured signer certificates (e.g. those published in the Official Journal)
verify the oldest pivot LOTL; each verified pivot's pointer to its own list of lists names the certificates
that may sign the next one; the current LOTL must verify with the set reached. Trust only ever grows
through verified signatures: a pivot that is unavailable or does not verify with the current set is
skipped and reported. Every national list must verify with the certificates its pointer gives, at its
issue time. Documents come from the caller (files, a directory) or an injected `fetch(url) -> bytes`
(no I/O here); freshness is not judged at import: a stale list stays loaded and confers no trust
(TrustStore judges next_update + grace at validation time).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import PurePosixPath
from typing import Callable, Iterable, Sequence
from urllib.parse import urlparse

from trustsvc.errors import InvalidSignatureError, TrustsvcError
from trustsvc.reports import SubIndication
from trustsvc.trustlist.jws import canonical_json
from trustsvc.trustlist.loader import AcceptedList, TrustListRejected
from trustsvc.trustlist.model import Pointer, TrustList, TrustListFormatError, format_time
from trustsvc.trustlist.ts119612 import import_signed_xml, import_xml, parse_hardened
from trustsvc.trustlist.tsl_xml import NSMAP
from trustsvc.x509.certificate import Certificate

Fetch = Callable[[str], bytes]
_PIVOT = re.compile(r"\.xml$", re.IGNORECASE)


@dataclass(frozen=True)
class LotlImport:
    """What an import of a list of lists and its member lists accepted, and what it could not."""

    lotl: AcceptedList
    lists: dict[str, AcceptedList] = field(default_factory=dict)  # territory -> national list
    pivots: tuple[int, ...] = ()  # sequence numbers of the pivot LOTLs walked, oldest first
    problems: tuple[str, ...] = ()  # one line per list not loaded (unavailable, bad signature, ...)

    @property
    def accepted(self) -> list[AcceptedList]:
        return [self.lotl, *self.lists.values()]


def _accepted(tl: TrustList, document: bytes, signer: Certificate, at: datetime) -> AcceptedList:
    return AcceptedList(tl, document, signer, hashlib.sha256(canonical_json(tl.to_dict())).hexdigest(), at)


def _file_name(location: str) -> str:
    return PurePosixPath(urlparse(location).path).name or location


def _same_file(name: str) -> str:
    """A file name as saved copies spell it: case and '-' / '_' do not matter (tl-pivot-247-mp.xml is the
    tl_pivot_247_mp.xml a cache or a download tool wrote)."""
    return name.lower().replace("_", "-")


@dataclass(frozen=True)
class _Peek:
    """SchemeInformation facts read without parsing the services or certificates (to sort documents)."""

    territory: str
    sequence_number: int
    is_lotl: bool


def _peek(data: bytes) -> _Peek | None:
    try:
        si = parse_hardened(data).find("tsl:SchemeInformation", NSMAP)
        if si is None:
            return None
        kind = (si.findtext("tsl:TSLType", "", NSMAP) or "").strip().lower()
        return _Peek((si.findtext("tsl:SchemeTerritory", "", NSMAP) or "").strip(),
                     int((si.findtext("tsl:TSLSequenceNumber", "0", NSMAP) or "0").strip()),
                     kind.endswith("listofthelists"))
    except (TrustsvcError, ValueError):
        return None


@dataclass
class _Documents:
    """The documents the caller gave, found by location, file name or territory; else fetched."""

    given: list[tuple[str | None, bytes]]
    fetch: Fetch | None
    _peeked: dict[int, _Peek | None] = field(default_factory=dict)

    def peek(self, i: int) -> _Peek | None:
        if i not in self._peeked:
            self._peeked[i] = _peek(self.given[i][1])
        return self._peeked[i]

    def lists_of_lists(self) -> list[tuple[_Peek, bytes]]:
        out = []
        for i, (_, data) in enumerate(self.given):
            info = self.peek(i)
            if info is not None and info.is_lotl:
                out.append((info, data))
        return sorted(out, key=lambda x: x[0].sequence_number)

    def for_location(self, location: str, territory: str | None) -> bytes | None:
        found = self.candidates(location, territory)
        if found:
            return found[0]
        if self.fetch is not None:
            return self.fetch(location)
        return None

    def candidates(self, location: str, territory: str | None) -> list[bytes]:
        """The given documents that may be the list at `location`: the one named so first, then every other
        list for `territory`, newest first (a directory may hold several issues, or a damaged copy)."""
        wanted = _same_file(_file_name(location))
        named = [data for name, data in self.given
                 if name is not None and (name == location or _same_file(_file_name(name)) == wanted)]
        same: list[tuple[int, bytes]] = []
        if territory is not None:
            for i, (_, data) in enumerate(self.given):
                info = self.peek(i)
                if info is not None and not info.is_lotl and info.territory == territory and data not in named:
                    same.append((info.sequence_number, data))
        return named + [data for _, data in sorted(same, key=lambda x: -x[0])]


def _self_pointer(lotl: TrustList) -> Pointer | None:
    """The LOTL's pointer to its own scheme (same territory, a list of lists, XML)."""
    for p in lotl.pointers:
        if p.territory == lotl.territory and p.is_xml and (p.tsl_type or "").lower().endswith("listofthelists"):
            return p
    return None


def _walk_pivots(lotl: TrustList, docs: _Documents, signers: tuple[Certificate, ...],
                 problems: list[str]) -> tuple[tuple[Certificate, ...], list[int]]:
    """TS 119 612 / EU pivot LOTLs, oldest first: each verified pivot hands over its self-pointer's certificates."""
    candidates: dict[int, bytes] = {}
    for uri in lotl.scheme_information_uris:
        if not _PIVOT.search(urlparse(uri).path) or uri == (_self_pointer(lotl) or Pointer("", "", "", ())).location:
            continue
        try:
            data = docs.for_location(uri, None)
        except Exception as exc:  # noqa: BLE001 - a deployment's fetch may raise anything: report, go on
            problems.append(f"pivot {uri}: not fetched ({exc})")
            continue
        if data is None:
            problems.append(f"pivot {uri}: not available")
            continue
        info = _peek(data)
        if info is None:
            problems.append(f"pivot {uri}: not a TS 119 612 list")
            continue
        candidates[info.sequence_number] = data
    for older, data in docs.lists_of_lists():
        if older.sequence_number < lotl.sequence_number and older.territory == lotl.territory:
            candidates.setdefault(older.sequence_number, data)
    current, walked = signers, []
    for seq_no in sorted(candidates):
        try:
            pivot, _ = import_signed_xml(candidates[seq_no], current)
        except (InvalidSignatureError, TrustListFormatError) as exc:
            problems.append(f"pivot #{seq_no}: skipped, not verified by the certificates reached so far ({exc})")
            continue
        own = _self_pointer(pivot)
        if own is not None and own.signing_certificates:
            current = own.signing_certificates
            walked.append(seq_no)
    return current, walked


# Failures a different set of signer certificates (reached through the pivots) could resolve.
_SIGNER_PROBLEMS = (SubIndication.NO_CERTIFICATE_CHAIN_FOUND, SubIndication.OUT_OF_BOUNDS_NO_POE)


def _authenticate(lotl_data: bytes, docs: "_Documents", signers: tuple[Certificate, ...],
                  problems: list[str]) -> tuple[TrustList, Certificate, list[int]]:
    """The LOTL verified with the configured signers, or else with the set its pivots hand over."""
    try:
        lotl, signer = import_signed_xml(lotl_data, signers)
        return lotl, signer, []
    except InvalidSignatureError as exc:
        failure = getattr(exc, "failure", None)
        if failure is not None and failure.sub_indication not in _SIGNER_PROBLEMS:
            # Altered, signed twice or with a refused algorithm: no pivot makes that list authentic.
            raise TrustListRejected("bad_signature", f"list of lists: {exc}") from None
    lotl_unverified = import_xml(lotl_data, pinned=None)  # only its pivot URIs are read before verifying
    current, walked = _walk_pivots(lotl_unverified, docs, signers, problems)
    try:
        lotl, signer = import_signed_xml(lotl_data, current)
    except InvalidSignatureError as exc:
        raise TrustListRejected("bad_signature", f"{lotl_unverified.territory} list of lists "
                                f"#{lotl_unverified.sequence_number}: {exc}; " + "; ".join(problems)) from None
    return lotl, signer, walked


def _verifies(data: bytes, signers: Sequence[Certificate]) -> bool:
    try:
        import_signed_xml(data, tuple(signers))
    except (InvalidSignatureError, TrustListFormatError):
        return False
    return True


def load_lotl(documents: Iterable[bytes | tuple[str, bytes]], *, signers: Sequence[Certificate],
              at: datetime | None = None, fetch: Fetch | None = None,
              territories: Iterable[str] | None = None) -> LotlImport:
    """Import the newest list of lists among `documents` and the national lists its pointers name.

    `documents` are bytes, or (name, bytes) with name a file name or URL that pointer locations match;
    anything missing is asked of `fetch` when given. `signers` are the out-of-band LOTL signer certificates
    (bootstrap or latest). Raises TrustListRejected when the list of lists itself cannot be authenticated;
    national lists that fail are reported in `problems` and left out (fail closed for that territory)."""
    given = [d if isinstance(d, tuple) else (None, d) for d in documents]
    docs = _Documents(given, fetch)
    lotls = docs.lists_of_lists()
    if not lotls:
        raise TrustListRejected("no_lotl", "no list of lists among the documents (TSLType ...listofthelists)")
    newest = lotls[-1][0].sequence_number
    copies = [data for info, data in lotls if info.sequence_number == newest]
    # Copies of the newest issue (a directory may hold a damaged one): one that verifies directly is taken.
    lotl_data = copies[0] if len(copies) == 1 else next((d for d in copies if _verifies(d, signers)), copies[0])
    problems: list[str] = []
    when = at or datetime.now(timezone.utc).replace(microsecond=0)
    try:
        lotl, signer, walked = _authenticate(lotl_data, docs, tuple(signers), problems)
    except TrustListFormatError as exc:
        raise TrustListRejected("malformed", str(exc)) from None
    result = {}
    wanted = set(territories) if territories is not None else None
    for pointer in lotl.pointers:
        if not pointer.is_xml or pointer.territory == lotl.territory or pointer.territory in result:
            continue
        if wanted is not None and pointer.territory not in wanted:
            continue
        accepted, problem = _member(pointer, docs, when, explicit=wanted is not None or fetch is not None)
        if accepted is not None:
            result[pointer.territory] = accepted
        elif problem:
            problems.append(problem)
    return LotlImport(_accepted(lotl, lotl_data, signer, when), result, tuple(walked), tuple(problems))


def _member(pointer: Pointer, docs: _Documents, when: datetime,
            explicit: bool) -> tuple[AcceptedList | None, str | None]:
    """The national list a pointer names: the first candidate that verifies with the pointer's certificates."""
    where = f"{pointer.territory} ({pointer.location})"
    candidates = docs.candidates(pointer.location, pointer.territory)
    if not candidates and docs.fetch is not None:
        try:
            candidates = [docs.fetch(pointer.location)]
        except Exception as exc:  # noqa: BLE001 - the injected fetch's failure is that list's problem only
            return None, f"{where}: not fetched ({exc})"
    if not candidates:
        return None, f"{where}: not available" if explicit else None
    first_problem = None
    for data in candidates:
        try:
            tl, signer = import_signed_xml(data, pointer.signing_certificates)
        except (InvalidSignatureError, TrustListFormatError) as exc:
            first_problem = first_problem or f"{where}: rejected: {exc}"
            continue
        if tl.territory != pointer.territory:
            first_problem = first_problem or f"{where}: rejected: the list is for territory {tl.territory}"
            continue
        return _accepted(tl, data, signer, when), None
    return None, first_problem


def summary(result: LotlImport) -> list[str]:
    """One line per accepted list (what `trustsvc trust-list import` prints)."""
    lines = []
    for a in result.accepted:
        tl = a.trust_list
        kind = "list of lists" if tl.is_lotl else "trusted list"
        lines.append(f"{tl.territory} #{tl.sequence_number} {kind} (v{tl.version or '?'}), issued "
                     f"{format_time(tl.issued_at)}, signature verified with '{a.signer.subject_str}'; "
                     f"{len(tl.services)} services, {len(tl.pointers)} pointers")
    return lines


__all__ = ["Fetch", "LotlImport", "load_lotl", "summary"]
