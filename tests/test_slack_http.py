"""Every Slack surface in process: signed requests shaped like Slack's, through the same request
checks and Bolt app the web process serves, and a fake Slack on 127.0.0.1 recording what the bot sent."""

import json

import pytest

from tests.support import fake_slack
from tests.support.fake_slack import BOT_USER_ID, block_actions, event_callback, interaction

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"


def _command(app, slack, text):
    status, body, headers = app.post(fake_slack.slash_command(text, slack.response_url()), FORM)
    assert status == 200
    assert headers["content-type"].startswith("application/json")  # else Slack shows the body as text
    return json.loads(body)


def _event(app, event, event_id):
    status, _, _ = app.post(event_callback(event, event_id), JSON)
    assert status == 200


def _actions(message: dict) -> list[dict]:
    return [element for block in message["blocks"] if block["type"] == "actions" for element in block["elements"]]


def _header(message: dict) -> str:
    return message["blocks"][0]["text"]["text"]


def test_health_check(app):
    status, body, _ = app.get("/health")
    assert (status, body) == (200, b"ok\n")


def test_url_verification_challenge_is_answered(app):
    body = json.dumps(
        {"type": "url_verification", "challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P", "token": "t"}
    )
    status, reply, _ = app.post(body.encode(), JSON)
    assert status == 200
    assert b"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P" in reply


def test_unsigned_request_is_refused(app, slack):
    status, _, _ = app.post(fake_slack.slash_command("compare", slack.response_url()), FORM, sign=False)
    assert status == 401


def test_slash_command_answers_privately_in_the_acknowledgement(app, slack):
    reply = _command(app, slack, "who handles risk?")
    assert reply["response_type"] == "ephemeral"
    assert _header(reply) == "Risk Management"
    assert "The Delivery Lead" in reply["text"] + json.dumps(reply["blocks"])
    assert _actions(reply)[0]["text"]["text"] == "Share in channel"


def test_a_question_holding_the_word_payload_is_answered_like_any_other(app, slack):
    # Interactions arrive as a form with a `payload` field; a slash command whose text holds the word
    # is still a slash command (Bolt alone reads it as an interaction with no payload, and drops it).
    assert _header(_command(app, slack, "who handles the risk payload?")) == "Risk Management"


@pytest.mark.parametrize("text", ["", "help"])
def test_slash_command_alone_or_help_explains_itself(app, slack, text):
    reply = _command(app, slack, text)
    assert _header(reply) == "Role Bot"
    assert "/role compare" in json.dumps(reply["blocks"])


def test_slash_compare_shows_the_roles_side_by_side(app, slack):
    reply = _command(app, slack, "compare delivery lead and delivery manager")
    assert _header(reply) == "Delivery Lead vs Delivery Manager"
    rows = [block for block in reply["blocks"] if "fields" in block and "text" in block]
    assert [row["text"]["text"] for row in rows] == ["*Focus*", "*Scope*", "*Stakeholder Interaction*"]


def test_slash_role_name_answers_with_the_role(app, slack):
    assert _header(_command(app, slack, "delivery manager")) == "Delivery Manager"


def test_slash_related_buttons_lead_to_the_comparison_and_the_other_role(app, slack):
    labels = [button["text"]["text"] for button in _actions(_command(app, slack, "who owns the budget?"))]
    assert labels[:3] == ["Share in channel", "Compare Delivery Lead and Delivery Manager", "Delivery Lead"]
    assert any(label.startswith("Example:") for label in labels)


def test_share_button_posts_the_answer_publicly_with_who_shared_it(app, slack):
    share = _actions(_command(app, slack, "who owns the budget?"))[0]
    payload = block_actions(
        {"action_id": share["action_id"], "value": share["value"]}, slack.response_url("share"), True
    )
    status, _, _ = app.post(interaction(payload), FORM)
    assert status == 200
    public, removal = slack.responses(2)
    assert public.body["response_type"] == "in_channel"
    assert public.body["blocks"][0]["text"]["text"] == "Budget and Financial Management"
    assert "Shared by <@U0ASKER01>" in json.dumps(public.body["blocks"])
    assert removal.body["delete_original"] is True


def test_did_you_mean_buttons_answer_the_chosen_entry(app, slack):
    reply = _command(app, slack, "who coordinates?")
    choices = _actions(reply)
    assert [choice["text"]["text"] for choice in choices] == [
        "Team Coordination (Delivery Lead)",
        "Cross-Functional Coordination (Delivery Manager)",
    ]
    chosen = choices[1]
    payload = block_actions(
        {"action_id": chosen["action_id"], "value": chosen["value"]}, slack.response_url("pick"), True
    )
    app.post(interaction(payload), FORM)
    (response,) = slack.responses(1)
    assert response.body["replace_original"] is True
    assert response.body["blocks"][0]["text"]["text"] == "Cross-Functional Coordination"


def test_mention_in_a_channel_answers_in_a_thread_under_it(app, slack):
    _event(app, fake_slack.mention("who owns the budget?", "1700000100.000100"), "Ev0mention1")
    (message,) = slack.posted(1)
    assert message.body["channel"] == "C0CHAN001"
    assert message.body["thread_ts"] == "1700000100.000100"
    assert message.body["blocks"][0]["text"]["text"] == "Budget and Financial Management"
    assert message.body["unfurl_links"] is False


def test_mention_inside_a_thread_answers_in_that_thread(app, slack):
    event = fake_slack.mention("compare", "1700000200.000300", thread_ts="1700000200.000100")
    _event(app, event, "Ev0mention2")
    (message,) = slack.posted(1)
    assert message.body["thread_ts"] == "1700000200.000100"
    assert message.body["blocks"][0]["text"]["text"] == "Delivery Lead vs Delivery Manager"


def test_a_question_the_bot_cannot_answer_still_gets_a_friendly_reply(app, slack):
    _event(app, fake_slack.mention("order me a pizza", "1700000300.000100"), "Ev0mention3")
    (message,) = slack.posted(1)
    assert "Sorry, I can't answer" in message.body["text"]


def test_direct_message_is_answered_in_the_dm(app, slack):
    event = {
        "type": "message",
        "channel_type": "im",
        "user": "U0ASKER01",
        "text": "does a DL own the budget?",
        "ts": "1700000400.000100",
        "channel": "D0DIRECT1",
    }
    _event(app, event, "Ev0dm1")
    (message,) = slack.posted(1)
    assert message.body["channel"] == "D0DIRECT1"
    assert message.body.get("thread_ts") is None
    assert message.body["text"].startswith("No — Budget and Financial Management")


def test_the_bot_never_answers_itself_or_other_bots(app, slack):
    own = {
        "type": "message",
        "channel_type": "im",
        "user": BOT_USER_ID,
        "bot_id": "B0BOT1234",
        "text": "budget",
        "ts": "1700000500.000100",
        "channel": "D0DIRECT1",
    }
    other = {
        "type": "message",
        "channel_type": "im",
        "subtype": "bot_message",
        "bot_id": "B0OTHER01",
        "text": "risk",
        "ts": "1700000500.000200",
        "channel": "D0DIRECT1",
    }
    person = {
        "type": "message",
        "channel_type": "im",
        "user": "U0ASKER01",
        "text": "scope",
        "ts": "1700000500.000300",
        "channel": "D0DIRECT1",
    }
    for number, event in enumerate((own, other, person)):
        _event(app, event, f"Ev0bots{number}")
    app.settle()
    (posted,) = slack.posted(1)
    assert posted.body["blocks"][0]["text"]["text"].startswith("Scope")


def test_message_shortcut_answers_that_message_in_its_thread(app, slack):
    payload = fake_slack.message_shortcut(
        "who is responsible for risk on this?", slack.response_url("sc"), thread_ts="1700000000.000001"
    )
    status, _, _ = app.post(interaction(payload), FORM)
    assert status == 200
    (message,) = slack.posted(1)
    assert message.body["channel"] == "C0CHAN001"
    assert message.body["thread_ts"] == "1700000000.000001"
    assert message.body["blocks"][0]["text"]["text"] == "Risk Management"
    assert "<@U0MANAGER>" in json.dumps(message.body["blocks"])


def test_message_shortcut_on_a_top_level_message_starts_its_thread(app, slack):
    payload = fake_slack.message_shortcut("compare", slack.response_url("sc2"))
    app.post(interaction(payload), FORM)
    (message,) = slack.posted(1)
    assert message.body["thread_ts"] == "1700000000.000200"


def test_app_home_is_published_when_opened(app, slack):
    event = {"type": "app_home_opened", "user": "U0ASKER01", "channel": "D0DIRECT1", "tab": "home"}
    _event(app, event, "Ev0home1")
    (call,) = slack.wait_for(1, "/api/views.publish")
    view = call.body["view"] if isinstance(call.body["view"], dict) else json.loads(call.body["view"])
    assert call.body["user_id"] == "U0ASKER01"
    assert view["type"] == "home"
    headers = [block["text"]["text"] for block in view["blocks"] if block["type"] == "header"]
    assert headers[:3] == ["Role Bot", "Delivery Lead", "Delivery Manager"]
    assert "Delivery Lead vs Delivery Manager" in headers
