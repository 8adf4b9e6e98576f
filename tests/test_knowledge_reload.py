"""Editing the knowledge file while the bot runs: valid edits take effect, broken ones do not; answers
kept for repeated questions go with the knowledge they came from."""

import json
import logging
import shutil
import time

from bot.core.answerer import Answerer
from bot.core.knowledge import DEFAULT_KNOWLEDGE_PATH
from tests.support import fake_slack
from tests.support.processes import start_web


def _edit(path, old, new):
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


def test_a_valid_edit_takes_over(tmp_path):
    path = tmp_path / "roles.yaml"
    shutil.copy(DEFAULT_KNOWLEDGE_PATH, path)
    answerer = Answerer.from_file(path)
    assert answerer.refresh() is False  # nothing changed yet
    _edit(path, "title: Risk Management", "title: Risk and Issue Management")
    assert answerer.refresh() is True
    assert answerer.knowledge.entry("delivery-lead/risk-management").title == "Risk and Issue Management"


def test_a_broken_edit_keeps_the_last_good_knowledge_and_says_why(tmp_path, caplog):
    path = tmp_path / "roles.yaml"
    shutil.copy(DEFAULT_KNOWLEDGE_PATH, path)
    answerer = Answerer.from_file(path)
    _edit(path, "      - id: risk-management\n", "      - id: risk-management\n        hint: [oops]\n")
    with caplog.at_level(logging.WARNING):
        assert answerer.refresh() is False
    assert answerer.answer("who handles risk?")[0].entry_id == "delivery-lead/risk-management"
    assert f"{path}, line " in caplog.text
    assert "unknown field 'hint'" in caplog.text


def test_the_running_web_process_picks_up_an_edit_within_seconds(slack, tmp_path):
    path = tmp_path / "roles.yaml"
    shutil.copy(DEFAULT_KNOWLEDGE_PATH, path)
    web = start_web(slack, tmp_path / "web.log", {"ROLE_KNOWLEDGE": str(path), "ROLE_WATCH_SECONDS": "0.2"})
    try:

        def risk_title():
            body = web.post(
                fake_slack.slash_command("who handles risk?", slack.response_url()),
                "application/x-www-form-urlencoded",
            )[1]
            return json.loads(body)["blocks"][0]["text"]["text"]

        assert risk_title() == "Risk Management"
        _edit(path, "      - id: risk-management\n", "      - id: risk-management\n        hint: [oops]\n")
        assert web.wait_for_log("kept the last good knowledge")
        assert risk_title() == "Risk Management"
        _edit(path, "        hint: [oops]\n", "")
        _edit(path, "title: Risk Management", "title: Risk and Issue Management")
        deadline = time.monotonic() + 10
        while risk_title() != "Risk and Issue Management" and time.monotonic() < deadline:
            time.sleep(0.25)
        assert risk_title() == "Risk and Issue Management"
    finally:
        web.stop()


def test_an_edit_changes_the_answer_to_a_question_already_asked(tmp_path):
    path = tmp_path / "roles.yaml"
    shutil.copy(DEFAULT_KNOWLEDGE_PATH, path)
    answerer = Answerer.from_file(path)
    question = "who handles the zorblax?"
    assert answerer.answer(question)[0].entry_id is None  # a word the knowledge does not know: declined
    assert answerer.answer(question)[0].entry_id is None  # and asked again
    _edit(path, "hints: [risk, risks,", "hints: [zorblax, risk, risks,")
    assert answerer.refresh() is True
    assert answerer.answer(question)[0].entry_id == "delivery-lead/risk-management"


def test_answers_kept_for_repeated_questions_stay_within_their_bound():
    answerer = Answerer.from_file(DEFAULT_KNOWLEDGE_PATH, answers_kept=8)
    for number in range(20):
        answerer.answer(f"who handles risk number {number}?")
    assert answerer.answer("who handles risk number 19?")[0].entry_id == "delivery-lead/risk-management"
    assert answerer._served._recent.cache_info().currsize == 8


def test_with_no_answers_kept_every_question_is_answered_afresh():
    answerer = Answerer.from_file(DEFAULT_KNOWLEDGE_PATH, answers_kept=0)
    for _ in range(2):
        assert answerer.answer("who handles risk?")[0].entry_id == "delivery-lead/risk-management"


def test_a_labelled_question_file_written_beside_the_knowledge_takes_over(tmp_path):
    # As `rolebot review` writes a question labelled compare, help or decline.
    path = tmp_path / "roles.yaml"
    shutil.copy(DEFAULT_KNOWLEDGE_PATH, path)
    answerer = Answerer.from_file(path)
    question = "which snacks go best with tea?"
    assert answerer.answer(question)[0].entry_id is None  # declined
    (tmp_path / "questions-reviewed.yaml").write_text(f'- {{q: "{question}", expect: compare}}\n')
    assert answerer.refresh() is True
    assert answerer.answer(question)[0].entry_id == "compare"
