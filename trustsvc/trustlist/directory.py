"""Read a trust_lists/ directory (the demo / shipped layout) into an accepted TrustState; file I/O only here."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path, PurePosixPath
from urllib.parse import urlparse

from trustsvc.trustlist.loader import DEFAULT_GRACE, TrustListRejected, TrustState, accept_list
from trustsvc.trustlist.lotl import Fetch, load_lotl
from trustsvc.x509.load import load_certificates

LOTL_FILE = "gba-lotl.json"
PINS_DIR = "pins"


def member_file_name(location: str) -> str:
    """A pointer's TSLLocation -> the file name it is stored under in the directory."""
    return PurePosixPath(urlparse(location).path).name or location


def load_directory(path: Path, *, at: datetime, grace: timedelta = DEFAULT_GRACE) -> TrustState:
    """Layout: `pins/*.pem` (GBA operator certificate(s), configured out of band), `gba-lotl.json`
    (the signed list of lists), and each member list under the file name of its pointer's location.
    Every list is accepted with the loader's fail-closed rules; the first rejection raises. A directory
    without `gba-lotl.json` but with `*.xml` lists is a published list of lists (`load_xml_directory`)."""
    if not path.is_dir():
        raise TrustListRejected("malformed", f"{path}: not a trust list directory")
    pins = []
    for pem in sorted((path / PINS_DIR).glob("*.pem")):
        pins.extend(load_certificates(pem.read_bytes()))
    if not pins:
        raise TrustListRejected("no_lotl", f"{path / PINS_DIR}: no GBA operator certificate to pin the list of lists")
    lotl_path = path / LOTL_FILE
    if not lotl_path.is_file():
        if any(path.glob("*.xml")):
            return load_xml_directory(path, pins, at=at)
        raise TrustListRejected("no_lotl", f"{lotl_path}: missing")
    state = TrustState(tuple(pins))
    state = state.with_list(accept_list(state, lotl_path.read_bytes(), at=at, grace=grace, territory="GBA"))
    assert state.lotl is not None
    for pointer in state.lotl.trust_list.pointers:
        if pointer.territory == "GBA":
            continue
        member = path / member_file_name(pointer.location)
        if not member.is_file():
            raise TrustListRejected("malformed", f"{member}: {pointer.territory} list named by the LOTL is missing")
        state = state.with_list(accept_list(state, member.read_bytes(), at=at, grace=grace,
                                            territory=pointer.territory))
    return state


def load_xml_directory(path: Path, pins: list, *, at: datetime, fetch: Fetch | None = None) -> TrustState:
    """A published list of lists (e.g. the EU LOTL) with its pivots and national lists as `*.xml` files, the
    LOTL signer certificate(s) in `pins/`: authenticated by `trustsvc.trustlist.lotl.load_lotl`."""
    docs = [(f.name, f.read_bytes()) for f in sorted(path.glob("*.xml"))]
    result = load_lotl(docs, signers=pins, at=at, fetch=fetch)
    return TrustState(tuple(pins), {a.territory: a for a in result.accepted})


__all__ = ["LOTL_FILE", "PINS_DIR", "load_directory", "load_xml_directory", "member_file_name"]
