"""Waiting for something to become true, bounded in time (no fixed sleeps in tests)."""

from __future__ import annotations

import time
from collections.abc import Callable


def until(check: Callable[[], bool], timeout: float = 15.0, every: float = 0.1) -> bool:
    """Whether `check()` became true within `timeout` seconds, asked every `every` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(every)
    return False
