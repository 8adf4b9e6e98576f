"""The matcher finds the entry a question is about, however it is typed, and declines the rest."""

import dataclasses

import pytest

from bot.core.matcher import Matcher, MatchSettings


def entry_for(matcher, text):
    return matcher.match(text).entry_id


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("delivry manger", "role/delivery-manager"),
        ("who handels the budjet", "delivery-manager/budget-financial-management"),
        ("who mangaes stakholders expectations", "delivery-lead/stakeholder-engagement"),
        ("deliverylead", "role/delivery-lead"),
    ],
)
def test_typos_still_find_the_entry(matcher, question, expected):
    assert entry_for(matcher, question) == expected


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("what does a DL do", "role/delivery-lead"),
        ("DM responsibilities", "role/delivery-manager"),
        ("dl vs dm", "compare"),
        ("does the DL track kpis", "delivery-manager/performance-metrics-reporting"),
        ("who does budget mgmt", "delivery-manager/budget-financial-management"),
    ],
)
def test_abbreviations(matcher, question, expected):
    assert entry_for(matcher, question) == expected


def test_case_and_punctuation_do_not_matter(matcher):
    assert entry_for(matcher, "WHO OWNS THE BUDGET???") == entry_for(matcher, "who owns the budget")
    assert entry_for(matcher, "...risk!!!") == "delivery-lead/risk-management"


@pytest.mark.parametrize(
    "question",
    [
        "<@U123ABC> who handles risk?",
        "<#C1|general> who handles risk?",
        "who handles risk? <https://example.com/wiki|see wiki>",
        "<!here> who handles risk?",
        "who handles risk :thinking_face:",
    ],
)
def test_slack_markup_in_the_text_is_ignored(matcher, question):
    assert entry_for(matcher, question) == "delivery-lead/risk-management"


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("budget", "delivery-manager/budget-financial-management"),
        ("risks", "delivery-lead/risk-management"),
        ("kpis", "delivery-manager/performance-metrics-reporting"),
        ("roadmap", "delivery-manager/strategic-planning"),
        ("staffing", "delivery-lead/resource-management"),
    ],
)
def test_one_word_questions(matcher, word, expected):
    assert entry_for(matcher, word) == expected


def test_long_rambling_question(matcher):
    question = (
        "hey all, sorry if this is a dumb question, I'm pretty new here and trying to get my head around "
        "how things work on our side. in my last company nobody really owned this, so: when a project "
        "starts drifting over budget, which of the two delivery roles is actually supposed to keep the "
        "money side of things under control? thanks a lot!"
    )
    assert entry_for(matcher, question) == "delivery-manager/budget-financial-management"


def test_yes_no_question_about_the_other_role_answers_with_the_right_entry(matcher):
    assert entry_for(matcher, "does a delivery lead manage budgets?") == "delivery-manager/budget-financial-management"
    assert entry_for(matcher, "is risk management part of the DM job?") == "delivery-lead/risk-management"


@pytest.mark.parametrize(
    "question",
    [
        "what does a scrum master do?",
        "what's the difference between a project manager and a delivery manager",
        "product owner responsibilities",
        "who is the head of HR",
        "what does a software architect do",
    ],
)
def test_questions_about_roles_the_file_lacks_are_declined(matcher, question):
    match = matcher.match(question)
    assert match.entry_id is None
    assert match.reason == "unknown-role"


@pytest.mark.parametrize(
    "question",
    [
        "what's the weather tomorrow",
        "order lunch",
        "how do I reset my laptop",
        "what's the budget for the christmas party",
        "who should i talk to about my payslip",
        "qwerty",
    ],
)
def test_out_of_scope_questions_are_declined(matcher, question):
    match = matcher.match(question)
    assert (match.entry_id, match.score) == (None, 0)


def test_two_close_entries_give_suggestions_instead_of_a_guess(matcher):
    match = matcher.match("who coordinates?")
    assert match.entry_id is None
    assert match.reason == "ambiguous"
    assert set(match.suggestions[:2]) == {
        "delivery-lead/team-coordination",
        "delivery-manager/cross-functional-coordination",
    }


def test_answers_carry_runner_up_suggestions(matcher):
    match = matcher.match("stakeholders at a higher level")
    assert match.entry_id == "difference/stakeholder-interaction"
    assert "delivery-lead/stakeholder-engagement" in match.suggestions


def test_scores_run_from_0_to_100(matcher):
    for question in ["budget", "who coordinates?", "order lunch", "compare", "delivery lead", "help", ""]:
        assert 0 <= matcher.match(question).score <= 100


def test_the_decline_thresholds_are_settings(knowledge):
    unsure = dataclasses.replace(MatchSettings(), answer_confidence=1.01, choice_confidence=2.01)
    strict = Matcher(knowledge, unsure)
    lenient = Matcher(knowledge)
    question = "who builds the roadmap for next year"
    assert lenient.match(question).entry_id == "delivery-manager/strategic-planning"
    declined = strict.match(question)
    assert declined.entry_id is None
    assert declined.suggestions[0] == "delivery-manager/strategic-planning"


@pytest.mark.parametrize(
    "question",
    ["who is our delivery manager?", "who is the DL on project atlas", "does a DL report to a DM?"],
)
def test_questions_about_people_rather_than_roles_are_declined(matcher, question):
    match = matcher.match(question)
    assert (match.entry_id, match.reason) == (None, "people")


def test_reporting_on_performance_is_not_a_reporting_line(matcher):
    assert entry_for(matcher, "who reports to senior management on performance") == (
        "delivery-manager/performance-metrics-reporting"
    )


def test_yes_no_about_something_both_roles_do_answers_with_the_difference(matcher):
    assert entry_for(matcher, "does a DM engage stakeholders?") == "difference/stakeholder-interaction"
    assert entry_for(matcher, "does the delivery lead talk to stakeholders at all") == (
        "delivery-lead/stakeholder-engagement"
    )


def test_naming_an_entry_by_its_title_picks_it_over_a_near_one(matcher):
    assert entry_for(matcher, "does the delivery manager do team coordination") == "delivery-lead/team-coordination"


def test_real_words_are_not_corrected_into_knowledge_words(matcher):
    assert matcher.reader.read("what does a line manager do").unknown_roles == ("line manager",)
    assert matcher.reader.read("budget for the party").content == ("budget", "parti")


def test_a_trailing_tag_question_does_not_become_the_question(matcher):
    question = "I spend most of my week on roadmaps and long-term goals, so I'm more of a DM, is that right?"
    assert entry_for(matcher, question) == "delivery-manager/strategic-planning"


def test_a_yes_no_question_naming_one_role_that_no_entry_scores_gets_a_reply(ask):
    # Found by labelled thread replies: the matcher used to raise an IndexError here.
    answer = ask("is the lead involved in that or no")
    assert answer.entry_id is None or answer.entry_id.startswith(("role/", "delivery-lead/", "difference/"))
