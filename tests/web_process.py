"""The web process started as the Procfile starts it, pointed at a fake Slack on 127.0.0.1."""

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

from tests import fake_slack
from tests.fake_slack import FakeSlack

ROOT = Path(__file__).resolve().parent.parent


def run_bot(*args: str, stdin: str | None = None, env: dict | None = None) -> subprocess.CompletedProcess:
    """`python -m bot ARGS` as a user runs it, without any Slack settings unless given in env."""
    clean = {key: value for key, value in os.environ.items() if not key.startswith("SLACK_")}
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        input=stdin,
        env={**clean, **(env or {})},
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
        check=False,
    )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def procfile_command(process: str) -> str:
    for line in (ROOT / "Procfile").read_text().splitlines():
        if line.startswith(f"{process}:"):
            return line.partition(":")[2].strip()
    raise AssertionError(f"no {process} process in the Procfile")


def healthy(base: str, timeout: float = 30.0) -> bool:
    """Whether GET /health answers 200 within the time (polled, bounded)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{base}/health", timeout=1) as response:
                if response.status == 200:
                    return True
        except OSError:
            time.sleep(0.1)
    return False


@dataclass
class WebProcess:
    url: str
    log: Path
    process: subprocess.Popen

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")


APP = "'bot.slack.web:create_app()'"


def start_web(
    slack: FakeSlack,
    log: Path,
    extra_env: dict | None = None,
    app: str = APP,
    ready: Callable[[str], bool] = healthy,
) -> WebProcess:
    """Start the Procfile's web process (or another WSGI app under the same gunicorn settings)
    pointed at the fake Slack, logging (at DEBUG unless told) to a file."""
    port = free_port()
    env = {key: value for key, value in os.environ.items() if not key.startswith("SLACK_")}
    env |= {
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        "PORT": str(port),
        "SLACK_BOT_TOKEN": fake_slack.BOT_TOKEN,
        "SLACK_SIGNING_SECRET": fake_slack.SIGNING_SECRET,
        "SLACK_API_URL": slack.api_url,
        "LOG_LEVEL": "DEBUG",
        **(extra_env or {}),
    }
    command = procfile_command("web").replace(APP, app)
    with log.open("w") as output:
        process = subprocess.Popen(["sh", "-c", f"exec {command}"], cwd=ROOT, env=env, stdout=output, stderr=output)
    web = WebProcess(f"http://127.0.0.1:{port}", log, process)
    if not ready(web.url):
        process.kill()
        raise RuntimeError(f"the web process did not start:\n{web.log_text()}")
    return web


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
