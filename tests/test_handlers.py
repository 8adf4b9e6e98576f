"""Each listener on its own, with fakes for ack, respond and the Web API client."""

import json

import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web import SlackResponse

from bot.blocks.messages import SHARE_ACTION, encode_answer
from bot.core.answerer import Answerer
from bot.core.knowledge import DEFAULT_KNOWLEDGE_PATH
from bot.handlers import actions, commands, events, home, shortcuts
from bot.slack.client import APOLOGY


class FakeApp:
    """Collects the listeners a module registers, by kind and name."""

    def __init__(self):
        self.listeners = {}

    def _collect(self, kind, name):
        def decorator(function):
            self.listeners[(kind, str(getattr(name, "pattern", name)))] = function
            return function

        return decorator

    def command(self, name):
        return self._collect("command", name)

    def event(self, name):
        return self._collect("event", name)

    def action(self, name):
        return self._collect("action", name)

    def shortcut(self, name):
        return self._collect("shortcut", name)


class Recorder:
    """Stands in for ack, respond, or a Web API client: records every call."""

    def __init__(self, fail_with=None):
        self.calls = []
        self.fail_with = fail_with

    def __call__(self, **kwargs):
        self.calls.append(("call", kwargs))

    def __getattr__(self, method):
        def call(**kwargs):
            self.calls.append((method, kwargs))
            if self.fail_with:
                response = SlackResponse(
                    client=None,
                    http_verb="POST",
                    api_url="",
                    req_args={},
                    data={"ok": False, "error": self.fail_with},
                    headers={},
                    status_code=200,
                )
                raise SlackApiError("failed", response)

        return call


@pytest.fixture(scope="module")
def listeners():
    app = FakeApp()
    answerer = Answerer.from_file(DEFAULT_KNOWLEDGE_PATH)
    for module in (commands, events, actions, shortcuts, home):
        module.register(app, answerer)
    return app.listeners


def _blocks_text(kwargs):
    return json.dumps([block if isinstance(block, dict) else block.to_dict() for block in kwargs["blocks"]])


def test_command_acknowledges_with_the_answer(listeners):
    ack = Recorder()
    listeners[("command", "/role")](ack=ack, command={"text": "who handles risk?"})
    ((_, kwargs),) = ack.calls
    assert kwargs["response_type"] == "ephemeral"
    assert "Risk Management" in _blocks_text(kwargs)


def test_mention_replies_in_thread(listeners):
    client = Recorder()
    event = {"type": "app_mention", "user": "U1", "text": "<@UBOT> budget", "ts": "5.5", "channel": "C1"}
    listeners[("event", "app_mention")](event=event, client=client, context={"bot_user_id": "UBOT"})
    ((method, kwargs),) = client.calls
    assert (method, kwargs["channel"], kwargs["thread_ts"]) == ("chat_postMessage", "C1", "5.5")


@pytest.mark.parametrize(
    "event",
    [
        {"type": "message", "channel_type": "channel", "user": "U1", "text": "budget", "ts": "1", "channel": "C1"},
        {"type": "message", "channel_type": "im", "subtype": "message_changed", "ts": "1", "channel": "D1"},
        {"type": "message", "channel_type": "im", "user": "UBOT", "text": "budget", "ts": "1", "channel": "D1"},
        {"type": "message", "channel_type": "im", "bot_id": "B2", "text": "budget", "ts": "1", "channel": "D1"},
    ],
)
def test_messages_that_are_not_a_persons_dm_are_left_alone(listeners, event):
    client = Recorder()
    listeners[("event", "message")](event=event, client=client, context={"bot_user_id": "UBOT"})
    assert client.calls == []


def test_share_posts_publicly_and_removes_the_private_copy(listeners, ask):
    respond = Recorder()
    action = {"action_id": SHARE_ACTION, "value": encode_answer(ask("who owns the budget"))}
    listeners[("action", SHARE_ACTION)](
        ack=Recorder(), body={"user": {"id": "U0ABC123"}}, action=action, respond=respond
    )
    (_, public), (_, removal) = respond.calls
    assert public["response_type"] == "in_channel"
    assert "Shared by <@U0ABC123>" in _blocks_text(public)
    assert removal == {"delete_original": True}


def test_a_tampered_button_value_gets_a_polite_reply(listeners):
    respond = Recorder()
    action = {"action_id": SHARE_ACTION, "value": '{"e": "<!channel>"}'}
    listeners[("action", SHARE_ACTION)](ack=Recorder(), body={}, action=action, respond=respond)
    ((_, kwargs),) = respond.calls
    assert kwargs["text"] == actions.GONE


def test_shortcut_in_a_channel_without_the_bot_answers_privately(listeners):
    client, respond = Recorder(fail_with="not_in_channel"), Recorder()
    shortcut = {
        "user": {"id": "U0MANAGER"},
        "channel": {"id": "C9"},
        "message": {"text": "who handles risk?", "ts": "7.7"},
    }
    listeners[("shortcut", "answer_with_role_bot")](ack=Recorder(), shortcut=shortcut, client=client, respond=respond)
    (_, note), (_, answer) = respond.calls
    assert "invite me" in note["text"]
    assert "Risk Management" in _blocks_text(answer)


def test_home_is_published_for_the_user_who_opened_it(listeners):
    client = Recorder()
    listeners[("event", "app_home_opened")](event={"user": "U1", "tab": "home"}, client=client)
    ((method, kwargs),) = client.calls
    assert (method, kwargs["user_id"]) == ("views_publish", "U1")


def test_home_is_not_republished_for_the_messages_tab(listeners):
    client = Recorder()
    listeners[("event", "app_home_opened")](event={"user": "U1", "tab": "messages"}, client=client)
    assert client.calls == []


class BrokenAnswerer:
    """An answerer with a bug in it."""

    knowledge = Answerer.from_file(DEFAULT_KNOWLEDGE_PATH).knowledge

    def answer(self, text):
        raise RuntimeError("a bug")


@pytest.fixture(scope="module")
def broken_listeners():
    app = FakeApp()
    for module in (commands, events, actions, shortcuts, home):
        module.register(app, BrokenAnswerer())
    return app.listeners


def test_a_failing_command_acknowledges_with_an_apology(broken_listeners):
    ack = Recorder()
    broken_listeners[("command", "/role")](ack=ack, command={"text": "budget"})
    ((_, kwargs),) = ack.calls
    assert kwargs["text"] == APOLOGY


def test_a_failing_mention_apologises_in_the_thread(broken_listeners):
    client = Recorder()
    event = {"type": "app_mention", "user": "U1", "text": "budget", "ts": "3.3", "channel": "C1"}
    broken_listeners[("event", "app_mention")](event=event, client=client, context={})
    ((method, kwargs),) = client.calls
    assert (method, kwargs["thread_ts"], kwargs["text"]) == ("chat_postMessage", "3.3", APOLOGY)


def test_a_failing_shortcut_apologises_privately(broken_listeners):
    respond = Recorder()
    shortcut = {"user": {"id": "U1"}, "channel": {"id": "C1"}, "message": {"text": "budget", "ts": "4.4"}}
    broken_listeners[("shortcut", "answer_with_role_bot")](
        ack=Recorder(), shortcut=shortcut, client=Recorder(), respond=respond
    )
    ((_, kwargs),) = respond.calls
    assert kwargs["text"] == APOLOGY


def test_an_edited_mention_is_not_answered_again(listeners):
    client = Recorder()
    event = {
        "type": "app_mention",
        "user": "U1",
        "text": "<@UBOT> budget",
        "ts": "5.5",
        "channel": "C1",
        "edited": {"user": "U1", "ts": "6.0"},
    }
    listeners[("event", "app_mention")](event=event, client=client, context={"bot_user_id": "UBOT"})
    assert client.calls == []
