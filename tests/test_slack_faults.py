"""Slack's Web API failing in every way it does: the answer still gets through where it can,
nothing loops forever, and the app keeps serving."""

import logging
import time

import pytest
from slack_sdk.http_retry import FixedValueRetryIntervalCalculator

from tests.support import fake_slack
from tests.support.fake_slack import STALL, FakeSlack, event_callback, mention, slash_command
from tests.support.in_process import InProcessApp

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"

HTML_ERROR = "<html><body><h1>502 Bad Gateway</h1></body></html>"


def _mention(app, event_id: str, question: str = "who owns the budget?") -> None:
    event = fake_slack.mention(question, f"1700002000.{event_id[-6:]}", channel="C0FAULTS1")
    assert app.post(fake_slack.event_callback(event, event_id), "application/json")[0] == 200


@pytest.fixture(autouse=True)
def warnings_logged(caplog):
    caplog.set_level(logging.WARNING)


@pytest.fixture
def quick_backoff(app):
    """Back off for 10 ms instead of seconds: what is checked is how often, not how long."""
    handlers = app.app.client.retry_handlers
    saved = [handler.interval_calculator for handler in handlers]
    for handler in handlers:
        handler.interval_calculator = FixedValueRetryIntervalCalculator(0.01)
    yield
    for handler, calculator in zip(handlers, saved, strict=True):
        handler.interval_calculator = calculator


def test_rate_limit_is_retried_after_the_delay_slack_asks_for(app, slack):
    slack.fail_next("chat.postMessage", 429, {"ok": False, "error": "ratelimited"}, {"Retry-After": "1"})
    _mention(app, "Ev0fault000001")
    first, second = slack.posted(2)
    assert second.at - first.at >= 0.9
    assert second.body["blocks"][0]["text"]["text"] == "Budget and Financial Management"


@pytest.mark.usefixtures("quick_backoff")
def test_a_dropped_connection_is_retried(app, slack):
    slack.fail_next("chat.postMessage", 0)
    _mention(app, "Ev0fault000002")
    assert len(slack.posted(2)) == 2


@pytest.mark.parametrize(
    ("status", "body"),
    [(500, {"ok": False, "error": "internal_error"}), (503, "Service Unavailable"), (502, HTML_ERROR)],
)
@pytest.mark.usefixtures("quick_backoff")
def test_server_errors_are_retried_a_bounded_number_of_times_then_logged(app, slack, caplog, status, body):
    for _ in range(10):
        slack.fail_next("chat.postMessage", status, body)
    _mention(app, f"Ev0fault1{status}0")
    app.settle()
    assert len(slack.posted(1)) == 3
    assert "could not post an answer in C0FAULTS1" in caplog.text
    slack.failures.clear()
    _mention(app, f"Ev0fault2{status}0", "compare")  # and the app keeps serving
    assert len(slack.posted(4)) == 4


@pytest.mark.parametrize("error", ["channel_not_found", "not_in_channel", "msg_too_long"])
def test_errors_slack_reports_are_not_retried_and_are_logged_with_their_code(app, slack, caplog, error):
    slack.fail_next("chat.postMessage", 200, {"ok": False, "error": error})
    _mention(app, f"Ev0fault3{error[:5]}")
    app.settle()
    assert len(slack.posted(1)) == 1
    assert f"could not post an answer in C0FAULTS1, thread 1700002000.3{error[:5]}" in caplog.text
    assert f": {error}; lost: delivery-manager/budget-financial-management" in caplog.text


@pytest.mark.usefixtures("quick_backoff")
def test_a_post_that_times_out_is_logged_with_the_answer_that_was_lost(app, slack, caplog):
    client = app.app.client
    saved, client.timeout = client.timeout, 1  # seconds; each try (of three) waits this long
    slack.outage(5.0, status=STALL)
    try:
        _mention(app, "Ev0fault000005", "who handles risk?")
        app.settle()
    finally:
        slack.recover()
        client.timeout = saved
    (line,) = [record.getMessage() for record in caplog.records if "could not post" in record.getMessage()]
    assert line.startswith("could not post an answer in C0FAULTS1, thread 1700002000.000005: ")
    assert "timed out" in line
    assert line.endswith("; lost: delivery-lead/risk-management")


def test_invalid_blocks_fall_back_to_a_plain_text_answer(app, slack):
    slack.fail_next("chat.postMessage", 200, {"ok": False, "error": "invalid_blocks"})
    _mention(app, "Ev0fault000004")
    first, second = slack.posted(2)
    assert "blocks" in first.body
    assert "blocks" not in second.body
    assert second.body["text"].startswith("The Delivery Manager.")


def test_role_is_acknowledged_at_once_while_replies_wait_on_a_stalled_slack(answerer):
    # Every reply thread is held by Slack (chat.postMessage hangs): /role is answered in its own
    # acknowledgement on the request's thread, and does not wait for any of them.
    stalled = FakeSlack()
    app = InProcessApp(stalled, answerer, threads=4)
    try:
        stalled.outage(4.0, status=STALL)
        for number in range(10):  # more than there are reply threads
            event = mention("who owns the budget?", f"1700004000.{number:06d}", channel="C0STALL01")
            assert app.post(event_callback(event, f"Ev0stall{number:04d}"), JSON)[0] == 200
        assert len(stalled.wait_for(4, "/api/chat.postMessage")) == 4  # every reply thread is held
        assert app.pool.pending == 10
        started = time.monotonic()
        status, body, _ = app.post(slash_command("who handles risk?", stalled.response_url()), FORM)
        assert time.monotonic() - started < 1.0  # sharing the reply threads, it would wait seconds
        assert status == 200
        assert "Risk Management" in body.decode()
    finally:
        stalled.recover()
        app.close()
        stalled.close()
