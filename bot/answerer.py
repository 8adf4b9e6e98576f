"""The knowledge in service: what every Slack surface asks for its answers."""

from __future__ import annotations

from pathlib import Path

from bot.knowledge import Knowledge
from bot.loading import load_knowledge
from bot.matcher import Matcher
from bot.routing import Answer, route


class Answerer:
    """Answers texts from one knowledge file, loaded once and matched by one Matcher."""

    def __init__(self, knowledge: Knowledge) -> None:
        self.matcher = Matcher(knowledge)

    @classmethod
    def from_file(cls, path: Path) -> Answerer:
        return cls(load_knowledge(path))

    @property
    def knowledge(self) -> Knowledge:
        return self.matcher.knowledge

    def answer(self, text: str) -> Answer:
        """The answer to a /role argument, a mention or a DM."""
        return route(text, self.matcher)
