"""Votes on answers: one per person per answer, with what was wrong and what was expected."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "votes",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True, autoincrement=True),
        sa.Column("question_ref", sa.String(32), nullable=False),
        sa.Column("user_hash", sa.String(64), nullable=False),
        sa.Column("vote", sa.SmallInteger, nullable=False),
        sa.Column("reason", sa.Text),
        sa.Column("expected", sa.Text),
        sa.Column("voted_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("question_ref", "user_hash", name="uq_votes_question_user"),
    )
    op.create_index("ix_votes_voted_at", "votes", ["voted_at"])
    op.create_index("ix_votes_user_hash", "votes", ["user_hash"])


def downgrade() -> None:
    op.drop_table("votes")
