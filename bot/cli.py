"""The command line: `rolebot ask|eval|check|console`, answering exactly as Slack would."""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TextIO, TypeVar

from bot.blocks.render import render_answer
from bot.blocks.terminal import blocks_to_text
from bot.console import run_console
from bot.core.evaluation import Report, cross_validate, evaluate, load_questions
from bot.core.knowledge import DEFAULT_KNOWLEDGE_PATH, Knowledge
from bot.core.loading import KnowledgeError, load_knowledge, question_key
from bot.core.matcher import Matcher
from bot.core.routing import route
from bot.logs import first_line
from bot.procfile import procfile_command
from bot.settings import Settings, SettingsError

if TYPE_CHECKING:
    from bot.store.store import Store

T = TypeVar("T")

DEFAULT_QUESTIONS_PATH = DEFAULT_KNOWLEDGE_PATH.parent / "questions.yaml"


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; the return value is the process exit code."""
    args = _parser().parse_args(argv)
    # Odd bytes in the input or a terminal that cannot show a character must not stop an answer.
    for stream in (sys.stdin, sys.stdout):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="replace")
    try:
        return args.run(args)
    except (KnowledgeError, SettingsError) as error:
        print(error, file=sys.stderr)
        return 2
    except (BrokenPipeError, KeyboardInterrupt):
        return 1


def _parser() -> argparse.ArgumentParser:
    knowledge = argparse.ArgumentParser(add_help=False)
    knowledge.add_argument(
        "--knowledge",
        type=Path,
        default=DEFAULT_KNOWLEDGE_PATH,
        metavar="FILE",
        help="knowledge file (default: %(default)s)",
    )
    parser = argparse.ArgumentParser(prog="rolebot", description="Role Bot: answers questions about job roles.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    ask = commands.add_parser("ask", parents=[knowledge], help="answer one question, as Slack would show it")
    ask.add_argument("question", nargs="+", help="the question; '-' reads one question per line from standard input")
    ask.add_argument("--json", action="store_true", help="print a JSON object (JSON Lines with '-')")
    ask.set_defaults(run=_ask)

    check = commands.add_parser("check", parents=[knowledge], help="check a knowledge file")
    check.add_argument("file", nargs="?", type=Path, help="the file to check (default: the --knowledge file)")
    check.set_defaults(run=_check)

    evaluation = commands.add_parser("eval", parents=[knowledge], help="measure answer quality on a questions file")
    evaluation.add_argument("file", nargs="?", type=Path, default=DEFAULT_QUESTIONS_PATH, help="questions file")
    evaluation.add_argument(
        "--min-accuracy", type=_share, metavar="X", help="exit non-zero if accuracy is below X (0 to 1)"
    )
    evaluation.add_argument(
        "--folds",
        type=_folds,
        metavar="K",
        help="cross-validate instead: train on all but one K-th of the knowledge's labelled questions, "
        "score that K-th, once per fold",
    )
    evaluation.set_defaults(run=_eval)

    console = commands.add_parser("console", parents=[knowledge], help="type what you would type in Slack")
    console.set_defaults(run=_console)

    run = commands.add_parser("run", help="start in the mode the environment sets up: Socket Mode, HTTP or console")
    run.set_defaults(run=_run)

    socket = commands.add_parser("socket", help="connect to Slack in Socket Mode (needs SLACK_APP_TOKEN)")
    socket.set_defaults(run=_socket)

    report = commands.add_parser("report", help="what was asked, what went unanswered, which answers got 👎")
    report.add_argument("--days", type=_days, default=7, help="the period, in days back from now (default 7)")
    report.add_argument("--json", action="store_true", help="one JSON object instead of text")
    report.set_defaults(run=_report)

    review = commands.add_parser(
        "review", parents=[knowledge], help="label declined and 👎 questions, most frequent first"
    )
    review.add_argument("--days", type=_days, default=30, help="the period, in days back from now (default 30)")
    review.set_defaults(run=_review)

    forget = commands.add_parser("forget", help="delete everything remembered of one person (a Slack user id)")
    forget.add_argument("user_id", type=_user_id, help="the person's Slack user id, such as U012AB3CD")
    forget.set_defaults(run=_forget)
    return parser


def _days(text: str) -> int:
    if not text.isdecimal() or not 1 <= int(text) <= 36_500:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of days from 1 to 36500")
    return int(text)


def _user_id(text: str) -> str:
    user_id = text.strip()
    if not re.fullmatch(r"[UW][A-Z0-9]{2,20}", user_id):
        raise argparse.ArgumentTypeError(f"{text!r} is not a Slack user id (U or W, then capitals and digits)")
    return user_id


def _share(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number from 0 to 1")
    return value


def _ask(args: argparse.Namespace) -> int:
    matcher = Matcher(load_knowledge(args.knowledge))
    if args.question == ["-"]:
        for line in sys.stdin:
            _print_answer(line.rstrip("\r\n"), matcher, args.json, sys.stdout)
            sys.stdout.flush()
    else:
        _print_answer(" ".join(args.question), matcher, args.json, sys.stdout)
    return 0


def _print_answer(question: str, matcher: Matcher, as_json: bool, out: TextIO) -> None:
    answer = route(question, matcher)
    reply = render_answer(answer, matcher.knowledge)
    blocks = reply.blocks_as_dicts()
    if as_json:
        record = {
            "question": question,
            "answer": answer.entry_id,
            "score": answer.score,
            "suggestions": list(answer.suggestions),
            "blocks": blocks,
            "text": reply.text,
        }
        out.write(json.dumps(record, ensure_ascii=False) + "\n")
    else:
        out.write(blocks_to_text(blocks))


def _folds(text: str) -> int:
    if not text.isdecimal() or not 2 <= int(text) <= 20:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of folds from 2 to 20")
    return int(text)


def _check(args: argparse.Namespace) -> int:
    path = args.file or args.knowledge
    knowledge = load_knowledge(path)
    duties = sum(len(role.responsibilities) for role in knowledge.roles)
    print(f"{path}: OK — {len(knowledge.roles)} roles, {duties} responsibilities, {len(knowledge.entries)} answers")
    examples = sum(len(entry.examples) for entry in knowledge.entries)
    files = sorted({question.origin for question in knowledge.questions})
    print(f"  learns from {examples} examples in the file and {len(knowledge.questions)} labelled questions", end="")
    print(f" in {', '.join(Path(file).name for file in files)}" if files else "")
    taught = {label for question in knowledge.labelled() for label in question.expect}
    untaught = [entry.id for entry in knowledge.entries if entry.id not in taught]
    if untaught and taught:
        print(f"  found by their words only (no labelled questions yet): {', '.join(untaught)}")
    return 0


def _eval(args: argparse.Namespace) -> int:
    knowledge = load_knowledge(args.knowledge)
    if args.folds:
        folds = cross_validate(knowledge, args.folds)
        for number, fold in enumerate(folds, 1):
            print(f"fold {number}: accuracy {fold.accuracy:.3f} ({fold.correct}/{fold.total})")
        report = Report([outcome for fold in folds for outcome in fold.outcomes])
        print(f"all {args.folds} folds, each scored by a scorer that did not train on it:")
    else:
        report = evaluate(load_questions(args.file), Matcher(knowledge))
    print(report.describe())
    if args.min_accuracy is not None and report.accuracy < args.min_accuracy:
        print(f"accuracy {report.accuracy:.3f} is below the minimum {args.min_accuracy:.3f}", file=sys.stderr)
        return 1
    return 0


def _console(args: argparse.Namespace) -> int:
    matcher = Matcher(load_knowledge(args.knowledge))
    return run_console(matcher, sys.stdin, sys.stdout)


def _run(args: argparse.Namespace) -> int:
    settings = Settings.from_env()
    mode, reason = settings.mode()
    print(f"Role Bot: {reason}.", file=sys.stderr)
    if mode == "socket":
        return _socket(args)
    if mode == "http":
        return _serve_http(settings)
    return run_console(Matcher(load_knowledge(settings.knowledge_path)), sys.stdin, sys.stdout)


def _report(args: argparse.Namespace) -> int:
    report = _with_store(lambda store: store.report(args.days))
    if report is None:
        return 1
    if args.json:
        print(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
        return 0
    print(f"Role Bot: the last {report.days} day(s), since {report.since}")
    print(f"Questions: {report.questions}; answered {report.answered} ({report.share_answered:.0%})")
    print("\nPer day and surface:")
    for day, surfaces in report.per_day.items():
        print(f"  {day}  " + ", ".join(f"{surface} {count}" for surface, count in surfaces.items()))
    print("\nDeclined (rephrasings counted together):")
    for group in report.declined:
        reasons = f" ({', '.join(group.reasons)})" if group.reasons else ""
        print(f"  {group.count} x " + " / ".join(f"{example!r}" for example in group.examples) + reasons)
    print("\nAnswers people said were wrong:")
    for entry in report.disputed:
        print(f"  {entry.entry}: {entry.down} down, {entry.up} up")
        for reason in entry.reasons:
            print(f"      wrong: {reason!r}")
        for expected in entry.expected:
            print(f"      expected: {expected!r}")
    print("\nAnswered with low confidence:")
    for item in report.low_confidence:
        print(f"  {item['score']:>3}  {item['question']!r} -> {item['answer']}")
    return 0


def _review(args: argparse.Namespace) -> int:
    from bot.core.labelling import add_label

    items = _with_store(lambda store: store.review_items(args.days))
    if items is None:
        return 1
    knowledge = load_knowledge(args.knowledge)
    matcher = Matcher(knowledge)
    labelled = {question_key(question.text) for question in knowledge.labelled()}
    items = [item for item in items if question_key(item.text) not in labelled]
    print(
        f"{len(items)} question(s) to review, most frequent first. A number picks a suggestion, an answer id "
        "labels the question with it, d declines it, Enter skips it, q stops."
    )
    taught = 0
    for number, item in enumerate(items, 1):
        times = "once" if item.count == 1 else f"{item.count} times"
        print(f"\n[{number}/{len(items)}] {item.text!r}: {times}; {item.why}")
        choices = _suggested(item.text, matcher)
        for index, entry_id in enumerate(choices, 1):
            print(f"  {index}) {_entry_label(entry_id, knowledge)}  [{entry_id}]")
        answer = sys.stdin.readline()
        if not answer or answer.strip().lower() == "q":
            break
        label = _chosen(answer.strip(), choices)
        if label is None:
            continue
        try:
            path, line = add_label(knowledge.path, item.text, label)
        except KnowledgeError as error:
            print(f"  not added: {error}")
            continue
        taught += 1
        print(f"  added to {path}, line {line}")
    print(f"\nLabelled {taught} question(s). A running Role Bot learns them when it next reloads the knowledge.")
    return 0


def _suggested(text: str, matcher: Matcher) -> list[str]:
    """The scorer's best guesses for a question, best first (at most three)."""
    answer = route(text, matcher)
    guesses = [answer.entry_id] if answer.entry_id and answer.entry_id != "help" else []
    guesses += list(getattr(answer, "suggestions", ()))
    return list(dict.fromkeys(guesses))[:3]


def _entry_label(entry_id: str, knowledge: Knowledge) -> str:
    if not knowledge.has_entry(entry_id):
        return {"compare": "the comparison of the roles"}.get(entry_id, entry_id)
    return knowledge.entry(entry_id).title


def _chosen(answer: str, choices: list[str]) -> str | None:
    """The label a reply names: a suggestion's number, 'd' for decline, an id as typed; None skips."""
    if not answer:
        return None
    if answer.isdecimal():
        index = int(answer) - 1
        return choices[index] if 0 <= index < len(choices) else None
    return "none" if answer.lower() in ("d", "decline", "none") else answer


def _with_store(use: Callable[[Store], T]) -> T | None:
    """Run `use(store)` on the store the environment names; None (and a message) when it cannot."""
    from sqlalchemy.exc import SQLAlchemyError  # the database libraries load only when the store is used

    from bot.store.store import Store

    settings = Settings.from_env()
    if not settings.store_enabled:
        print("ROLE_STORE is off: nothing is remembered.", file=sys.stderr)
        return None
    try:
        store = Store.open(settings.store_url, settings.hash_key)
        try:
            return use(store)
        finally:
            store.close()
    except SQLAlchemyError as error:
        print(f"Could not reach the store (DATABASE_URL): {first_line(error)}", file=sys.stderr)
        return None


def _forget(args: argparse.Namespace) -> int:
    forgotten = _with_store(lambda store: store.forget(args.user_id))
    if forgotten is None:
        return 1
    print(f"Forgot {forgotten} record(s) of {args.user_id}.")
    return 0


def _socket(_args: argparse.Namespace) -> int:
    from bot.slack.socket_mode import run_socket_mode  # Slack libraries load only when Slack is used

    run_socket_mode(Settings.from_env())
    return 0


def _serve_http(settings: Settings) -> int:
    """Run the Procfile's web process, so HTTP mode here is exactly what the platform runs."""
    command = procfile_command("web")
    environment = {**os.environ, "PORT": str(settings.port)}
    environment["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{environment.get('PATH', '')}"
    shell = shutil.which("sh") or "/bin/sh"
    os.execve(shell, [shell, "-c", f"exec {command}"], environment)  # noqa: S606 - the project's own Procfile
    return 1
