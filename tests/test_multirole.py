"""The format is not tied to two roles: a file of three works end to end."""

import pytest

from bot.blocks.render import render_answer
from bot.core.routing import route
from tests.conftest import DATA


@pytest.fixture(scope="module")
def three(matcher_for):
    return matcher_for(DATA / "three_roles.yaml")


def test_every_role_and_responsibility_becomes_an_answer(three):
    ids = {entry.id for entry in three.knowledge.entries}
    assert {"role/product-owner", "role/scrum-master", "role/engineering-manager"} <= ids
    assert {"engineering-manager/hiring", "scrum-master/ceremonies", "difference/owns"} <= ids


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("who runs the retro", "scrum-master/ceremonies"),
        ("who decides whom to hire", "engineering-manager/hiring"),
        ("EM", "role/engineering-manager"),
        ("backlog", "product-owner/backlog"),
    ],
)
def test_questions_find_entries_of_any_role(three, question, expected):
    assert route(question, three).entry_id == expected


def test_a_pair_with_a_written_comparison_shows_its_differences(three):
    reply = render_answer(route("compare scrum master and product owner", three), three.knowledge)
    rows = [block for block in reply.blocks_as_dicts() if "fields" in block and "text" in block]
    assert [row["text"]["text"] for row in rows] == ["*What each owns*"]
    assert [field["text"] for field in rows[0]["fields"]] == [
        "*Scrum Master:* The process the team follows.",
        "*Product Owner:* The product and its backlog.",
    ]


def test_a_pair_without_one_is_still_shown_side_by_side(three):
    reply = render_answer(route("compare product owner and engineering manager", three), three.knowledge)
    fields = [field["text"] for block in reply.blocks_as_dicts() for field in block.get("fields", [])]
    assert fields[:2] == [
        "*Product Owner*\nValue — what to build next.",
        "*Engineering Manager*\nPeople — hiring, growth and wellbeing.",
    ]
    assert any(field.startswith("*Engineering Manager responsibilities*\n• Hiring") for field in fields)


def test_roles_of_another_file_are_unknown_here(three):
    answer = route("what does a delivery manager do", three)
    assert (answer.entry_id, answer.reason, answer.unknown_role) == (None, "unknown-role", "delivery manager")


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("who looks after the wishlist?", "product-owner/backlog"),
        ("who runs the lessons learned meeting", "scrum-master/ceremonies"),
    ],
)
def test_a_second_file_brings_its_own_vocabulary(three, question, expected):
    assert route(question, three).entry_id == expected


def test_a_second_file_declines_jobs_its_own_vocabulary_names(three):
    answer = route("what does an architect do?", three)
    assert (answer.entry_id, answer.reason) == (None, "unknown-role")
    assert "money" not in three.knowledge.vocabulary.synonyms  # the first file's words stay with it
