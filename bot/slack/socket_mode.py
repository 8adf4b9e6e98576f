"""The worker process: Role Bot connected to Slack over Socket Mode, no public URL needed."""

from __future__ import annotations

import atexit
import logging
import threading
import time

from slack_bolt import App
from slack_bolt.adapter.socket_mode import SocketModeHandler
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.logs import configure_logging, first_line
from bot.settings import Settings
from bot.slack.app import build_app
from bot.slack.identity import REFUSALS, Identity, TokenRefused, stop_this_process
from bot.store.recorder import Recorder

# A connection that stops answering pings is given up after four intervals and replaced, so a
# dropped connection is noticed within about 15 seconds.
PING_SECONDS = 3

logger = logging.getLogger(__name__)


def run_socket_mode(settings: Settings) -> None:
    """Connect with the app-level token and answer until the process is stopped."""
    configure_logging(settings.log_level, settings.secrets, settings.log_json)
    settings.require("socket")
    identity = Identity(settings.bot_token, settings.api_url, on_refused=stop_this_process)
    try:
        identity.start()
    except TokenRefused as refused:
        logger.error("%s", refused)
        raise SystemExit(1) from None
    recorder = Recorder.from_settings(settings)
    atexit.register(recorder.close)  # write what is queued when the worker stops
    handler = socket_mode_handler(settings, build_app(settings, recorder=recorder, identity=identity))
    connect_when_slack_answers(handler)
    threading.Event().wait()  # the connection's own threads answer; this one waits to be stopped


def connect_when_slack_answers(handler: SocketModeHandler, retry_seconds: tuple[float, float] = (1.0, 30.0)) -> None:
    """Connect, waiting out a Slack that does not answer (logged once); a refused app token stops the
    process with one line."""
    wait, failing = retry_seconds[0], False
    while True:
        try:
            handler.connect()
        except SlackApiError as error:
            code = str(error.response.get("error", "")) if error.response is not None else ""
            if code in REFUSALS:
                logger.error("Slack refused SLACK_APP_TOKEN (%s): check the app-level token (connections:write)", code)
                raise SystemExit(1) from None
            problem = f"apps.connections.open answered {code or error.response.status_code}"
        except Exception as error:  # unreachable, reset, timed out
            problem = first_line(error)
        else:
            if failing:
                logger.warning("connected to Slack")
            return
        if not failing:
            logger.error("cannot connect to Slack yet (%s): retrying", problem)
        failing = True
        time.sleep(wait)
        wait = min(wait * 2, retry_seconds[1])


def socket_mode_handler(settings: Settings, app: App, ping_seconds: float = PING_SECONDS) -> SocketModeHandler:
    """The Socket Mode connection for this app, not yet connected."""
    client = WebClient(base_url=settings.api_url)
    return SocketModeHandler(app, settings.app_token, web_client=client, ping_interval=ping_seconds)
