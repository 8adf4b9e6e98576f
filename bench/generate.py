"""Generated knowledge files of any size, for measuring how cost grows with the number of roles."""

from __future__ import annotations

import random
from pathlib import Path

import yaml

_WORDS = """
    budget risk roadmap vendor quality audit compliance security testing design research support
    hiring onboarding training release deployment incident capacity forecast pricing contract
    invoice payroll marketing campaign brand content analytics reporting dashboard metrics survey
    feedback customer client partner supplier logistics inventory warehouse shipping procurement
    legal privacy policy governance architecture platform infrastructure network database migration
    integration api mobile web backlog sprint planning estimation documentation accessibility
    localization translation community events sales pipeline leads accounts renewals retention churn
    growth experiment pricing revenue cost savings wellbeing
""".split()
_VERBS = """
    owns manages reviews approves plans tracks improves coordinates reports leads supports prepares
""".split()
_TITLES = """
    Officer Specialist Coordinator Analyst Director Partner Steward Planner Advisor Champion
""".split()


def generate_knowledge(roles: int, seed: int = 7) -> dict:
    """A knowledge document with this many roles, about ten answers each."""
    rng = random.Random(seed)
    document: dict = {"source": {"title": f"Generated, {roles} roles"}, "roles": []}
    for number in range(roles):
        topic = rng.choice(_WORDS)
        name = f"{topic.title()} {rng.choice(_TITLES)} {number}"
        duties = []
        for duty in range(9):
            words = rng.sample(_WORDS, 3)
            duties.append(
                {
                    "id": f"duty-{duty}",
                    "title": " ".join(word.title() for word in words[:2]),
                    "text": " ".join(f"{rng.choice(_VERBS)} {' '.join(rng.sample(_WORDS, 3))}." for _ in range(4)),
                    "hints": words + rng.sample(_WORDS, 2),
                }
            )
        document["roles"].append(
            {
                "id": f"role-{number}",
                "name": name,
                "aliases": [f"R{number}"],
                "summary": " ".join(rng.choices(_WORDS, k=25)) + ".",
                "focus": topic.title(),
                "responsibilities": duties,
            }
        )
    return document


def write_knowledge(roles: int, folder: Path) -> Path:
    path = folder / f"roles-{roles}.yaml"
    path.write_text(yaml.safe_dump(generate_knowledge(roles), sort_keys=False), encoding="utf-8")
    return path


def generate_questions(document: dict, count: int, seed: int = 11) -> list[str]:
    """Questions shaped like people's: who owns X, does R do X, one-word topics, off-topic ones."""
    rng = random.Random(seed)
    questions = []
    for _ in range(count):
        role = rng.choice(document["roles"])
        duty = rng.choice(role["responsibilities"])
        shape = rng.randrange(5)
        if shape == 0:
            questions.append(f"who {rng.choice(_VERBS)} the {duty['title'].lower()}?")
        elif shape == 1:
            questions.append(f"does the {role['name'].lower()} handle {rng.choice(duty['hints'])}")
        elif shape == 2:
            questions.append(rng.choice(duty["hints"]))
        elif shape == 3:
            questions.append(f"what does a {role['name'].lower()} do")
        else:
            questions.append(
                f"where do I {rng.choice(['book', 'find', 'order'])} a {rng.choice(['desk', 'laptop', 'pizza'])}"
            )
    return questions
