"""The worker process: Role Bot connected to Slack over Socket Mode, no public URL needed."""

from __future__ import annotations

import atexit

from slack_bolt import App
from slack_bolt.adapter.socket_mode import SocketModeHandler
from slack_sdk import WebClient

from bot.logs import configure_logging
from bot.settings import Settings
from bot.slack.app import build_app
from bot.store.recorder import Recorder

# A connection that stops answering pings is given up after four intervals and replaced, so a
# dropped connection is noticed within about 15 seconds.
PING_SECONDS = 3


def run_socket_mode(settings: Settings) -> None:
    """Connect with the app-level token and answer until the process is stopped."""
    configure_logging(settings.log_level, settings.secrets)
    settings.require("socket")
    recorder = Recorder.from_settings(settings)
    atexit.register(recorder.close)  # write what is queued when the worker stops
    socket_mode_handler(settings, build_app(settings, recorder=recorder)).start()


def socket_mode_handler(settings: Settings, app: App, ping_seconds: float = PING_SECONDS) -> SocketModeHandler:
    """The Socket Mode connection for this app, not yet connected."""
    client = WebClient(base_url=settings.api_url)
    return SocketModeHandler(app, settings.app_token, web_client=client, ping_interval=ping_seconds)
