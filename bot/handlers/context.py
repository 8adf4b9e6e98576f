"""What every listener shares, carried in Bolt's context: put there by one middleware in build_app,
so that listeners are plain functions a test can call with a context of its own."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Executor

from slack_bolt import BoltContext, BoltResponse

from bot.core.answerer import Answerer
from bot.store.recorder import Recorder

ANSWERER = "answerer"
RECORDER = "recorder"
OWNERS = "owners"
FOLLOW_UPS = "follow_ups"
REPLIES = "replies"
EVENT_ID = "event_id"  # the Slack event being handled, when the request is one
_REMEMBERS_NOTHING = Recorder(None)

Middleware = Callable[[BoltContext, Callable[[], BoltResponse]], BoltResponse | None]


def sharing(
    answerer: Answerer,
    recorder: Recorder,
    owners: frozenset[str] = frozenset(),
    follow_ups: bool = True,
    replies: Executor | None = None,
) -> Middleware:
    """Middleware putting the answerer, the recorder, the knowledge owners, whether to answer
    follow-ups and the pool replies are sent from in every request's context."""

    def share(context: BoltContext, next: Callable[[], BoltResponse]) -> BoltResponse | None:
        context[ANSWERER] = answerer
        context[RECORDER] = recorder
        context[OWNERS] = owners
        context[FOLLOW_UPS] = follow_ups
        context[REPLIES] = replies
        return next()

    return share


def answerer_in(context: dict) -> Answerer:
    """The answerer the middleware shared; a listener registered without it is a programming error."""
    answerer: Answerer | None = context.get(ANSWERER)
    if answerer is None:
        raise LookupError(f"no {ANSWERER!r} in the context: build the app with build_app()")
    return answerer


def recorder_in(context: dict) -> Recorder:
    """The recorder the middleware shared; without one, questions are not remembered."""
    recorder: Recorder | None = context.get(RECORDER)
    return recorder if recorder is not None else _REMEMBERS_NOTHING


def replies_in(context: dict) -> Executor:
    """The pool that listeners talking to Slack run on; a listener registered without it is a
    programming error."""
    replies: Executor | None = context.get(REPLIES)
    if replies is None:
        raise LookupError(f"no {REPLIES!r} pool in the context: build the app with build_app()")
    return replies


def workspace_of(body: dict, context: dict) -> str:
    """The workspace (team) a request came from."""
    team = context.get("team_id") or body.get("team_id")
    if not team and isinstance(body.get("team"), dict):
        team = body["team"].get("id")
    return team if isinstance(team, str) else ""
