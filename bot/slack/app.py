"""The Slack app: a Bolt App with Role Bot's listeners, built from settings."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import App, BoltContext, BoltRequest, BoltResponse
from slack_bolt.authorization import AuthorizeResult
from slack_bolt.authorization.authorize import Authorize
from slack_bolt.error import BoltUnhandledRequestError
from slack_bolt.middleware import Middleware

from bot import metrics
from bot.core.answerer import Answerer
from bot.handlers import actions, commands, events, feedback, home, shortcuts
from bot.handlers.context import EVENT_ID, shared
from bot.settings import Settings
from bot.slack.client import web_client
from bot.slack.deliveries import SeenDeliveries
from bot.slack.identity import Identity
from bot.slack.pool import ListenerPool
from bot.store.recorder import Recorder

LISTENER_THREADS = 64

logger = logging.getLogger(__name__)


def build_app(
    settings: Settings,
    answerer: Answerer | None = None,
    pool: ListenerPool | None = None,
    recorder: Recorder | None = None,
    identity: Identity | None = None,
) -> App:
    """A Bolt app for these settings; every listener answers through the same Answerer and remembers
    through the same Recorder, and work done after the acknowledgement runs on the pool (one of
    LISTENER_THREADS threads unless given). The bot's identity is looked up now unless given: a
    Slack that does not answer delays nothing, a refused token raises TokenRefused."""
    if identity is None:
        identity = Identity(settings.bot_token, settings.api_url)
        identity.start()
    if answerer is None:
        answerer = Answerer.from_file(settings.knowledge_path, settings.answers_kept)
        answerer.watch(settings.watch_seconds)
    replies = pool or ListenerPool(LISTENER_THREADS, "reply")
    app = App(
        # No token on the app's own client: with one, Bolt calls auth.test while it is built and fails
        # the start when Slack does not answer. The token comes with each request from `authorize`.
        client=web_client("", settings.api_url),
        authorize=_IdentityAuthorize(identity),
        # Listeners run on the thread serving the request, so acknowledging never waits for a pool
        # thread; those that talk to Slack hand themselves to the replies pool (handlers/background.py).
        process_before_response=True,
        listener_executor=replies,
        # SlackWeb (bot/slack/web.py) checks every HTTP request's signature before Bolt sees it, and a
        # Socket Mode connection is authenticated by the app token: Bolt need not check again.
        request_verification_enabled=False,
        ignoring_self_events_enabled=True,
        # A request no listener takes goes to the error handler below (one line) rather than to
        # Bolt's warning, which prints a listener to copy, eight lines long.
        raise_error_for_unhandled_request=True,
    )
    app.error(_log_errors)
    recorder = recorder or Recorder.from_settings(settings)
    share = shared(answerer, recorder, settings.owners, settings.follow_ups, replies)
    app.middleware(_Prepare(SeenDeliveries(), share))
    for listeners in (commands, events, actions, feedback, shortcuts, home):
        listeners.register(app)
    return app


def _log_errors(error: Exception, body: dict) -> None:
    """Bolt's error handler: a request nothing handles is one line; a listener's bug is logged with
    its traceback (listeners answer for their own expected failures)."""
    if isinstance(error, BoltUnhandledRequestError):
        logger.info("ignored a request no listener handles: %s", _kind(body))
        return
    logger.error("a listener failed on %s", _kind(body), exc_info=error)


def _kind(body: object) -> str:
    """What kind of request this is, in a few words (a type and an event type, never their text)."""
    if not isinstance(body, dict):
        return "a request that is not an object"
    kind = body.get("type") if isinstance(body.get("type"), str) else "no type"
    event = body.get("event")
    if isinstance(event, dict) and isinstance(event.get("type"), str):
        kind = f"{kind} {event['type']}"
    return str(kind)[:60]


class _IdentityAuthorize(Authorize):
    """Bolt's `authorize`: the bot's token and identity, from Identity. Given to Bolt as an Authorize
    object, it is called directly; a function would have its arguments worked out on every request."""

    def __init__(self, identity: Identity) -> None:
        super().__init__()
        self._identity = identity

    def __call__(  # Bolt calls it with these keywords, and may add the actor's
        self,
        *,
        context: BoltContext,  # noqa: ARG002 (Bolt's signature)
        enterprise_id: str | None,
        team_id: str | None,
        user_id: str | None,
        **_actor: str | None,
    ) -> AuthorizeResult:
        return self._identity.authorize(enterprise_id, team_id, user_id)


class _Prepare(Middleware):
    """The one middleware: an event already taken is acknowledged and not handled again; every other
    request gets what listeners share in its context. (A Middleware object is called directly; a
    middleware function would have its arguments worked out by inspection on every request.)"""

    def __init__(self, seen: SeenDeliveries, share: dict[str, Any]) -> None:
        self.seen = seen
        self.share = share

    def process(
        self,
        *,
        req: BoltRequest,
        resp: BoltResponse,  # noqa: ARG002 (Bolt's signature)
        next: Callable[[], BoltResponse],
    ) -> BoltResponse | None:
        event_id = req.body.get("event_id") if isinstance(req.body, dict) else None
        if isinstance(event_id, str):
            if not self.seen.take(event_id):
                logger.info("skipped a repeated delivery of event %s", event_id)
                metrics.REDELIVERIES_SKIPPED.inc()
                return BoltResponse(status=200, body="")
            req.context[EVENT_ID] = event_id  # taken in the store too before it is answered (handlers/background.py)
        req.context.update(self.share)
        return next()
