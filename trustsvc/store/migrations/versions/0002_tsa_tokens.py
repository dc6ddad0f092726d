"""The TSA's issued-token log; its id is the RFC 3161 serial number (trustsvc/store/tsa.py)."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_tsa_tokens"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "tsa_tokens",
        sa.Column("serial", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True, autoincrement=True),
        sa.Column("tsa_sha256", sa.String(64), nullable=False, index=True),
        sa.Column("gen_time", sa.DateTime(timezone=True), nullable=False),
        sa.Column("imprint_algorithm", sa.String(32), nullable=False),
        sa.Column("imprint", sa.String(200), nullable=False),
        sa.Column("policy", sa.String(200), nullable=False),
        sqlite_autoincrement=True,
    )


def downgrade() -> None:
    op.drop_table("tsa_tokens")
