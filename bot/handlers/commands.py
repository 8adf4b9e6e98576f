"""The /role slash command: answered in the acknowledgement itself, privately to the asker."""

from __future__ import annotations

from slack_bolt import Ack, App

from bot.blocks.feedback import private_json_with_feedback
from bot.blocks.messages import private_reply
from bot.handlers.context import answer_in, recorder_in, workspace_of
from bot.handlers.failures import apology_on_error

COMMAND = "/role"


def answer_command(ack: Ack, command: dict, context: dict) -> None:
    with apology_on_error(lambda text: ack(response_type="ephemeral", text=text)):
        answer, knowledge = answer_in(context, command.get("text"), "command")
        user = command.get("user_id")
        ref = recorder_in(context).question(
            answer, knowledge, "command", workspace_of(command, context), user if isinstance(user, str) else ""
        )
        # A body that is one JSON text goes to Slack as it is, with JSON's content type (Bolt's ack).
        ack(private_json_with_feedback(private_reply(answer, knowledge), ref, answer))


def register(app: App) -> None:
    app.command(COMMAND)(answer_command)
