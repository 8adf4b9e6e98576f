"""The knowledge model: roles, their responsibilities, comparisons and topics.

Every answerable piece of knowledge is also exposed as an `Entry` with a stable id:
`role/<role>`, `<role>/<responsibility>`, `difference/<id>`, `example/<id>`, `topic/<id>`.
Besides its texts, the knowledge carries what the bot learns from: questions people ask for
each entry (`examples`, and labelled question files), and the words people use for its terms.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

# The project's knowledge folder; an installed copy (pip install .) carries it as bot/knowledge.
_CHECKOUT_KNOWLEDGE = Path(__file__).resolve().parents[2] / "knowledge" / "roles.yaml"
_INSTALLED_KNOWLEDGE = Path(__file__).resolve().parents[1] / "knowledge" / "roles.yaml"
DEFAULT_KNOWLEDGE_PATH = _CHECKOUT_KNOWLEDGE if _CHECKOUT_KNOWLEDGE.exists() else _INSTALLED_KNOWLEDGE

EntryKind = Literal["role", "responsibility", "difference", "example", "topic"]

# Labels a question can carry besides an entry id: the comparison, the help card, or a decline.
COMPARE = "compare"
HELP = "help"
DECLINE = "none"
FIXED_LABELS = (COMPARE, HELP, DECLINE)


@dataclass(frozen=True)
class Source:
    """Where a piece of knowledge comes from, credited under the answers that show it."""

    title: str
    link: str = ""


@dataclass(frozen=True)
class TextEntry:
    """A piece of knowledge answered with one text: a responsibility or a topic."""

    id: str
    title: str
    text: str
    hints: tuple[str, ...] = ()
    examples: tuple[str, ...] = ()  # questions people ask for it


class Responsibility(TextEntry):
    """Something a role is responsible for."""


class Topic(TextEntry):
    """Anything else worth answering, such as why the roles matter."""


@dataclass(frozen=True)
class Role:
    id: str
    name: str
    aliases: tuple[str, ...]
    summary: str
    focus: str
    hints: tuple[str, ...] = ()
    responsibilities: tuple[Responsibility, ...] = ()
    examples: tuple[str, ...] = ()
    source: Source | None = None  # when it differs from the file's


@dataclass(frozen=True)
class Contrast:
    """One point on which two roles differ (a difference) or a worked example: a text per role."""

    id: str
    title: str
    sides: Mapping[str, str]
    hints: tuple[str, ...] = ()
    examples: tuple[str, ...] = ()


@dataclass(frozen=True)
class Comparison:
    roles: tuple[str, str]
    differences: tuple[Contrast, ...] = ()
    examples: tuple[Contrast, ...] = ()
    source: Source | None = None  # when it differs from the file's


@dataclass(frozen=True)
class Vocabulary:
    """The words people use for the knowledge's own terms.

    `synonyms` maps a word people say to the word the knowledge uses ("money" -> "budget");
    `phrases` maps a set phrase people say to the words that replace it before matching
    ("day to day" -> "operational"). `job_words` name jobs ("architect", "scrum master") and
    `job_modifiers` turn a role's last word into another job ("project" in "project manager"):
    a question about a job the knowledge lacks is declined rather than answered wrongly.
    """

    synonyms: Mapping[str, str] = field(default_factory=dict)
    phrases: Mapping[str, str] = field(default_factory=dict)
    job_words: frozenset[str] = frozenset()
    job_modifiers: frozenset[str] = frozenset()


@dataclass(frozen=True)
class LabelledQuestion:
    """A question with the answers it should get: entry ids, or compare, help or none (decline)."""

    text: str
    expect: tuple[str, ...]
    origin: str = ""  # the file it came from
    line: int = 0


@dataclass(frozen=True)
class Entry:
    """Something the bot can answer with, in the flat form the matcher indexes."""

    id: str
    kind: EntryKind
    title: str
    text: str
    hints: tuple[str, ...]
    role_id: str | None = None  # the owning role, for roles and responsibilities
    roles: tuple[str, ...] = ()  # the compared pair, for differences and examples
    examples: tuple[str, ...] = ()


@dataclass(frozen=True, eq=False)  # one loaded file is one identity: hashable, for caches
class Knowledge:
    path: Path
    source: Source | None
    roles: tuple[Role, ...]
    comparisons: tuple[Comparison, ...] = ()
    topics: tuple[Topic, ...] = ()
    vocabulary: Vocabulary = field(default_factory=Vocabulary)
    questions: tuple[LabelledQuestion, ...] = ()  # labelled questions from files beside the knowledge
    version: str = ""  # a digest of the file and its labelled questions: which knowledge gave an answer
    entries: tuple[Entry, ...] = field(init=False, repr=False, compare=False)
    _entries_by_id: dict[str, Entry] = field(init=False, repr=False, compare=False)
    _roles_by_id: dict[str, Role] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # Frozen dataclass: derived lookups are set once here.
        entries = tuple(_entries_of(self))
        object.__setattr__(self, "entries", entries)
        object.__setattr__(self, "_entries_by_id", {entry.id: entry for entry in entries})
        object.__setattr__(self, "_roles_by_id", {role.id: role for role in self.roles})

    def entry(self, entry_id: str) -> Entry:
        return self._entries_by_id[entry_id]

    def has_entry(self, entry_id: str) -> bool:
        return entry_id in self._entries_by_id

    def role(self, role_id: str) -> Role:
        return self._roles_by_id[role_id]

    def owner(self, entry_id: str) -> Role:
        """The role a role entry or a responsibility belongs to."""
        role_id = self.entry(entry_id).role_id
        if role_id is None:
            raise KeyError(f"{entry_id} belongs to no one role")
        return self.role(role_id)

    def contrast(self, entry_id: str) -> Contrast:
        """The difference or worked example behind a difference/... or example/... entry."""
        entry = self.entry(entry_id)
        comparison = self.comparison(*entry.roles)
        contrasts = (comparison.differences + comparison.examples) if comparison else ()
        return next(item for item in contrasts if f"{entry.kind}/{item.id}" == entry_id)

    def comparison(self, first: str, second: str) -> Comparison | None:
        """The comparison written for this pair of roles, in either order, if any."""
        wanted = {first, second}
        return next((c for c in self.comparisons if set(c.roles) == wanted), None)

    def pair_for(self, named: tuple[str, ...]) -> tuple[str, str] | None:
        """The two roles to compare when these were named: both, or a partner for one, or a default."""
        if len(named) >= 2:
            return named[0], named[1]
        if named:
            written = next((c.roles for c in self.comparisons if named[0] in c.roles), None)
            partners = [r for r in written or (role.id for role in self.roles) if r != named[0]]
            return (named[0], partners[0]) if partners else None
        if self.comparisons:
            return self.comparisons[0].roles
        if len(self.roles) >= 2:
            return self.roles[0].id, self.roles[1].id
        return None

    def source_of(self, entry_id: str | None = None, roles: tuple[str, ...] = ()) -> Source | None:
        """The source to credit under an answer showing this entry, or these roles side by side."""
        if entry_id and self.has_entry(entry_id):
            entry = self.entry(entry_id)
            roles = (entry.role_id,) if entry.role_id else entry.roles
        if len(roles) == 2:
            comparison = self.comparison(*roles)
            if comparison and comparison.source:
                return comparison.source
        own = {self.role(role_id).source for role_id in roles if role_id in self._roles_by_id}
        own.discard(None)
        if len(own) == 1:
            return own.pop()
        return None if own else self.source

    def labelled(self) -> tuple[LabelledQuestion, ...]:
        """Every labelled question: the entries' examples, then the question files'."""
        from_examples = tuple(
            LabelledQuestion(text, (entry.id,), str(self.path)) for entry in self.entries for text in entry.examples
        )
        return from_examples + self.questions


def _entries_of(knowledge: Knowledge) -> list[Entry]:
    entries: list[Entry] = []
    for role in knowledge.roles:
        entries.append(
            Entry(
                id=f"role/{role.id}",
                kind="role",
                title=role.name,
                text=f"{role.summary} {role.focus}",
                hints=role.hints,
                role_id=role.id,
                examples=role.examples,
            )
        )
        entries.extend(
            Entry(
                id=f"{role.id}/{item.id}",
                kind="responsibility",
                title=item.title,
                text=item.text,
                hints=item.hints,
                role_id=role.id,
                examples=item.examples,
            )
            for item in role.responsibilities
        )
    for comparison in knowledge.comparisons:
        entries += [_contrast_entry("difference", contrast, comparison) for contrast in comparison.differences]
        entries += [_contrast_entry("example", contrast, comparison) for contrast in comparison.examples]
    entries.extend(
        Entry(
            id=f"topic/{topic.id}",
            kind="topic",
            title=topic.title,
            text=topic.text,
            hints=topic.hints,
            examples=topic.examples,
        )
        for topic in knowledge.topics
    )
    return entries


def _contrast_entry(kind: Literal["difference", "example"], contrast: Contrast, comparison: Comparison) -> Entry:
    return Entry(
        id=f"{kind}/{contrast.id}",
        kind=kind,
        title=contrast.title,
        text=" ".join(contrast.sides.values()),
        hints=contrast.hints,
        roles=comparison.roles,
        examples=contrast.examples,
    )
