"""The one place that decides what the answer to a text is, for every surface."""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.knowledge import Knowledge
from bot.core.language import plain_text, tokenize
from bot.core.matcher import Matcher

_HELP_COMMANDS = {("help",), ("usage",), ("commands",), ("?",), ()}
_PAIR_SEPARATORS = {"and", "versus", "with", "to", "or"}


@dataclass(frozen=True)
class Answer:
    """What to reply: an entry id (or compare/help), or a decline with suggestions."""

    question: str  # the asker's text, Slack markup removed; escape before showing it
    entry_id: str | None  # None when declined
    score: int
    suggestions: tuple[str, ...] = ()
    roles: tuple[str, ...] = ()  # for compare: the pair, in order
    asked_role: str | None = None  # the single role a question names
    verdict: str | None = None  # "yes" or "no" for a yes/no question about a responsibility
    asks_who: bool = False
    reason: str = ""  # why it was declined: out-of-scope, ambiguous, unknown-role, people
    unknown_role: str = ""  # the job title the knowledge file lacks, as the asker wrote it


def route(text: str, matcher: Matcher) -> Answer:
    """Turn any text (a /role argument, a mention, a DM, a CLI question) into an answer."""
    plain = plain_text(text)
    words = tuple(tokenize(plain))
    if words in _HELP_COMMANDS:
        return Answer(question=plain, entry_id="help", score=100)
    if words[0] == "compare":
        return _compare_command(plain, words[1:], matcher)
    return _from_match(plain, matcher)


def _compare_command(plain: str, rest: tuple[str, ...], matcher: Matcher) -> Answer:
    """`compare`, or `compare <role> and <role>`."""
    knowledge = matcher.knowledge
    if not rest:
        pair = knowledge.pair_for(())
        if pair is None:
            return Answer(question=plain, entry_id=None, score=0, reason="out-of-scope")
        return Answer(question=plain, entry_id="compare", score=100, roles=pair)
    question = matcher.reader.read(" ".join(rest))
    if not question.roles and not question.unknown_roles:
        return _from_match(plain, matcher)
    if question.roles and not question.unknown_roles:
        pair = knowledge.pair_for(question.roles)
        if pair:
            return Answer(question=plain, entry_id="compare", score=100, roles=pair)
    named = question.unknown_roles or _leftover_names(rest)
    return Answer(
        question=plain,
        entry_id=None,
        score=0,
        suggestions=tuple(f"role/{role}" for role in question.roles) or ("compare",),
        reason="unknown-role",
        unknown_role=named[0] if named else " ".join(rest),
    )


def _leftover_names(rest: tuple[str, ...]) -> tuple[str, ...]:
    parts = " ".join(rest).replace(" versus ", " and ").replace(" with ", " and ").split(" and ")
    return tuple(part.strip() for part in parts if part.strip())


def _from_match(plain: str, matcher: Matcher) -> Answer:
    match = matcher.match_plain(plain)
    question = match.question
    asked_role = question.roles[0] if len(question.roles) == 1 else None
    verdict = None
    if match.entry_id and asked_role and question.yes_no and _is_responsibility(matcher.knowledge, match.entry_id):
        verdict = "yes" if matcher.knowledge.entry(match.entry_id).role_id == asked_role else "no"
    return Answer(
        question=plain,
        entry_id=match.entry_id,
        score=match.score,
        suggestions=match.suggestions,
        roles=match.roles,
        asked_role=asked_role,
        verdict=verdict,
        asks_who=question.asks_who,
        reason=match.reason,
        unknown_role=question.unknown_roles[0] if question.unknown_roles else "",
    )


def _is_responsibility(knowledge: Knowledge, entry_id: str) -> bool:
    return knowledge.has_entry(entry_id) and knowledge.entry(entry_id).kind == "responsibility"
