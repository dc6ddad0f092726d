"""Audit log entries carry an HMAC under the server's audit key (issue 14: a re-hashed chain must not verify)."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_audit_mac"
down_revision = "0002_tsa_tokens"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("audit_log") as batch:
        batch.add_column(sa.Column("mac", sa.String(64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("audit_log") as batch:
        batch.drop_column("mac")
