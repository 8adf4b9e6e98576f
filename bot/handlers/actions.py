"""Buttons: share an answer in the channel, or show the answer a follow-up button points to."""

from __future__ import annotations

from collections.abc import Callable

from slack_bolt import Ack, App, Respond

from bot.blocks.messages import (
    GONE,
    SHARE_ACTION,
    SHOW_ACTION_PATTERN,
    decode_answer,
    mention,
    private_reply,
    public_reply,
)
from bot.core.knowledge import Knowledge
from bot.core.routing import Answer
from bot.handlers.background import in_background
from bot.handlers.context import answerer_in
from bot.handlers.failures import apology_on_error
from bot.slack.sending import respond_with


def share_answer(ack: Ack, body: dict, action: dict, respond: Respond, context: dict) -> None:
    """Post the answer the button carries in the channel, then remove the private copy."""

    def share(answer: Answer, knowledge: Knowledge) -> None:
        reply = public_reply(answer, knowledge, note=f"Shared by {mention(_user_id(body))}")
        if respond_with(respond, **reply.message(), response_type="in_channel", replace_original=False):
            respond_with(respond, delete_original=True)

    _with_button_answer(ack, action, respond, context, share)


def show_answer(ack: Ack, body: dict, action: dict, respond: Respond, context: dict) -> None:
    """Show the answer a follow-up or did-you-mean button points to, to the person who clicked."""

    def show(answer: Answer, knowledge: Knowledge) -> None:
        reply = private_reply(answer, knowledge)
        # A private /role reply changes in place; a button under a public message answers privately.
        container = body.get("container")
        in_place = isinstance(container, dict) and container.get("is_ephemeral") is True
        respond_with(respond, **reply.message(), response_type="ephemeral", replace_original=in_place)

    _with_button_answer(ack, action, respond, context, show)


def register(app: App) -> None:
    app.action(SHARE_ACTION)(in_background(share_answer))
    app.action(SHOW_ACTION_PATTERN)(in_background(show_answer))


def _with_button_answer(
    ack: Ack, action: dict, respond: Respond, context: dict, then: Callable[[Answer, Knowledge], None]
) -> None:
    """Acknowledge a click and act on the answer its button carries; when the value cannot be read
    (tampered with, or from knowledge since edited), say so instead."""
    ack()
    with apology_on_error(lambda text: _tell(respond, text)):
        knowledge = answerer_in(context).knowledge
        answer = decode_answer(action.get("value", ""), knowledge)
        if answer is None:
            _tell(respond, GONE)
            return
        then(answer, knowledge)


def _tell(respond: Respond, text: str) -> None:
    respond_with(respond, text=text, response_type="ephemeral", replace_original=False)


def _user_id(body: dict) -> str:
    user = body.get("user")
    return user.get("id", "") if isinstance(user, dict) else ""
