"""`rolebot ARGS` run in this process, with its input, output and exit code captured."""

from __future__ import annotations

import io
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from unittest.mock import patch

from bot.cli import main


@dataclass(frozen=True)
class Outcome:
    returncode: int
    stdout: str
    stderr: str


def run_cli(*args: str, stdin: str = "") -> Outcome:
    """What a user running `rolebot ARGS` with this input would see, and the exit code."""
    out, err = io.StringIO(), io.StringIO()
    with patch("sys.stdin", io.StringIO(stdin)), redirect_stdout(out), redirect_stderr(err):
        try:
            code = main(list(args))
        except SystemExit as stop:  # argparse's way of refusing an argument
            code = stop.code if isinstance(stop.code, int) else 2
    return Outcome(code, out.getvalue(), err.getvalue())
