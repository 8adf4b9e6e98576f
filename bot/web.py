"""The web process: Slack's requests at POST /slack/events, and GET /health for the platform."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable

from slack_bolt.adapter.wsgi import SlackRequestHandler

from bot.app import build_app
from bot.settings import Settings

SLACK_PATH = "/slack/events"
HEALTH_PATH = "/health"

WsgiApp = Callable[[dict, Callable], Iterable[bytes]]


def create_app() -> WsgiApp:
    """The WSGI application gunicorn serves (see the Procfile's web process)."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    settings = Settings.from_env()
    settings.require("http")
    slack = SlackRequestHandler(build_app(settings), path=SLACK_PATH)

    def application(environ: dict, start_response: Callable) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == HEALTH_PATH and environ.get("REQUEST_METHOD") in ("GET", "HEAD"):
            start_response("200 OK", [("Content-Type", "text/plain; charset=utf-8")])
            return [b"ok\n"]
        return slack(environ, start_response)

    return application
