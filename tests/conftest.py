import atexit
import os
import shutil
import tempfile
from pathlib import Path

import pytest

from bot.blocks.render import Reply, render_answer
from bot.core.answerer import Answerer
from bot.core.knowledge import DEFAULT_KNOWLEDGE_PATH, Knowledge
from bot.core.loading import load_knowledge
from bot.core.matcher import Matcher
from bot.core.routing import Answer, route
from tests.support.fake_slack import FakeSlack
from tests.support.in_process import InProcessApp
from tests.support.processes import start_web

DATA = Path(__file__).parent / "data"

# Trained weights are cached per test run, shared by every process the tests start (and by the
# parallel test workers, which inherit the folder); the process that made the folder removes it.
if "ROLE_CACHE_DIR" not in os.environ or "PYTEST_XDIST_WORKER" not in os.environ:
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


@pytest.fixture(scope="session")
def answerer() -> Answerer:
    """The shipped knowledge, loaded once for every in-process app."""
    return Answerer.from_file(DEFAULT_KNOWLEDGE_PATH)


@pytest.fixture(scope="module")
def in_process_app(slack, answerer):
    built = InProcessApp(slack, answerer)
    yield built
    built.close()


@pytest.fixture
def app(in_process_app, slack):
    """Role Bot's Slack app in this process, against a fake Slack with nothing recorded yet; the test
    ends only when all the work it started has finished."""
    slack.calls.clear()
    slack.failures.clear()
    yield in_process_app
    in_process_app.settle()


@pytest.fixture(scope="module")
def web_process(slack, tmp_path_factory):
    """The Procfile's web process, for the end-to-end tests."""
    web = start_web(slack, tmp_path_factory.mktemp("web") / "web.log")
    yield web
    web.stop()
