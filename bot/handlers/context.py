"""What every listener shares, carried in Bolt's context: put there by one middleware in build_app,
so that listeners are plain functions a test can call with a context of its own."""

from __future__ import annotations

from collections.abc import Callable

from slack_bolt import BoltContext, BoltResponse

from bot.core.answerer import Answerer

ANSWERER = "answerer"

Middleware = Callable[[BoltContext, Callable[[], BoltResponse]], BoltResponse | None]


def sharing(answerer: Answerer) -> Middleware:
    """Middleware putting the answerer in every request's context."""

    def share_answerer(context: BoltContext, next: Callable[[], BoltResponse]) -> BoltResponse | None:
        context[ANSWERER] = answerer
        return next()

    return share_answerer


def answerer_in(context: dict) -> Answerer:
    """The answerer the middleware shared; a listener registered without it is a programming error."""
    answerer: Answerer | None = context.get(ANSWERER)
    if answerer is None:
        raise LookupError(f"no {ANSWERER!r} in the context: build the app with build_app()")
    return answerer
