"""Feedback on answers: 👍/👎 buttons under an answer, and the form a 👎 opens.

A button's value names the recorded question it rates (an unguessable reference); the 👎 value also
carries the question as asked, so that its text is kept only when someone says the answer was wrong.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

import orjson
from slack_sdk.models.blocks import (
    ContextActionsBlock,
    FeedbackButtonObject,
    FeedbackButtonsElement,
    InputBlock,
    PlainTextInputElement,
    PlainTextObject,
    SectionBlock,
)
from slack_sdk.models.views import View

from bot.blocks.mrkdwn import escape_mrkdwn
from bot.blocks.render import Reply
from bot.core.routing import Answer, HelpAnswer

FEEDBACK_ACTION = "rate_answer"
FEEDBACK_FORM = "answer_feedback"
WRONG_BLOCK, EXPECTED_BLOCK, INPUT = "wrong", "expected", "text"
MAX_BLOCKS = 50  # a message's limit
QUESTION_IN_VALUE = 1500  # a button value holds 2000 characters
INPUT_LIMIT = 1000
UP, DOWN = "👍", "👎"
UP_LABEL, DOWN_LABEL = "This answer helped", "This answer was wrong or did not help"
_VALUE = re.compile(r"^(up|down):([0-9a-f]{32})(?::(.*))?$", re.DOTALL)


@dataclass(frozen=True)
class Rating:
    """A click on a feedback button: +1 or -1 for the recorded question `ref`."""

    vote: int
    ref: str
    question: str = ""


def with_feedback(reply: Reply, ref: str | None, answer: Answer) -> Reply:
    """The reply with 👍/👎 under it, when its question was recorded (the help card gets none)."""
    if not _rated(reply, ref, answer):
        return reply
    up, down = _values(ref or "", answer.question)
    # The block object only counts towards the message's blocks; what Slack receives is the dict.
    return reply.with_block(_FEEDBACK_SHAPE, _feedback_dict(up, down))


def private_json_with_feedback(reply: Reply, ref: str | None, answer: Answer) -> str:
    """with_feedback(reply, ref, answer).private_json(), made from the reply's kept JSON and the
    block's JSON with only its two values filled in: this is every /role acknowledgement."""
    if not _rated(reply, ref, answer):
        return reply.private_json()
    up, down = _values(ref or "", answer.question)
    return reply.private_json_with(f"{_BEFORE_UP}{_json_text(up)}{_BEFORE_DOWN}{_json_text(down)}{_AFTER_DOWN}")


def _rated(reply: Reply, ref: str | None, answer: Answer) -> bool:
    return ref is not None and not isinstance(answer, HelpAnswer) and len(reply.blocks) < MAX_BLOCKS


def feedback_block(ref: str, question: str) -> ContextActionsBlock:
    """The 👍/👎 buttons for the recorded question `ref` (slack_sdk's models check Slack's limits)."""
    up, down = _values(ref, question)
    return ContextActionsBlock(
        elements=[
            FeedbackButtonsElement(
                action_id=FEEDBACK_ACTION,
                positive_button=FeedbackButtonObject(text=UP, value=up, accessibility_label=UP_LABEL),
                negative_button=FeedbackButtonObject(text=DOWN, value=down, accessibility_label=DOWN_LABEL),
            )
        ]
    )


def _values(ref: str, question: str) -> tuple[str, str]:
    return f"up:{ref}", f"down:{ref}:{question[:QUESTION_IN_VALUE]}"


_FEEDBACK_SHAPE = feedback_block("0" * 32, "")  # built once: models are slow to build on every answer


def _feedback_dict(up: str, down: str) -> dict:
    """The block as Slack receives it, built directly: the same as `feedback_block(...).to_dict()`
    (a test checks) at a fraction of the cost, which matters on every answer."""
    return {
        "type": "context_actions",
        "elements": [
            {
                "type": "feedback_buttons",
                "action_id": FEEDBACK_ACTION,
                "positive_button": _button(UP, up, UP_LABEL),
                "negative_button": _button(DOWN, down, DOWN_LABEL),
            }
        ],
    }


def _button(text: str, value: str, label: str) -> dict:
    return {
        "text": {"type": "plain_text", "text": text, "emoji": True},
        "value": value,
        "accessibility_label": label,
    }


def _json_text(text: str) -> str:
    return orjson.dumps(text).decode()


# The block's JSON in the three pieces around its two values, made from the block's dict with
# placeholders so that the two never differ. In ASCII (the emoji escaped): joined to a reply's JSON,
# text of one byte a character stays so, rather than the whole body being copied out at four bytes a
# character for the sake of 👍.
_BEFORE_UP, _BEFORE_DOWN, _AFTER_DOWN = json.dumps(_feedback_dict("\0", "\0"), separators=(",", ":")).split(
    json.dumps("\0")
)


def read_rating(value: object) -> Rating | None:
    """The rating a button value holds, or None when it is not one of ours."""
    if not isinstance(value, str) or len(value) > 2000:
        return None
    found = _VALUE.match(value)
    if found is None:
        return None
    return Rating(1 if found.group(1) == "up" else -1, found.group(2), found.group(3) or "")


def feedback_form(rating: Rating) -> View:
    """The form a 👎 opens: what was wrong, and what the person expected (both optional)."""
    asked = f"You asked: _{escape_mrkdwn(rating.question[:500])}_\n" if rating.question else ""
    return View(
        type="modal",
        callback_id=FEEDBACK_FORM,
        title=PlainTextObject(text="Improve this answer"),
        submit=PlainTextObject(text="Send"),
        close=PlainTextObject(text="Cancel"),
        private_metadata=json.dumps({"ref": rating.ref, "q": rating.question[:QUESTION_IN_VALUE]}),
        blocks=[
            SectionBlock(text=f"{asked}Thanks for saying so. The person who keeps the answers reads this."),
            _input(WRONG_BLOCK, "What was wrong with the answer?"),
            _input(EXPECTED_BLOCK, "What did you expect to read?"),
        ],
    )


def read_form(view: dict) -> tuple[Rating, str | None, str | None] | None:
    """From a submitted form: the rating it belongs to, what was wrong, and what was expected."""
    try:
        meta = json.loads(view.get("private_metadata") or "")
        values = view.get("state", {}).get("values", {})
    except (ValueError, AttributeError):
        return None
    if not isinstance(meta, dict) or not isinstance(values, dict):
        return None
    rating = read_rating(f"down:{meta.get('ref')}:{meta.get('q') or ''}")
    if rating is None:
        return None
    return rating, _typed(values, WRONG_BLOCK), _typed(values, EXPECTED_BLOCK)


def _input(block_id: str, label: str) -> InputBlock:
    return InputBlock(
        block_id=block_id,
        label=PlainTextObject(text=label),
        element=PlainTextInputElement(action_id=INPUT, multiline=True, max_length=INPUT_LIMIT),
        optional=True,
    )


def _typed(values: dict, block_id: str) -> str | None:
    block = values.get(block_id)
    field = block.get(INPUT) if isinstance(block, dict) else None
    text = field.get("value") if isinstance(field, dict) else None
    return text[:INPUT_LIMIT] if isinstance(text, str) and text.strip() else None
