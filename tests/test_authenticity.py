"""Only Slack's correctly signed, fresh requests are handled; everything else is a 401."""

import time

import pytest

from bot.slack.signing import signature_problem
from tests.support import fake_slack
from tests.support.fake_slack import signature

FORM = "application/x-www-form-urlencoded"

# Slack's published signing example.
EXAMPLE_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
EXAMPLE_TIMESTAMP = "1531420618"
EXAMPLE_BODY = (
    b"token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V"
    b"&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text="
    b"&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN"
    b"&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c"
)
EXAMPLE_SIGNATURE = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"


def test_slacks_published_example_verifies_with_the_clock_at_its_timestamp():
    now = int(EXAMPLE_TIMESTAMP)
    assert signature_problem(EXAMPLE_SECRET, EXAMPLE_TIMESTAMP, EXAMPLE_SIGNATURE, EXAMPLE_BODY, now) == ""


@pytest.mark.parametrize("position", [0, 100, len(EXAMPLE_BODY) - 1])
def test_one_changed_byte_fails(position):
    changed = bytearray(EXAMPLE_BODY)
    changed[position] ^= 1
    problem = signature_problem(
        EXAMPLE_SECRET, EXAMPLE_TIMESTAMP, EXAMPLE_SIGNATURE, bytes(changed), int(EXAMPLE_TIMESTAMP)
    )
    assert problem == "X-Slack-Signature does not match"


def test_the_example_is_stale_five_minutes_and_a_second_later():
    later = int(EXAMPLE_TIMESTAMP) + 301
    assert "more than 5 minutes" in signature_problem(
        EXAMPLE_SECRET, EXAMPLE_TIMESTAMP, EXAMPLE_SIGNATURE, EXAMPLE_BODY, later
    )


def _command_body(slack):
    return fake_slack.slash_command("who owns the budget?", slack.response_url("auth"))


def _headers(timestamp: str, sig: str) -> dict:
    return {"X-Slack-Request-Timestamp": timestamp, "X-Slack-Signature": sig}


def test_a_correct_request_is_answered(app, slack):
    status, body, _ = app.post(_command_body(slack), FORM)
    assert status == 200
    assert b"Budget and Financial Management" in body


@pytest.mark.parametrize("offset", [-301, 301, -3600, 86_400])
def test_timestamps_outside_five_minutes_are_refused(app, slack, offset):
    body = _command_body(slack)
    timestamp = str(int(time.time()) + offset)
    status, reply, _ = app.post(body, FORM, sign=False, headers=_headers(timestamp, signature(body, timestamp)))
    assert status == 401
    assert b"Budget" not in reply


def test_a_replayed_request_outside_the_window_is_refused(app, slack):
    body = _command_body(slack)
    old = str(int(time.time()) - 600)
    recorded = _headers(old, signature(body, old))
    assert app.post(body, FORM, sign=False, headers=recorded)[0] == 401


def test_missing_or_wrong_signatures_are_refused_and_nothing_runs(app, slack):
    body = fake_slack.event_callback(
        {"type": "app_mention", "user": "U1", "text": "budget", "ts": "9.9", "channel": "C1"}, "Ev0forged1"
    )
    now = str(int(time.time()))
    wrong_secret = "v0=" + signature(body, now, secret="another-secret")[3:]
    attempts = [
        {},
        {"X-Slack-Request-Timestamp": now},
        _headers(now, wrong_secret),
        _headers(now, signature(body + b" ", now)),
    ]
    for headers in attempts:
        assert app.post(body, "application/json", sign=False, headers=headers)[0] == 401
    app.settle()
    assert slack.calls == []


MALFORMED = [
    ("abc", None),
    ("", None),
    ("1.5", None),
    ("9" * 5000, None),
    (None, "v0="),
    (None, "v1=" + "0" * 64),
    (None, "v0=" + "é" * 64),
    (None, "v0=" + "zz" * 32),
    ("-5", None),
]


@pytest.mark.parametrize(("timestamp", "sig"), MALFORMED)
def test_malformed_headers_get_401_never_500(app, slack, timestamp, sig):
    body = _command_body(slack)
    now = str(int(time.time()))
    headers = _headers(timestamp if timestamp is not None else now, sig if sig is not None else signature(body, now))
    headers = {name: value.encode("utf-8").decode("latin-1") for name, value in headers.items()}
    status, _, _ = app.post(body, FORM, sign=False, headers=headers)
    assert status == 401


def test_bolts_internal_headers_from_outside_change_nothing(app, slack):
    # Bolt reads x-slack-bolt-lazy-only to run a request it sent to itself; anyone can add it to a
    # request Slack signed. Stripped, the mention is answered, and its event id is not used up.
    event = fake_slack.mention("who owns the budget?", "1700006000.000100", channel="C0HEADERS")
    body = fake_slack.event_callback(event, "Ev0headers1")
    headers = {"X-Slack-Bolt-Lazy-Only": "1", "X-Slack-Bolt-Lazy-Function-Name": "answer_mention"}
    assert app.post(body, "application/json", headers)[0] == 200
    app.settle()
    (reply,) = slack.posted_in("C0HEADERS")
    assert reply.body["thread_ts"] == "1700006000.000100"
