"""Slack deliveries taken: an event delivered to several processes (or again) is answered by one."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "deliveries",
        sa.Column("event_id", sa.String(64), primary_key=True),
        sa.Column("taken_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_deliveries_taken_at", "deliveries", ["taken_at"])


def downgrade() -> None:
    op.drop_table("deliveries")
