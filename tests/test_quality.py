"""Answer quality on the labelled questions kept with the knowledge."""

from bot.core.evaluation import Report, cross_validate, evaluate, load_questions
from bot.core.knowledge import DEFAULT_KNOWLEDGE_PATH

QUESTIONS = DEFAULT_KNOWLEDGE_PATH.parent / "questions.yaml"


def test_development_questions_are_answered_right(matcher):
    report = evaluate(load_questions(QUESTIONS), matcher)
    assert report.accuracy >= 0.95, report.describe()
    out_of_scope = [outcome for outcome in report.outcomes if not outcome.in_scope]
    assert all(outcome.got == "none" for outcome in out_of_scope), report.describe()


def test_questions_it_was_not_trained_on_are_mostly_answered_right(knowledge):
    folds = cross_validate(knowledge, folds=5)
    assert len(folds) == 5
    overall = Report([outcome for fold in folds for outcome in fold.outcomes])
    assert overall.total == len(knowledge.labelled())
    assert overall.accuracy >= 0.9, overall.describe(details=False)
    assert all(fold.accuracy >= 0.85 for fold in folds), [fold.accuracy for fold in folds]
