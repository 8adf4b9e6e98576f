"""Socket Mode end to end: the Procfile's worker process, connected through a fake
apps.connections.open to a local Socket Mode endpoint, answers a slash command and a mention."""

import os
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

import pytest

from tests import fake_slack
from tests.fake_slack import FakeSlack, event_envelope, mention
from tests.fake_socket_mode import FakeSocketMode

ROOT = Path(__file__).resolve().parent.parent


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
    command = next(
        line.partition(":")[2].strip()
        for line in (ROOT / "Procfile").read_text().splitlines()
        if line.startswith("worker:")
    )
    env = {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        "SLACK_BOT_TOKEN": fake_slack.BOT_TOKEN,
        "SLACK_APP_TOKEN": fake_slack.APP_TOKEN,
        "SLACK_API_URL": slack.api_url,
    }
    env.pop("SLACK_SIGNING_SECRET", None)
    log = tmp_path_factory.mktemp("worker") / "worker.log"
    with log.open("w") as output:
        process = subprocess.Popen(["sh", "-c", f"exec {command}"], cwd=ROOT, env=env, stdout=output, stderr=output)
    if not socket_mode.wait_connected():
        process.kill()
        pytest.fail(f"the worker did not connect:\n{log.read_text()}")
    yield process
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()


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


@pytest.mark.usefixtures("worker")
def test_a_redelivered_event_is_answered_once(endpoints):
    slack, socket_mode = endpoints
    slack.calls.clear()
    payload = event_envelope(mention("compare", "1700000950.000100", channel="C0CHAN002"), "Ev0socket2")
    for _ in range(3):
        assert socket_mode.ack_for(socket_mode.send("events_api", payload)) is not None
    assert len(slack.posted(1)) == 1
    time.sleep(0.5)
    assert len(slack.posted(1)) == 1


def _mention_payload(event_id: str, ts: str, question: str = "who owns the budget?") -> dict:
    return event_envelope(mention(question, ts, channel="C0RECONN1"), event_id)


@pytest.mark.usefixtures("worker")
def test_after_slack_asks_to_reconnect_the_bot_reconnects_and_keeps_answering(endpoints):
    slack, socket_mode = endpoints
    slack.calls.clear()
    before = socket_mode.connection_count
    socket_mode.send_raw({"type": "disconnect", "reason": "refresh_requested", "debug_info": {"host": "test"}})
    assert socket_mode.wait_connected(before + 1)
    assert (
        socket_mode.ack_for(socket_mode.send("events_api", _mention_payload("Ev0recon01", "1700003000.000100")))
        is not None
    )
    (message,) = slack.posted(1)
    assert message.body["thread_ts"] == "1700003000.000100"


@pytest.mark.usefixtures("worker")
def test_after_a_dropped_connection_the_bot_reconnects_and_answers_a_redelivery_once(endpoints):
    slack, socket_mode = endpoints
    slack.calls.clear()
    payload = _mention_payload("Ev0recon02", "1700003100.000100", "compare")
    assert socket_mode.ack_for(socket_mode.send("events_api", payload)) is not None
    assert len(slack.posted(1)) == 1
    before = socket_mode.connection_count
    socket_mode.drop()
    assert socket_mode.wait_connected(before + 1)
    redelivery = socket_mode.send("events_api", payload)  # Slack redelivers what it did not see acknowledged
    assert socket_mode.ack_for(redelivery) is not None
    time.sleep(0.5)
    assert len(slack.posted(1)) == 1
