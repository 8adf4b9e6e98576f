"""Answer quality on a questions file: accuracy, in-scope accuracy, declines, and every miss."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

from bot.matcher import Matcher
from bot.routing import route

DECLINED = "none"


class EvalError(Exception):
    """A questions file that cannot be used."""


@dataclass(frozen=True)
class EvalQuestion:
    text: str
    expect: tuple[str, ...]  # any of these is right; "none" means the bot should decline

    @property
    def in_scope(self) -> bool:
        return DECLINED not in self.expect


@dataclass(frozen=True)
class Miss:
    question: EvalQuestion
    got: str
    score: int


@dataclass
class Report:
    total: int = 0
    correct: int = 0
    in_scope: int = 0
    in_scope_correct: int = 0
    out_of_scope: int = 0
    declined: int = 0
    misses: list[Miss] = field(default_factory=list)

    @property
    def accuracy(self) -> float:
        return self.correct / self.total if self.total else 0.0

    def describe(self) -> str:
        """Every miss, then the summary (last, so the tail of the output is the figures)."""
        lines = ["misses:"] if self.misses else []
        for miss in self.misses:
            expected = " or ".join(miss.question.expect)
            lines.append(f"  {miss.question.text!r}: expected {expected}, got {miss.got} (score {miss.score})")
        lines += [
            f"questions: {self.total}",
            f"accuracy: {_ratio(self.correct, self.total)}",
            f"in-scope accuracy: {_ratio(self.in_scope_correct, self.in_scope)}",
            f"out-of-scope declined: {_ratio(self.declined, self.out_of_scope)}",
            f"misses: {len(self.misses)}",
        ]
        return "\n".join(lines)


def _ratio(part: int, whole: int) -> str:
    return f"{part / whole:.3f} ({part}/{whole})" if whole else "n/a (0/0)"


def load_questions(path: Path) -> list[EvalQuestion]:
    """Read a questions file: a YAML list of {q: ..., expect: id or [ids]}."""
    try:
        items = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except OSError as error:
        raise EvalError(f"{path}: cannot read the questions file ({error.strerror})") from None
    except yaml.YAMLError as error:
        raise EvalError(f"{path}: not valid YAML: {error}") from None
    if not isinstance(items, list):
        raise EvalError(f"{path}: should be a list of '- {{q: ..., expect: ...}}' items")
    questions = []
    for number, item in enumerate(items, start=1):
        if not isinstance(item, dict) or not isinstance(item.get("q"), str) or "expect" not in item:
            raise EvalError(f"{path}: item {number} needs a text 'q' and an 'expect'")
        expect = item["expect"] if isinstance(item["expect"], list) else [item["expect"]]
        if not expect or not all(isinstance(entry, str) for entry in expect):
            raise EvalError(f"{path}: item {number} ({item['q']!r}) has an 'expect' that is not an id or list of ids")
        questions.append(EvalQuestion(item["q"], tuple(expect)))
    return questions


def evaluate(questions: list[EvalQuestion], matcher: Matcher) -> Report:
    """Route every question and compare the answer with what was expected."""
    _check_ids(questions, matcher)
    report = Report()
    for question in questions:
        answer = route(question.text, matcher)
        got = answer.entry_id or DECLINED
        right = got in question.expect
        report.total += 1
        report.correct += right
        if question.in_scope:
            report.in_scope += 1
            report.in_scope_correct += right
        else:
            report.out_of_scope += 1
            report.declined += got == DECLINED
        if not right:
            report.misses.append(Miss(question, got, answer.score))
    return report


def _check_ids(questions: list[EvalQuestion], matcher: Matcher) -> None:
    known = {DECLINED, "compare", "help"}
    for question in questions:
        for entry_id in question.expect:
            if entry_id not in known and not matcher.knowledge.has_entry(entry_id):
                raise EvalError(
                    f"the question {question.text!r} expects {entry_id!r}, which is not an answer in "
                    f"{matcher.knowledge.path}"
                )
