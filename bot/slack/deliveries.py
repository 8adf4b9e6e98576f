"""Remembering which Slack deliveries were already taken, so a redelivered event is answered once.

Slack redelivers an event it thinks failed (up to 3 times, the same event_id), sometimes while the
first delivery is still being handled. The memory is bounded in time and in count.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable

KEEP_SECONDS = 15 * 60  # Slack's last retry comes about 5 minutes after the first delivery
MAX_REMEMBERED = 20_000


class SeenDeliveries:
    """Delivery ids taken within the last `keep_seconds`, at most `capacity` of them."""

    def __init__(
        self,
        keep_seconds: float = KEEP_SECONDS,
        capacity: int = MAX_REMEMBERED,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.keep_seconds = keep_seconds
        self.capacity = capacity
        self.clock = clock
        self._taken: OrderedDict[str, float] = OrderedDict()
        self._lock = threading.Lock()

    def take(self, delivery_id: str) -> bool:
        """True the first time an id is seen (the caller handles it); False for every repeat."""
        now = self.clock()
        with self._lock:
            while self._taken and next(iter(self._taken.values())) < now - self.keep_seconds:
                self._taken.popitem(last=False)
            if delivery_id in self._taken:
                return False
            self._taken[delivery_id] = now
            if len(self._taken) > self.capacity:
                self._taken.popitem(last=False)
            return True

    def __len__(self) -> int:
        return len(self._taken)
