"""The PKITS copy in tests/data/pkits is byte-for-byte what its SHA256SUMS says."""

import hashlib
from pathlib import Path

PKITS = Path(__file__).parent / "data" / "pkits"


def test_pkits_sha256sums_match():
    lines = [l for l in (PKITS / "SHA256SUMS").read_text().splitlines() if l.strip()]
    assert len(lines) >= 405 + 173 + 2
    for line in lines:
        digest, name = line.split(maxsplit=1)
        name = name.lstrip("*")
        assert hashlib.sha256((PKITS / name).read_bytes()).hexdigest() == digest, name
