"""What a bid opening reads: a directory of bids, or an NDJSON file of batch items (the API's format).

A directory holds `X.p7s` (or `.p7m`, `.cms`) signatures; the detached content of `X.p7s` is `X.txt`
or `X` beside it, as `trustsvc demo init`'s bids/ does; with neither, the signature must be attached.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

SIGNATURE_SUFFIXES = (".p7s", ".p7m", ".cms")
CONTENT_SUFFIXES = (".txt", "")


@dataclass
class BatchItem:
    """One line of the batch: an API batch object, with a file's raw bytes kept aside (not base64)."""

    id: str
    item: dict[str, Any]
    signature: bytes | None = None
    content: bytes | None = None
    source: str | None = None
    error: str | None = None  # an unreadable line or file: reported as FORMAT_FAILURE, never raised
    raw_line: bytes | None = field(default=None, repr=False)


def _content_for(sig: Path) -> Path | None:
    stem = sig.with_suffix("")
    for suffix in CONTENT_SUFFIXES:
        candidate = stem.with_name(stem.name + suffix) if suffix else stem
        if candidate.is_file() and candidate != sig:
            return candidate
    return None


def from_directory(directory: Path) -> list[BatchItem]:
    """One signature item per X.p7s in `directory` (sorted by name), with its detached content if beside it."""
    items = []
    for sig in sorted(p for p in Path(directory).iterdir() if p.suffix.lower() in SIGNATURE_SUFFIXES and p.is_file()):
        content = _content_for(sig)
        item = BatchItem(sig.stem, {"type": "signature"}, source=sig.name)
        try:
            item.signature = sig.read_bytes()
            item.content = content.read_bytes() if content is not None else None
        except OSError as exc:
            item.error = f"cannot read {sig.name}: {exc.strerror or exc}"
        items.append(item)
    return items


def from_ndjson(path: Path) -> Iterator[BatchItem]:
    """The lines of an NDJSON batch file as they are: a bad line becomes an item carrying its error."""
    with open(path, "rb") as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except (ValueError, UnicodeDecodeError, RecursionError) as exc:
                yield BatchItem(f"line {n}", {}, error=f"line {n} is not JSON: {exc}"[:300], raw_line=line)
                continue
            if not isinstance(obj, dict):
                yield BatchItem(f"line {n}", {}, error=f"line {n} is not a JSON object", raw_line=line)
                continue
            yield BatchItem(str(obj.get("id", f"line {n}")), obj, source=f"line {n}")


def as_api_line(item: BatchItem) -> bytes:
    """The item as one API batch line (files base64-encoded), for the one code path the API also runs."""
    if item.raw_line is not None:
        return item.raw_line
    obj = dict(item.item)
    obj.setdefault("id", item.id)
    if item.signature is not None:
        obj["signature"] = base64.b64encode(item.signature).decode("ascii")
    if item.content is not None:
        obj["content"] = base64.b64encode(item.content).decode("ascii")
    return json.dumps(obj, ensure_ascii=False).encode("utf-8")


__all__ = ["BatchItem", "as_api_line", "from_directory", "from_ndjson"]
