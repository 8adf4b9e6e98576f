"""The one place that decides what the answer to a text is, for every surface.

An answer is one of five kinds: the help card, a comparison of two roles, one entry, several
entries (a message asking two things at once), or a decline with its reason and suggestions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from bot.core.knowledge import COMPARE, HELP, Knowledge
from bot.core.language import plain_text, tokenize
from bot.core.matcher import DeclineReason, Match, Matcher

__all__ = ["Answer", "DeclineReason", "route"]

Verdict = Literal["yes", "no"]

_HELP_COMMANDS = {("help",), ("usage",), ("commands",), ("?",), ()}
_PAIR_SEPARATORS = {"and", "versus", "with", "to", "or"}
_ASKING = r"(?:who|whom|whose|what|which|how|does|do|is|are|can|should|when|where|why)\b"
# Where one message asks a second question: "who owns risk and who owns the budget?",
# "who owns risk? what about the budget?"
_SECOND_QUESTION = re.compile(rf"(?:\?\s+|[,;]?\s+(?:and|also|plus)\s+|;\s*)(?={_ASKING})", re.IGNORECASE)
_MAX_PARTS = 3


@dataclass(frozen=True)
class HelpAnswer:
    """What Role Bot can answer, and how to ask."""

    question: str = ""  # the asker's text, Slack markup removed; escape before showing it
    score: int = 100
    suggestions: tuple[str, ...] = ()

    @property
    def entry_id(self) -> str:
        return HELP


@dataclass(frozen=True)
class ComparisonAnswer:
    """Two roles side by side, in the order asked."""

    roles: tuple[str, str]
    question: str = ""
    score: int = 100
    suggestions: tuple[str, ...] = ()

    @property
    def entry_id(self) -> str:
        return COMPARE


@dataclass(frozen=True)
class EntryAnswer:
    """One entry: a role, responsibility, difference, worked example or topic."""

    entry_id: str
    question: str = ""
    score: int = 100
    suggestions: tuple[str, ...] = ()
    asked_role: str | None = None  # the single role a question names
    verdict: Verdict | None = None  # for a yes/no question about a responsibility
    asks_who: bool = False


@dataclass(frozen=True)
class SeveralAnswers:
    """A message that asks two or more things at once, each answered."""

    parts: tuple[EntryAnswer, ...]
    question: str = ""

    @property
    def entry_id(self) -> str:
        return self.parts[0].entry_id

    @property
    def score(self) -> int:
        return min(part.score for part in self.parts)

    @property
    def suggestions(self) -> tuple[str, ...]:
        return tuple(part.entry_id for part in self.parts[1:])


@dataclass(frozen=True)
class Declined:
    """No answer: why, and what the asker may have meant."""

    reason: DeclineReason
    question: str = ""
    suggestions: tuple[str, ...] = ()
    unknown_role: str = ""  # the job title the knowledge file lacks, as the asker wrote it

    @property
    def entry_id(self) -> None:
        return None

    @property
    def score(self) -> int:
        return 0


Answer = HelpAnswer | ComparisonAnswer | EntryAnswer | SeveralAnswers | Declined


def answered_ids(answer: Answer) -> tuple[str, ...]:
    """Every id the answer shows: entries, compare or help; none for a decline."""
    if isinstance(answer, SeveralAnswers):
        return tuple(part.entry_id for part in answer.parts)
    return () if answer.entry_id is None else (answer.entry_id,)


def answer_for(label: str, knowledge: Knowledge) -> Answer | None:
    """The answer a suggestion stands for (an entry id, compare or help), or None if unknown."""
    if label == COMPARE:
        pair = knowledge.pair_for(())
        return ComparisonAnswer(pair) if pair else None
    if label == HELP:
        return HelpAnswer()
    return EntryAnswer(label) if knowledge.has_entry(label) else None


def route(text: str, matcher: Matcher) -> Answer:
    """Turn any text (a /role argument, a mention, a DM, a CLI question) into an answer."""
    plain = plain_text(text)
    words = tuple(tokenize(plain))
    if words in _HELP_COMMANDS:
        return HelpAnswer(question=plain)
    if words[0] == "compare":
        return _compare_command(plain, words[1:], matcher)
    return _several(plain, matcher) or _from_match(plain, matcher.match_plain(plain), matcher.knowledge)


def _compare_command(plain: str, rest: tuple[str, ...], matcher: Matcher) -> Answer:
    """`compare`, or `compare <role> and <role>`."""
    knowledge = matcher.knowledge
    if not rest:
        pair = knowledge.pair_for(())
        if pair is None:
            return Declined("out-of-scope", question=plain)
        return ComparisonAnswer(pair, question=plain)
    question = matcher.reader.read(" ".join(rest))
    if not question.roles and not question.unknown_roles:
        return _from_match(plain, matcher.match_plain(plain), knowledge)
    if question.roles and not question.unknown_roles:
        pair = knowledge.pair_for(question.roles)
        if pair:
            return ComparisonAnswer(pair, question=plain)
    named = question.unknown_roles or _leftover_names(rest)
    return Declined(
        "unknown-role",
        question=plain,
        suggestions=tuple(f"role/{role}" for role in question.roles) or (COMPARE,),
        unknown_role=named[0] if named else " ".join(rest),
    )


def _leftover_names(rest: tuple[str, ...]) -> tuple[str, ...]:
    parts = " ".join(rest).replace(" versus ", " and ").replace(" with ", " and ").split(" and ")
    return tuple(part.strip() for part in parts if part.strip())


def _several(plain: str, matcher: Matcher) -> SeveralAnswers | None:
    """Each question of a message that asks two or more, when each has its own clear answer."""
    parts = [part.strip(" ,;?") for part in _SECOND_QUESTION.split(plain)]
    parts = [part for part in parts if part]
    if not 2 <= len(parts) <= _MAX_PARTS:
        return None
    answers = [_from_match(part, matcher.match_plain(part), matcher.knowledge) for part in parts]
    entries = [answer for answer in answers if isinstance(answer, EntryAnswer)]
    if len(entries) != len(answers) or len({entry.entry_id for entry in entries}) != len(entries):
        return None
    return SeveralAnswers(tuple(entries), question=plain)


def _from_match(plain: str, match: Match, knowledge: Knowledge) -> Answer:
    question = match.question
    if match.entry_id is None:
        unknown = question.unknown_roles[0] if question.unknown_roles else ""
        return Declined(
            match.reason or "out-of-scope", question=plain, suggestions=match.suggestions, unknown_role=unknown
        )
    if match.entry_id == HELP:
        return HelpAnswer(question=plain, score=match.score)
    if match.entry_id == COMPARE and match.roles:
        return ComparisonAnswer(match.roles, question=plain, score=match.score, suggestions=match.suggestions)
    asked_role = question.roles[0] if len(question.roles) == 1 else None
    verdict: Verdict | None = None
    entry = knowledge.entry(match.entry_id)
    if asked_role and question.yes_no and entry.kind == "responsibility":
        verdict = "yes" if entry.role_id == asked_role else "no"
    return EntryAnswer(
        match.entry_id,
        question=plain,
        score=match.score,
        suggestions=match.suggestions,
        asked_role=asked_role,
        verdict=verdict,
        asks_who=question.asks_who,
    )
