"""👍/👎 on answers, in process: the buttons under an answer, the quiet 👍, the 👎 form, and what the
store keeps of each (one vote per person per answer; a 👎 keeps the question's text)."""

import json

import pytest

from bot.blocks.feedback import (
    EXPECTED_BLOCK,
    FEEDBACK_ACTION,
    INPUT,
    WRONG_BLOCK,
    feedback_block,
    private_json_with_feedback,
    with_feedback,
)
from bot.core.routing import EntryAnswer, HelpAnswer
from tests.support import fake_slack
from tests.support.fake_slack import feedback_click, interaction, view_submission
from tests.support.in_process import OWNER

FORM = "application/x-www-form-urlencoded"


def _ask(app, slack, text, user_id="U0RATER01"):
    status, body, _ = app.post(fake_slack.slash_command(text, slack.response_url(), user_id=user_id), FORM)
    assert status == 200
    return json.loads(body)


def _feedback_buttons(reply):
    (block,) = [block for block in reply["blocks"] if block["type"] == "context_actions"]
    (element,) = block["elements"]
    assert (element["type"], element["action_id"]) == ("feedback_buttons", FEEDBACK_ACTION)
    return element["positive_button"]["value"], element["negative_button"]["value"]


def _click(app, slack, value, user_id="U0RATER01"):
    assert app.post(interaction(feedback_click(value, slack.response_url("fb"), user_id)), FORM)[0] == 200
    app.settle()


def _store(app):
    app.recorded()  # every queued record written
    return app.recorder.writer.store


def test_an_answer_carries_feedback_buttons_that_name_its_recorded_question(app, slack):
    up, down = _feedback_buttons(_ask(app, slack, "who handles risk?"))
    (record,) = [record for record in app.recorded() if record.ref in up]
    assert up == f"up:{record.ref}"
    assert down == f"down:{record.ref}:who handles risk?"


def test_the_help_card_has_no_feedback_buttons(app, slack):
    assert all(block["type"] != "context_actions" for block in _ask(app, slack, "help")["blocks"])


def test_a_thumbs_up_is_recorded_quietly(app, slack):
    up, _ = _feedback_buttons(_ask(app, slack, "who owns the budget?"))
    slack.calls.clear()
    _click(app, slack, up)
    ref = up.split(":")[1]
    assert [vote.vote for vote in _store(app).votes_on(ref)] == [1]
    assert slack.calls == []  # no message, no form


def test_a_thumbs_down_opens_the_form_and_its_answers_are_recorded_with_the_question(app, slack):
    _, down = _feedback_buttons(_ask(app, slack, "who handles risk?"))
    ref = down.split(":")[1]
    _click(app, slack, down)
    (opened,) = slack.wait_for(1, "/api/views.open")
    view = json.loads(opened.body["view"]) if isinstance(opened.body["view"], str) else opened.body["view"]
    assert opened.body["trigger_id"] == "1.2.3"
    assert [block.get("block_id") for block in view["blocks"][1:]] == [WRONG_BLOCK, EXPECTED_BLOCK]
    assert "who handles risk?" in view["blocks"][0]["text"]["text"]
    store = _store(app)
    assert [vote.vote for vote in store.votes_on(ref)] == [-1]
    (question,) = [record for record in store.recent_questions() if record.ref == ref]
    assert question.text == "who handles risk?"  # kept because of the 👎, though answered with confidence

    state = {
        WRONG_BLOCK: {INPUT: {"type": "plain_text_input", "value": "It names the wrong role"}},
        EXPECTED_BLOCK: {INPUT: {"type": "plain_text_input", "value": "The Delivery Manager"}},
    }
    submitted = view_submission({**view, "state": {"values": state}}, user_id="U0RATER01")
    status, body, _ = app.post(interaction(submitted), FORM)
    assert (status, body) == (200, b"")  # the form closes
    (vote,) = _store(app).votes_on(ref)
    assert (vote.vote, vote.reason, vote.expected) == (-1, "It names the wrong role", "The Delivery Manager")


def test_one_vote_per_person_per_answer_and_a_changed_vote_replaces_the_old(app, slack):
    up, down = _feedback_buttons(_ask(app, slack, "compare"))
    ref = up.split(":")[1]
    _click(app, slack, up, "U0RATER01")
    _click(app, slack, up, "U0RATER01")
    _click(app, slack, up, "U0RATER02")
    _click(app, slack, down, "U0RATER01")
    assert sorted(vote.vote for vote in _store(app).votes_on(ref)) == [-1, 1]


@pytest.mark.parametrize(
    "value",
    ["down:not-a-ref", "up:" + "0" * 31, "sideways:" + "0" * 32, "", "up:" + "0" * 32 + "x" * 3000],
)
def test_feedback_values_that_are_not_ours_are_ignored(app, slack, value):
    before = len(_store(app).recent_questions())
    _click(app, slack, value)
    assert slack.wait_for(1, "/api/views.open", timeout=0) == []
    assert len(_store(app).recent_questions()) == before
    assert _store(app).votes_on("0" * 32) == []


def test_a_form_that_is_not_ours_is_acknowledged_and_ignored(app):
    submitted = view_submission({"callback_id": "answer_feedback", "private_metadata": "{not json", "state": {}})
    assert app.post(interaction(submitted), FORM)[0] == 200


def _home_for(app, slack, user):
    event = {"type": "app_home_opened", "user": user, "channel": "D0HOME", "tab": "home"}
    assert app.post(fake_slack.event_callback(event, f"Ev0home{user}"), "application/json")[0] == 200
    app.settle()
    (call,) = [call for call in slack.calls if call.method == "views.publish" and call.body["user_id"] == user]
    view = call.body["view"]
    return json.loads(view) if isinstance(view, str) else view


def test_the_knowledge_owner_sees_the_report_in_app_home_and_others_the_usual_home(app, slack):
    _ask(app, slack, "who polishes the <!channel> trophies & cups?")
    app.recorded()
    owner = _home_for(app, slack, OWNER)
    text = json.dumps(owner["blocks"], ensure_ascii=False)
    assert owner["blocks"][0]["text"]["text"] == "What people asked: the last 7 days"
    assert "1 × “who polishes the trophies &amp; cups?”" in text  # Slack markup dropped, the rest escaped
    assert "<!channel>" not in text  # someone's words never ping from the owner's home
    assert "Delivery Lead vs Delivery Manager" in text  # the usual home follows
    everyone = _home_for(app, slack, "U0SOMEONE")
    assert everyone["blocks"][0]["text"]["text"] == "Role Bot"
    assert "What people asked" not in json.dumps(everyone["blocks"])


def test_the_feedback_block_sent_is_the_one_slack_sdks_model_describes(reply):
    answer = EntryAnswer("delivery-lead/risk-management", question='who handles "risk" <here>?')
    sent = with_feedback(reply("who handles risk?"), "f" * 32, answer).blocks_as_dicts()[-1]
    assert sent == feedback_block("f" * 32, answer.question).to_dict()


@pytest.mark.parametrize("question", ["compare", "who handles risk?", "order me a pizza", "help"])
def test_the_acknowledgement_json_is_the_message_with_its_feedback_block(reply, question):
    answer = EntryAnswer("delivery-lead/risk-management", question='who {handles} "risk" <here>\n \u2028 ünïcode 👀?')
    plain = reply(question)
    extended = with_feedback(plain, "f" * 32, answer)
    for sent in (plain, extended, plain):  # the plain reply's JSON is unchanged by the copy made from it
        assert json.loads(sent.private_json()) == {"response_type": "ephemeral", **sent.message()}
    assert json.loads(extended.private_json())["blocks"][-1] == feedback_block("f" * 32, answer.question).to_dict()
    # What /role acknowledges with, made from the reply's kept JSON: the same message.
    for ref, rated in (("f" * 32, answer), (None, answer), ("f" * 32, HelpAnswer())):
        made = private_json_with_feedback(plain, ref, rated)
        assert json.loads(made) == json.loads(with_feedback(plain, ref, rated).private_json())
