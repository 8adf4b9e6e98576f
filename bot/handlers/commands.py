"""The /role slash command: answered in the acknowledgement itself, privately to the asker."""

from __future__ import annotations

from slack_bolt import Ack, App

from bot.blocks.messages import private_reply
from bot.core.answerer import Answerer
from bot.slack.client import apology_on_error

COMMAND = "/role"


def register(app: App, answerer: Answerer) -> None:
    @app.command(COMMAND)
    def answer_command(ack: Ack, command: dict) -> None:
        with apology_on_error(lambda text: ack(response_type="ephemeral", text=text)):
            text = command.get("text")
            answer, knowledge = answerer.answer(text if isinstance(text, str) else "")
            reply = private_reply(answer, knowledge)
            ack(response_type="ephemeral", **reply.message())
