"""Writing records in a process of its own, beside the one answering Slack.

The answering process is bound by Python's lock between threads: whatever its writer thread does
(building rows, the database driver's calls, each of which lets go of the lock and takes it back)
is time the threads answering Slack wait. Here the answering process only sends each batch down a
pipe (pickled: about 4 µs a record) and waits for the word that it is written; a child process
started for it does the database's work on another core.

The child is started when the first batch is sent and again after it dies; a batch it did not
confirm is reported as not written, so the writer keeps it and tries again. It stops when the pipe
closes, so it never outlives the process that started it.
"""

from __future__ import annotations

import logging
import multiprocessing
import signal
from multiprocessing.connection import Connection
from typing import TYPE_CHECKING

from bot.logs import first_line

if TYPE_CHECKING:
    from multiprocessing.process import BaseProcess

    from bot.store.records import QuestionRecord, ThreadRecord, VoteRecord
    from bot.store.store import Store

    Record = QuestionRecord | VoteRecord | ThreadRecord

REPLY_SECONDS = 60.0  # longer than any batch takes; a child silent for this long is stopped
STOP_SECONDS = 5.0

logger = logging.getLogger(__name__)


class WriteFailed(Exception):
    """The child could not write a batch (the database refused it, or the child is gone)."""


class WritingProcess:
    """A child process that writes batches of records to the database at `url`."""

    def __init__(self) -> None:
        self._url = ""  # set by writes_to(), before the first batch
        self._child: BaseProcess | None = None
        self._pipe: Connection | None = None
        self._closed = False  # no child is started once closed

    @classmethod
    def for_store(cls, store: Store) -> WritingProcess:
        """A writing process for the database this store is open on."""
        process = cls()
        process.writes_to(store)
        return process

    def writes_to(self, store: Store) -> None:
        """Write to the database this store is open on (the first one it is told of)."""
        self._url = self._url or store.engine.url.render_as_string(hide_password=False)

    @property
    def pid(self) -> int | None:
        """The child's process id, while there is one."""
        return self._child.pid if self._child is not None else None

    def add(self, records: list[Record]) -> list[str]:
        """Write these records in the child, as Store.add does: what the database refused records
        for, or WriteFailed when the batch was not written (none of it, or some records again
        harmlessly, as when any store write is retried)."""
        pipe = self._started()
        try:
            pipe.send(records)
            if not pipe.poll(REPLY_SECONDS):
                self._stop(kill=True)
                raise WriteFailed(f"the writing process did not answer in {REPLY_SECONDS:.0f} s")
            reply = pipe.recv()
        except (OSError, EOFError) as error:  # the child died: start another for the next batch
            self._stop(kill=True)
            raise WriteFailed(f"the writing process stopped: {first_line(error) or type(error).__name__}") from None
        if isinstance(reply, str):  # why the batch was not written
            raise WriteFailed(reply or "the writing process gave no reason")
        return list(reply)

    def close(self) -> None:
        """Stop the child once it has finished what it was sent; start none after."""
        self._closed = True
        self._stop(kill=False)

    def kill(self) -> None:
        """Stop the child at once (its batch in hand fails); start none after."""
        self._closed = True
        self._stop(kill=True)

    def _started(self) -> Connection:
        if self._closed:
            raise WriteFailed("the writing process was stopped")
        if self._child is None or self._pipe is None or not self._child.is_alive():
            self._stop(kill=True)
            # Spawned, not forked: the answering process has threads, and a fork copies their locks.
            context = multiprocessing.get_context("spawn")
            mine, theirs = context.Pipe()
            child = context.Process(target=_serve, args=(theirs, self._url), name="rolebot-store-writer", daemon=True)
            child.start()
            theirs.close()
            self._child, self._pipe = child, mine
        return self._pipe

    def _stop(self, kill: bool) -> None:
        child, pipe = self._child, self._pipe
        self._child = self._pipe = None
        if pipe is not None:
            pipe.close()  # the child sees the end of its input and stops
        if child is not None:
            if kill:
                child.kill()
            child.join(STOP_SECONDS)
            if child.is_alive():
                child.kill()
                child.join(STOP_SECONDS)


def _serve(pipe: Connection, url: str) -> None:
    """The child: write each batch received, answer with what the database refused records for (a
    list, empty when it took them all) or why the batch was not written (text); stop at the pipe's end.

    Signals to stop are its parent's business: a platform that sends SIGTERM to every process of a
    container, or Ctrl-C in a terminal, reaches the child too, and the parent still has records to
    send it while it stops. The child stops when the parent closes the pipe or is gone."""
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    from bot.store.store import Store  # the database libraries load in the child only

    store = None
    try:
        while True:
            try:
                records = pipe.recv()
            except (EOFError, OSError):
                return
            try:
                if store is None:
                    # Migrated by the process that started this one; records come with their users hashed.
                    store = Store.open(url, migrate=False)
                refused = store.add(records)
            except Exception as error:  # the database is down or refusing: the sender keeps the batch
                pipe.send(first_line(error) or type(error).__name__)
                continue
            pipe.send(refused)
    finally:
        if store is not None:
            store.close()
