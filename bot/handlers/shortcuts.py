"""The message shortcut "Answer with Role Bot": answers any message in its thread."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot.blocks.feedback import with_feedback
from bot.blocks.messages import NOT_IN_CHANNEL, SHORTCUT_CALLBACK, mention, private_reply, public_reply
from bot.handlers.background import in_background
from bot.handlers.context import answer_in, recorder_in, workspace_of
from bot.handlers.failures import apology_on_error
from bot.slack.sending import post_reply, respond_with


def answer_message(ack: Ack, shortcut: dict, client: WebClient, respond: Respond, context: dict) -> None:
    ack()
    with apology_on_error(lambda text: respond_with(respond, text=text, response_type="ephemeral")):
        message, channel, user = (_part(shortcut, key) for key in ("message", "channel", "user"))
        answer, knowledge = answer_in(context, message.get("text"), "shortcut")
        note = f"Answered with Role Bot for {mention(user.get('id', ''))}"
        asker = user.get("id")
        ref = recorder_in(context).question(
            answer, knowledge, "shortcut", workspace_of(shortcut, context), asker if isinstance(asker, str) else ""
        )
        reply = with_feedback(public_reply(answer, knowledge, note=note), ref, answer)
        thread_ts = message.get("thread_ts") or message.get("ts")
        problem = post_reply(client, channel.get("id", ""), thread_ts, reply, answer.entry_id or "a decline")
        if not problem and isinstance(thread_ts, str):
            recorder_in(context).answered_in_thread(
                workspace_of(shortcut, context), channel.get("id", ""), thread_ts, answer.entry_id or "none"
            )
        if problem in ("not_in_channel", "channel_not_found"):
            private = with_feedback(private_reply(answer, knowledge), ref, answer)
            respond_with(respond, text=NOT_IN_CHANNEL, response_type="ephemeral", replace_original=False)
            respond_with(respond, **private.message(), response_type="ephemeral", replace_original=False)


def register(app: App) -> None:
    app.shortcut(SHORTCUT_CALLBACK)(in_background(answer_message))


def _part(shortcut: dict[str, Any], key: str) -> dict[str, Any]:
    """A part of the shortcut's payload, or an empty one when it is missing or malformed."""
    part = shortcut.get(key)
    return part if isinstance(part, dict) else {}
