"""The Slack app: a Bolt App with Role Bot's listeners, built from settings."""

from __future__ import annotations

from slack_bolt import App
from slack_sdk import WebClient

from bot.answerer import Answerer
from bot.handlers import actions, commands, events, home, shortcuts
from bot.settings import Settings


def build_app(settings: Settings, answerer: Answerer | None = None) -> App:
    """A Bolt app for these settings; every listener answers through the same Answerer."""
    answerer = answerer or Answerer.from_file(settings.knowledge_path)
    client = WebClient(token=settings.bot_token or None, base_url=settings.api_url)
    app = App(
        client=client,
        signing_secret=settings.signing_secret or None,
        # Socket Mode connections are authenticated by the app token instead of request signatures.
        request_verification_enabled=bool(settings.signing_secret),
        ignoring_self_events_enabled=True,
    )
    for listeners in (commands, events, actions, shortcuts, home):
        listeners.register(app, answerer)
    return app
