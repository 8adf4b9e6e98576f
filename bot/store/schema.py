"""The tables, as SQLAlchemy Core sees them. Changes to them go through a migration (migrations/)."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Integer,
    MetaData,
    SmallInteger,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData()

# Settings the store keeps for itself, such as the key user ids are hashed with when none is configured.
meta = Table(
    "meta",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)

# One row per question asked. Never the raw user id, a token or a response URL; the text only when
# the keep policy says so (declined, low confidence, or every question when configured).
questions = Table(
    "questions",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column("ref", String(32), nullable=False, unique=True),  # what feedback refers to
    Column("asked_at", DateTime(timezone=True), nullable=False, index=True),
    Column("surface", String(16), nullable=False),
    Column("workspace", String(32), nullable=False),
    # Not indexed: writing every question would pay for what only `rolebot forget` reads.
    Column("user_hash", String(64), nullable=False),
    Column("answer", String(200)),  # the entry id (or help, compare); none when declined
    Column("decline_reason", String(32)),
    Column("score", Integer, nullable=False),
    Column("knowledge_version", String(16), nullable=False),
    Column("text", Text),
)

# One vote per person per answer (a changed vote replaces the old one): +1 or -1, and for -1 what was
# wrong and what the person expected, both optional.
votes = Table(
    "votes",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column("question_ref", String(32), nullable=False),
    Column("user_hash", String(64), nullable=False, index=True),
    Column("vote", SmallInteger, nullable=False),
    Column("reason", Text),
    Column("expected", Text),
    Column("voted_at", DateTime(timezone=True), nullable=False, index=True),
    UniqueConstraint("question_ref", "user_hash", name="uq_votes_question_user"),
)

# Threads Role Bot has answered in, and its last answer there (an answer id, or "none" for a decline):
# a reply in the thread that does not mention the bot is read against it. No user, no text.
threads = Table(
    "threads",
    metadata,
    Column("workspace", String(32), primary_key=True),
    Column("channel", String(32), primary_key=True),
    Column("thread_ts", String(32), primary_key=True),
    Column("answer", String(200), nullable=False),
    Column("answered_at", DateTime(timezone=True), nullable=False, index=True),
)

# Slack events taken for answering, kept an hour: whichever process inserts an event's id first
# answers it; every other delivery of it (a retry, or a copy at another process) is skipped.
deliveries = Table(
    "deliveries",
    metadata,
    Column("event_id", String(64), primary_key=True),
    Column("taken_at", DateTime(timezone=True), nullable=False, index=True),
)
