"""What is recorded of a question, and the rule for when its text is kept."""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

Surface = Literal["command", "mention", "dm", "shortcut", "follow-up"]
KeepQuestions = Literal["unanswered", "all", "none"]
# An answer below this score was a guess: its question is worth the knowledge owner's eye.
LOW_CONFIDENCE = 60
MAX_TEXT = 4000  # Slack's own limit for a message's text is about this


# Records are made on the path of every answer, so they are plain slotted dataclasses (a frozen one
# takes six times as long to make, and to copy with a field changed). Once handed to the writer, a
# record is changed only by it: it fills in `user`, hashed.


@dataclass(slots=True)
class QuestionRecord:
    """One question and how it was answered; `user` is the person's hashed id, never the raw one."""

    ref: str
    asked_at: datetime
    surface: Surface
    workspace: str
    user: str
    answer: str | None
    decline_reason: str | None
    score: int
    knowledge_version: str
    text: str | None

    @property
    def low_confidence(self) -> bool:
        return self.answer is not None and self.score < LOW_CONFIDENCE


@dataclass(slots=True)
class VoteRecord:
    """A person's 👍 (+1) or 👎 (-1) on an answer; a 👎 may say what was wrong and what was expected,
    and brings the question's text, which is then kept with the question."""

    question_ref: str
    voted_at: datetime
    user: str
    vote: int
    reason: str | None = None
    expected: str | None = None
    question_text: str | None = None


def vote_record(
    question_ref: str,
    vote: int,
    reason: str | None = None,
    expected: str | None = None,
    question_text: str | None = None,
) -> VoteRecord:
    """A vote to record; `user` is filled in (hashed) when it is written."""
    return VoteRecord(
        question_ref=question_ref,
        voted_at=datetime.now(UTC),
        user="",
        vote=1 if vote > 0 else -1,
        reason=_clipped(reason),
        expected=_clipped(expected),
        question_text=_clipped(question_text) if vote < 0 else None,
    )


def _clipped(text: str | None) -> str | None:
    text = (text or "").strip()
    return storable(text[:MAX_TEXT]) or None


def storable(text: str) -> str:
    """Text any database can hold: a NUL character (which PostgreSQL refuses) removed, and a lone
    half of a surrogate pair (which no UTF-8 database can encode; a JSON body can carry one)
    replaced."""
    return text.replace("\x00", "").encode("utf-8", "replace").decode("utf-8")


@dataclass(slots=True)
class ThreadRecord:
    """Role Bot's last answer in a thread."""

    workspace: str
    channel: str
    thread_ts: str
    answer: str
    answered_at: datetime
    user: str = ""  # threads record no one: kept so the writer treats every record alike


class _Refs:
    """Unguessable references, unique across processes, in the order they were made: the time in
    milliseconds (6 bytes), then 10 bytes of the system's randomness, as 32 hex digits. In order,
    because each new reference then goes at the end of the store's index of them rather than at a
    random place in it: a batch of records dirties a few index pages instead of one per record. The
    randomness is read 256 references at a time (one system call per question costs more than the
    rest of its record)."""

    RANDOM, AT_ONCE = 10, 256

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._bytes = b""
        self._used = 0
        os.register_at_fork(after_in_child=self._forget)  # a forked worker must not reuse its parent's

    def _forget(self) -> None:
        self._lock = threading.Lock()
        self._bytes, self._used = b"", 0

    def new(self) -> str:
        millisecond = time.time_ns() // 1_000_000
        with self._lock:
            if self._used >= len(self._bytes):
                self._bytes, self._used = secrets.token_bytes(self.RANDOM * self.AT_ONCE), 0
            start = self._used
            self._used += self.RANDOM
            return f"{millisecond % 2**48:012x}{self._bytes[start : self._used].hex()}"


new_ref = _Refs().new  # the reference of a recorded question, carried by its answer's feedback buttons


def user_hash(key: bytes, user_id: str) -> str:
    """A keyed hash of a Slack user id (unique across workspaces): the same person gives the same
    value, and the id cannot be recovered from it without the key."""
    return hmac.new(key, user_id.encode(), hashlib.sha256).hexdigest()
