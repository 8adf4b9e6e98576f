"""The core is plain Python: importing any part of it loads none of Slack's libraries."""

import pkgutil
import subprocess
import sys

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
