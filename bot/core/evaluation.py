"""Answer quality on a questions file: accuracy, in-scope accuracy, declines, and every miss."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from bot.core.loading import KnowledgeError, read_yaml
from bot.core.matcher import Matcher
from bot.core.routing import route

DECLINED = "none"
_FIXED_IDS = {DECLINED, "compare", "help"}
_FIELDS = {"q", "expect"}


@dataclass(frozen=True)
class EvalQuestion:
    text: str
    expect: tuple[str, ...]  # any of these is right; "none" means the bot should decline
    line: int = 0

    @property
    def in_scope(self) -> bool:
        """Whether an answer is wanted: any expectation other than declining."""
        return any(entry_id != DECLINED for entry_id in self.expect)


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
    path = Path(path)
    items = read_yaml(path)
    if not isinstance(items, list):
        raise KnowledgeError(
            path, 1, "a questions file is a list of questions", "start each with '- {q: ..., expect: ...}'"
        )
    return [_question(path, item, line) for item, line in zip(items, items.item_lines, strict=True)]


def _question(path: Path, item: object, line: int) -> EvalQuestion:
    fix = 'write it as - {q: "the question", expect: entry-id} (or expect: [id, other-id])'
    if not isinstance(item, dict) or not isinstance(item.get("q"), str) or "expect" not in item:
        raise KnowledgeError(path, line, "this item needs a text 'q' and an 'expect'", fix)
    unknown = set(item) - _FIELDS
    if unknown:
        raise KnowledgeError(path, line, f"this item has an unknown field '{sorted(unknown)[0]}'", fix)
    expect = item["expect"] if isinstance(item["expect"], list) else [item["expect"]]
    if not expect or not all(isinstance(entry_id, str) for entry_id in expect):
        raise KnowledgeError(path, line, "'expect' should be an answer id or a list of them", fix)
    return EvalQuestion(item["q"], tuple(expect), line)


def evaluate(questions: list[EvalQuestion], matcher: Matcher, path: Path | str = "") -> Report:
    """Route every question and compare the answer with what was expected."""
    _check_ids(questions, matcher, path)
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


def _check_ids(questions: list[EvalQuestion], matcher: Matcher, path: Path | str) -> None:
    for question in questions:
        for entry_id in question.expect:
            if entry_id not in _FIXED_IDS and not matcher.knowledge.has_entry(entry_id):
                raise KnowledgeError(
                    path or "questions",
                    question.line or None,
                    f"the question {question.text!r} expects '{entry_id}', which is not an answer in "
                    f"{matcher.knowledge.path}",
                    "use one of the ids `rolebot ask --json` reports, or none, compare, help",
                )
