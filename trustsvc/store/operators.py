"""Scheme-operator bearer tokens: issued once, stored as sha256 (256-bit random tokens), revocable."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timezone

from sqlalchemy import select
from sqlalchemy.orm import Session

from trustsvc.store.db import utc
from trustsvc.store.models import Operator

TOKEN_PREFIX = "tsv_"


def hash_token(token: str) -> str:
    # The token carries 256 bits of randomness, so a fast hash is enough (no dictionary to attack).
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class OperatorInfo:
    id: int
    territory: str
    name: str
    created_at: datetime
    revoked_at: datetime | None

    @property
    def active(self) -> bool:
        return self.revoked_at is None

    def to_dict(self) -> dict:
        return {"id": self.id, "territory": self.territory, "name": self.name,
                "created_at": self.created_at.isoformat(), "revoked_at": self.revoked_at.isoformat()
                if self.revoked_at else None, "active": self.active}


def _info(op: Operator) -> OperatorInfo:
    return OperatorInfo(op.id, op.territory, op.name, utc(op.created_at), utc(op.revoked_at))  # type: ignore[arg-type]


def add_operator(session: Session, territory: str, name: str) -> tuple[OperatorInfo, str]:
    """Create an operator; returns it and the bearer token, which is never stored or shown again."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    op = Operator(territory=territory, name=name, token_hash=hash_token(token), created_at=datetime.now(timezone.utc))
    session.add(op)
    session.commit()
    return _info(op), token


def list_operators(session: Session) -> list[OperatorInfo]:
    return [_info(o) for o in session.execute(select(Operator).order_by(Operator.id)).scalars()]


def revoke_operator(session: Session, operator_id: int) -> OperatorInfo | None:
    op = session.get(Operator, operator_id)
    if op is None:
        return None
    if op.revoked_at is None:
        op.revoked_at = datetime.now(timezone.utc)
        session.commit()
    return _info(op)


def authenticate(session: Session, token: str) -> OperatorInfo | None:
    """The active operator holding `token`, or None."""
    if not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        return None
    digest = hash_token(token)
    op = session.execute(select(Operator).where(Operator.token_hash == digest)).scalar_one_or_none()
    if op is None or not hmac.compare_digest(op.token_hash, digest) or op.revoked_at is not None:
        return None
    return _info(op)


__all__ = ["OperatorInfo", "add_operator", "authenticate", "hash_token", "list_operators", "revoke_operator"]
