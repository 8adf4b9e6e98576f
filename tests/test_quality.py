"""Answer quality on the questions files kept with the knowledge."""

from bot.core.evaluation import evaluate, load_questions
from bot.core.knowledge import DEFAULT_KNOWLEDGE_PATH

QUESTIONS = DEFAULT_KNOWLEDGE_PATH.parent / "questions.yaml"


def test_development_questions_are_answered_right(matcher):
    report = evaluate(load_questions(QUESTIONS), matcher)
    assert report.accuracy >= 0.95, report.describe()
    assert report.declined == report.out_of_scope, report.describe()


def test_questions_typed_as_people_type_in_slack_are_answered_right(matcher):
    report = evaluate(load_questions(QUESTIONS.with_name("questions-chat.yaml")), matcher)
    assert report.accuracy >= 0.9, report.describe()
