"""The questions asked, and the store's own settings."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "meta",
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("value", sa.Text, nullable=False),
    )
    op.create_table(
        "questions",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True, autoincrement=True),
        sa.Column("ref", sa.String(32), nullable=False, unique=True),
        sa.Column("asked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("surface", sa.String(16), nullable=False),
        sa.Column("workspace", sa.String(32), nullable=False),
        sa.Column("user_hash", sa.String(64), nullable=False),
        sa.Column("answer", sa.String(200)),
        sa.Column("decline_reason", sa.String(32)),
        sa.Column("score", sa.Integer, nullable=False),
        sa.Column("knowledge_version", sa.String(16), nullable=False),
        sa.Column("text", sa.Text),
    )
    op.create_index("ix_questions_asked_at", "questions", ["asked_at"])
    op.create_index("ix_questions_user_hash", "questions", ["user_hash"])


def downgrade() -> None:
    op.drop_table("questions")
    op.drop_table("meta")
