"""Mentions and direct messages: answered in the thread or the DM they came from."""

from __future__ import annotations

from slack_bolt import App
from slack_sdk import WebClient

from bot.blocks.feedback import with_feedback
from bot.blocks.messages import public_reply
from bot.handlers.background import in_background
from bot.handlers.context import FOLLOW_UPS, answer_in, answerer_in, count_question, recorder_in, workspace_of
from bot.handlers.failures import apology_on_error
from bot.slack.sending import call_slack, post_reply
from bot.store.records import Surface


def answer_mention(event: dict, client: WebClient, context: dict) -> None:
    # Editing a message that mentions the bot delivers the mention again, with a new event id.
    if _from_a_bot(event, context) or event.get("edited"):
        return
    _reply_under(event, client, context, "mention")


def answer_dm_or_thread_reply(event: dict, client: WebClient, context: dict) -> None:
    """A DM is a question; a reply in a channel thread where Role Bot has answered may be one."""
    # Only plain messages people send; edits, joins and bots' messages are not questions.
    if event.get("subtype") or _from_a_bot(event, context):
        return
    if event.get("channel_type") == "im":
        _reply_under(event, client, context, "dm", thread=bool(event.get("thread_ts")))
    elif event.get("thread_ts") and context.get(FOLLOW_UPS, True) and not _mentions_the_bot(event, context):
        _follow_up(event, client, context)  # a mention is answered by answer_mention instead


def register(app: App) -> None:
    app.event("app_mention")(in_background(answer_mention))
    app.event("message")(in_background(answer_dm_or_thread_reply))


def _mentions_the_bot(event: dict, context: dict) -> bool:
    """Whether the message mentions the bot; while the bot's id is not known yet (Slack's Web API has
    not answered since the start), any mention might be of the bot."""
    text, bot = str(event.get("text", "")), context.get("bot_user_id")
    return f"<@{bot}>" in text if bot else "<@" in text


def _follow_up(event: dict, client: WebClient, context: dict) -> None:
    """Answer a reply in a thread Role Bot has answered in, when it reads as a question for it."""
    channel, thread_ts, text = event.get("channel"), event.get("thread_ts"), event.get("text")
    if not (isinstance(channel, str) and isinstance(thread_ts, str) and isinstance(text, str)):
        return
    recorder, workspace = recorder_in(context), workspace_of(event, context)
    last = recorder.thread_answer(workspace, channel, thread_ts)
    if last is None:
        return  # not a thread Role Bot answered in: neither answered nor stored
    with apology_on_error(lambda _: None):  # nobody asked the bot directly: no apology in the thread
        answer, knowledge = answerer_in(context).answer_follow_up(text, last, str(context.get("bot_user_id", "")))
        if answer is None:
            return
        count_question("follow-up", answer)
        user = event.get("user")
        ref = recorder.question(answer, knowledge, "follow-up", workspace, user if isinstance(user, str) else "")
        reply = with_feedback(public_reply(answer, knowledge), ref, answer)
        post_reply(client, channel, thread_ts, reply, answer.entry_id or "a decline")
        recorder.answered_in_thread(workspace, channel, thread_ts, answer.entry_id or "none")


def _reply_under(event: dict, client: WebClient, context: dict, surface: Surface, thread: bool = True) -> None:
    """Answer under the message: in its thread, or as a new thread under it; remember the question."""
    channel = event.get("channel")
    if not isinstance(channel, str):
        return
    thread_ts = (event.get("thread_ts") or event.get("ts")) if thread else None

    def apologise(text: str) -> None:
        call_slack("chat.postMessage", lambda: client.chat_postMessage(channel=channel, thread_ts=thread_ts, text=text))

    with apology_on_error(apologise):
        answer, knowledge = answer_in(context, event.get("text"), surface)
        user, recorder, workspace = event.get("user"), recorder_in(context), workspace_of(event, context)
        ref = recorder.question(answer, knowledge, surface, workspace, user if isinstance(user, str) else "")
        reply = with_feedback(public_reply(answer, knowledge), ref, answer)
        post_reply(client, channel, thread_ts, reply, answer.entry_id or "a decline")
        if thread_ts is not None:
            recorder.answered_in_thread(workspace, channel, thread_ts, answer.entry_id or "none")


def _from_a_bot(event: dict, context: dict) -> bool:
    """Never answer ourselves or another bot: two bots could answer each other forever."""
    return bool(event.get("bot_id") or event.get("subtype") == "bot_message") or (
        event.get("user") is not None and event.get("user") == context.get("bot_user_id")
    )
