"""An interactive prompt that takes what you would type in Slack and shows the answer.

When Role Bot offers choices ("did you mean"), they are numbered, and typing a number picks one.
Read from a pipe, each question is printed above its answer, so a batch reads as a transcript.
"""

from __future__ import annotations

import re
from typing import TextIO

from bot.blocks.render import render_answer, suggestion_label
from bot.blocks.terminal import blocks_to_text
from bot.core.matcher import Matcher
from bot.core.routing import Answer, Declined, answer_for, route

_MENTION = re.compile(r"^@role[\s_-]?bot\b[:,]?", re.IGNORECASE)
_COMMAND = re.compile(r"^/(\S+)")
_QUIT = {"exit", "quit", "/exit", "/quit"}
PROMPT = "role> "


class Console:
    """One conversation: the answers so far, and the choices the last one offered."""

    def __init__(self, matcher: Matcher) -> None:
        self.matcher = matcher
        self.choices: list[Answer] = []

    def reply_to(self, line: str) -> str:
        """The answer to one console line, rendered for the terminal."""
        if line.isdecimal():
            number = int(line)
            if not self.choices:
                return "There is nothing to choose from just now: ask a question.\n"
            if not 1 <= number <= len(self.choices):
                return f"Pick a number from 1 to {len(self.choices)}, or ask another question.\n"
            return self._show(self.choices[number - 1])
        command = _COMMAND.match(line)
        if command:
            if command.group(1).lower() != "role":
                return f"Unknown command /{command.group(1)}. Use /role, for example: /role compare\n"
            line = line[command.end() :]
        else:
            line = _MENTION.sub("", line)
        return self._show(route(line, self.matcher))

    def _show(self, answer: Answer) -> str:
        knowledge = self.matcher.knowledge
        text = blocks_to_text(render_answer(answer, knowledge).blocks_as_dicts())
        labels = answer.suggestions if isinstance(answer, Declined) else ()
        offered = [label for label in labels if answer_for(label, knowledge)]
        self.choices = [choice for choice in (answer_for(label, knowledge) for label in offered) if choice]
        if not self.choices:
            return text
        numbered = [f"  {n}) {suggestion_label(label, knowledge)}" for n, label in enumerate(offered, 1)]
        return text + "Type a number to choose:\n" + "\n".join(numbered) + "\n"


def run_console(matcher: Matcher, stdin: TextIO, stdout: TextIO) -> int:
    """Answer each line of input until it ends; prompts only when a person is typing."""
    interactive = stdin.isatty()
    if interactive:
        stdout.write("Role Bot console. Type as you would in Slack: /role compare, @Role Bot who owns the budget?,\n")
        stdout.write("or just a question. Ctrl-D or 'quit' to leave.\n\n")
    console = Console(matcher)
    while True:
        if interactive:
            stdout.write(PROMPT)
            stdout.flush()
        line = stdin.readline()
        if not line:
            if interactive:
                stdout.write("\n")  # leave the shell's prompt on a line of its own
            break
        line = line.strip()
        if line.lower() in _QUIT:
            break
        if line:
            if not interactive:
                stdout.write(f"> {line}\n")  # a batch shows each question above its answer
            stdout.write(console.reply_to(line) + "\n")
            stdout.flush()
    return 0
