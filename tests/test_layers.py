"""The layers: the core is plain Python (no Slack library loads with it), presentation imports the
core, and only the Slack transport and the listeners import Slack's app framework."""

import ast
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

import bot.core


def test_importing_every_core_module_loads_no_slack_library():
    modules = [info.name for info in pkgutil.iter_modules(bot.core.__path__, "bot.core.")]
    assert len(modules) >= 5
    script = (
        "import importlib, sys\n"
        f"for name in {modules!r}: importlib.import_module(name)\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('slack_sdk', 'slack_bolt')))\n"
    )
    loaded = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout
    assert loaded.strip() == "[]", loaded


FORBIDDEN = {
    "core": ("slack_sdk", "slack_bolt", "bot.blocks", "bot.slack", "bot.handlers", "bot.cli", "bot.console"),
    "blocks": ("slack_bolt", "bot.slack", "bot.handlers", "bot.cli", "bot.console"),
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
