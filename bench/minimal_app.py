"""The baseline for the HTTP benchmark: a Bolt app that acknowledges /role with a fixed text,
served by gunicorn with the same settings as Role Bot's web process, and run by Bolt the same way
(listeners on the request's thread: `process_before_response`)."""

from __future__ import annotations

import os

from slack_bolt import Ack, App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk import WebClient


def create_app() -> SlackRequestHandler:
    client = WebClient(token=os.environ["SLACK_BOT_TOKEN"], base_url=os.environ["SLACK_API_URL"])
    app = App(client=client, signing_secret=os.environ["SLACK_SIGNING_SECRET"], process_before_response=True)

    @app.command("/role")
    def fixed_answer(ack: Ack) -> None:
        ack(response_type="ephemeral", text="ok")

    return SlackRequestHandler(app)
