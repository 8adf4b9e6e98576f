"""What every listener shares, carried in Bolt's context: put there by the one middleware in
build_app, so that listeners are plain functions a test can call with a context of its own."""

from __future__ import annotations

import time
from concurrent.futures import Executor
from typing import Any, get_args

from bot import metrics
from bot.core.answerer import Answerer
from bot.core.knowledge import Knowledge
from bot.core.routing import Answer, Declined
from bot.store.recorder import Recorder
from bot.store.records import Surface

ANSWERER = "answerer"
RECORDER = "recorder"
OWNERS = "owners"
FOLLOW_UPS = "follow_ups"
REPLIES = "replies"
EVENT_ID = "event_id"  # the Slack event being handled, when the request is one
_REMEMBERS_NOTHING = Recorder(None)


def shared(
    answerer: Answerer,
    recorder: Recorder,
    owners: frozenset[str] = frozenset(),
    follow_ups: bool = True,
    replies: Executor | None = None,
) -> dict[str, Any]:
    """What goes into every request's context: the answerer, the recorder, the knowledge owners,
    whether to answer follow-ups, and the pool replies are sent from."""
    return {ANSWERER: answerer, RECORDER: recorder, OWNERS: owners, FOLLOW_UPS: follow_ups, REPLIES: replies}


def answerer_in(context: dict) -> Answerer:
    """The answerer the middleware shared; a listener registered without it is a programming error."""
    answerer: Answerer | None = context.get(ANSWERER)
    if answerer is None:
        raise LookupError(f"no {ANSWERER!r} in the context: build the app with build_app()")
    return answerer


def answer_in(context: dict, text: object, surface: Surface) -> tuple[Answer, Knowledge]:
    """The answer to a question's text (anything not text is an empty question), timed and counted
    for /metrics."""
    started = time.perf_counter()
    answer, knowledge = answerer_in(context).answer(text if isinstance(text, str) else "")
    metrics.ANSWER_SECONDS.observe(time.perf_counter() - started)
    count_question(surface, answer)
    return answer, knowledge


def count_question(surface: Surface, answer: Answer) -> None:
    _QUESTIONS[surface, isinstance(answer, Declined)].inc()


# Each surface's two counters, found once: finding a labelled counter costs as much as counting.
_QUESTIONS = {
    (surface, declined): metrics.QUESTIONS.labels(surface, "declined" if declined else "answered")
    for surface in get_args(Surface)
    for declined in (False, True)
}


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
