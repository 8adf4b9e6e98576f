"""The threads listeners run on after Slack has been acknowledged, counting the work in hand: bounded
in threads and in work waiting, so that a Slack that stalls cannot pile up work without end."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

logger = logging.getLogger(__name__)


class PoolFull(RuntimeError):
    """The pool takes no more work until some of what it has is done."""


class ListenerPool(ThreadPoolExecutor):
    """A thread pool that knows how much work is queued or running, and can wait until there is none
    (to stop gracefully, or to know that a request has been handled completely)."""

    def __init__(self, max_workers: int, thread_name_prefix: str = "listener", max_waiting: int = 1000) -> None:
        super().__init__(max_workers=max_workers, thread_name_prefix=thread_name_prefix)
        self._pending = 0
        self._limit = max_workers + max_waiting
        self._changed = threading.Condition()
        self.refused = 0

    @property
    def pending(self) -> int:
        with self._changed:
            return self._pending

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        """Run the work on a pool thread; PoolFull (counted, logged once a burst) when the pool has
        as much running and waiting as it may."""
        with self._changed:
            if self._pending >= self._limit:
                self.refused += 1
                if self.refused == 1 or self.refused % 1000 == 0:
                    logger.error(
                        "%d piece(s) of work refused so far: every thread busy and %d waiting",
                        self.refused,
                        self._pending,
                    )
                raise PoolFull(self._pending)
            self._pending += 1
        try:
            future = super().submit(fn, *args, **kwargs)
        except BaseException:
            self._finished()
            raise
        future.add_done_callback(lambda _: self._finished())
        return future

    def wait_idle(self, timeout: float) -> bool:
        """Wait until nothing is queued or running; False if work remains after `timeout` seconds."""
        with self._changed:
            return self._changed.wait_for(lambda: self._pending == 0, timeout=timeout)

    def _finished(self) -> None:
        with self._changed:
            self._pending -= 1
            self._changed.notify_all()
