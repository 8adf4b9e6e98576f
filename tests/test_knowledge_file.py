"""The shipped knowledge file: complete, with the agreed ids, and faithful to the article."""

import re

from bot.core.knowledge import DEFAULT_KNOWLEDGE_PATH
from bot.core.language import stem

ARTICLE = (DEFAULT_KNOWLEDGE_PATH.parent / "source" / "delivery-lead-vs-delivery-manager.txt").read_text()


def _stems(text: str) -> set[str]:
    return {stem(word) for word in re.findall(r"[a-z]+", text.lower())}


def test_every_answer_the_article_gives_has_its_agreed_id(knowledge):
    assert {entry.id for entry in knowledge.entries} == {
        "role/delivery-lead",
        "role/delivery-manager",
        "delivery-lead/team-coordination",
        "delivery-lead/resource-management",
        "delivery-lead/risk-management",
        "delivery-lead/stakeholder-engagement",
        "delivery-manager/strategic-planning",
        "delivery-manager/process-optimization",
        "delivery-manager/budget-financial-management",
        "delivery-manager/cross-functional-coordination",
        "delivery-manager/performance-metrics-reporting",
        "difference/focus",
        "difference/scope",
        "difference/stakeholder-interaction",
        "example/software-development",
        "example/consulting-firm",
        "topic/why-it-matters",
    }


def test_roles_carry_the_abbreviations_people_use(knowledge):
    assert "DL" in knowledge.role("delivery-lead").aliases
    assert "DM" in knowledge.role("delivery-manager").aliases


def test_responsibility_and_difference_titles_are_the_articles_headings(knowledge):
    for entry in knowledge.entries:
        if entry.kind in ("responsibility", "difference"):
            assert f"{entry.title}:" in ARTICLE, entry.id


def test_answers_use_the_articles_words_rather_than_new_claims(knowledge):
    """Light editing for chat is fine; most of every answer's words come from the article."""
    article = _stems(ARTICLE)
    new_words = {entry.id: sorted(_stems(entry.text) - article - {"s"}) for entry in knowledge.entries}
    assert {entry_id: words for entry_id, words in new_words.items() if len(words) > 2} == {}
