"""Buttons: share an answer in the channel, or show the answer a follow-up button points to."""

from __future__ import annotations

from slack_bolt import Ack, App, Respond

from bot.answerer import Answerer
from bot.knowledge import Knowledge
from bot.routing import Answer
from bot.slack_client import apology_on_error, respond_with
from bot.slack_messages import (
    SHARE_ACTION,
    SHOW_ACTION_PATTERN,
    decode_answer,
    mention,
    private_reply,
    public_reply,
)

GONE = "That answer is no longer available. Ask again with /role."


def register(app: App, answerer: Answerer) -> None:
    @app.action(SHARE_ACTION)
    def share_answer(ack: Ack, body: dict, action: dict, respond: Respond) -> None:
        ack()
        with apology_on_error(lambda text: _tell(respond, text)):
            knowledge = answerer.knowledge
            answer = _button_answer(action, knowledge, respond)
            if answer is None:
                return
            note = f"Shared by {mention(_user_id(body))}"
            reply = public_reply(answer, knowledge, note=note)
            if respond_with(respond, **reply.message(), response_type="in_channel", replace_original=False):
                respond_with(respond, delete_original=True)

    @app.action(SHOW_ACTION_PATTERN)
    def show_answer(ack: Ack, body: dict, action: dict, respond: Respond) -> None:
        ack()
        with apology_on_error(lambda text: _tell(respond, text)):
            knowledge = answerer.knowledge
            answer = _button_answer(action, knowledge, respond)
            if answer is None:
                return
            reply = private_reply(answer, knowledge)
            # A private /role reply changes in place; a button under a public message answers privately.
            container = body.get("container")
            in_place = isinstance(container, dict) and container.get("is_ephemeral") is True
            respond_with(respond, **reply.message(), response_type="ephemeral", replace_original=in_place)


def _button_answer(action: dict, knowledge: Knowledge, respond: Respond) -> Answer | None:
    """The answer a button carries; when it cannot be read (tampered, or from older knowledge), say so."""
    answer = decode_answer(action.get("value", ""), knowledge)
    if answer is None:
        _tell(respond, GONE)
    return answer


def _tell(respond: Respond, text: str) -> None:
    respond_with(respond, text=text, response_type="ephemeral", replace_original=False)


def _user_id(body: dict) -> str:
    user = body.get("user")
    return user.get("id", "") if isinstance(user, dict) else ""
