"""The knowledge owner's report: what was asked, what went unanswered, and which answers people said
were wrong. Built from the store's records; grouping rephrasings uses the core's own word handling."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime

from rapidfuzz import fuzz

from bot.core.language import STOPWORDS, stem, tokenize
from bot.store.records import QuestionRecord, VoteRecord

SAME_QUESTION = 75  # token-set similarity (0-100) of two declined questions' stems to count as one
MAX_GROUPS = 20
MAX_EXAMPLES = 3


@dataclass(frozen=True)
class DeclinedGroup:
    """Declined questions that read as one question asked several ways."""

    count: int
    examples: tuple[str, ...]
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class DisputedEntry:
    """An answer people gave 👎, with what they said."""

    entry: str
    down: int
    up: int
    reasons: tuple[str, ...]
    expected: tuple[str, ...]


@dataclass(frozen=True)
class Report:
    days: int
    since: str
    questions: int
    answered: int
    per_day: dict[str, dict[str, int]] = field(default_factory=dict)  # day -> surface -> count
    declined: tuple[DeclinedGroup, ...] = ()
    disputed: tuple[DisputedEntry, ...] = ()
    low_confidence: tuple[dict[str, object], ...] = ()

    @property
    def share_answered(self) -> float:
        return self.answered / self.questions if self.questions else 0.0

    def as_dict(self) -> dict[str, object]:
        return asdict(self) | {"share_answered": round(self.share_answered, 3)}


def build_report(
    questions: Sequence[QuestionRecord], votes: Sequence[VoteRecord], days: int, since: datetime
) -> Report:
    """The report over these records (already limited to the period)."""
    per_day: dict[str, Counter[str]] = defaultdict(Counter)
    for record in questions:
        per_day[record.asked_at.date().isoformat()][record.surface] += 1
    declined = [record for record in questions if record.answer is None]
    low = [record for record in questions if record.low_confidence and record.text]
    return Report(
        days=days,
        since=since.isoformat(timespec="seconds"),
        questions=len(questions),
        answered=len(questions) - len(declined),
        per_day={day: dict(sorted(counts.items())) for day, counts in sorted(per_day.items())},
        declined=tuple(_group_declined(declined))[:MAX_GROUPS],
        disputed=tuple(_disputed(questions, votes)),
        low_confidence=tuple(
            {"question": record.text, "answer": record.answer, "score": record.score}
            for record in sorted(low, key=lambda record: record.score)[:MAX_GROUPS]
        ),
    )


def _group_declined(records: Iterable[QuestionRecord]) -> list[DeclinedGroup]:
    """Group declined questions whose content words (stemmed) mostly agree; biggest groups first."""
    groups: list[tuple[str, list[QuestionRecord]]] = []
    for record in records:
        key = _content(record.text or "")
        for group_key, members in groups:
            if key and fuzz.token_set_ratio(key, group_key) >= SAME_QUESTION:
                members.append(record)
                break
        else:
            groups.append((key, [record]))
    groups.sort(key=lambda group: len(group[1]), reverse=True)
    return [
        DeclinedGroup(
            count=len(members),
            examples=tuple(dict.fromkeys(member.text or "(text not kept)" for member in members))[:MAX_EXAMPLES],
            reasons=tuple(sorted({member.decline_reason or "" for member in members} - {""})),
        )
        for _, members in groups
    ]


def _content(text: str) -> str:
    return " ".join(sorted({stem(word) for word in tokenize(text) if word not in STOPWORDS}))


def _disputed(questions: Sequence[QuestionRecord], votes: Sequence[VoteRecord]) -> list[DisputedEntry]:
    answers = {record.ref: record.answer or "(declined)" for record in questions}
    tally: dict[str, dict[str, list[str]]] = defaultdict(lambda: {"down": [], "up": [], "why": [], "expected": []})
    for vote in votes:
        entry = answers.get(vote.question_ref)
        if entry is None:
            continue
        counts = tally[entry]
        counts["down" if vote.vote < 0 else "up"].append(vote.question_ref)
        if vote.vote < 0 and vote.reason:
            counts["why"].append(vote.reason)
        if vote.vote < 0 and vote.expected:
            counts["expected"].append(vote.expected)
    disputed = [
        DisputedEntry(entry, len(c["down"]), len(c["up"]), tuple(c["why"]), tuple(c["expected"]))
        for entry, c in tally.items()
        if c["down"]
    ]
    return sorted(disputed, key=lambda item: (-item.down, item.entry))[:MAX_GROUPS]


@dataclass(frozen=True)
class ReviewItem:
    """A question worth labelling: its words, how often it (or a rephrasing) came, and why."""

    text: str
    count: int
    why: str


def review_items(questions: Sequence[QuestionRecord], votes: Sequence[VoteRecord]) -> list[ReviewItem]:
    """Declined questions (rephrasings together) and questions whose answer got 👎, most frequent first;
    only those whose text was kept."""
    declined = [record for record in questions if record.answer is None and record.text]
    items = [
        ReviewItem(
            group.examples[0], group.count, "declined" + (f" ({', '.join(group.reasons)})" if group.reasons else "")
        )
        for group in _group_declined(declined)
    ]
    texts = {record.ref: record for record in questions if record.text and record.answer is not None}
    down: dict[str, list[VoteRecord]] = defaultdict(list)
    for vote in votes:
        if vote.vote < 0 and vote.question_ref in texts:
            down[vote.question_ref].append(vote)
    for ref, against in down.items():
        record = texts[ref]
        said = "; ".join(f"“{vote.reason}”" for vote in against if vote.reason)
        items.append(
            ReviewItem(record.text or "", len(against), f"👎 on {record.answer}" + (f": {said}" if said else ""))
        )
    return sorted(items, key=lambda item: -item.count)
