"""Slack's Web API down or slow while Role Bot starts, reloads or stops: the process stays up, says so
in its health details, answers what needs no Web API, answers mentions again once Slack does, and
sends the answers in hand before it stops. Only a token Slack refuses stops the start, with one line
that names it."""

import json
import logging
import signal
import socket
import threading
import time
import urllib.request

import pytest

from bot.slack.identity import Identity, TokenRefused
from tests.support import fake_slack
from tests.support.fake_slack import FakeSlack, event_callback, mention
from tests.support.in_process import InProcessApp
from tests.support.processes import APP, _start, free_port, procfile_command, start_web
from tests.support.waiting import until

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"


def _details(url: str) -> dict:
    with urllib.request.urlopen(f"{url}/health/details", timeout=5) as response:
        return json.loads(response.read())


def test_the_identity_is_found_once_slack_answers_again(slack, caplog):
    slack.outage(1.0)
    identity = Identity(fake_slack.BOT_TOKEN, slack.api_url, retry_seconds=(0.2, 0.5))
    identity.start()  # does not raise, does not wait for Slack
    assert identity.status() == {"slack": "unreachable"}
    assert identity.authorize(None, fake_slack.TEAM_ID, "U0ASKER01").bot_user_id is None
    assert until(lambda: identity.status() == {"slack": "ok"}, timeout=10)
    assert identity.authorize(None, fake_slack.TEAM_ID, "U0ASKER01").bot_user_id == fake_slack.BOT_USER_ID
    outage_lines = [record for record in caplog.records if "not answering" in record.getMessage()]
    assert len(outage_lines) == 1  # logged once, however many lookups failed
    identity.stop()


def test_a_stalled_slack_holds_the_start_for_one_short_try_only():
    listener = socket.create_server(("127.0.0.1", 0))  # accepts, never answers
    accepted = []
    threading.Thread(target=lambda: accepted.append(listener.accept()), daemon=True).start()
    url = f"http://127.0.0.1:{listener.getsockname()[1]}/api/"
    identity = Identity(fake_slack.BOT_TOKEN, url, lookup_seconds=1)
    started = time.monotonic()
    identity.start()
    assert time.monotonic() - started < 2.5  # one lookup, not the client's retries
    assert identity.status() == {"slack": "unreachable"}
    identity.stop()
    listener.close()


@pytest.mark.parametrize("error", ["invalid_auth", "token_revoked", "account_inactive"])
def test_a_refused_token_stops_the_start_with_one_line_naming_it(slack, error):
    slack.fail_next("auth.test", 200, {"ok": False, "error": error})
    identity = Identity(fake_slack.BOT_TOKEN, slack.api_url)
    with pytest.raises(TokenRefused, match=f"SLACK_BOT_TOKEN \\({error}\\)"):
        identity.start()


def test_while_slack_is_down_role_is_answered_and_a_mention_in_a_thread_once(answerer):
    down = FakeSlack()
    down.outage(60)
    app = InProcessApp(down, answerer)
    try:
        status, body, _ = app.post(fake_slack.slash_command("who owns the budget?", down.response_url()), FORM)
        assert status == 200
        assert "budget" in body.decode().lower()  # the answer travels in the acknowledgement
        down.recover()
        # A mention in a thread arrives twice (app_mention and message): with the bot's id unknown, only
        # the mention answers it.
        event = mention("what does a delivery lead do?", "1700000001.000200", thread_ts="1700000000.000100")
        app.post(event_callback(event, "Ev0outage1"), JSON)
        app.post(event_callback({**event, "type": "message", "channel_type": "channel"}, "Ev0outage2"), JSON)
        app.settle()
        assert len(down.posted(1)) == 1
    finally:
        app.close()
        down.close()


def test_the_web_process_starts_and_reloads_while_slack_is_down_and_answers_once_it_is_back(slack, tmp_path):
    slack.outage(60, status=0)  # connections reset
    web = start_web(slack, tmp_path / "web.log", {"LOG_LEVEL": "INFO", "ROLE_STORE": "off"})
    try:
        assert _details(web.url)["slack"] == "unreachable"
        slack.recover()
        assert until(lambda: _details(web.url)["slack"] == "ok")
        # A reload (SIGHUP) while Slack is down again: the new worker starts without it.
        slack.outage(60)
        web.process.send_signal(signal.SIGHUP)
        assert until(lambda: _details(web.url)["slack"] == "unreachable")
        web.post(event_callback(mention("who owns the budget?", "1700000002.000100"), "Ev0outage3"), JSON)
        slack.recover()
        web.post(event_callback(mention("who handles risk?", "1700000003.000100"), "Ev0outage4"), JSON)
        answered = slack.wait_until(lambda call: "risk" in json.dumps(call.body).lower(), timeout=15)
        assert answered
        assert web.process.poll() is None
        log = web.log_text()
        assert "Traceback" not in log
        assert log.count("Slack's Web API is not answering") == 2  # once for each worker's outage
        assert "Failed to send a request to Slack API server" not in log  # slack_sdk's copy of it
    finally:
        web.stop()


def test_a_revoked_token_stops_the_web_process_with_one_clear_line(slack, tmp_path):
    slack.fail_next("auth.test", 200, {"ok": False, "error": "token_revoked"})
    env = {
        "PORT": str(free_port()),
        "SLACK_BOT_TOKEN": fake_slack.BOT_TOKEN,
        "SLACK_SIGNING_SECRET": fake_slack.SIGNING_SECRET,
        "SLACK_API_URL": slack.api_url,
        "ROLE_STORE": "off",
    }
    log = tmp_path / "web.log"
    process = _start(procfile_command("web").replace(APP, APP), env, log)
    assert process.wait(timeout=30) != 0
    text = log.read_text()
    assert "Slack refused SLACK_BOT_TOKEN (token_revoked)" in text
    assert text.count("SLACK_BOT_TOKEN") == 1
    assert "Traceback" not in text
    assert fake_slack.BOT_TOKEN not in text


def test_the_identity_logs_nothing_when_slack_answers(slack, caplog):
    caplog.set_level(logging.INFO)
    identity = Identity(fake_slack.BOT_TOKEN, slack.api_url)
    identity.start()
    assert identity.status() == {"slack": "ok"}
    assert not [record for record in caplog.records if record.name == "bot.slack.identity"]


def test_stopping_the_web_process_sends_every_answer_in_hand_first(slack, tmp_path):
    web = start_web(slack, tmp_path / "web.log", {"LOG_LEVEL": "INFO", "ROLE_STORE": "off"})
    try:
        slack.delay_seconds = 0.5  # each answer takes Slack half a second to take
        for number in range(5):
            event = mention("who owns the budget?", f"1700005000.{number:06d}", channel="C0STOPPING")
            assert web.post(event_callback(event, f"Ev0stop{number:04d}"), JSON)[0] == 200
        web.process.send_signal(signal.SIGTERM)
        assert web.process.wait(timeout=30) == 0
    finally:
        slack.delay_seconds = 0.0
        web.stop()
    answered = {call.body["thread_ts"] for call in slack.posted_in("C0STOPPING", count=0, timeout=0)}
    assert answered == {f"1700005000.{number:06d}" for number in range(5)}
