import os
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.knowledge import DEFAULT_KNOWLEDGE_PATH, Knowledge
from bot.loading import load_knowledge
from bot.matcher import Matcher
from bot.render import Reply, render_answer
from bot.routing import Answer, route
from tests import fake_slack
from tests.fake_slack import FakeSlack

DATA = Path(__file__).parent / "data"
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def knowledge() -> Knowledge:
    return load_knowledge(DEFAULT_KNOWLEDGE_PATH)


@pytest.fixture(scope="session")
def matcher(knowledge: Knowledge) -> Matcher:
    return Matcher(knowledge)


@pytest.fixture(scope="session")
def ask(matcher: Matcher):
    """Route a question the way every surface does."""

    def _ask(text: str) -> Answer:
        return route(text, matcher)

    return _ask


@pytest.fixture(scope="session")
def reply(matcher: Matcher):
    """Route and render a question: the message Slack would receive."""

    def _reply(text: str) -> Reply:
        return render_answer(route(text, matcher), matcher.knowledge)

    return _reply


@pytest.fixture(scope="session")
def matcher_for():
    """A matcher for another knowledge file."""

    def _matcher_for(path: Path) -> Matcher:
        return Matcher(load_knowledge(path))

    return _matcher_for


# --- the web process, as the Procfile runs it, against a fake Slack ----------------------------


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


def start_web(slack: FakeSlack, log: Path, extra_env: dict | None = None) -> WebProcess:
    """Start the Procfile's web process pointed at the fake Slack, logging at DEBUG to a file."""
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
    with log.open("w") as output:
        process = subprocess.Popen(
            ["sh", "-c", f"exec {procfile_command('web')}"], cwd=ROOT, env=env, stdout=output, stderr=output
        )
    web = WebProcess(f"http://127.0.0.1:{port}", log, process)
    if not healthy(web.url):
        process.kill()
        pytest.fail(f"the web process did not start:\n{web.log_text()}")
    return web


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()


@pytest.fixture(scope="module")
def slack():
    fake = FakeSlack()
    yield fake
    fake.close()


@pytest.fixture(scope="module")
def web_process(slack, tmp_path_factory):
    web = start_web(slack, tmp_path_factory.mktemp("web") / "web.log")
    yield web
    stop(web.process)


@pytest.fixture(scope="module")
def web(web_process):
    """The base URL of the web process."""
    return web_process.url
