"""A listener that fails still answers: the bug is logged and the person gets an apology."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from bot.blocks.messages import APOLOGY
from bot.slack.sending import describe

logger = logging.getLogger(__name__)


@contextmanager
def apology_on_error(apologise: Callable[[str], object]) -> Iterator[None]:
    """Run a listener's work; if it fails, log the bug and tell the user rather than stay silent."""
    try:
        yield
    except Exception:
        logger.exception("a listener failed")
        try:
            apologise(APOLOGY)
        except Exception as error:
            logger.warning("could not send the apology either: %s", describe(error))
