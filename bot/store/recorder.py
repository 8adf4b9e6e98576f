"""What listeners call to remember a question: one call, never blocking, never failing the answer."""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, TypeVar

from bot.core.knowledge import Knowledge
from bot.core.routing import Answer, Declined, SeveralAnswers
from bot.logs import first_line
from bot.settings import Settings
from bot.store.claims import Claims
from bot.store.records import (
    MAX_TEXT,
    KeepQuestions,
    QuestionRecord,
    Surface,
    ThreadRecord,
    new_ref,
    storable,
    vote_record,
)

if TYPE_CHECKING:
    from bot.store.report import Report
    from bot.store.store import Store
    from bot.store.writer import RecordWriter

logger = logging.getLogger(__name__)
T = TypeVar("T")


THREADS_IN_MEMORY = 10_000  # the most recent threads answered in, kept in memory as well as stored


class Recorder:
    """Turns answers into records and hands them to the writer; with no writer, remembers nothing
    (but the threads it answered in, in memory, so that follow-ups work without a store)."""

    def __init__(self, writer: RecordWriter | None, keep: KeepQuestions = "unanswered") -> None:
        self.writer = writer
        self.keep: KeepQuestions = keep
        self._threads: OrderedDict[tuple[str, str, str], str] = OrderedDict()
        self._threads_lock = threading.Lock()
        self._delivery_problem = False
        self._claims: Claims | None = None  # made once the store is open (it is never replaced)

    @classmethod
    def from_settings(cls, settings: Settings) -> Recorder:
        """The recorder these settings ask for; the store opens in the background, so a database
        that is down delays nothing."""
        if not settings.store_enabled:
            return cls(None)
        # The database libraries load only when the store is on.
        from bot.store.store import Store
        from bot.store.writer import RecordWriter

        url, key = settings.store_url, settings.hash_key
        writer = RecordWriter(
            lambda: Store.open(url, key), settings.retention_days, separate_process=settings.store_writer == "process"
        )
        keep: KeepQuestions = settings.keep_questions  # type: ignore[assignment]  # checked by Settings
        return cls(writer, keep)

    def question(
        self, answer: Answer, knowledge: Knowledge, surface: Surface, workspace: str, user_id: str
    ) -> str | None:
        """Remember a question and its answer; the record's reference, or None when not recorded."""
        if self.writer is None:
            return None
        try:
            record = question_record(answer, knowledge, surface, workspace, "", self.keep)
        except Exception:  # remembering must never cost the person their answer
            logger.exception("could not make a record of a question")
            return None
        return record.ref if self.writer.submit(record, user_id) else None

    def answered_in_thread(self, workspace: str, channel: str, thread_ts: str, answer: str) -> None:
        """Remember Role Bot's answer in a thread, for the replies that follow it there."""
        key = (workspace, channel, thread_ts)
        with self._threads_lock:
            self._threads[key] = answer
            self._threads.move_to_end(key)
            while len(self._threads) > THREADS_IN_MEMORY:
                self._threads.popitem(last=False)
        if self.writer is not None:
            self.writer.submit(ThreadRecord(workspace, channel, thread_ts, answer, datetime.now(UTC)), "")

    def thread_answer(self, workspace: str, channel: str, thread_ts: str) -> str | None:
        """Role Bot's last answer in a thread (this process's memory, else the store), or None."""
        with self._threads_lock:
            found = self._threads.get((workspace, channel, thread_ts))
        if found is not None:
            return found
        # The store is down: a follow-up goes unanswered, nothing else.
        return self._from_store("look up a thread", lambda store: store.thread_answer(workspace, channel, thread_ts))

    def take_delivery(self, event_id: str) -> bool:
        """Whether this process is the one to handle this Slack event (the first to take it in the
        store, which other processes share); True when there is no store or it fails, so that an
        event is answered rather than lost (the process's own memory still stops repeats)."""
        store = self.writer.open_store() if self.writer is not None else None
        if store is None:
            return True
        try:
            if self._claims is None:
                self._claims = Claims(store.take_deliveries)
            taken = self._claims.take(event_id)
        except Exception as error:
            if not self._delivery_problem:
                logger.warning("could not share a delivery through the store (answering anyway): %s", first_line(error))
            self._delivery_problem = True
            return True
        self._delivery_problem = False
        return taken

    def vote(
        self,
        question_ref: str,
        user_id: str,
        vote: int,
        reason: str | None = None,
        expected: str | None = None,
        question_text: str | None = None,
    ) -> bool:
        """Remember a person's vote on an answer (their latest replaces the one before)."""
        if self.writer is None:
            return False
        return self.writer.submit(vote_record(question_ref, vote, reason, expected, question_text), user_id)

    def report(self, days: int) -> Report | None:
        """The owner's report from the store, or None when there is no store or it is not available."""
        return self._from_store("read the report", lambda store: store.report(days))

    def status(self) -> dict[str, Any]:
        return self.writer.status() if self.writer is not None else {"store": "off"}

    def health(self) -> dict[str, Any]:
        """What GET /health/details shows."""
        return {"store": self.status()}

    def _from_store(self, what: str, read: Callable[[Store], T]) -> T | None:
        """What `read` finds in the store; None when there is no store yet or it fails (logged)."""
        store = self.writer.store if self.writer is not None else None
        if store is None:
            return None
        try:
            return read(store)
        except Exception as error:
            logger.warning("could not %s in the store: %s", what, first_line(error))
            return None

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()


def question_record(
    answer: Answer,
    knowledge: Knowledge,
    surface: Surface,
    workspace: str,
    user: str,
    keep: KeepQuestions,
    ref: str | None = None,
) -> QuestionRecord:
    """The record of one answered (or declined) question; `user` is already hashed. The text kept is
    the asker's as the answer holds it, with Slack's markup removed."""
    declined = isinstance(answer, Declined)
    score = min(part.score for part in answer.parts) if isinstance(answer, SeveralAnswers) else answer.score
    record = QuestionRecord(
        ref=ref or new_ref(),
        asked_at=datetime.now(UTC),
        surface=surface,
        workspace=workspace,
        user=user,
        answer=None if declined else answer.entry_id,
        decline_reason=answer.reason if isinstance(answer, Declined) else None,
        score=score,
        knowledge_version=knowledge.version,
        text=None,
    )
    if keep == "all" or (keep == "unanswered" and (declined or record.low_confidence)):  # never for "none"
        record.text = storable(answer.question[:MAX_TEXT])
    return record
