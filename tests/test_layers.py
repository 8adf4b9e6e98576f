"""The layers: the core is plain Python (no Slack library loads with it), presentation imports the
core and Slack's Block Kit models but not its app framework, listeners use the core, presentation and
Slack's sending, and only the Slack transport builds the app."""

import ast
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

import bot.blocks
import bot.core


def _loaded_by(package, prefixes):
    """The modules of these libraries that importing every module of the package loads."""
    modules = [info.name for info in pkgutil.iter_modules(package.__path__, package.__name__ + ".")]
    assert len(modules) >= 4
    script = (
        "import importlib, sys\n"
        f"for name in {modules!r}: importlib.import_module(name)\n"
        f"print(sorted(m for m in sys.modules if m.split('.')[0] in {prefixes!r}))\n"
    )
    return subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout.strip()


def test_importing_every_core_module_loads_no_slack_library():
    assert _loaded_by(bot.core, ("slack_sdk", "slack_bolt")) == "[]"


def test_importing_every_presentation_module_loads_no_slack_app_framework():
    assert _loaded_by(bot.blocks, ("slack_bolt",)) == "[]"


FORBIDDEN = {
    "core": (
        "bot.metrics",
        "slack_sdk",
        "slack_bolt",
        "bot.blocks",
        "bot.slack",
        "bot.handlers",
        "bot.store",
        "bot.cli",
        "bot.console",
    ),
    "store": ("slack_sdk", "slack_bolt", "bot.blocks", "bot.slack", "bot.handlers", "bot.cli", "bot.console"),
    # Presentation may show a report (bot.store.report, plain data) but never touches the database.
    "blocks": (
        "slack_bolt",
        "bot.slack",
        "bot.handlers",
        "bot.store.store",
        "bot.store.writer",
        "bot.store.recorder",
        "sqlalchemy",
        "bot.cli",
        "bot.console",
    ),
    # Listeners send through bot.slack.sending; building and serving the app is the transport's job.
    "handlers": ("bot.slack.app", "bot.slack.web", "bot.slack.socket_mode", "bot.cli", "bot.console"),
    "slack": ("bot.cli", "bot.console"),
}


def _imports(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            yield node.module


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_each_layer_imports_only_the_layers_before_it(layer):
    folder = Path(bot.core.__file__).parent.parent / layer
    modules = sorted(folder.glob("*.py"))
    assert modules
    broken = [
        f"{path.name} imports {name}"
        for path in modules
        for name in _imports(path)
        if any(name == banned or name.startswith(banned + ".") for banned in FORBIDDEN[layer])
    ]
    assert broken == []


def test_with_the_store_off_no_database_library_is_loaded():
    script = (
        "import sys\n"
        "from bot.settings import Settings\n"
        "from bot.store.recorder import Recorder\n"
        "import bot.slack.web\n"
        "Recorder.from_settings(Settings(store_enabled=False))\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('sqlalchemy', 'alembic', 'psycopg')))\n"
    )
    loaded = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout
    assert loaded.strip() == "[]"
