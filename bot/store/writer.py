"""Records written off the request path: a bounded queue and one writer thread.

Answering never waits for the database. When the store is down or slow, records wait in the queue
and are written once it answers; when the queue is full, new records are dropped and counted, as is
a record the database refuses for what it holds (which would otherwise be retried for ever, holding
up the queue). A problem is logged once when it starts and once when it ends, and `status()` tells
/health.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from bot import metrics
from bot.logs import first_line
from bot.store.records import QuestionRecord, ThreadRecord, VoteRecord
from bot.store.remote import WritingProcess

if TYPE_CHECKING:
    from bot.store.store import Store

CAPACITY = 10_000
BATCH = 200
# How long a record may wait for others to share its transaction: one write a second or so under load
# rather than one per question, which would take CPU from answering.
LINGER_SECONDS = 0.5
RETRY_SECONDS = (0.5, 30.0)  # the first and the longest wait before trying the store again
PURGE_EVERY_SECONDS = 24 * 3600
REOPEN_SECONDS = 5.0  # how long open_store() leaves a store that failed to open alone

logger = logging.getLogger(__name__)


@dataclass(slots=True)
class Pending:
    """A record waiting to be written, with the raw user id it is to be hashed from."""

    record: QuestionRecord | VoteRecord | ThreadRecord
    user_id: str

    def hashed(self, user: str) -> QuestionRecord | VoteRecord | ThreadRecord:
        """The record, its user filled in with their hashed id (again, if a batch is tried again)."""
        self.record.user = user
        return self.record


class RecordWriter:
    """Takes records at once and writes them in the background, in order, in batches."""

    def __init__(
        self,
        open_store: Callable[[], Store],
        retention_days: int,
        capacity: int = CAPACITY,
        retry_seconds: tuple[float, float] = RETRY_SECONDS,
        separate_process: bool = False,
    ) -> None:
        self._open_store = open_store
        # Made now, though its child starts only with the first batch: close() can then always stop it,
        # even while the writer thread is still opening the store.
        self._process = WritingProcess() if separate_process else None
        self._retention_days = retention_days
        self._capacity = capacity
        self._retry = retry_seconds
        self._queue: deque[Pending] = deque()
        self._changed = threading.Condition()
        self._writing = 0
        self._hurry = 0  # callers waiting for the queue to empty: no lingering meanwhile
        self._stopping = False
        self._store: Store | None = None
        self._opening = threading.Lock()
        self._retry_open_at = 0.0
        self._problem = ""
        self.written = 0
        self.dropped = 0
        self._refused = 0  # of those dropped, records the database refused
        self._thread = threading.Thread(target=self._run, name="record-writer", daemon=True)
        self._thread.start()

    def submit(self, record: QuestionRecord | VoteRecord | ThreadRecord, user_id: str) -> bool:
        """Queue a record; False (and counted) when the queue is full or the writer has stopped."""
        with self._changed:
            if self._stopping or len(self._queue) >= self._capacity:
                self.dropped += 1
                metrics.STORE_DROPPED.inc()
                if self.dropped == 1 or self.dropped % 1000 == 0:
                    logger.error("the record queue is full; %d record(s) dropped so far", self.dropped)
                return False
            self._queue.append(Pending(record, user_id))  # the queue's gauge is set by the writer, a batch at a time
            if len(self._queue) == 1 or len(self._queue) >= BATCH:  # wake the writer only when it matters
                self._changed.notify_all()
            return True

    def flush(self, timeout: float) -> bool:
        """Wait until every queued record is written; False if some remain after `timeout` seconds."""
        with self._changed:
            self._hurry += 1
            self._changed.notify_all()
            try:
                return self._changed.wait_for(lambda: not self._queue and not self._writing, timeout=timeout)
            finally:
                self._hurry -= 1

    def status(self) -> dict[str, Any]:
        """For /health: whether the store answers, and what is queued, written and dropped (the
        problem itself goes to the log, not to an unauthenticated page)."""
        with self._changed:
            state = "ok" if self._store is not None and not self._problem else "unavailable"
            return {
                "store": state,
                "queued": len(self._queue) + self._writing,
                "written": self.written,
                "dropped": self.dropped,
                "refused": self._refused,  # of those dropped, the records the database refused
            }

    @property
    def store(self) -> Store | None:
        return self._store

    @property
    def writing_pid(self) -> int | None:
        """The process writing the records, when it is a child of this one."""
        return self._process.pid if self._process is not None else None

    def close(self, timeout: float = 5.0) -> None:
        """Write what is queued (for at most `timeout` seconds), then stop; what is left is counted."""
        self.flush(timeout)
        with self._changed:
            self._stopping = True
            left = len(self._queue)
            self._queue.clear()
            self.dropped += left
            metrics.STORE_DROPPED.inc(left)
            metrics.STORE_QUEUED.set(0)
            self._changed.notify_all()
        if left:
            logger.error("stopped with %d record(s) not written", left)
        self._thread.join(timeout)
        if self._process is not None and self._thread.is_alive():
            self._process.kill()  # the thread is stuck in a write: stop the child under it, start no other
        elif self._process is not None:
            self._process.close()  # closed by the thread as it stopped; this makes sure
        if self._store is not None:
            self._store.close()

    def _run(self) -> None:
        try:
            self._write_batches()
        finally:
            if self._process is not None:
                self._process.close()  # only this thread uses the pipe; close() kills a stuck one

    def _write_batches(self) -> None:
        wait, last_purge = self._retry[0], None  # None: purge as soon as the store answers
        while True:
            with self._changed:
                self._changed.wait_for(lambda: self._queue or self._stopping or self._store is None, timeout=60)
                if self._store is not None:  # connecting at start does not wait
                    self._changed.wait_for(
                        lambda: len(self._queue) >= BATCH or self._stopping or self._hurry, timeout=LINGER_SECONDS
                    )
                if self._stopping:
                    return
                batch = [self._queue.popleft() for _ in range(min(BATCH, len(self._queue)))]
                self._writing = len(batch)
                metrics.STORE_QUEUED.set(len(self._queue) + self._writing)
            try:
                store = self._connected()
                if last_purge is None or time.monotonic() - last_purge > PURGE_EVERY_SECONDS:
                    store.purge(self._retention_days)
                    last_purge = time.monotonic()
                hashes = {user_id: store.user_hash(user_id) for user_id in {item.user_id for item in batch}}
                records = [item.hashed(hashes[item.user_id]) for item in batch]
                refused: list[str] = []
                if self._process is None:
                    refused = store.add(records)
                elif records:  # connecting at start hands over nothing, so starts no child
                    self._process.writes_to(store)
                    refused = self._process.add(records)
            except Exception as error:  # the database is down, full or refusing: keep the batch, wait, retry
                self._failed(error, batch)
                if self._sleep(wait):
                    return
                wait = min(wait * 2, self._retry[1])
                continue
            wait = self._retry[0]
            written = len(batch) - len(refused)
            metrics.STORE_WRITTEN.inc(written)
            if refused:
                self._set_aside(refused)
            with self._changed:
                self.written += written
                self._writing = 0
                metrics.STORE_QUEUED.set(len(self._queue))
                if self._problem:
                    logger.warning("the store is back; %d record(s) queued are being written", len(self._queue))
                    self._problem = ""
                self._changed.notify_all()

    def _set_aside(self, refused: list[str]) -> None:
        """Count records the database refused as dropped; log the first, then one line a thousand."""
        metrics.STORE_DROPPED.inc(len(refused))
        metrics.STORE_REFUSED.inc(len(refused))
        with self._changed:
            before = self._refused
            self._refused += len(refused)
            self.dropped += len(refused)
            so_far = self._refused
        if before == 0 or before // 1000 != so_far // 1000:
            logger.error(
                "the store refused %d record(s) so far, left out and counted as dropped (the rest are written); "
                "the latest because: %s",
                so_far,
                refused[-1],
            )

    def open_store(self) -> Store | None:
        """The store, opened now if it is not yet (for a caller that cannot wait for the writer to
        open it); None when it cannot be opened, without trying again for a few seconds."""
        if self._store is not None:
            return self._store
        if time.monotonic() < self._retry_open_at:
            return None
        try:
            return self._connected()
        except Exception:  # the writer logs the store's problems
            self._retry_open_at = time.monotonic() + REOPEN_SECONDS
            return None

    def _connected(self) -> Store:
        with self._opening:  # the writer's thread and open_store() callers
            if self._store is None:
                self._store = self._open_store()
            return self._store

    def _failed(self, error: Exception, batch: list[Pending]) -> None:
        problem = first_line(error)
        with self._changed:
            self._writing = 0
            if self._stopping:  # close() has counted what was queued; these are lost with it
                self.dropped += len(batch)
                metrics.STORE_DROPPED.inc(len(batch))
                logger.error("stopped with %d record(s) not written: %s", len(batch), problem)
                self._changed.notify_all()
                return
            self._queue.extendleft(reversed(batch))
            if not self._problem:
                logger.error("cannot write to the store (answers go on; records wait in the queue): %s", problem)
            self._problem = problem
            self._changed.notify_all()

    def _sleep(self, seconds: float) -> bool:
        """Wait before retrying; True when the writer was stopped meanwhile."""
        with self._changed:
            return self._changed.wait_for(lambda: self._stopping, timeout=seconds)
