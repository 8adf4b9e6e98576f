"""Replies in a thread where Role Bot has answered: which are questions for it, and what they ask,
reading "that", "the other one", "and for the DM?" against the thread's last answer.

A reply is answered when it asks something: a question about the roles that stands on its own, or
one that leans on the thread (it names a role or points back, with little subject of its own), which
is answered as the same subject for that role. Anything else (thanks, people talking to each other,
statements) gets nothing: in a busy thread, silence is better than butting in.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from bot.core.knowledge import COMPARE, DECLINE, Knowledge
from bot.core.language import WHO_WORDS, YES_NO_OPENERS, english_words, plain_text
from bot.core.matcher import Matcher
from bot.core.routing import Answer, ComparisonAnswer, Declined, EntryAnswer, HelpAnswer, route

OPENERS = english_words("follow_up_openers")
BACK_REFERENCES = english_words("back_references")
_TO_A_PERSON = re.compile(r"^\s*<@[UW][A-Z0-9]+(?:\|[^>]*)?>")
IGNORE = "ignore"  # the label of a reply meant for people, not for Role Bot
_QUESTION_WORDS = WHO_WORDS | YES_NO_OPENERS | {"what", "which", "how", "why", "where", "when"}


def follow_up(text: str, last: str, matcher: Matcher, bot_user_id: str = "") -> Answer | None:
    """The answer to a reply in a thread whose last answer was `last` (an answer id), or None when
    the reply is not a question for Role Bot."""
    if _TO_A_PERSON.match(text) and not text.lstrip().startswith(f"<@{bot_user_id}>"):
        return None  # addressed to someone else
    plain = plain_text(text)
    question = matcher.reader.read(plain)
    words = question.words
    if not words or not _asks(plain, words):
        return None
    alone = route(plain, matcher)
    if question.unknown_roles:
        return alone  # a role the knowledge lacks: say so politely, whatever the thread was about
    leans = bool(question.roles) or any(word in BACK_REFERENCES for word in words) or words[0] in OPENERS
    refers_back = any(word in BACK_REFERENCES for word in words)
    own_intent = (question.asks_identity or question.describes_role or question.compares) and not refers_back
    if not isinstance(alone, Declined | HelpAnswer) and (question.content or own_intent or not leans):
        return alone  # stands on its own
    if isinstance(alone, Declined) and not alone.suggestions:  # surely not something the knowledge answers
        return alone if question.roles else None
    if leans and not question.content:  # nothing of its own to ask about: it asks about the thread's
        roles = question.roles or (_other_role(last, matcher.knowledge) if "other" in words else ())
        resolved = _in_context(roles, question.asks_who, last, matcher)
        if resolved is not None:
            return resolved
    if question.roles:
        return alone  # about roles, but nothing the knowledge answers: say so politely
    return None


def _asks(plain: str, words: tuple[str, ...]) -> bool:
    return "?" in plain or words[0] in _QUESTION_WORDS or words[0] in OPENERS


def _in_context(roles: tuple[str, ...], asks_who: bool, last: str, matcher: Matcher) -> Answer | None:
    """The thread's last subject asked again: for the role the reply names, or about who does it."""
    knowledge = matcher.knowledge
    if last == COMPARE:
        return EntryAnswer(f"role/{roles[0]}") if len(roles) == 1 else ComparisonAnswer(_pair(knowledge))
    if last.startswith("role/"):
        return EntryAnswer(f"role/{roles[0]}") if len(roles) == 1 else None
    if not knowledge.has_entry(last):
        return None
    subject = knowledge.entry(last).title
    if roles and not asks_who:
        role = knowledge.role(roles[0]).name
        return route(f"does a {role} handle {subject.lower()}?", matcher)
    return route(f"who handles {subject.lower()}?", matcher)


def _other_role(last: str, knowledge: Knowledge) -> tuple[str, ...]:
    """ "The other one": the role of the pair that the thread's last answer is not about."""
    owner = last.removeprefix("role/").split("/")[0]
    if owner not in {role.id for role in knowledge.roles}:
        return ()
    pair = _pair(knowledge)
    return tuple(role for role in pair if role != owner)[:1]


def _pair(knowledge: Knowledge) -> tuple[str, str]:
    pair = knowledge.pair_for(())
    if pair is None:
        first, second = knowledge.roles[0].id, knowledge.roles[-1].id
        return first, second
    return pair


@dataclass(frozen=True)
class FollowUpCase:
    """A labelled reply: the thread's last answer, the reply, and what it should get (`ignore`: nothing)."""

    answered: str
    reply: str
    expect: tuple[str, ...]


@dataclass(frozen=True)
class FollowUpScore:
    """How replies were handled: answered right, answered wrongly (or butted in), or passed over."""

    right: int
    wrong: int
    silent: int  # nothing said where an answer (or a polite decline) was expected
    butted_in: int  # of the replies meant for people, how many got an answer anyway
    meant_for_people: int

    @property
    def accuracy(self) -> float:
        total = self.right + self.wrong + self.silent
        return self.right / total if total else 0.0


def score_follow_ups(cases: list[FollowUpCase], matcher: Matcher) -> FollowUpScore:
    """Answer every case and count; a decline counts as `none`, silence as `ignore`."""
    right = wrong = silent = butted_in = people = 0
    for case in cases:
        answer = follow_up(_as_slack_sends(case.reply), case.answered, matcher)
        got = IGNORE if answer is None else (answer.entry_id or DECLINE)
        people += case.expect == (IGNORE,)
        if got in case.expect:
            right += 1
        elif got == IGNORE:
            silent += 1
        else:
            wrong += 1
            butted_in += case.expect == (IGNORE,)
    return FollowUpScore(right, wrong, silent, butted_in, people)


def _as_slack_sends(text: str) -> str:
    """Typed '@Sam' arrives from Slack as a user mention."""
    return re.sub(r"(?<![<\w])@(\w+)", "<@U0PERSON1>", text)


def load_follow_up_cases(path: Path) -> list[FollowUpCase]:
    """Labelled replies from a YAML list of {thread, answered, reply, expect}."""
    items = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    cases = []
    for item in items:
        expect = item["expect"]
        cases.append(
            FollowUpCase(
                str(item["answered"]), str(item["reply"]), tuple(expect if isinstance(expect, list) else [expect])
            )
        )
    return cases
