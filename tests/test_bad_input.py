"""Odd, broken and hostile input: a sensible reply or a quiet 200/400, never a 500 or a crash."""

import json
import logging
import urllib.parse

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support import fake_slack
from tests.support.fake_slack import BOT_USER_ID

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"


@pytest.mark.parametrize(
    ("text", "header"),
    [
        ("", "Role Bot"),
        (f"<@{BOT_USER_ID}>", "Role Bot"),
        ("who owns the budget? " + "blah " * 8000, "Budget and Financial Management"),
        ("who\x00 owns the\x00 budget", "Budget and Financial Management"),
        ("🤔🤔 budget 💸", "Budget and Financial Management"),
        ("מי אחראי על התקציב؟ من المسؤول", None),
    ],
)
def test_odd_slash_command_text_gets_a_sensible_private_reply(app, slack, text, header):
    status, body, _ = app.post(fake_slack.slash_command(text, slack.response_url()), FORM)
    assert status == 200
    reply = json.loads(body)
    assert reply["response_type"] == "ephemeral"
    if header:
        assert reply["blocks"][0]["text"]["text"] == header
    else:
        assert "Sorry, I can't answer" in reply["text"]


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"{not json", JSON),
        (b"[1, 2, 3]", JSON),
        (b"payload=%7Bnot+json", FORM),
        (b"payload=%5B%5D", FORM),
        (b"\xff\xfe\xfd", FORM),
    ],
)
def test_malformed_bodies_get_400(app, body, content_type):
    assert app.post(body, content_type)[0] == 400


@pytest.mark.parametrize(
    "payload",
    [
        {"type": "event_callback", "event_id": "Ev0odd0001", "event": {"type": "reaction_added", "user": "U1"}},
        {"type": "event_callback", "event_id": "Ev0odd0002"},
        {"type": "event_callback", "event_id": "Ev0odd0003", "event": {"type": "app_mention"}},
        {"type": "event_callback", "event_id": "Ev0odd0004", "event": {"type": "message", "channel_type": "im"}},
        {"type": "something_new"},
        {},
    ],
)
def test_unknown_or_incomplete_events_are_quietly_acknowledged(app, payload):
    status, _, _ = app.post(json.dumps(payload).encode(), JSON)
    assert status in (200, 400)


@pytest.mark.parametrize(
    ("body", "content_type", "kind"),
    [
        (
            json.dumps({"type": "event_callback", "event_id": "Ev0odd0101", "event": {"type": "reaction_added"}}),
            JSON,
            "event_callback reaction_added",
        ),
        (
            "payload=" + urllib.parse.quote(json.dumps({"type": "block_actions", "actions": [{"action_id": "x"}]})),
            FORM,
            "block_actions",
        ),
    ],
    ids=["event", "button"],
)
def test_a_request_nothing_handles_is_one_log_line(app, caplog, body, content_type, kind):
    caplog.set_level(logging.INFO)
    caplog.clear()
    status, _, _ = app.post(body.encode(), content_type)
    app.settle()
    assert status == 200  # acknowledged, so Slack does not send it again
    assert [record.getMessage() for record in caplog.records] == [f"ignored a request no listener handles: {kind}"]


@pytest.mark.parametrize(
    "payload",
    [
        {"type": "block_actions"},
        {"type": "block_actions", "actions": [{"action_id": "share_answer"}]},
        {
            "type": "block_actions",
            "actions": [{"action_id": "show_answer:0", "value": "not json"}],
            "response_url": "http://127.0.0.1:9/x",
        },
        {"type": "message_action", "callback_id": "answer_with_role_bot"},
        {"type": "view_submission"},
    ],
)
def test_incomplete_interactions_never_fail(app, payload):
    body = urllib.parse.urlencode({"payload": json.dumps(payload)}).encode()
    assert app.post(body, FORM)[0] in (200, 400)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=12,
)
slack_keys = st.sampled_from(
    [
        "type",
        "event",
        "event_id",
        "actions",
        "user",
        "channel",
        "text",
        "command",
        "response_url",
        "callback_id",
        "message",
        "container",
        "payload",
        "challenge",
    ]
)
slack_like = st.dictionaries(slack_keys, json_values, max_size=6)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    kind=st.sampled_from(["json", "form", "payload", "raw"]),
    document=slack_like,
    raw=st.binary(max_size=200),
)
def test_fuzzed_signed_bodies_never_get_a_500(app, kind, document, raw):
    if kind == "json":
        body, content_type = json.dumps(document).encode(), JSON
    elif kind == "form":
        body, content_type = urllib.parse.urlencode({k: json.dumps(v) for k, v in document.items()}).encode(), FORM
    elif kind == "payload":
        body, content_type = urllib.parse.urlencode({"payload": json.dumps(document)}).encode(), FORM
    else:
        body, content_type = raw, FORM
    status, _, _ = app.post(body, content_type)
    assert status < 500


def test_after_the_fuzzing_the_app_still_answers(app, slack):
    status, body, _ = app.post(fake_slack.slash_command("compare", slack.response_url()), FORM)
    assert status == 200
    assert b"Delivery Lead vs Delivery Manager" in body


def test_deeply_nested_json_gets_400(app):
    body = ("[" * 100_000 + "]" * 100_000).encode()
    assert app.post(b'{"a": ' + body + b"}", JSON)[0] == 400
