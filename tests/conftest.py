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
from tests.support.postgres import PostgresServer, binaries
from tests.support.processes import start_web

DATA = Path(__file__).parent / "data"

# Trained weights are cached per test run, and what the bot remembers goes to a SQLite file of the
# run, both shared by every process the tests start (and by the parallel test workers, which inherit
# them); the process that made the folder removes it.
if "PYTEST_XDIST_WORKER" not in os.environ:
    _RUN_FOLDER = Path(tempfile.mkdtemp(prefix="rolebot-tests-"))
    os.environ["ROLE_CACHE_DIR"] = str(_RUN_FOLDER / "cache")
    os.environ["DATABASE_URL"] = f"sqlite:///{_RUN_FOLDER / 'rolebot.sqlite3'}"
    os.environ["XDG_DATA_HOME"] = str(_RUN_FOLDER / "data")  # a default store never lands in the home folder
    # The web processes the tests start write their records on a thread of their own: a writing process
    # for each would cost a second of CPU apiece. The end-to-end tests use the default, a writing
    # process, as production does (tests/test_writing_process.py tries it on both databases).
    os.environ["ROLE_STORE_WRITER"] = "thread"
    atexit.register(shutil.rmtree, _RUN_FOLDER, ignore_errors=True)
    # The shipped knowledge's weights are trained here, once, before the parallel workers start: each
    # worker would otherwise train the same weights at the same moment (3 s of CPU apiece).
    Matcher(load_knowledge(DEFAULT_KNOWLEDGE_PATH))


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
def in_process_app(slack, answerer, tmp_path_factory):
    built = InProcessApp(slack, answerer, f"sqlite:///{tmp_path_factory.mktemp('store') / 'rolebot.sqlite3'}")
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
    web = start_web(slack, tmp_path_factory.mktemp("web") / "web.log", {"ROLE_STORE_WRITER": "process"})
    yield web
    web.stop()


@pytest.fixture(scope="session")
def postgres():
    """A PostgreSQL server for this test run (skipped where its server is not installed, unless
    ROLE_REQUIRE_POSTGRES is set, as CI sets it)."""
    if binaries() is None:
        if os.environ.get("ROLE_REQUIRE_POSTGRES"):
            pytest.fail("PostgreSQL's server is required (ROLE_REQUIRE_POSTGRES) but not installed")
        pytest.skip("PostgreSQL's server is not installed (Debian: apt-get install postgresql)")
    server = PostgresServer.start()
    yield server
    server.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request, tmp_path):
    """An empty database of each kind the store runs on: a SQLite file, and a PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'rolebot.sqlite3'}"
    return request.getfixturevalue("postgres").database()
