"""Role Bot's processes started exactly as the Procfile starts them, pointed at the fake Slack on
127.0.0.1: the web process (gunicorn) and the Socket Mode worker. Also `python -m bot` as a user runs it."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bot.procfile import PROJECT_ROOT, procfile_command
from bot.slack.web import HEALTH_PATH, SLACK_PATH
from tests.support import fake_slack
from tests.support.fake_slack import FakeSlack
from tests.support.fake_socket_mode import FakeSocketMode

APP = "'bot.slack.web:create_app()'"


def run_bot(*args: str, stdin: str | None = None, env: dict | None = None) -> subprocess.CompletedProcess:
    """`python -m bot ARGS` as a user runs it, without any Slack settings unless given in env."""
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        input=stdin,
        env=clean_environment(env or {}),
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
        timeout=60,
        check=False,
    )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def healthy(base: str, timeout: float = 30.0) -> bool:
    """Whether GET /health answers 200 within the time (polled, bounded)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{base}{HEALTH_PATH}", timeout=1) as response:
                if response.status == 200:
                    return True
        except OSError:
            time.sleep(0.1)
    return False


@dataclass
class Process:
    """A started process with its output in a log file."""

    process: subprocess.Popen
    log: Path

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")

    def wait_for_log(self, text: str, timeout: float = 10.0) -> bool:
        """Whether the text appears in the log within the time (polled, bounded)."""
        deadline = time.monotonic() + timeout
        while text not in self.log_text():
            if time.monotonic() > deadline:
                return False
            time.sleep(0.05)
        return True

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)


@dataclass
class WebProcess(Process):
    url: str = ""

    def post(
        self,
        body: bytes,
        content_type: str,
        headers: dict | None = None,
        sign: bool = True,
        timestamp: str | None = None,
        path: str = SLACK_PATH,
    ) -> tuple[int, bytes, dict]:
        """POST over HTTP as Slack does (signed unless told otherwise): status, body, headers."""
        return fake_slack.post(f"{self.url}{path}", body, content_type, headers, sign, timestamp)


def start_web(
    slack: FakeSlack,
    log: Path,
    extra_env: dict | None = None,
    app: str = APP,
    ready: Callable[[str], bool] = healthy,
) -> WebProcess:
    """Start the Procfile's web process (or another WSGI app under the same gunicorn command)
    pointed at the fake Slack, logging (at DEBUG unless told) to a file."""
    port = free_port()
    env = {
        "PORT": str(port),
        "SLACK_BOT_TOKEN": fake_slack.BOT_TOKEN,
        "SLACK_SIGNING_SECRET": fake_slack.SIGNING_SECRET,
        "SLACK_API_URL": slack.api_url,
        "LOG_LEVEL": "DEBUG",
        **(extra_env or {}),
    }
    process = _start(procfile_command("web").replace(APP, app), env, log)
    web = WebProcess(process, log, f"http://127.0.0.1:{port}")
    if not ready(web.url):
        web.stop()
        raise RuntimeError(f"the web process did not start:\n{web.log_text()}")
    return web


def start_worker(slack: FakeSlack, socket_mode: FakeSocketMode, log: Path) -> Process:
    """Start the Procfile's Socket Mode worker, connected through the fake apps.connections.open."""
    slack.socket_url = socket_mode.url
    env = {
        "SLACK_BOT_TOKEN": fake_slack.BOT_TOKEN,
        "SLACK_APP_TOKEN": fake_slack.APP_TOKEN,
        "SLACK_API_URL": slack.api_url,
    }
    worker = Process(_start(procfile_command("worker"), env, log), log)
    if not socket_mode.wait_connected():
        worker.stop()
        raise RuntimeError(f"the worker did not connect:\n{worker.log_text()}")
    return worker


def clean_environment(extra: dict) -> dict:
    """This environment without Slack settings, with this Python's scripts first on PATH, plus extra."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("SLACK_")}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"
    return env | extra


def _start(command: str, env: dict, log: Path) -> subprocess.Popen:
    with log.open("w") as output:
        return subprocess.Popen(
            ["sh", "-c", f"exec {command}"], cwd=PROJECT_ROOT, env=clean_environment(env), stdout=output, stderr=output
        )
