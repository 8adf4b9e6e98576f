"""Role Bot's Slack app built in this process and pointed at the fake Slack: requests go through the
same checks (SlackWeb) and the same Bolt app as in the web process, without a server in between."""

from __future__ import annotations

import io
import time
from collections.abc import Callable

from bot.core.answerer import Answerer
from bot.metrics import exposition
from bot.settings import Settings
from bot.slack.app import build_app
from bot.slack.pool import ListenerPool
from bot.slack.web import SLACK_PATH, SlackWeb
from bot.store.recorder import Recorder
from bot.store.records import QuestionRecord
from tests.support import fake_slack
from tests.support.fake_slack import FakeSlack, request_headers

SETTLE_SECONDS = 15.0
OWNER = "U0OWNER01"  # keeps the knowledge: sees the report in App Home


class InProcessApp:
    """The WSGI application Role Bot serves, called directly; `settle()` waits until every piece of
    work a request started (a reply, a retry) has finished, so that "nothing else happened" is a fact
    rather than a guess after a sleep."""

    def __init__(
        self,
        slack: FakeSlack,
        answerer: Answerer,
        store_url: str = "",
        clock: Callable[[], float] = time.time,
        threads: int = 8,
        owners: frozenset[str] = frozenset({OWNER}),
        follow_ups: bool = True,
        metrics_token: str = "",
        store_writer: str = "thread",  # a writing process per app would cost every test module a second
    ) -> None:
        settings = Settings(
            bot_token=fake_slack.BOT_TOKEN,
            signing_secret=fake_slack.SIGNING_SECRET,
            api_url=slack.api_url,
            database_url=store_url,
            store_enabled=bool(store_url),
            owners=owners,
            follow_ups=follow_ups,
            store_writer=store_writer,
        )
        self.pool = ListenerPool(threads)
        self.recorder = Recorder.from_settings(settings)
        self.app = build_app(settings, answerer, pool=self.pool, recorder=self.recorder)
        self.web = SlackWeb(
            self.app,
            settings.signing_secret,
            clock=clock,
            details=self.recorder.health,
            metrics=lambda: exposition(answerer),
            metrics_token=metrics_token,
        )

    def recorded(self) -> list[QuestionRecord]:
        """What the store holds once every queued record is written, newest first."""
        self.settle()
        writer = self.recorder.writer
        assert writer is not None, "this app was built without a store"
        assert writer.flush(SETTLE_SECONDS), "records still queued"
        assert writer.store is not None
        return writer.store.recent_questions()

    def post(
        self,
        body: bytes,
        content_type: str,
        headers: dict | None = None,
        sign: bool = True,
        timestamp: str | None = None,
        path: str = SLACK_PATH,
    ) -> tuple[int, bytes, dict]:
        """POST as Slack does (signed with the test secret unless told otherwise): status, body, headers."""
        return self.request("POST", path, body, request_headers(body, content_type, headers, sign, timestamp))

    def get(self, path: str) -> tuple[int, bytes, dict]:
        return self.request("GET", path, b"", {})

    def request(self, method: str, path: str, body: bytes, headers: dict) -> tuple[int, bytes, dict]:
        environ = {
            "REQUEST_METHOD": method,
            "PATH_INFO": path,
            "QUERY_STRING": "",
            "CONTENT_LENGTH": str(len(body)),
            "wsgi.input": io.BytesIO(body),
        }
        for name, value in headers.items():
            key = name.upper().replace("-", "_")
            environ[key if key in ("CONTENT_TYPE", "CONTENT_LENGTH") else f"HTTP_{key}"] = value
        answer: dict = {}

        def start_response(status: str, response_headers: list[tuple[str, str]]) -> None:
            answer["status"] = int(status.split()[0])
            answer["headers"] = dict(response_headers)

        data = b"".join(self.web(environ, start_response))
        return answer["status"], data, answer["headers"]

    def settle(self, timeout: float = SETTLE_SECONDS) -> None:
        """Wait until no listener work is queued or running."""
        if not self.pool.wait_idle(timeout):
            raise AssertionError(f"listener work still running after {timeout} s")

    def close(self) -> None:
        self.settle()
        self.pool.shutdown(wait=True)
        self.recorder.close()
