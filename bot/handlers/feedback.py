"""👍/👎 under an answer: a 👍 is recorded quietly; a 👎 is recorded and opens a short form asking what
was wrong and what was expected, whose answers are recorded with it."""

from __future__ import annotations

import logging

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.blocks.feedback import FEEDBACK_ACTION, FEEDBACK_FORM, feedback_form, read_form, read_rating
from bot.handlers.background import in_background
from bot.handlers.context import recorder_in
from bot.slack.sending import call_slack, describe

logger = logging.getLogger(__name__)


def rate_answer(ack: Ack, body: dict, action: dict, client: WebClient, context: dict) -> None:
    ack()
    rating = read_rating(action.get("value"))
    user = _user_id(body)
    if rating is None or not user:
        logger.info("ignored a feedback click that is not one of Role Bot's")
        return
    recorder_in(context).vote(rating.ref, user, rating.vote, question_text=rating.question or None)
    trigger = body.get("trigger_id")
    if rating.vote < 0 and isinstance(trigger, str):
        try:
            call_slack("views.open", lambda: client.views_open(trigger_id=trigger, view=feedback_form(rating)))
        except Exception as error:  # the vote is recorded; only the form's details are lost
            logger.warning("could not open the feedback form: %s", describe(error))


def submit_feedback(ack: Ack, body: dict, view: dict, context: dict) -> None:
    ack()  # closes the form
    read = read_form(view)
    user = _user_id(body)
    if read is None or not user:
        logger.info("ignored a feedback form that is not one of Role Bot's")
        return
    rating, wrong, expected = read
    recorder_in(context).vote(rating.ref, user, -1, wrong, expected, rating.question or None)


def register(app: App) -> None:
    app.action(FEEDBACK_ACTION)(in_background(rate_answer))
    app.view(FEEDBACK_FORM)(submit_feedback)


def _user_id(body: dict) -> str:
    user = body.get("user")
    found = user.get("id") if isinstance(user, dict) else None
    return found if isinstance(found, str) else ""
