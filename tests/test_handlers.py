"""Each listener on its own, imported and called with mocks for ack, respond and the Web API client,
as Slack's starter template tests its listeners; the answerer comes in the context, as in the app."""

import json
from unittest.mock import Mock

import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web import SlackResponse

from bot.blocks.messages import APOLOGY, GONE, SHARE_ACTION, encode_answer
from bot.handlers.actions import share_answer
from bot.handlers.commands import answer_command
from bot.handlers.context import ANSWERER, answerer_in
from bot.handlers.events import answer_dm_or_thread_reply, answer_mention
from bot.handlers.home import publish_home
from bot.handlers.shortcuts import answer_message


@pytest.fixture
def context(answerer):
    return {ANSWERER: answerer, "bot_user_id": "UBOT"}


@pytest.fixture
def broken_context(answerer):
    """An answerer with a bug in it."""
    broken = Mock(knowledge=answerer.knowledge)
    broken.answer.side_effect = RuntimeError("a bug")
    return {ANSWERER: broken}


def _slack_error(code):
    response = SlackResponse(
        client=None,
        http_verb="POST",
        api_url="",
        req_args={},
        data={"ok": False, "error": code},
        headers={},
        status_code=200,
    )
    return SlackApiError("failed", response)


def _blocks_text(kwargs):
    return json.dumps([block if isinstance(block, dict) else block.to_dict() for block in kwargs["blocks"]])


def test_command_acknowledges_with_the_answer(context):
    ack = Mock()
    answer_command(ack=ack, command={"text": "who handles risk?"}, context=context)
    ack.assert_called_once()
    (body,) = ack.call_args.args  # the whole message, as the JSON text of the response
    message = json.loads(body)
    assert message["response_type"] == "ephemeral"
    assert "Risk Management" in _blocks_text(message)


def test_mention_replies_in_thread(context):
    client = Mock()
    event = {"type": "app_mention", "user": "U1", "text": "<@UBOT> budget", "ts": "5.5", "channel": "C1"}
    answer_mention(event=event, client=client, context=context)
    client.chat_postMessage.assert_called_once()
    sent = client.chat_postMessage.call_args.kwargs
    assert (sent["channel"], sent["thread_ts"]) == ("C1", "5.5")


@pytest.mark.parametrize(
    "event",
    [
        {"type": "message", "channel_type": "channel", "user": "U1", "text": "budget", "ts": "1", "channel": "C1"},
        {"type": "message", "channel_type": "im", "subtype": "message_changed", "ts": "1", "channel": "D1"},
        {"type": "message", "channel_type": "im", "user": "UBOT", "text": "budget", "ts": "1", "channel": "D1"},
        {"type": "message", "channel_type": "im", "bot_id": "B2", "text": "budget", "ts": "1", "channel": "D1"},
    ],
)
def test_messages_that_are_not_a_persons_dm_are_left_alone(context, event):
    client = Mock()
    answer_dm_or_thread_reply(event=event, client=client, context=context)
    assert client.mock_calls == []


def test_share_posts_publicly_and_removes_the_private_copy(context, ask):
    respond = Mock(return_value=Mock(status_code=200))
    action = {"action_id": SHARE_ACTION, "value": encode_answer(ask("who owns the budget"))}
    share_answer(ack=Mock(), body={"user": {"id": "U0ABC123"}}, action=action, respond=respond, context=context)
    public, removal = (call.kwargs for call in respond.call_args_list)
    assert public["response_type"] == "in_channel"
    assert "Shared by <@U0ABC123>" in _blocks_text(public)
    assert removal == {"delete_original": True}


@pytest.mark.parametrize(
    "value",
    [
        '{"e": "<!channel>"}',
        '{"e": "compare", "r": [[1]]}',  # a list where a role id belongs
        '{"e": "compare", "r": ["delivery-lead", "delivery-lead"]}',  # a role compared with itself
        '{"e": "role/delivery-lead", "a": [1]}',
        '{"e": "role/delivery-lead", "v": {"x": 1}}',
        '{"m": [{"e": "compare", "r": [{}]}, 1]}',
        "[" * 100_000 + "]" * 100_000,  # deeper than the JSON parser goes
        '{"e": "help", "pad": "' + "x" * 3000 + '"}',  # longer than Slack lets a value be
        "not json",
    ],
    ids=["markup", "nested-role", "self-comparison", "list-asked", "dict-verdict", "bad-parts", "deep", "long", "text"],
)
def test_a_tampered_button_value_gets_a_polite_reply(context, value):
    respond, ack = Mock(return_value=Mock(status_code=200)), Mock()
    action = {"action_id": SHARE_ACTION, "value": value}
    share_answer(ack=ack, body={}, action=action, respond=respond, context=context)
    ack.assert_called_once_with()
    respond.assert_called_once()
    assert respond.call_args.kwargs["text"] == GONE


def test_shortcut_in_a_channel_without_the_bot_answers_privately(context):
    client, respond = Mock(), Mock(return_value=Mock(status_code=200))
    client.chat_postMessage.side_effect = _slack_error("not_in_channel")
    shortcut = {
        "user": {"id": "U0MANAGER"},
        "channel": {"id": "C9"},
        "message": {"text": "who handles risk?", "ts": "7.7"},
    }
    answer_message(ack=Mock(), shortcut=shortcut, client=client, respond=respond, context=context)
    note, answer = (call.kwargs for call in respond.call_args_list)
    assert "invite me" in note["text"]
    assert "Risk Management" in _blocks_text(answer)


def test_home_is_published_for_the_user_who_opened_it(context):
    client = Mock()
    publish_home(event={"user": "U1", "tab": "home"}, client=client, context=context)
    client.views_publish.assert_called_once()
    assert client.views_publish.call_args.kwargs["user_id"] == "U1"


def test_home_is_not_republished_for_the_messages_tab(context):
    client = Mock()
    publish_home(event={"user": "U1", "tab": "messages"}, client=client, context=context)
    assert client.mock_calls == []


def test_a_failing_command_acknowledges_with_an_apology(broken_context):
    ack = Mock()
    answer_command(ack=ack, command={"text": "budget"}, context=broken_context)
    ack.assert_called_once_with(response_type="ephemeral", text=APOLOGY)


def test_a_failing_mention_apologises_in_the_thread(broken_context):
    client = Mock()
    event = {"type": "app_mention", "user": "U1", "text": "budget", "ts": "3.3", "channel": "C1"}
    answer_mention(event=event, client=client, context=broken_context)
    client.chat_postMessage.assert_called_once_with(channel="C1", thread_ts="3.3", text=APOLOGY)


def test_a_failing_shortcut_apologises_privately(broken_context):
    respond = Mock(return_value=Mock(status_code=200))
    shortcut = {"user": {"id": "U1"}, "channel": {"id": "C1"}, "message": {"text": "budget", "ts": "4.4"}}
    answer_message(ack=Mock(), shortcut=shortcut, client=Mock(), respond=respond, context=broken_context)
    respond.assert_called_once()
    assert respond.call_args.kwargs["text"] == APOLOGY


def test_an_edited_mention_is_not_answered_again(context):
    client = Mock()
    event = {
        "type": "app_mention",
        "user": "U1",
        "text": "<@UBOT> budget",
        "ts": "5.5",
        "channel": "C1",
        "edited": {"user": "U1", "ts": "6.0"},
    }
    answer_mention(event=event, client=client, context=context)
    assert client.mock_calls == []


def test_a_listener_without_the_shared_answerer_says_how_to_build_the_app():
    with pytest.raises(LookupError, match="build_app"):
        answerer_in({})


def test_each_answer_is_handed_to_the_recorder_in_the_context(context):
    recorder = Mock()
    context = context | {"recorder": recorder, "team_id": "T0TEAM123"}
    answer_command(ack=Mock(), command={"text": "who handles risk?", "user_id": "U0ASKER01"}, context=context)
    event = {"type": "app_mention", "user": "U0ASKER02", "text": "<@UBOT> budget", "ts": "5.5", "channel": "C1"}
    answer_mention(event=event, client=Mock(), context=context)
    calls = [call.args for call in recorder.question.call_args_list]
    assert [(surface, workspace, user) for _, _, surface, workspace, user in calls] == [
        ("command", "T0TEAM123", "U0ASKER01"),
        ("mention", "T0TEAM123", "U0ASKER02"),
    ]
    assert calls[0][0].entry_id == "delivery-lead/risk-management"
