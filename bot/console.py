"""An interactive prompt that takes what you would type in Slack and shows the answer."""

from __future__ import annotations

import re
from typing import TextIO

from bot.core.matcher import Matcher
from bot.core.routing import route
from bot.render import render_answer
from bot.terminal import blocks_to_text

_MENTION = re.compile(r"^@role[\s_-]?bot\b[:,]?", re.IGNORECASE)
_COMMAND = re.compile(r"^/(\S+)")
_QUIT = {"exit", "quit", "/exit", "/quit"}
PROMPT = "role> "


def run_console(matcher: Matcher, stdin: TextIO, stdout: TextIO) -> int:
    """Answer each line of input until it ends; prompts only when a person is typing."""
    interactive = stdin.isatty()
    if interactive:
        stdout.write("Role Bot console. Type as you would in Slack: /role compare, @Role Bot who owns the budget?,\n")
        stdout.write("or just a question. Ctrl-D or 'quit' to leave.\n\n")
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
            stdout.write(reply_to(line, matcher) + "\n")
            stdout.flush()
    return 0


def reply_to(line: str, matcher: Matcher) -> str:
    """The answer to one console line, rendered for the terminal."""
    command = _COMMAND.match(line)
    if command:
        if command.group(1).lower() != "role":
            return f"Unknown command /{command.group(1)}. Use /role, for example: /role compare\n"
        line = line[command.end() :]
    else:
        line = _MENTION.sub("", line)
    reply = render_answer(route(line, matcher), matcher.knowledge)
    return blocks_to_text(reply.blocks_as_dicts())
