"""Listeners that talk to Slack run on the replies pool, after the acknowledgement.

The acknowledgement of every request is made on the thread that serves the request (Bolt's
`process_before_response`): a /role answer is computed there and sent in the HTTP response, so
nothing it needs can be queued behind anything else. A listener that posts to Slack (a mention's
answer, a shared answer, App Home) would hold that thread for as long as Slack takes; wrapped with
`in_background`, it is acknowledged at once and runs on the replies pool, a separate, bounded pool.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any

from bot import metrics
from bot.handlers.context import EVENT_ID, recorder_in, replies_in
from bot.slack.pool import PoolFull

logger = logging.getLogger(__name__)


def in_background(listener: Callable[..., None]) -> Callable[..., None]:
    """The listener, acknowledged at once and run on the replies pool. Bolt passes arguments by the
    names in the listener's own signature, which the wrapper keeps."""

    @functools.wraps(listener)
    def acknowledge_then_run(**arguments: Any) -> None:
        ack = arguments.get("ack")
        if ack is not None:
            ack()
            arguments["ack"] = _acknowledged
        try:
            replies_in(arguments["context"]).submit(_once, listener, arguments)
        except PoolFull:  # logged by the pool: Slack is too slow to take more replies now
            metrics.REPLIES_REFUSED.inc()

    return acknowledge_then_run


def _once(listener: Callable[..., None], arguments: dict[str, Any]) -> None:
    """Run the listener, unless its event was taken by another process sharing the store (or by this
    one after a restart): each event is answered once however many processes it reaches."""
    context = arguments["context"]
    event_id = context.get(EVENT_ID)
    if isinstance(event_id, str) and not recorder_in(context).take_delivery(event_id):
        logger.info("skipped event %s: another process took it", event_id)
        metrics.REDELIVERIES_SKIPPED.inc()
        return
    listener(**arguments)


def _acknowledged(*_args: object, **_kwargs: object) -> None:
    """The listener's own ack(): the request was acknowledged before the listener ran."""
