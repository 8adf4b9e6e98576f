"""The /role slash command: answered in the acknowledgement itself, privately to the asker."""

from __future__ import annotations

from slack_bolt import Ack, App

from bot.core.answerer import Answerer
from bot.slack_client import apology_on_error
from bot.slack_messages import private_reply

COMMAND = "/role"


def register(app: App, answerer: Answerer) -> None:
    @app.command(COMMAND)
    def answer_command(ack: Ack, command: dict) -> None:
        with apology_on_error(lambda text: ack(response_type="ephemeral", text=text)):
            text = command.get("text")
            answer, knowledge = answerer.answer(text if isinstance(text, str) else "")
            reply = private_reply(answer, knowledge)
            ack(response_type="ephemeral", **reply.message())
