"""The TSA's issued-token log: one row per timestamp, whose id is the token's serial number.

RFC 3161 2.4.2: serialNumber must be unique for every token a TSA issues, across restarts and
across the API's worker processes. A database sequence gives exactly that (SQLite AUTOINCREMENT
never reuses an id; a PostgreSQL identity never goes back), and the row is the TSA's own record
of what it stamped and when. Its own table and module: the rest of the store does not know it.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy import Engine

metadata = sa.MetaData()

tsa_tokens = sa.Table(
    "tsa_tokens",
    metadata,
    sa.Column("serial", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True, autoincrement=True),
    sa.Column("tsa_sha256", sa.String(64), nullable=False, index=True),
    sa.Column("gen_time", sa.DateTime(timezone=True), nullable=False),
    sa.Column("imprint_algorithm", sa.String(32), nullable=False),
    sa.Column("imprint", sa.String(200), nullable=False),  # hex
    sa.Column("policy", sa.String(200), nullable=False),
    sqlite_autoincrement=True,
)


def next_serial(engine: Engine, *, tsa_sha256: str, gen_time: datetime, imprint_algorithm: str, imprint: bytes,
                policy: str) -> int:
    """Record a token about to be issued and return its serial number (monotonic, never reused)."""
    with engine.begin() as conn:
        result = conn.execute(tsa_tokens.insert().values(
            tsa_sha256=tsa_sha256, gen_time=gen_time, imprint_algorithm=imprint_algorithm, imprint=imprint.hex(),
            policy=policy))
        return int(result.inserted_primary_key[0])


__all__ = ["metadata", "next_serial", "tsa_tokens"]
