"""Every Slack surface once more through the real web process, started as the Procfile starts it:
gunicorn, the request checks, Bolt, logging as configured for production, and the fake Slack."""

import json
import os
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request

from bot.procfile import PROJECT_ROOT
from bot.store.store import Store
from tests.support import fake_slack
from tests.support.fake_slack import SIGNING_SECRET, block_actions, event_callback, interaction
from tests.support.processes import clean_environment, free_port, healthy, run_bot, start_web

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"


def _header(message: dict) -> str:
    return message["blocks"][0]["text"]["text"]


def test_health_check(web_process):
    with urllib.request.urlopen(f"{web_process.url}/health", timeout=5) as response:
        assert (response.status, response.read()) == (200, b"ok\n")
    with urllib.request.urlopen(f"{web_process.url}/health/details", timeout=5) as response:
        assert json.loads(response.read())["store"]["dropped"] == 0


def test_slash_command_and_its_share_button(web_process, slack):
    status, body, _ = web_process.post(fake_slack.slash_command("who owns the budget?", slack.response_url()), FORM)
    assert status == 200
    reply = json.loads(body)
    assert (reply["response_type"], _header(reply)) == ("ephemeral", "Budget and Financial Management")
    share = next(block for block in reply["blocks"] if block["type"] == "actions")["elements"][0]
    click = block_actions({"action_id": share["action_id"], "value": share["value"]}, slack.response_url("e2e"), True)
    assert web_process.post(interaction(click), FORM)[0] == 200
    public = next(call for call in slack.wait_for(2, "/respond/e2e") if "blocks" in call.body)
    assert (public.body["response_type"], _header(public.body)) == ("in_channel", "Budget and Financial Management")


def test_mention_and_direct_message_are_answered(web_process, slack):
    mention = fake_slack.mention("who handles risk?", "1700009000.000100", channel="C0E2E0001")
    dm = {"type": "message", "channel_type": "im", "user": "U0ASKER01", "text": "compare", "ts": "1700009000.000200"}
    for event, event_id in ((mention, "Ev0e2e0001"), (dm | {"channel": "D0E2E0001"}, "Ev0e2e0002")):
        assert web_process.post(event_callback(event, event_id), JSON)[0] == 200
    (in_channel,) = slack.posted_in("C0E2E0001")
    (in_dm,) = slack.posted_in("D0E2E0001")
    assert (in_channel.body["thread_ts"], _header(in_channel.body)) == ("1700009000.000100", "Risk Management")
    assert _header(in_dm.body) == "Delivery Lead vs Delivery Manager"


def test_message_shortcut_answers_in_the_thread(web_process, slack):
    payload = fake_slack.message_shortcut("who is responsible for risk on this?", slack.response_url("sc"))
    payload["channel"]["id"] = "C0E2E0002"
    assert web_process.post(interaction(payload), FORM)[0] == 200
    (message,) = slack.posted_in("C0E2E0002")
    assert (message.body["thread_ts"], _header(message.body)) == ("1700000000.000200", "Risk Management")


def test_app_home_is_published(web_process, slack):
    event = {"type": "app_home_opened", "user": "U0HOME001", "channel": "D0DIRECT1", "tab": "home"}
    assert web_process.post(event_callback(event, "Ev0e2ehome"), JSON)[0] == 200
    (call,) = slack.wait_for(1, "/api/views.publish")
    assert call.body["user_id"] == "U0HOME001"


def test_refusals_and_bad_input_are_logged_on_one_line_without_a_traceback(web_process, slack):
    body = fake_slack.slash_command("who owns the budget?", slack.response_url())
    headers = {"X-Slack-Request-Timestamp": "abc", "X-Slack-Signature": "v0="}
    assert web_process.post(body, FORM, sign=False, headers=headers)[0] == 401
    assert web_process.post(b"{not json", JSON)[0] == 400
    log = web_process.log_text()
    assert "refused a request: missing or malformed X-Slack-Request-Timestamp" in log
    assert "refused a signed request: the JSON body does not parse" in log
    assert "Traceback" not in log


def test_secrets_and_tokens_never_appear_in_the_logs_even_at_debug(web_process, slack):
    # Exercise the paths that log the most: a command, an event that posts, and a refusal.
    web_process.post(fake_slack.slash_command("compare", slack.response_url()), FORM)
    event = {"type": "app_mention", "user": "U1", "text": "budget", "ts": "8.8", "channel": "C0E2ELOGS"}
    web_process.post(fake_slack.event_callback(event, "Ev0e2elogs"), JSON)
    slack.posted_in("C0E2ELOGS")
    web_process.post(fake_slack.slash_command("compare", slack.response_url()), FORM, sign=False)
    log = web_process.log_text()
    assert "DEBUG" in log  # the level really was DEBUG
    for secret in (SIGNING_SECRET, fake_slack.BOT_TOKEN, urllib.parse.quote(fake_slack.BOT_TOKEN)):
        assert secret not in log


def test_run_with_http_settings_serves_the_procfile_web_process(slack, tmp_path):
    port = free_port()
    env = clean_environment(
        {
            "PORT": str(port),
            "SLACK_BOT_TOKEN": fake_slack.BOT_TOKEN,
            "SLACK_SIGNING_SECRET": fake_slack.SIGNING_SECRET,
            "SLACK_API_URL": slack.api_url,
        }
    )
    log = tmp_path / "run.log"
    with log.open("w") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "bot", "run"], cwd=PROJECT_ROOT, env=env, stdout=output, stderr=output
        )
    try:
        assert healthy(f"http://127.0.0.1:{port}"), log.read_text()
        assert f"so Role Bot serves HTTP on port {port}" in log.read_text()
    finally:
        process.terminate()
        process.wait(timeout=10)


STALLED_HEADERS = b"POST /slack/events HTTP/1.1\r\nHost: x\r\n"
STALLED_BODY = STALLED_HEADERS + b"Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"


def test_clients_that_never_finish_their_request_cannot_stop_the_server(web_process):
    host, port = "127.0.0.1", int(web_process.url.rsplit(":", 1)[1])
    stalled = []
    for sent in (STALLED_HEADERS, STALLED_BODY) * 12:  # more than the worker's 16 threads in all
        connection = socket.create_connection((host, port), timeout=5)
        connection.sendall(sent)
        stalled.append(connection)
    try:
        assert healthy(web_process.url, timeout=15)
        status, body, _ = web_process.post(fake_slack.slash_command("compare", "http://127.0.0.1:9/x"), FORM)
        assert (status, b"Delivery Lead vs Delivery Manager" in body) == (200, True)
    finally:
        for connection in stalled:
            connection.close()


def test_questions_are_remembered_and_forgotten_on_request(web_process, slack):
    body = fake_slack.slash_command("order me a pizza", slack.response_url(), user_id="U0FORGETME")
    assert [web_process.post(body, FORM)[0] for _ in range(2)] == [200, 200]
    store = Store.open(os.environ["DATABASE_URL"])  # the test run's database, which the process writes to
    try:

        def remembered():
            hashed = store.user_hash("U0FORGETME")
            return [(r.surface, r.text) for r in store.recent_questions() if r.user == hashed]

        deadline = time.monotonic() + 10  # written off the request path: wait for the rows to arrive
        while len(remembered()) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert remembered() == [("command", "order me a pizza")] * 2
        forgotten = run_bot("forget", "U0FORGETME")
        assert (forgotten.returncode, forgotten.stdout.strip()) == (0, "Forgot 2 record(s) of U0FORGETME.")
        assert remembered() == []
    finally:
        store.close()


def test_an_answer_holds_feedback_buttons_and_a_thumbs_down_opens_the_form(web_process, slack):
    status, body, _ = web_process.post(fake_slack.slash_command("who handles risk?", slack.response_url()), FORM)
    assert status == 200
    (feedback,) = [block for block in json.loads(body)["blocks"] if block["type"] == "context_actions"]
    down = feedback["elements"][0]["negative_button"]["value"]
    click = fake_slack.feedback_click(down, slack.response_url("e2e-fb"), trigger_id="9.9.9")
    assert web_process.post(interaction(click), FORM)[0] == 200
    (opened,) = slack.wait_until(lambda call: call.method == "views.open" and call.body.get("trigger_id") == "9.9.9")
    view = opened.body["view"] if isinstance(opened.body["view"], dict) else json.loads(opened.body["view"])
    assert view["callback_id"] == "answer_feedback"


def test_a_declined_question_reaches_the_owners_report(web_process, slack):
    question = "who feeds the office fish on fridays?"
    assert web_process.post(fake_slack.slash_command(question, slack.response_url()), FORM)[0] == 200
    deadline = time.monotonic() + 15  # written off the request path, then read by another process
    while True:
        report = json.loads(run_bot("report", "--json", "--days", "1").stdout)
        found = [group for group in report["declined"] if question in group["examples"]]
        if found or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert found, report


def test_a_follow_up_in_the_thread_is_answered_without_a_mention(web_process, slack):
    mention = fake_slack.mention("who handles risk?", "1700009500.000100", channel="C0E2EFU01")
    assert web_process.post(event_callback(mention, "Ev0e2efu01"), JSON)[0] == 200
    slack.posted_in("C0E2EFU01")
    reply = {
        "type": "message",
        "channel_type": "channel",
        "user": "U0COLLEAG",
        "text": "and for the DM?",
        "ts": "1700009500.000300",
        "thread_ts": "1700009500.000100",
        "channel": "C0E2EFU01",
    }
    assert web_process.post(event_callback(reply, "Ev0e2efu02"), JSON)[0] == 200
    _, answer = slack.posted_in("C0E2EFU01", 2)
    assert answer.body["thread_ts"] == "1700009500.000100"
    assert answer.body["text"].startswith("No — Risk Management")


def test_with_log_format_json_every_line_is_a_json_object(slack, tmp_path):
    web = start_web(slack, tmp_path / "web.log", {"LOG_FORMAT": "json", "LOG_LEVEL": "INFO", "ROLE_STORE": "off"})
    try:
        assert web.post(fake_slack.slash_command("who owns the budget?", slack.response_url()), FORM)[0] == 200
        assert web.post(b"{}", JSON, sign=False)[0] == 401  # a refusal is logged
        assert web.wait_for_log("refused a request")
    finally:
        web.stop()
    lines = [line for line in web.log_text().splitlines() if line.strip()]
    parsed = [json.loads(line) for line in lines]  # every line, gunicorn's included
    assert {"time", "level", "logger", "message"} <= set(parsed[0])
    assert any(line["logger"].startswith("gunicorn") for line in parsed)
    assert fake_slack.BOT_TOKEN not in web.log_text()
