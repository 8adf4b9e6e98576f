"""The Procfile: the one description of how Role Bot's processes start, read by `rolebot run`,
the end-to-end tests and the benchmarks, so that each runs exactly what the platform runs."""

from __future__ import annotations

from pathlib import Path

from bot.core.knowledge import DEFAULT_KNOWLEDGE_PATH
from bot.settings import SettingsError

PROJECT_ROOT = DEFAULT_KNOWLEDGE_PATH.parent.parent
PROCFILE = PROJECT_ROOT / "Procfile"


def procfile_command(process: str, procfile: Path = PROCFILE) -> str:
    """The command line of one process type ('web', 'worker')."""
    try:
        lines = procfile.read_text(encoding="utf-8").splitlines()
    except OSError:
        raise SettingsError(
            f"the Procfile's '{process}' process is needed, and {procfile} cannot be read: run Role Bot from "
            f"its project folder, or start the process as the Procfile's '{process}:' line does"
        ) from None
    for line in lines:
        name, _, command = line.partition(":")
        if name.strip() == process:
            return command.strip()
    raise SettingsError(f"{procfile} has no '{process}:' process")
