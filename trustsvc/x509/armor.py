"""PEM armour (RFC 7468) read in one linear pass.

asn1crypto's `pem.unarmor` joins a block's lines with `bytes +=` (quadratic in the block's size: a 12 MB
certificate block costs minutes of CPU), and a lazy `BEGIN(.*?)END` regex rescans to the end of the input
from every BEGIN line that has no END (quadratic in the number of such lines). Every PEM reader of
untrusted input uses this module instead, so hostile armour costs time proportional to its size.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Iterator

_BEGIN = b"-----BEGIN "
_END = b"-----END "
_DASHES = b"-----"
# RFC 7468 3: a label is printable ASCII without hyphen-minus at its ends; we accept what CAs and tools write.
_LABEL = re.compile(rb"[A-Z0-9 ]{1,64}")
_MAX_LABEL = 64


def detect(data: bytes) -> bool:
    """True when `data` holds something that looks like a PEM BEGIN line."""
    return _BEGIN[:-1] in data


def blocks(data: bytes) -> Iterator[tuple[str, bytes]]:
    """Each (label, base64 text) between a BEGIN line and the END line after it, in order.

    Text outside blocks is skipped (chain files carry `openssl x509 -text` output). A BEGIN line without
    an END ends the scan, as it ends the usable input: each byte is looked at a bounded number of times.
    """
    pos = 0
    while True:
        start = data.find(_BEGIN, pos)
        if start < 0:
            return
        label_start = start + len(_BEGIN)
        label_end = data.find(_DASHES, label_start, label_start + _MAX_LABEL + 1)
        if label_end < 0 or not _LABEL.fullmatch(data, label_start, label_end):
            pos = label_start
            continue
        body_start = label_end + len(_DASHES)
        end = data.find(_END, body_start)
        if end < 0:
            return
        yield data[label_start:label_end].decode("ascii"), _without_headers(data[body_start:end])
        close = data.find(_DASHES, end + len(_END), end + len(_END) + _MAX_LABEL + 1)
        pos = close + len(_DASHES) if close >= 0 else end + len(_END)


def _without_headers(body: bytes) -> bytes:
    # RFC 1421 4.4 encapsulated headers ("Proc-Type: ...") precede a blank line; base64 never holds ':'.
    if b":" not in body:
        return body
    lines = body.splitlines()
    i = 0
    while i < len(lines) and (b":" in lines[i] or not lines[i].strip()):
        i += 1
    return b"\n".join(lines[i:])


def unarmor(data: bytes) -> list[tuple[str, bytes]]:
    """Every PEM block of `data` as (label, DER bytes); ValueError when there is none or one is not base64."""
    out = [(label, base64.b64decode(b"".join(text.split()))) for label, text in blocks(data)]
    if not out:
        raise ValueError("no BEGIN/END combination found")
    return out


__all__ = ["blocks", "detect", "unarmor"]
