"""Mentions and direct messages: answered in the thread or the DM they came from."""

from __future__ import annotations

from slack_bolt import App
from slack_sdk import WebClient

from bot.blocks.feedback import with_feedback
from bot.blocks.messages import public_reply
from bot.handlers.context import answerer_in, recorder_in, workspace_of
from bot.handlers.failures import apology_on_error
from bot.slack.sending import post_reply
from bot.store.records import Surface


def answer_mention(event: dict, client: WebClient, context: dict) -> None:
    # Editing a message that mentions the bot delivers the mention again, with a new event id.
    if _from_a_bot(event, context) or event.get("edited"):
        return
    _reply_under(event, client, context, "mention")


def answer_direct_message(event: dict, client: WebClient, context: dict) -> None:
    # Only plain messages people send in a DM; edits, joins and channel chatter are not questions.
    if event.get("channel_type") != "im" or event.get("subtype") or _from_a_bot(event, context):
        return
    _reply_under(event, client, context, "dm", thread=bool(event.get("thread_ts")))


def register(app: App) -> None:
    app.event("app_mention")(answer_mention)
    app.event("message")(answer_direct_message)


def _reply_under(event: dict, client: WebClient, context: dict, surface: Surface, thread: bool = True) -> None:
    """Answer under the message: in its thread, or as a new thread under it; remember the question."""
    channel = event.get("channel")
    if not isinstance(channel, str):
        return
    thread_ts = (event.get("thread_ts") or event.get("ts")) if thread else None

    def apologise(text: str) -> None:
        client.chat_postMessage(channel=channel, thread_ts=thread_ts, text=text)

    with apology_on_error(apologise):
        text = event.get("text")
        answer, knowledge = answerer_in(context).answer(text if isinstance(text, str) else "")
        user = event.get("user")
        ref = recorder_in(context).question(
            answer, knowledge, surface, workspace_of(event, context), user if isinstance(user, str) else ""
        )
        post_reply(client, channel, thread_ts, with_feedback(public_reply(answer, knowledge), ref, answer))


def _from_a_bot(event: dict, context: dict) -> bool:
    """Never answer ourselves or another bot: two bots could answer each other forever."""
    return bool(event.get("bot_id") or event.get("subtype") == "bot_message") or (
        event.get("user") is not None and event.get("user") == context.get("bot_user_id")
    )
