"""What the knowledge teaches: examples, labelled question files, vocabulary and sources."""

import json
import os
import shutil
import subprocess
import sys
import textwrap

import pytest

from bot.blocks.render import render_answer
from bot.core.knowledge import DEFAULT_KNOWLEDGE_PATH
from bot.core.learned import CACHE_KEEP
from bot.core.loading import KnowledgeError, load_knowledge
from bot.core.matcher import Matcher
from bot.core.routing import route
from tests.support.command_line import run_cli

ODD_EXAMPLE = "who minds the piggy bank when the quarter closes"
ODD_SYNONYM = "who looks after the dosh"


def _ask_json(knowledge_path, *questions):
    result = run_cli("ask", "--json", "--knowledge", str(knowledge_path), "-", stdin="\n".join(questions) + "\n")
    assert result.returncode == 0, result.stderr
    return [json.loads(line)["answer"] for line in result.stdout.splitlines()]


def _copy_with_additions(tmp_path):
    """A copy of the shipped knowledge file alone, with one example question and one synonym added."""
    text = DEFAULT_KNOWLEDGE_PATH.read_text(encoding="utf-8")
    text = text.replace(
        "                finances, financial decisions, funding, over budget, purse strings]\n",
        "                finances, financial decisions, funding, over budget, purse strings]\n"
        f'        examples: ["{ODD_EXAMPLE}"]\n',
    )
    text = text.replace("    money: [cash, dollars]\n", "    money: [cash, dollars, dosh]\n")
    copy = tmp_path / "roles.yaml"
    copy.write_text(text, encoding="utf-8")
    return copy


def test_an_added_example_and_synonym_change_the_answers_to_those_questions(tmp_path):
    original = tmp_path / "original" / "roles.yaml"
    original.parent.mkdir()
    shutil.copy(DEFAULT_KNOWLEDGE_PATH, original)
    before = _ask_json(original, ODD_EXAMPLE, ODD_SYNONYM)
    copy = _copy_with_additions(tmp_path)
    assert run_cli("check", str(copy)).returncode == 0
    after = _ask_json(copy, ODD_EXAMPLE, ODD_SYNONYM)
    budget = "delivery-manager/budget-financial-management"
    assert after == [budget, budget]
    assert before != after


def test_labelled_questions_beside_the_knowledge_teach_phrasings_it_has_never_seen(tmp_path):
    shutil.copy(DEFAULT_KNOWLEDGE_PATH, tmp_path / "roles.yaml")
    unseen = "who keeps an eye on the zorblax situation?"
    untaught = route(unseen, Matcher(load_knowledge(tmp_path / "roles.yaml")))
    lines = [
        '- {q: "zorblax could blow up the launch", expect: delivery-lead/risk-management}',
        '- {q: "who worries about a zorblax", expect: delivery-lead/risk-management}',
        '- {q: "what if the zorblax happens", expect: delivery-lead/risk-management}',
        '- {q: "who approves the spending", expect: delivery-manager/budget-financial-management}',
        '- {q: "we are over on costs", expect: delivery-manager/budget-financial-management}',
        '- {q: "lunch order please", expect: none}',
        '- {q: "where is the coffee machine", expect: none}',
    ]
    (tmp_path / "questions-zorblax.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    knowledge = load_knowledge(tmp_path / "roles.yaml")
    assert len(knowledge.questions) == len(lines)
    taught = route(unseen, Matcher(knowledge))
    assert taught.entry_id == "delivery-lead/risk-management"
    assert untaught.entry_id != taught.entry_id


def test_a_labelled_question_is_answered_as_labelled(knowledge, matcher):
    for question in knowledge.labelled()[:50]:
        got = route(question.text, matcher).entry_id or "none"
        assert got in question.expect, question


def test_check_reports_every_problem_with_its_line(tmp_path):
    knowledge = tmp_path / "roles.yaml"
    knowledge.write_text(
        textwrap.dedent(
            """\
            roles:
              - id: delivery-lead
                name: Delivery Lead
                summary: Runs delivery.
                focus: Operational.
                responsibilities:
                  - id: risk
                    title: Risk
                    text: Finds risks.
                    examples: [what could go wrong]
              - id: delivery-manager
                name: Delivery Manager
                summary: Shapes strategy.
                focus: Strategic.
                responsibilities:
                  - id: budget
                    title: Budget
                    text: Keeps the budget.
            topics:
              - id: why
                title: Why it matters
                text: Because.
                examples: []
            vocabulary:
              synonyms:
                budget: [money, cash]
                risk: [danger, cash]
            """
        ),
        encoding="utf-8",
    )
    (tmp_path / "questions.yaml").write_text(
        textwrap.dedent(
            """\
            - {q: "who owns the money", expect: delivery-manager/budgt}
            - {q: "What could go wrong?", expect: delivery-manager/budget}
            """
        ),
        encoding="utf-8",
    )
    with pytest.raises(KnowledgeError) as caught:
        load_knowledge(knowledge)
    problems = {(line, problem.split(" ")[0]) for _, line, problem, _ in caught.value.problems}
    assert len(caught.value.problems) == 4, str(caught.value)
    message = str(caught.value)
    assert "line 23: 'examples' of topic 'why' is an empty list" in message
    assert "line 27: 'cash' is listed for 'risk' and for 'budget' (line 26)" in message
    assert "line 1: the question 'who owns the money' expects 'delivery-manager/budgt'" in message
    assert "did you mean 'delivery-manager/budget'?" in message
    assert "line 2: the question 'What could go wrong?' expects delivery-manager/budget" in message
    assert len(problems) == 4
    result = run_cli("check", str(knowledge))
    assert result.returncode == 2
    assert result.stderr.count("fix:") == 4


def test_an_answer_credits_the_source_of_what_it_shows(tmp_path):
    text = DEFAULT_KNOWLEDGE_PATH.read_text(encoding="utf-8")
    added = """
  - id: product-owner
    name: Product Owner
    aliases: [PO]
    summary: Decides what the team builds next.
    focus: Value.
    source:
      title: Team handbook
      link: https://example.com/handbook
    responsibilities:
      - id: backlog
        title: Backlog Ordering
        text: Keeps the backlog ordered by value.
"""
    text = text.replace("\ncomparisons:\n", added + "\ncomparisons:\n", 1)
    path = tmp_path / "roles.yaml"
    path.write_text(text, encoding="utf-8")
    knowledge = load_knowledge(path)
    matcher = Matcher(knowledge, labelled=())

    def footer(question):
        return render_answer(route(question, matcher), knowledge).blocks_as_dicts()[-1]["elements"][0]["text"]

    assert "Source: <https://example.com/handbook|Team handbook>" in footer("product owner")
    assert "Delivery Lead vs Delivery Manager" not in footer("product owner")
    assert "Delivery Lead vs Delivery Manager" in footer("delivery manager")


def test_a_restart_with_unchanged_knowledge_reuses_the_trained_weights():
    script = (
        "import sys\n"
        "from bot.core.loading import load_knowledge\n"
        "from bot.core.matcher import Matcher\n"
        "matcher = Matcher(load_knowledge(sys.argv[1]))\n"
        "assert matcher.learned is not None\n"
        "print('sklearn' in sys.modules)\n"
    )
    runs = [
        subprocess.run(
            [sys.executable, "-c", script, str(DEFAULT_KNOWLEDGE_PATH)], capture_output=True, text=True, check=True
        ).stdout.strip()
        for _ in range(2)
    ]
    assert runs[1] == "False"  # the second start found the weights the first (or an earlier one) left


def test_the_weights_cache_keeps_only_the_most_recent(tmp_path, monkeypatch):
    monkeypatch.setenv("ROLE_CACHE_DIR", str(tmp_path))
    for number in range(12):
        stale = tmp_path / f"learned-{number:032d}.npz"
        stale.write_bytes(b"old")
        os.utime(stale, (1_000_000 + number, 1_000_000 + number))
    lines = [
        '- {q: "who minds the risks", expect: delivery-lead/risk-management}',
        '- {q: "who minds the money", expect: delivery-manager/budget-financial-management}',
    ]
    shutil.copy(DEFAULT_KNOWLEDGE_PATH, tmp_path / "roles.yaml")
    (tmp_path / "questions-few.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert Matcher(load_knowledge(tmp_path / "roles.yaml")).learned is not None
    kept = sorted(path.name for path in tmp_path.glob("learned-*.npz"))
    assert len(kept) == CACHE_KEEP
    assert f"learned-{0:032d}.npz" not in kept  # the oldest went first
    assert any(not name.startswith("learned-0000") for name in kept)  # the new weights stayed
