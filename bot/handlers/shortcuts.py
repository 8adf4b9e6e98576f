"""The message shortcut "Answer with Role Bot": answers any message in its thread."""

from __future__ import annotations

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.answerer import Answerer
from bot.slack_messages import SHORTCUT_CALLBACK, mention, private_reply, public_reply

NOT_IN_CHANNEL = "I can't post in this channel yet — invite me with /invite @Role Bot. Here is the answer for you:"


def register(app: App, answerer: Answerer) -> None:
    @app.shortcut(SHORTCUT_CALLBACK)
    def answer_message(ack: Ack, shortcut: dict, client: WebClient, respond: Respond) -> None:
        ack()
        message = shortcut.get("message") or {}
        answer = answerer.answer(message.get("text") or "")
        note = f"Answered with Role Bot for {mention(shortcut.get('user', {}).get('id', ''))}"
        reply = public_reply(answer, answerer.knowledge, note=note)
        try:
            client.chat_postMessage(
                channel=shortcut["channel"]["id"],
                thread_ts=message.get("thread_ts") or message.get("ts"),
                blocks=reply.blocks,
                text=reply.text,
                unfurl_links=False,
                unfurl_media=False,
            )
        except SlackApiError as error:
            if error.response.get("error") not in ("not_in_channel", "channel_not_found"):
                raise
            private = private_reply(answer, answerer.knowledge)
            respond(text=NOT_IN_CHANNEL, response_type="ephemeral", replace_original=False)
            respond(blocks=private.blocks, text=private.text, response_type="ephemeral", replace_original=False)
