"""Answer quality on labelled questions: accuracy, wrong answers against declines, precision and
recall per answer, a threshold sweep, the most frequent confusions, and every miss.

`cross_validate` trains on four fifths of the knowledge's labelled questions and scores the
fifth, fold by fold, so that the questions a scorer learned from are never its figure.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from bot.core.knowledge import DECLINE, Knowledge, LabelledQuestion
from bot.core.loading import KnowledgeError, load_questions, unknown_labels
from bot.core.matcher import Matcher
from bot.core.routing import route

__all__ = ["Outcome", "Report", "cross_validate", "evaluate", "load_questions"]

SWEEP = (0, 20, 30, 40, 50, 60, 70, 80, 90)


@dataclass(frozen=True)
class Outcome:
    """What one labelled question got."""

    question: LabelledQuestion
    got: str  # the entry id answered with, compare, help, or none when declined
    score: int
    suggestions: tuple[str, ...]

    @property
    def right(self) -> bool:
        return self.got in self.question.expect

    @property
    def in_scope(self) -> bool:
        """Whether an answer is wanted: any expectation other than declining."""
        return any(label != DECLINE for label in self.question.expect)

    @property
    def wrong_answer(self) -> bool:
        """Answered, and with something else than was wanted: worse than declining."""
        return not self.right and self.got != DECLINE

    @property
    def offered_right_choice(self) -> bool:
        """Declined an answerable question, but offered the right answer among its suggestions."""
        return self.got == DECLINE and self.in_scope and bool(set(self.suggestions) & set(self.question.expect))


@dataclass
class Report:
    outcomes: list[Outcome] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.outcomes)

    @property
    def correct(self) -> int:
        return sum(outcome.right for outcome in self.outcomes)

    @property
    def accuracy(self) -> float:
        return self.correct / self.total if self.total else 0.0

    @property
    def misses(self) -> list[Outcome]:
        return [outcome for outcome in self.outcomes if not outcome.right]

    @property
    def wrong_answers(self) -> int:
        return sum(outcome.wrong_answer for outcome in self.outcomes)

    @property
    def in_scope_declined(self) -> int:
        return sum(outcome.in_scope and outcome.got == DECLINE for outcome in self.outcomes)

    def precision_recall(self) -> list[tuple[str, float | None, float | None, int]]:
        """(label, precision, recall, questions expecting it), for every label seen."""
        labels = sorted({o.question.expect[0] for o in self.outcomes} | {o.got for o in self.outcomes})
        rows = []
        for label in labels:
            given = [o for o in self.outcomes if o.got == label]
            wanted = [o for o in self.outcomes if label in o.question.expect]
            precision = sum(o.right for o in given) / len(given) if given else None
            recall = sum(o.got == label for o in wanted) / len(wanted) if wanted else None
            rows.append((label, precision, recall, len(wanted)))
        return rows

    def sweep(self) -> list[tuple[int, float, float]]:
        """(threshold, share answered, accuracy) if answers scoring below the threshold were declined."""
        rows = []
        for threshold in SWEEP:
            right = answered = 0
            for o in self.outcomes:
                declines = o.got == DECLINE or o.score < threshold
                answered += not declines
                right += (DECLINE in o.question.expect) if declines else o.right
            rows.append((threshold, answered / self.total if self.total else 0.0, right / max(self.total, 1)))
        return rows

    def confusions(self, limit: int = 10) -> list[tuple[str, str, int]]:
        """The most frequent (expected, got) pairs among the misses."""
        counts = Counter((o.question.expect[0], o.got) for o in self.misses)
        return [(expected, got, count) for (expected, got), count in counts.most_common(limit)]

    def summary(self) -> list[str]:
        in_scope = [o for o in self.outcomes if o.in_scope]
        out_of_scope = [o for o in self.outcomes if not o.in_scope]
        offered = sum(o.offered_right_choice for o in self.outcomes)
        return [
            f"questions: {self.total}",
            f"accuracy: {_ratio(self.correct, self.total)}",
            f"in-scope accuracy: {_ratio(sum(o.right for o in in_scope), len(in_scope))}",
            f"out-of-scope declined: {_ratio(sum(o.got == DECLINE for o in out_of_scope), len(out_of_scope))}",
            f"wrong answers: {self.wrong_answers}; answerable questions declined: {self.in_scope_declined} "
            f"(the right answer offered in {offered})",
            f"misses: {len(self.misses)}",
        ]

    def describe(self, details: bool = True) -> str:
        """Every miss, confusions, precision and recall, the sweep, then the summary (last, so the
        tail of the output is the figures)."""
        lines: list[str] = []
        if details:
            lines += ["misses:"] if self.misses else []
            for o in self.misses:
                expected = " or ".join(o.question.expect)
                lines.append(f"  {o.question.text!r}: expected {expected}, got {o.got} (score {o.score})")
            lines += ["most frequent confusions (expected -> got):"] if self.misses else []
            lines += [f"  {count:4d}  {expected} -> {got}" for expected, got, count in self.confusions()]
            lines.append("precision and recall per answer (none = declined):")
            for label, precision, recall, wanted in self.precision_recall():
                lines.append(f"  {label:50s} precision {_maybe(precision)}  recall {_maybe(recall)}  ({wanted})")
            lines.append("threshold sweep (answers scoring below the threshold declined):")
            for threshold, answered, accuracy in self.sweep():
                lines.append(f"  {threshold:3d}: answered {answered:.3f}, accuracy {accuracy:.3f}")
        return "\n".join(lines + self.summary())


def _ratio(part: int, whole: int) -> str:
    return f"{part / whole:.3f} ({part}/{whole})" if whole else "n/a (0/0)"


def _maybe(value: float | None) -> str:
    return "  n/a" if value is None else f"{value:.3f}"


def evaluate(questions: Sequence[LabelledQuestion], matcher: Matcher) -> Report:
    """Route every question and compare the answer with what was expected."""
    _check_ids(questions, matcher)
    report = Report()
    for question in questions:
        answer = route(question.text, matcher)
        report.outcomes.append(Outcome(question, answer.entry_id or DECLINE, answer.score, answer.suggestions))
    return report


def cross_validate(knowledge: Knowledge, folds: int = 5, seed: int = 0) -> list[Report]:
    """One report per fold: trained on the other folds' labelled questions, scored on this one's."""
    labelled = list(knowledge.labelled())
    random.Random(seed).shuffle(labelled)  # noqa: S311 - a repeatable split, not a secret
    reports = []
    for fold in range(folds):
        held_out = labelled[fold::folds]
        training = tuple(question for i, question in enumerate(labelled) if i % folds != fold)
        reports.append(evaluate(held_out, Matcher(knowledge, labelled=training)))
    return reports


def _check_ids(questions: Sequence[LabelledQuestion], matcher: Matcher) -> None:
    problems = unknown_labels(matcher.knowledge, questions)
    if problems:
        raise KnowledgeError(*problems[0], more=tuple(problems[1:]))
