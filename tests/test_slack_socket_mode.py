"""Socket Mode: the Procfile's worker process end to end (connection, a slash command, a mention),
and reconnection in process, against a fake apps.connections.open and a local Socket Mode endpoint."""

import urllib.parse

import pytest
from slack_sdk import WebClient

from bot.settings import Settings
from bot.slack.app import build_app
from bot.slack.pool import ListenerPool
from bot.slack.socket_mode import connect_when_slack_answers, socket_mode_handler
from tests.support import fake_slack
from tests.support.fake_slack import FakeSlack, event_envelope, mention
from tests.support.fake_socket_mode import FakeSocketMode
from tests.support.processes import start_worker


@pytest.fixture(scope="module")
def endpoints():
    slack, socket_mode = FakeSlack(), FakeSocketMode()
    slack.socket_url = socket_mode.url
    yield slack, socket_mode
    socket_mode.close()
    slack.close()


@pytest.fixture(scope="module")
def worker(endpoints, tmp_path_factory):
    slack, socket_mode = endpoints
    process = start_worker(slack, socket_mode, tmp_path_factory.mktemp("worker") / "worker.log")
    yield process
    process.stop()


@pytest.mark.usefixtures("worker")
def test_the_worker_opens_its_connection_with_the_app_token(endpoints):
    slack, _ = endpoints
    (call,) = slack.wait_for(1, "/api/apps.connections.open")
    assert call.headers["Authorization"] == f"Bearer {fake_slack.APP_TOKEN}"


@pytest.mark.usefixtures("worker")
def test_slash_command_over_socket_mode_is_answered_in_the_acknowledgement(endpoints):
    _, socket_mode = endpoints
    body = fake_slack.slash_command("who handles risk?", "http://127.0.0.1:9/unused").decode()
    payload = {key: values[0] for key, values in urllib.parse.parse_qs(body, keep_blank_values=True).items()}
    envelope_id = socket_mode.send("slash_commands", payload, accepts_response_payload=True)
    ack = socket_mode.ack_for(envelope_id)
    assert ack is not None
    assert ack["payload"]["response_type"] == "ephemeral"
    assert ack["payload"]["blocks"][0]["text"]["text"] == "Risk Management"


@pytest.mark.usefixtures("worker")
def test_mention_over_socket_mode_is_answered_in_its_thread(endpoints):
    slack, socket_mode = endpoints
    payload = event_envelope(mention("who owns the budget?", "1700000900.000100"), "Ev0socket1")
    envelope_id = socket_mode.send("events_api", payload)
    assert socket_mode.ack_for(envelope_id) is not None
    (message,) = slack.posted(1)
    assert message.body["thread_ts"] == "1700000900.000100"
    assert message.body["blocks"][0]["text"]["text"] == "Budget and Financial Management"


class Connected:
    """Role Bot's app connected over Socket Mode in this process, with a short ping interval so that
    a dropped connection is noticed in about two seconds rather than fifteen."""

    def __init__(self, slack: FakeSlack, answerer) -> None:
        settings = Settings(
            bot_token=fake_slack.BOT_TOKEN, app_token=fake_slack.APP_TOKEN, api_url=slack.api_url, store_enabled=False
        )
        self.pool = ListenerPool(4)
        self.handler = socket_mode_handler(settings, build_app(settings, answerer, pool=self.pool), ping_seconds=0.5)
        self.handler.connect()

    def settle(self) -> None:
        assert self.pool.wait_idle(15)

    def close(self) -> None:
        self.handler.close()
        self.pool.shutdown(wait=True)


@pytest.fixture(scope="module")
def connection(answerer):
    slack, socket_mode = FakeSlack(), FakeSocketMode()
    slack.socket_url = socket_mode.url
    app = Connected(slack, answerer)
    assert socket_mode.wait_connected()
    yield slack, socket_mode, app
    app.close()
    socket_mode.close()
    slack.close()


@pytest.fixture
def connected(connection):
    slack, _, app = connection
    app.settle()
    slack.calls.clear()
    return connection


def _mention_payload(event_id: str, ts: str, question: str = "who owns the budget?") -> dict:
    return event_envelope(mention(question, ts, channel="C0RECONN1"), event_id)


def test_a_redelivered_event_is_answered_once(connected):
    slack, socket_mode, app = connected
    payload = event_envelope(mention("compare", "1700000950.000100", channel="C0CHAN002"), "Ev0socket2")
    for _ in range(3):
        assert socket_mode.ack_for(socket_mode.send("events_api", payload)) is not None
    app.settle()
    assert len(slack.posted(1)) == 1


def test_after_slack_asks_to_reconnect_the_bot_reconnects_and_keeps_answering(connected):
    slack, socket_mode, _ = connected
    before = socket_mode.connection_count
    socket_mode.send_raw({"type": "disconnect", "reason": "refresh_requested", "debug_info": {"host": "test"}})
    assert socket_mode.wait_connected(before + 1)
    assert (
        socket_mode.ack_for(socket_mode.send("events_api", _mention_payload("Ev0recon01", "1700003000.000100")))
        is not None
    )
    (message,) = slack.posted(1)
    assert message.body["thread_ts"] == "1700003000.000100"


def test_after_a_dropped_connection_the_bot_reconnects_and_answers_a_redelivery_once(connected):
    slack, socket_mode, app = connected
    payload = _mention_payload("Ev0recon02", "1700003100.000100", "compare")
    assert socket_mode.ack_for(socket_mode.send("events_api", payload)) is not None
    assert len(slack.posted(1)) == 1
    before = socket_mode.connection_count
    socket_mode.drop()
    assert socket_mode.wait_connected(before + 1)
    redelivery = socket_mode.send("events_api", payload)  # Slack redelivers what it did not see acknowledged
    assert socket_mode.ack_for(redelivery) is not None
    app.settle()
    assert len(slack.posted(1)) == 1


class Connecting:
    """What connect_when_slack_answers needs of a Socket Mode handler: a connect() that asks Slack
    for a connection URL with the real client, raising what it raises, without opening a socket."""

    def __init__(self, slack: FakeSlack) -> None:
        self.client = WebClient(token=fake_slack.APP_TOKEN, base_url=slack.api_url, retry_handlers=[])
        self.connected = False

    def connect(self) -> None:
        self.client.apps_connections_open(app_token=fake_slack.APP_TOKEN)
        self.connected = True


def test_the_worker_waits_for_slack_to_answer_before_connecting(caplog):
    slack = FakeSlack()
    slack.outage(1.0)
    handler = Connecting(slack)
    try:
        connect_when_slack_answers(handler, retry_seconds=(0.2, 0.4))  # type: ignore[arg-type]
        assert handler.connected
        assert len(slack.wait_for(2, "/api/apps.connections.open")) >= 2  # it failed first, then connected
        assert len([record for record in caplog.records if "cannot connect to Slack yet" in record.message]) == 1
    finally:
        slack.close()


@pytest.mark.parametrize("error", ["invalid_auth", "account_inactive"])
def test_a_refused_app_token_stops_the_worker_with_one_line(caplog, error):
    slack = FakeSlack()
    slack.fail_next("apps.connections.open", 200, {"ok": False, "error": error})
    try:
        with pytest.raises(SystemExit):
            connect_when_slack_answers(Connecting(slack), retry_seconds=(0.1, 0.1))  # type: ignore[arg-type]
        assert f"Slack refused SLACK_APP_TOKEN ({error})" in caplog.text
    finally:
        slack.close()
