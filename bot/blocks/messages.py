"""Slack messages around an answer: buttons to share it or follow it up, and the App Home view.

Buttons carry the answer they lead to, encoded in their value, so a click needs no stored state.
"""

from __future__ import annotations

import dataclasses
import json
import re
from functools import lru_cache

from slack_sdk.models.blocks import ActionsBlock, Block, ButtonElement, ContextBlock, MarkdownTextObject
from slack_sdk.models.views import View

from bot.blocks.render import Reply, render_answer, suggestion_label
from bot.core.knowledge import COMPARE, HELP, Knowledge
from bot.core.routing import (
    Answer,
    ComparisonAnswer,
    Declined,
    EntryAnswer,
    HelpAnswer,
    SeveralAnswers,
    answer_for,
)

SHARE_ACTION = "share_answer"
APOLOGY = "Sorry — something went wrong on my side while answering that. Please try again in a moment."
GONE = "That answer is no longer available. Ask again with /role."
NOT_IN_CHANNEL = "I can't post in this channel yet — invite me with /invite @Role Bot. Here is the answer for you:"
SHOW_ACTION = "show_answer"  # followed by ":<n>", since action ids must be unique within a message
SHOW_ACTION_PATTERN = re.compile(rf"^{SHOW_ACTION}(:\d+)?$")
SHORTCUT_CALLBACK = "answer_with_role_bot"
BUTTON_TEXT_LIMIT = 75
MAX_BUTTONS = 5
MAX_VALUE = 2000  # Slack's limit for a button's value
_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,20}$")


def private_reply(answer: Answer, knowledge: Knowledge) -> Reply:
    """The /role reply, seen only by the asker: the answer, a Share button, and follow-ups."""
    if not isinstance(answer, Declined):  # answers repeat: build each once (declines echo the question)
        return _private_reply_for(knowledge, answer)
    return _private_reply(answer, knowledge)


@lru_cache(maxsize=1024)
def _private_reply_for(knowledge: Knowledge, answer: Answer) -> Reply:
    # The same question gives the same answer, so this finds most replies without working out the key.
    return _cached_private_reply(knowledge, _rendering_key(answer))


@lru_cache(maxsize=1024)
def _cached_private_reply(knowledge: Knowledge, key: Answer) -> Reply:
    return _private_reply(key, knowledge)


def _rendering_key(answer: Answer) -> Answer:
    """The answer without what its rendering does not use: the asker's words and the score."""
    match answer:
        case SeveralAnswers():
            parts = tuple(dataclasses.replace(part, question="", score=100, suggestions=()) for part in answer.parts)
            return SeveralAnswers(parts)
        case Declined():
            return answer
        case _:
            return dataclasses.replace(answer, question="", score=100, suggestions=())


def _private_reply(answer: Answer, knowledge: Knowledge) -> Reply:
    reply = render_answer(answer, knowledge)
    buttons = []
    if not isinstance(answer, Declined):
        buttons.append(_button("Share in channel", SHARE_ACTION, answer, style="primary"))
    buttons += _follow_ups(answer, knowledge, len(buttons))
    return _with_buttons(reply, buttons)


def public_reply(answer: Answer, knowledge: Knowledge, note: str = "") -> Reply:
    """An answer posted where everyone sees it (a thread, a DM, a shared answer), with follow-ups."""
    if not isinstance(answer, Declined) and not note:
        return _cached_public_reply(knowledge, _rendering_key(answer))
    return _public_reply(answer, knowledge, note)


@lru_cache(maxsize=1024)
def _cached_public_reply(knowledge: Knowledge, key: Answer) -> Reply:
    return _public_reply(key, knowledge, "")


def _public_reply(answer: Answer, knowledge: Knowledge, note: str) -> Reply:
    reply = render_answer(answer, knowledge)
    blocks = list(reply.blocks)
    if note:
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text=note)]))
    return _with_buttons(Reply(blocks, reply.text), _follow_ups(answer, knowledge, 0))


def mention(user_id: str) -> str:
    """A user mention, only for ids Slack gave us; anything else is shown as plain text."""
    return f"<@{user_id}>" if _USER_ID.match(user_id or "") else "someone"


def encode_answer(answer: Answer) -> str:
    """A button value that brings back this answer (without the asker's words)."""
    match answer:
        case ComparisonAnswer():
            fields: dict[str, object] = {"e": COMPARE, "r": list(answer.roles)}
        case EntryAnswer():
            fields = {"e": answer.entry_id, "a": answer.asked_role, "v": answer.verdict, "w": answer.asks_who}
        case SeveralAnswers():
            fields = {"e": answer.entry_id, "m": [json.loads(encode_answer(part)) for part in answer.parts]}
        case _:
            fields = {"e": answer.entry_id}
    return json.dumps(fields, separators=(",", ":"))


def decode_answer(value: str, knowledge: Knowledge) -> Answer | None:
    """The answer a button value stands for, or None if it is malformed or no longer known. Values
    come back from Slack as the person's client sent them: each field is checked for its type."""
    if not isinstance(value, str) or len(value) > MAX_VALUE:
        return None
    try:
        fields = json.loads(value)
    except (ValueError, RecursionError):  # not JSON, or nested deeper than the parser goes
        return None
    if isinstance(fields, dict) and isinstance(fields.get("m"), list):
        parts = [_decode_fields(part, knowledge) for part in fields["m"][:MAX_BUTTONS]]
        entries = tuple(part for part in parts if isinstance(part, EntryAnswer))
        return SeveralAnswers(entries) if len(entries) == len(parts) >= 2 else None
    return _decode_fields(fields, knowledge)


def _decode_fields(fields: object, knowledge: Knowledge) -> Answer | None:
    if not isinstance(fields, dict):
        return None
    entry_id, roles, asked, verdict = fields.get("e"), fields.get("r", []), fields.get("a"), fields.get("v")
    known_roles = {role.id for role in knowledge.roles}
    if not isinstance(entry_id, str) or not (entry_id in (COMPARE, HELP) or knowledge.has_entry(entry_id)):
        return None
    if not isinstance(roles, list) or not all(isinstance(role, str) and role in known_roles for role in roles):
        return None
    if entry_id == HELP:
        return HelpAnswer()
    if entry_id == COMPARE:  # two different roles: a role compared with itself is no answer
        return ComparisonAnswer((roles[0], roles[1])) if len(roles) == 2 and roles[0] != roles[1] else None
    if (asked is not None and not (isinstance(asked, str) and asked in known_roles)) or not (
        verdict is None or verdict in ("yes", "no")
    ):
        return None
    return EntryAnswer(entry_id, asked_role=asked, verdict=verdict, asks_who=fields.get("w") is True)


def home_view(knowledge: Knowledge) -> View:
    """The App Home tab: what Role Bot knows and how to ask."""
    blocks: list[Block] = list(render_answer(HelpAnswer(), knowledge).blocks)
    for role in knowledge.roles:
        blocks += render_answer(EntryAnswer(f"role/{role.id}"), knowledge).blocks
    pair = knowledge.pair_for(())
    if pair:
        blocks += render_answer(ComparisonAnswer(pair), knowledge).blocks
    return View(type="home", blocks=blocks[:100])


def _follow_ups(answer: Answer, knowledge: Knowledge, taken: int) -> list[ButtonElement]:
    """'Did you mean' choices for a declined answer; related entries for an answered one."""
    choices = answer.suggestions if isinstance(answer, Declined) else ()
    targets = [target for target in (answer_for(entry_id, knowledge) for entry_id in choices) if target]
    targets = targets or _related(answer, knowledge)
    buttons = []
    for number, target in enumerate(targets[: MAX_BUTTONS - taken]):
        label = (
            _compare_label(target, knowledge)
            if isinstance(target, ComparisonAnswer)
            else suggestion_label(target.entry_id or HELP, knowledge)
        )
        buttons.append(_button(label, f"{SHOW_ACTION}:{number}", target))
    return buttons


def _related(answer: Answer, knowledge: Knowledge) -> list[Answer]:
    """Where to go next: the comparison, the roles not yet shown, the worked examples."""
    entry_id = answer.entry_id
    if isinstance(answer, ComparisonAnswer):
        shown: tuple[str, ...] = answer.roles
    elif entry_id in (None, HELP):
        shown = ()
    else:
        entry = knowledge.entry(entry_id)
        shown = (entry.role_id,) if entry.role_id else entry.roles
    pair = knowledge.pair_for(shown[:2])
    if pair is None:
        return []
    written = knowledge.comparison(*pair)
    pair = written.roles if written else pair
    related: list[Answer] = [] if entry_id == COMPARE else [ComparisonAnswer(pair)]
    if entry_id != COMPARE:
        hidden = [role_id for role_id in pair if entry_id in (None, HELP) or role_id not in shown]
        related += [EntryAnswer(f"role/{role_id}") for role_id in hidden if f"role/{role_id}" != entry_id]
    examples = written.examples if written else ()
    related += [EntryAnswer(f"example/{example.id}") for example in examples if f"example/{example.id}" != entry_id]
    return related


def _compare_label(answer: ComparisonAnswer, knowledge: Knowledge) -> str:
    return "Compare " + " and ".join(knowledge.role(role_id).name for role_id in answer.roles)


def _button(label: str, action_id: str, answer: Answer, style: str | None = None) -> ButtonElement:
    text = label if len(label) <= BUTTON_TEXT_LIMIT else label[: BUTTON_TEXT_LIMIT - 1] + "…"
    return ButtonElement(text=text, action_id=action_id, value=encode_answer(answer), style=style)


def _with_buttons(reply: Reply, buttons: list[ButtonElement]) -> Reply:
    if not buttons:
        return reply
    return Reply([*reply.blocks, ActionsBlock(elements=buttons)], reply.text)
