"""Slack events taken in the store together: one transaction for every event that arrives within a
few milliseconds, instead of one each.

Taking an event before answering it is what lets several processes answer it once, and the answer
waits for it. Under load a transaction per event costs more CPU than the answer; here the first
thread to ask waits a moment for others, takes all their events at once, and hands each its result.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future

GATHER_SECONDS = 0.002  # how long the first event waits for others to share its transaction
WAIT_SECONDS = 10.0  # the longest any event waits for its result (the store's own timeouts are 5 s)


class Claims:
    """Takes events through `take_all` (a list of ids -> the ids taken), in shared transactions."""

    def __init__(self, take_all: Callable[[list[str]], set[str]], gather_seconds: float = GATHER_SECONDS) -> None:
        self._take_all = take_all
        self._gather = gather_seconds
        self._lock = threading.Lock()
        self._waiting: list[tuple[str, Future[bool]]] = []
        self.transactions = 0

    def take(self, event_id: str) -> bool:
        """True when this event was taken here and now; raises what the store raised."""
        result: Future[bool] = Future()
        with self._lock:
            self._waiting.append((event_id, result))
            leading = len(self._waiting) == 1
        if leading:
            threading.Event().wait(self._gather)  # let others join
            with self._lock:
                batch, self._waiting = self._waiting, []
            try:
                taken = self._take_all([event for event, _ in batch])
            except Exception as error:
                for _, future in batch:
                    future.set_exception(error)
            else:
                self.transactions += 1
                for event, future in batch:
                    future.set_result(event in taken)
                    taken.discard(event)  # the same id twice in one batch: the first takes it
        return result.result(timeout=WAIT_SECONDS)
