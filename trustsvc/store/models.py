"""SQLAlchemy 2 models: trust-list versions, pins, operators, the hash-chained audit log, archived reports."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class TrustListVersion(Base):
    """One accepted signed trust list; immutable and content-addressed (sha256 of the document bytes)."""

    __tablename__ = "trust_list_versions"
    __table_args__ = (UniqueConstraint("territory", "sequence_number", name="uq_tlv_territory_sequence"),)

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    territory: Mapped[str] = mapped_column(String(16), index=True)
    sequence_number: Mapped[int] = mapped_column(Integer)
    document: Mapped[bytes] = mapped_column(LargeBinary)
    issued_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    next_update: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    accepted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    accepted_by: Mapped[str] = mapped_column(String(200))


class Pin(Base):
    """Out-of-band bootstrap pins: the GBA list-of-lists operator certificate(s)."""

    __tablename__ = "pins"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    certificate: Mapped[bytes] = mapped_column(LargeBinary)
    added_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Operator(Base):
    """A scheme operator allowed to upload its territory's list; only the token's sha256 is kept."""

    __tablename__ = "operators"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    territory: Mapped[str] = mapped_column(String(16), index=True)
    name: Mapped[str] = mapped_column(String(200))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class AuditEntry(Base):
    """Append-only, hash-chained and keyed: `hash` = sha256(canonical JSON of the content + prev_hash),
    `mac` = HMAC(audit key, hash).

    `prev_hash` is unique, so two writers racing for the same tail cannot fork the chain: one of
    them fails the insert and retries on the new tail.
    """

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[str] = mapped_column(String(40))  # ISO 8601 UTC, hashed as written
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(64))
    outcome: Mapped[str] = mapped_column(String(32))
    detail: Mapped[str] = mapped_column(Text)  # canonical JSON
    prev_hash: Mapped[str] = mapped_column(String(64), unique=True)
    hash: Mapped[str] = mapped_column(String(64), unique=True)
    # HMAC-SHA256 of `hash` under the server's audit key: whoever can write the table but not read the key
    # cannot re-hash an edited chain into one that verifies.
    mac: Mapped[str | None] = mapped_column(String(64), nullable=True)


class ArchivedReport(Base):
    """Optional archive of signed reports (compact JWS), addressed by the sha256 of the JWS."""

    __tablename__ = "reports"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    jws: Mapped[str] = mapped_column(Text)


__all__ = ["ArchivedReport", "AuditEntry", "Base", "Operator", "Pin", "TrustListVersion"]
