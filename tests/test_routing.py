"""route() turns any text into an answer: help, compare, a role, or a matched question."""

import pytest

from bot.core.language import MAX_QUESTION_CHARS
from bot.core.routing import SeveralAnswers, route
from tests.conftest import DATA


@pytest.mark.parametrize("text", ["", "   ", "help", "HELP", "usage", "?", "<@U0BOT1234>", "<@U0BOT1234> help"])
def test_empty_text_and_help_words_get_help(ask, text):
    assert ask(text).entry_id == "help"


def test_compare_alone_compares_the_two_roles(ask):
    answer = ask("compare")
    assert (answer.entry_id, answer.roles) == ("compare", ("delivery-lead", "delivery-manager"))


def test_compare_keeps_the_order_the_roles_were_named_in(ask):
    answer = ask("compare delivery manager and delivery lead")
    assert (answer.entry_id, answer.roles) == ("compare", ("delivery-manager", "delivery-lead"))


def test_compare_with_a_role_the_file_lacks_says_which(ask):
    answer = ask("compare DL and scrum master")
    assert answer.entry_id is None
    assert answer.reason == "unknown-role"
    assert answer.unknown_role == "scrum master"
    assert "role/delivery-lead" in answer.suggestions


def test_compare_followed_by_a_topic_answers_the_topic(ask):
    assert ask("compare strategic and operational focus").entry_id == "difference/focus"


@pytest.mark.parametrize(("text", "role"), [("delivery manager", "delivery-manager"), ("DL", "delivery-lead")])
def test_a_role_name_answers_with_the_role(ask, text, role):
    assert ask(text).entry_id == f"role/{role}"


def test_yes_no_question_about_the_other_role_is_answered_no(ask):
    answer = ask("does a DL own the budget?")
    assert answer.entry_id == "delivery-manager/budget-financial-management"
    assert (answer.asked_role, answer.verdict) == ("delivery-lead", "no")


def test_yes_no_question_about_the_owner_is_answered_yes(ask):
    answer = ask("does the delivery manager own the budget?")
    assert (answer.entry_id, answer.verdict) == ("delivery-manager/budget-financial-management", "yes")


def test_who_question_is_marked_so_the_answer_names_the_owner(ask):
    assert ask("who handles risk?").asks_who


def test_the_mention_token_is_stripped_before_routing(ask):
    assert ask("<@U0BOT1234> compare").entry_id == "compare"


def test_any_pair_of_a_larger_file_can_be_compared(matcher_for):
    matcher = matcher_for(DATA / "three_roles.yaml")
    answer = route("compare product owner and engineering manager", matcher)
    assert (answer.entry_id, answer.roles) == ("compare", ("product-owner", "engineering-manager"))


def test_a_huge_message_is_read_only_as_far_as_a_question_goes(ask):
    answer = ask("who owns the budget? " + "blah " * 10_000)
    assert answer.entry_id == "delivery-manager/budget-financial-management"
    assert len(answer.question) == MAX_QUESTION_CHARS


def test_two_questions_in_one_message_get_both_answers(ask, reply):
    answer = ask("who owns risk and who owns the budget?")
    assert isinstance(answer, SeveralAnswers)
    assert [part.entry_id for part in answer.parts] == [
        "delivery-lead/risk-management",
        "delivery-manager/budget-financial-management",
    ]
    headers = [
        block["text"]["text"]
        for block in reply("who owns risk? and who owns the budget").blocks_as_dicts()
        if block["type"] == "header"
    ]
    assert headers == ["Risk Management", "Budget and Financial Management"]


def test_one_question_with_two_clauses_gets_one_answer(ask):
    answer = ask("when a project starts drifting over budget, who keeps the money side under control?")
    assert not isinstance(answer, SeveralAnswers)
    assert answer.entry_id == "delivery-manager/budget-financial-management"


@pytest.mark.parametrize(
    "question",
    [
        "can you DM me the deck",
        "pls dm me",
        "how do I turn off DMs in Slack",
        "what does a DM earn in Leeds?",
        "is Priya a good DL?",
    ],
)
def test_questions_about_people_pay_or_direct_messages_are_declined(ask, question):
    assert ask(question).entry_id is None
