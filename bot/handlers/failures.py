"""A listener that fails still answers: the bug is logged and the person gets an apology."""

from __future__ import annotations

import logging
from collections.abc import Callable

from bot.blocks.messages import APOLOGY
from bot.slack.sending import describe

logger = logging.getLogger(__name__)


class apology_on_error:  # named as the function it replaces: `with apology_on_error(...)`
    """Run a listener's work; if it fails, log the bug and tell the user rather than stay silent.
    (A class rather than a generator with @contextmanager: it runs around every answer, and costs a
    third as much.)"""

    def __init__(self, apologise: Callable[[str], object]) -> None:
        self._apologise = apologise

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, trace: object) -> bool:
        if not isinstance(error, Exception):  # nothing went wrong, or the process is stopping
            return False
        logger.error("a listener failed", exc_info=error)
        try:
            self._apologise(APOLOGY)
        except Exception as failure:
            logger.warning("could not send the apology either: %s", describe(failure))
        return True
