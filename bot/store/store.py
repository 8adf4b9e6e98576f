"""The store: one schema on SQLite or PostgreSQL, created and migrated (Alembic) when it opens."""

from __future__ import annotations

import contextlib
import secrets
import threading
from collections.abc import Iterable
from dataclasses import fields
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine, Table, create_engine, delete, event, func, insert, select, update
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DataError, DBAPIError, IntegrityError, StatementError

from bot.logs import first_line
from bot.store.records import QuestionRecord, ThreadRecord, VoteRecord, user_hash
from bot.store.schema import deliveries, meta, questions, threads, votes

if TYPE_CHECKING:
    from bot.store.report import Report, ReviewItem

MIGRATIONS = Path(__file__).parent / "migrations"
# Alembic keeps the migration being run in module state: two stores migrating at once in one process
# would see each other's.
_MIGRATING = threading.Lock()
HASH_KEY = "user_hash_key"
DELIVERY_MEMORY = timedelta(hours=1)  # Slack's last retry of an event comes about 5 minutes after it
PURGE_DELIVERIES_EVERY = 1000  # transactions taking deliveries


class Store:
    """Questions and what became of them, in one database."""

    def __init__(self, engine: Engine, hash_key: bytes | None = None) -> None:
        self.engine = engine
        self._hash_key = hash_key
        self._takes = 0

    @classmethod
    def open(cls, url: str, hash_key: str = "", migrate: bool = True) -> Store:
        """Connect to the database at this URL (creating a SQLite file's folder) and bring its schema
        up to date (unless `migrate` is False: another process has)."""
        parsed = make_url(url)
        if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
            Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        # A database that does not answer delays a caller by seconds, not minutes.
        connect_args = {"connect_timeout": 5} if parsed.get_backend_name() == "postgresql" else {}
        engine = create_engine(parsed, pool_pre_ping=True, pool_timeout=5, connect_args=connect_args)
        if parsed.get_backend_name() == "sqlite":
            event.listen(engine, "connect", _sqlite_pragmas)
        store = cls(engine, hash_key.encode() if hash_key else None)
        if migrate:
            store.migrate()
        return store

    def migrate(self) -> None:
        """Create the tables, or migrate them to the newest schema."""
        from alembic import command  # loaded only by a process that migrates
        from alembic.config import Config

        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        with _MIGRATING, self.engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "head")

    @property
    def hash_key(self) -> bytes:
        """The key user ids are hashed with: configured, or made once and kept in the database."""
        if self._hash_key is None:
            self._hash_key = self._stored_hash_key()
        return self._hash_key

    def user_hash(self, user_id: str) -> str:
        return user_hash(self.hash_key, user_id)

    def add(self, records: Iterable[QuestionRecord | VoteRecord | ThreadRecord]) -> list[str]:
        """Write records of every kind in one transaction: all of them or, when the database fails,
        none. Questions go first: a 👎 in the same batch may keep the text of its question.

        A record the database refuses for what it holds (a value too long for its column, a missing
        one) would fail every retry and hold up every record queued behind it. When the batch is
        refused so, it is written in halves, and halves of those, down to the records refused on
        their own, which are left out: a few transactions for one bad record in a batch of hundreds.
        What they were refused for comes back, one line each (never their values). Writing a batch
        again never writes anything twice, so a failure part of the way through is safe to retry."""
        records = list(records)
        return self._add_halving(records) if records else []

    def _add_halving(self, records: list[QuestionRecord | VoteRecord | ThreadRecord]) -> list[str]:
        try:
            self._add_together(records)
            return []
        except Exception as error:
            if not _refused_for_contents(error):
                raise  # the database is down, locked, full or missing a table: the batch is retried whole
            if len(records) == 1:
                return [_refusal(error)]
        half = len(records) // 2  # in order: a question is written before a vote on it
        return self._add_halving(records[:half]) + self._add_halving(records[half:])

    def _add_together(self, records: list[QuestionRecord | VoteRecord | ThreadRecord]) -> None:
        asked = [record for record in records if isinstance(record, QuestionRecord)]
        try:
            with self.engine.begin() as connection:
                if asked and self.engine.dialect.name == "postgresql":
                    _copy_questions(connection, asked)
                elif asked:
                    _insert_questions(connection, asked)
                self._write_rest(connection, records)
        except IntegrityError:
            # Questions already there: a batch written once whose confirmation was lost (its writer
            # stopped between the commit and the answer) comes again. Writing the rest keeps the queue
            # moving; retrying the whole batch would fail the same way for ever.
            with self.engine.begin() as connection:
                statement = _upsert(self.engine.dialect.name)(questions).on_conflict_do_nothing(index_elements=["ref"])
                if asked:
                    connection.execute(statement, [_question_row(record) for record in asked])
                self._write_rest(connection, records)

    def _write_rest(self, connection: Connection, records: list[QuestionRecord | VoteRecord | ThreadRecord]) -> None:
        self._write_votes(connection, [record for record in records if isinstance(record, VoteRecord)])
        self._write_threads(connection, [record for record in records if isinstance(record, ThreadRecord)])

    def add_questions(self, records: Iterable[QuestionRecord]) -> list[str]:
        return self.add(records)

    def add_votes(self, records: Iterable[VoteRecord]) -> list[str]:
        """Record votes: a person's new vote on an answer replaces their old one, and a 👎's question
        text is kept with its question."""
        return self.add(records)

    def _write_votes(self, connection: Connection, records: list[VoteRecord]) -> None:
        for record in records:
            row = {
                "question_ref": record.question_ref,
                "user_hash": record.user,
                "vote": record.vote,
                "reason": record.reason,
                "expected": record.expected,
                "voted_at": record.voted_at,
            }
            self._upsert(connection, votes, row, ("question_ref", "user_hash"))
            if record.question_text:
                connection.execute(
                    update(questions)
                    .where(questions.c.ref == record.question_ref, questions.c.text.is_(None))
                    .values(text=record.question_text)
                )

    def _write_threads(self, connection: Connection, records: list[ThreadRecord]) -> None:
        """Role Bot's latest answer in each thread (a newer one replaces the older)."""
        latest = {(record.workspace, record.channel, record.thread_ts): record for record in records}
        for record in latest.values():
            row = {
                "workspace": record.workspace,
                "channel": record.channel,
                "thread_ts": record.thread_ts,
                "answer": record.answer,
                "answered_at": record.answered_at,
            }
            self._upsert(connection, threads, row, ("workspace", "channel", "thread_ts"))

    def _upsert(self, connection: Connection, table: Table, row: dict[str, object], keys: tuple[str, ...]) -> None:
        """Insert the row, or update the one with the same keys (SQLite and PostgreSQL both can)."""
        statement = _upsert(self.engine.dialect.name)(table).values(**row)
        changed = {column: statement.excluded[column] for column in row if column not in keys}
        connection.execute(statement.on_conflict_do_update(index_elements=list(keys), set_=changed))

    def questions_since(self, since: datetime) -> list[QuestionRecord]:
        query = select(questions).where(questions.c.asked_at >= since).order_by(questions.c.asked_at)
        with self.engine.connect() as connection:
            return [_question_record(row._mapping) for row in connection.execute(query)]

    def votes_since(self, since: datetime) -> list[VoteRecord]:
        query = select(votes).where(votes.c.voted_at >= since).order_by(votes.c.voted_at)
        with self.engine.connect() as connection:
            return [_vote_record(row._mapping) for row in connection.execute(query)]

    def report(self, days: int, now: datetime | None = None) -> Report:
        """The knowledge owner's report over the last `days` days."""
        from bot.store.report import build_report  # the language tools load only where a report is made

        since = _days_before(now, days)
        return build_report(self.questions_since(since), self.votes_since(since), days, since)

    def review_items(self, days: int, now: datetime | None = None) -> list[ReviewItem]:
        """What the knowledge owner should label, most frequent first."""
        from bot.store.report import review_items

        since = _days_before(now, days)
        return review_items(self.questions_since(since), self.votes_since(since))

    def thread_answer(self, workspace: str, channel: str, thread_ts: str) -> str | None:
        """Role Bot's last answer in this thread, or None when it has not answered there."""
        query = select(threads.c.answer).where(
            threads.c.workspace == workspace, threads.c.channel == channel, threads.c.thread_ts == thread_ts
        )
        with self.engine.connect() as connection:
            found = connection.execute(query).scalar_one_or_none()
        return str(found) if found is not None else None

    def take_delivery(self, event_id: str, now: datetime | None = None) -> bool:
        """True for the first process to take this Slack event (it answers it); False for every other
        delivery of it, here or in another process sharing the database. Written at once, not queued."""
        return event_id in self.take_deliveries([event_id], now)

    def take_deliveries(self, event_ids: list[str], now: datetime | None = None) -> set[str]:
        """Take several events in one transaction: the ids this call took (the others were taken
        before, by this process or another). Ids are kept to their first 64 characters."""
        now = now or datetime.now(UTC)
        rows = [{"event_id": event_id, "taken_at": now} for event_id in dict.fromkeys(e[:64] for e in event_ids)]
        statement = _upsert(self.engine.dialect.name)(deliveries).values(rows)
        claimed = statement.on_conflict_do_nothing(index_elements=["event_id"]).returning(deliveries.c.event_id)
        with self.engine.begin() as connection:
            kept = {str(event_id) for event_id in connection.execute(claimed).scalars()}
            self._takes += 1
            if self._takes % PURGE_DELIVERIES_EVERY == 0:
                connection.execute(delete(deliveries).where(deliveries.c.taken_at < now - DELIVERY_MEMORY))
        return {event_id for event_id in event_ids if event_id[:64] in kept}

    def votes_on(self, question_ref: str) -> list[VoteRecord]:
        query = select(votes).where(votes.c.question_ref == question_ref).order_by(votes.c.voted_at)
        with self.engine.connect() as connection:
            return [_vote_record(row._mapping) for row in connection.execute(query)]

    def forget(self, user_id: str) -> int:
        """Delete everything recorded of one person (questions and votes); how many records went."""
        hashed = self.user_hash(user_id)
        with self.engine.begin() as connection:
            asked = connection.execute(delete(questions).where(questions.c.user_hash == hashed)).rowcount
            voted = connection.execute(delete(votes).where(votes.c.user_hash == hashed)).rowcount
        return int(asked) + int(voted)

    def purge(self, keep_days: int, now: datetime | None = None) -> int:
        """Delete records older than `keep_days`; how many went."""
        cutoff = _days_before(now, keep_days)
        with self.engine.begin() as connection:
            asked = connection.execute(delete(questions).where(questions.c.asked_at < cutoff)).rowcount
            voted = connection.execute(delete(votes).where(votes.c.voted_at < cutoff)).rowcount
            connection.execute(delete(threads).where(threads.c.answered_at < cutoff))
        return int(asked) + int(voted)

    def question_count(self) -> int:
        with self.engine.connect() as connection:
            return int(connection.execute(select(func.count()).select_from(questions)).scalar_one())

    def recent_questions(self, limit: int = 1000) -> list[QuestionRecord]:
        """The newest records first."""
        query = select(questions).order_by(questions.c.asked_at.desc(), questions.c.id.desc()).limit(limit)
        with self.engine.connect() as connection:
            return [_question_record(row._mapping) for row in connection.execute(query)]

    def close(self) -> None:
        self.engine.dispose()

    def _stored_hash_key(self) -> bytes:
        made = secrets.token_hex(32)
        with contextlib.suppress(IntegrityError), self.engine.begin() as connection:  # another process made it first
            connection.execute(insert(meta).values(key=HASH_KEY, value=made))
        with self.engine.connect() as connection:
            return str(connection.execute(select(meta.c.value).where(meta.c.key == HASH_KEY)).scalar_one()).encode()


def _days_before(now: datetime | None, days: int) -> datetime:
    return (now or datetime.now(UTC)) - timedelta(days=days)


_ROWS_A_STATEMENT = 90  # SQLite before 3.32 allows 999 values a statement
_QUESTION_COLUMNS = [column.name for column in questions.columns if column.name != "id"]


def _copy_questions(connection: Connection, records: list[QuestionRecord]) -> None:
    """Questions written with PostgreSQL's COPY, in this transaction: a fifth of the CPU of an INSERT
    a row, which the process answering Slack would otherwise pay for every question."""
    import psycopg  # PostgreSQL's driver, loaded only for it

    cursor = connection.connection.driver_connection.cursor()
    try:
        with cursor.copy(f"COPY questions ({', '.join(_QUESTION_COLUMNS)}) FROM STDIN") as copy:
            for record in records:
                row = _question_row(record)
                copy.write_row([row[column] for column in _QUESTION_COLUMNS])
    # The driver's own errors, reported as SQLAlchemy reports them for its own statements: a question
    # already there as the IntegrityError that has the batch written again without it; any other
    # value refused as a DataError, which has the records refused found and left out.
    except psycopg.errors.UniqueViolation as error:
        raise IntegrityError("COPY questions", None, error) from error
    except (psycopg.IntegrityError, psycopg.DataError) as error:
        raise DataError("COPY questions", None, error) from error


def _refused_for_contents(error: Exception) -> bool:
    """Whether the database, or its driver binding the values, refused what the records hold rather
    than failing to write at all: such a record is refused however often it is tried."""
    if isinstance(error, DataError | IntegrityError):
        return True
    if isinstance(error, StatementError) and not isinstance(error, DBAPIError):  # a value SQLAlchemy could not bind
        return True
    return isinstance(error, UnicodeError | OverflowError | TypeError | ValueError)  # the driver could not


def _refusal(error: Exception) -> str:
    """What the database refused a record for, in one line: the driver's message, without the
    statement and the values SQLAlchemy adds after it (a question's words among them)."""
    original = getattr(error, "orig", None)
    line = first_line(original if isinstance(original, BaseException) else error)
    return line.encode("utf-8", "replace").decode("utf-8")  # a lone surrogate it quotes could not be logged


def _insert_questions(connection: Connection, records: list[QuestionRecord]) -> None:
    """Questions written a few statements a batch, each inserting many rows (SQLite). An executemany
    runs its statement once a row, and each run lets go of Python's lock between threads: under load
    a thread answering Slack takes it every time, and the writer waits to get it back. Two hundred
    such handovers a batch cost the answering process more CPU than the rows themselves."""
    dialect = connection.dialect
    when = questions.c.asked_at.type.dialect_impl(dialect).bind_processor(dialect)
    for start in range(0, len(records), _ROWS_A_STATEMENT):
        rows = [_question_row(record) for record in records[start : start + _ROWS_A_STATEMENT]]
        values = []
        for row in rows:
            if when is not None:
                row["asked_at"] = when(row["asked_at"])
            values += [row[column] for column in _QUESTION_COLUMNS]
        one = f"({', '.join('?' * len(_QUESTION_COLUMNS))})"
        # Made of the table's column names and placeholders only: every value is a parameter.
        statement = f"INSERT INTO questions ({', '.join(_QUESTION_COLUMNS)}) VALUES {', '.join([one] * len(rows))}"  # noqa: S608
        connection.exec_driver_sql(statement, tuple(values))


def _question_row(record: QuestionRecord) -> dict[str, object]:
    # Field by field: dataclasses.asdict deep-copies every value, at many times the cost.
    row: dict[str, object] = {name: getattr(record, name) for name in _QUESTION_FIELDS}
    row["user_hash"] = row.pop("user")
    return row


_QUESTION_FIELDS = tuple(field.name for field in fields(QuestionRecord))


def _question_record(row: object) -> QuestionRecord:
    values = dict(row)  # type: ignore[call-overload]
    values.pop("id")
    values["user"] = values.pop("user_hash")
    values["asked_at"] = _utc(values["asked_at"])
    return QuestionRecord(**values)


def _vote_record(row: object) -> VoteRecord:
    values = dict(row)  # type: ignore[call-overload]
    return VoteRecord(
        question_ref=values["question_ref"],
        voted_at=_utc(values["voted_at"]),
        user=values["user_hash"],
        vote=values["vote"],
        reason=values["reason"],
        expected=values["expected"],
    )


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment  # SQLite keeps no time zone


def _upsert(dialect: str) -> Any:
    """The INSERT … ON CONFLICT of this database (both SQLite and PostgreSQL have one)."""
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as postgresql_insert

        return postgresql_insert
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return sqlite_insert


def _sqlite_pragmas(connection: object, _record: object) -> None:
    """Several threads and processes share one SQLite file: wait for a lock rather than fail."""
    cursor = connection.cursor()  # type: ignore[attr-defined]
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()
