import atexit
import os
import shutil
import tempfile
from pathlib import Path

import pytest

from bot.blocks.render import Reply, render_answer
from bot.core.knowledge import DEFAULT_KNOWLEDGE_PATH, Knowledge
from bot.core.loading import load_knowledge
from bot.core.matcher import Matcher
from bot.core.routing import Answer, route
from tests.fake_slack import FakeSlack
from tests.web_process import start_web, stop

DATA = Path(__file__).parent / "data"

# Trained weights are cached per test session, and every process the tests start shares them.
os.environ["ROLE_CACHE_DIR"] = tempfile.mkdtemp(prefix="rolebot-cache-")
atexit.register(shutil.rmtree, os.environ["ROLE_CACHE_DIR"], ignore_errors=True)


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
