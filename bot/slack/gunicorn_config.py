"""gunicorn settings for the web process (the Procfile passes `-c python:bot.slack.gunicorn_config`):
what lets several workers report one set of metrics."""

from __future__ import annotations

import os
import shutil
import tempfile

# Not imported from bot.metrics: prometheus-client must not load in the master before this is set, or
# the workers it forks would inherit it set up for one process.
MULTIPROCESS_DIR = "PROMETHEUS_MULTIPROC_DIR"
_made: list[str] = []


def on_starting(server: object) -> None:  # noqa: ARG001 - gunicorn's hook signature
    """Give the workers a folder for their metrics before any of them starts (prometheus-client
    reads it when a worker first imports it); a fresh one unless PROMETHEUS_MULTIPROC_DIR names one."""
    if not os.environ.get(MULTIPROCESS_DIR):
        folder = tempfile.mkdtemp(prefix="rolebot-metrics-")
        os.environ[MULTIPROCESS_DIR] = folder
        _made.append(folder)


def child_exit(server: object, worker: object) -> None:  # noqa: ARG001 - gunicorn's hook signature
    """A worker that stopped no longer counts in the gauges of live workers."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)  # type: ignore[attr-defined]


def on_exit(server: object) -> None:  # noqa: ARG001 - gunicorn's hook signature
    for folder in _made:
        shutil.rmtree(folder, ignore_errors=True)


# LOG_FORMAT=json: gunicorn's own lines (the master's and the workers') as JSON too, like Role Bot's.
if os.environ.get("LOG_FORMAT", "").strip().lower() == "json":
    logconfig_dict = {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"generic": {"()": "bot.logs.JSONLines"}},
    }
