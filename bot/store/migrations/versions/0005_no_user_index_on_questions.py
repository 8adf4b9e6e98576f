"""No index on questions' user hash: every question paid for it when written (at a random place in
the index, as hashes fall), and only `rolebot forget`, run now and then, reads by it."""

from __future__ import annotations

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_questions_user_hash", table_name="questions")


def downgrade() -> None:
    op.create_index("ix_questions_user_hash", "questions", ["user_hash"])
