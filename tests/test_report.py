"""The knowledge owner's report: counts, declined questions with their rephrasings together, the
answers people said were wrong, and low-confidence answers; from the store and from `rolebot report`."""

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from bot.core.routing import Declined, EntryAnswer
from bot.store.recorder import question_record
from bot.store.records import vote_record
from bot.store.report import build_report
from tests.support import fake_slack
from tests.support.command_line import run_cli
from tests.support.fake_slack import interaction, view_submission

FORM = "application/x-www-form-urlencoded"
NOW = datetime(2026, 11, 29, 12, tzinfo=UTC)


def _asked(knowledge, text, day=0, surface="command", answer=None, score=90):
    answered = EntryAnswer(answer, question=text, score=score) if answer else Declined("out-of-scope", question=text)
    record = question_record(answered, knowledge, surface, "T1", "someone", "unanswered")
    return replace(record, asked_at=NOW - timedelta(days=day))


def test_rephrasings_of_one_declined_question_count_together(knowledge):
    questions = [
        _asked(knowledge, "who orders lunch for the team?"),
        _asked(knowledge, "who is ordering the team lunch"),
        _asked(knowledge, "Who orders lunch"),
        _asked(knowledge, "where can I park my car?"),
        _asked(knowledge, "who handles risk?", answer="delivery-lead/risk-management"),
    ]
    report = build_report(questions, [], 7, NOW - timedelta(days=7))
    assert [(group.count, group.reasons) for group in report.declined] == [
        (3, ("out-of-scope",)),
        (1, ("out-of-scope",)),
    ]
    assert report.declined[1].examples == ("where can I park my car?",)
    assert (report.questions, report.answered, round(report.share_answered, 2)) == (5, 1, 0.2)


def test_counts_per_day_and_surface_and_the_answers_people_disputed(knowledge):
    risk = _asked(knowledge, "who handles risk?", answer="delivery-lead/risk-management")
    budget = _asked(
        knowledge, "budget?", day=1, surface="mention", answer="delivery-manager/budget-financial-management"
    )
    guess = _asked(knowledge, "who keeps the plan alive", answer="delivery-lead/team-coordination", score=41)
    votes = [
        replace(vote_record(risk.ref, -1, "wrong role", "the Delivery Manager"), user="a"),
        replace(vote_record(risk.ref, -1), user="b"),
        replace(vote_record(risk.ref, 1), user="c"),
        replace(vote_record(budget.ref, 1), user="a"),
    ]
    report = build_report([risk, budget, guess], votes, 7, NOW - timedelta(days=7))
    assert report.per_day == {"2026-11-28": {"mention": 1}, "2026-11-29": {"command": 2}}
    (disputed,) = report.disputed
    assert (disputed.entry, disputed.down, disputed.up) == ("delivery-lead/risk-management", 2, 1)
    assert (disputed.reasons, disputed.expected) == (("wrong role",), ("the Delivery Manager",))
    assert report.low_confidence == ({"question": "who keeps the plan alive", "answer": guess.answer, "score": 41},)


def test_rolebot_report_json_shows_a_declined_question_and_a_thumbs_down_reason(app, slack, monkeypatch):
    app.post(fake_slack.slash_command("who waters the office plants?", slack.response_url()), FORM)
    status, body, _ = app.post(fake_slack.slash_command("who handles risk?", slack.response_url()), FORM)
    assert status == 200
    (feedback,) = [block for block in json.loads(body)["blocks"] if block["type"] == "context_actions"]
    down = feedback["elements"][0]["negative_button"]["value"]
    app.post(interaction(fake_slack.feedback_click(down, slack.response_url("fb"))), FORM)
    app.settle()
    (opened,) = slack.wait_for(1, "/api/views.open")
    view = json.loads(opened.body["view"]) if isinstance(opened.body["view"], str) else opened.body["view"]
    state = {"wrong": {"text": {"type": "plain_text_input", "value": "It should say who signs off"}}}
    app.post(interaction(view_submission({**view, "state": {"values": state}})), FORM)
    app.recorded()
    monkeypatch.setenv("DATABASE_URL", str(app.recorder.writer.store.engine.url.render_as_string(hide_password=False)))
    result = run_cli("report", "--json", "--days", "1")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert any("who waters the office plants?" in group["examples"] for group in report["declined"])
    (disputed,) = [item for item in report["disputed"] if item["entry"] == "delivery-lead/risk-management"]
    assert "It should say who signs off" in disputed["reasons"]


def test_rolebot_report_prints_text_and_refuses_a_bad_period(monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'empty.sqlite3'}")
    result = run_cli("report")
    assert result.returncode == 0
    assert "Questions: 0; answered 0 (0%)" in result.stdout
    refused = run_cli("report", "--days", "0")
    assert refused.returncode == 2
    assert "is not a number of days" in refused.stderr
