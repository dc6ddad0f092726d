"""Which signature algorithms and key sizes are acceptable until when (ETSI TS 119 312 style)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Mapping

from trustsvc.x509.signature import SignatureAlgorithm


def _utc(y: int, m: int = 1, d: int = 1) -> datetime:
    return datetime(y, m, d, tzinfo=timezone.utc)


@dataclass(frozen=True)
class AlgorithmPolicy:
    """Acceptability of hashes and key sizes, judged at the time the signature was made.

    `hash_until[h]` is the first instant at which signatures with hash `h` are no longer
    acceptable (None = no end). A hash missing from the map is not acceptable at all.
    `key_size_until[family]` lists (minimum bits, until) pairs: a key is acceptable at T if
    some pair has `bits >= minimum` and (until is None or T < until).
    """

    hash_until: Mapping[str, datetime | None] = field(
        default_factory=lambda: {
            "md5": _utc(2004),  # collisions published 2004
            "sha1": _utc(2016),  # ETSI TS 119 312 / CA/B Forum: no SHA-1 signatures from 2016
            "sha224": _utc(2030),
            "sha256": None,
            "sha384": None,
            "sha512": None,
            "sha3_224": _utc(2030),
            "sha3_256": None,
            "sha3_384": None,
            "sha3_512": None,
            "sm3": None,
        }
    )
    key_size_until: Mapping[str, tuple[tuple[int, datetime | None], ...]] = field(
        default_factory=lambda: {
            "rsa": ((3000, None), (2048, _utc(2031)), (1024, _utc(2014))),
            "dsa": ((3000, None), (2048, _utc(2031)), (1024, _utc(2014))),
            "ec": ((256, None), (224, _utc(2016))),
            "sm2": ((256, None),),
            "ed25519": ((256, None),),
            "ed448": ((448, None),),
        }
    )

    def check(self, used: SignatureAlgorithm, at: datetime) -> str | None:
        """Return None if `used` is acceptable for a signature made at `at`, else the reason."""
        if used.hash is not None:
            if used.hash not in self.hash_until:
                return f"hash {used.hash} is not allowed by the algorithm policy"
            until = self.hash_until[used.hash]
            if until is not None and at >= until:
                return f"{used.hash} signatures are not accepted after {until.date().isoformat()} (signature time {at.isoformat()})"
        rules = self.key_size_until.get(used.key_family)
        if not rules:
            return f"{used.key_family} keys are not allowed by the algorithm policy"
        for min_bits, until in rules:
            if used.key_bits >= min_bits and (until is None or at < until):
                return None
        return f"{used.key_family.upper()}-{used.key_bits} keys are not accepted at {at.isoformat()}"


DEFAULT_POLICY = AlgorithmPolicy()
