"""Teaching the knowledge file a question by editing it in place: the question becomes an example of
its entry (in every layout an examples list can have), comments and layout stay, and the edited file
loads and answers the question; a label that would break the file changes nothing."""

import shutil
from dataclasses import replace

import pytest

from bot.core.knowledge import DEFAULT_KNOWLEDGE_PATH
from bot.core.labelling import REVIEWED_FILE, add_label
from bot.core.loading import KnowledgeError, load_knowledge
from bot.core.matcher import Matcher
from bot.core.routing import Declined, EntryAnswer, route
from bot.store.recorder import question_record
from bot.store.records import vote_record
from bot.store.store import Store
from tests.support.command_line import run_cli


@pytest.fixture
def knowledge_copy(tmp_path):
    path = tmp_path / "roles.yaml"
    shutil.copy(DEFAULT_KNOWLEDGE_PATH, path)
    return path


def _unchanged_apart_from(before: str, after: str, added: int):
    assert len(after.splitlines()) == len(before.splitlines()) + added
    assert [line for line in before.splitlines() if line.startswith("#")] == [
        line for line in after.splitlines() if line.startswith("#")
    ]


@pytest.mark.parametrize(
    "entry_id",
    ["delivery-manager/budget-financial-management", "role/delivery-lead", "difference/scope", "topic/why-it-matters"],
)
def test_a_label_becomes_an_example_of_its_entry_and_is_then_answered_so(knowledge_copy, entry_id):
    question = "who minds the piggy bank when the quarter closes"
    before = knowledge_copy.read_text()
    path, line = add_label(knowledge_copy, question, entry_id)
    after = knowledge_copy.read_text()
    assert path == knowledge_copy
    assert question in after.splitlines()[line - 1]
    _unchanged_apart_from(before, after, 1)
    knowledge = load_knowledge(knowledge_copy)
    assert question in knowledge.entry(entry_id).examples
    assert route(question, Matcher(knowledge)).entry_id == entry_id


def test_more_labels_extend_the_same_examples_list_in_both_its_layouts(knowledge_copy):
    add_label(knowledge_copy, "first question about the money", "delivery-manager/budget-financial-management")
    add_label(knowledge_copy, 'second one, with "quotes"', "delivery-manager/budget-financial-management")
    flow = '        examples: ["first question about the money", "second one, with \\"quotes\\""]\n'
    block = (
        '        examples:\n          - "first question about the money"\n          - "second one, with \\"quotes\\""\n'
    )
    assert flow in knowledge_copy.read_text()
    knowledge_copy.write_text(knowledge_copy.read_text().replace(flow, block))
    add_label(knowledge_copy, "third, under a block list", "delivery-manager/budget-financial-management")
    examples = load_knowledge(knowledge_copy).entry("delivery-manager/budget-financial-management").examples
    assert examples[-3:] == ("first question about the money", 'second one, with "quotes"', "third, under a block list")


def test_declines_and_comparisons_go_to_a_reviewed_questions_file_beside_the_knowledge(knowledge_copy):
    path, _ = add_label(knowledge_copy, "who waters the plants", "none")
    add_label(knowledge_copy, "dl or dm, which is which", "compare")
    assert path == knowledge_copy.parent / REVIEWED_FILE
    labelled = {question.text: question.expect for question in load_knowledge(knowledge_copy).questions}
    assert labelled["who waters the plants"] == ("none",)
    assert labelled["dl or dm, which is which"] == ("compare",)


def test_a_label_that_would_break_the_file_changes_nothing(knowledge_copy):
    add_label(knowledge_copy, "who waters the plants", "none")
    before = knowledge_copy.read_text()
    with pytest.raises(KnowledgeError):  # the same question cannot be labelled with two answers
        add_label(knowledge_copy, "who waters the plants", "delivery-lead/team-coordination")
    assert knowledge_copy.read_text() == before
    with pytest.raises(KnowledgeError, match="no entry"):
        add_label(knowledge_copy, "anything", "delivery-lead/no-such-thing")


def test_review_walks_the_owner_through_declined_and_disputed_questions_and_teaches_the_file(
    knowledge_copy, knowledge, tmp_path, monkeypatch
):
    url = f"sqlite:///{tmp_path / 'review.sqlite3'}"
    store = Store.open(url)
    plants = [
        question_record(Declined("out-of-scope", question=text), knowledge, "mention", "T1", "u", "all")
        for text in ("who waters the office plants?", "who is watering the plants in the office")
    ]
    wrong = question_record(
        EntryAnswer("delivery-lead/team-coordination", question="who signs off the quarterly spend?", score=70),
        knowledge,
        "command",
        "T1",
        "u",
        "all",
    )
    store.add_questions([*plants, wrong])
    store.add_votes([replace(vote_record(wrong.ref, -1, "that is about money"), user="u")])
    store.close()
    monkeypatch.setenv("DATABASE_URL", url)

    result = run_cli(
        "review", "--knowledge", str(knowledge_copy), stdin="d\ndelivery-manager/budget-financial-management\n"
    )
    assert result.returncode == 0, result.stderr
    assert "[1/2] 'who waters the office plants?': 2 times; declined (out-of-scope)" in result.stdout
    assert "[2/2] 'who signs off the quarterly spend?': once; 👎 on delivery-lead/team-coordination" in result.stdout
    assert "Labelled 2 question(s)" in result.stdout
    taught = load_knowledge(knowledge_copy)
    assert "who signs off the quarterly spend?" in taught.entry("delivery-manager/budget-financial-management").examples
    assert {question.text: question.expect for question in taught.questions}["who waters the office plants?"] == (
        "none",
    )
    assert run_cli("check", str(knowledge_copy)).returncode == 0
    again = run_cli("review", "--knowledge", str(knowledge_copy), stdin="")
    assert again.stdout.startswith("0 question(s) to review")
