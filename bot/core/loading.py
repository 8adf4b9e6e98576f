"""Read a knowledge file and check it, with errors that name the file, the line and the fix."""

from __future__ import annotations

import dataclasses
import hashlib
import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import yaml
from rapidfuzz import process

from bot.core.knowledge import (
    FIXED_LABELS,
    Comparison,
    Contrast,
    Knowledge,
    LabelledQuestion,
    Responsibility,
    Role,
    Source,
    TextEntry,
    Topic,
    Vocabulary,
)
from bot.core.language import plain_text, tokenize

_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
# An answer's id joins two ids ("delivery-lead/risk-management"); it is recorded with each question
# (in a column of 200 characters) and carried in button values.
MAX_ID = 60
T = TypeVar("T")
TextT = TypeVar("TextT", bound=TextEntry)
_PUNCTUATION = re.compile(r"[\W_]+")
_LINK = re.compile(r"^https?://[^\s<>|]+$")


MAX_FILE_BYTES = 5_000_000  # per file: the shipped ones are under 0.1 MB, 1,000 generated roles 2.9 MB


class KnowledgeError(Exception):
    """A knowledge file that cannot be used, with where and how to fix it.

    `path`, `line`, `problem` and `fix` describe the first problem; `problems` holds every one
    found, each as (path, line, problem, fix), so that one check shows them all.
    """

    def __init__(
        self,
        path: Path | str,
        line: int | None,
        problem: str,
        fix: str,
        more: tuple[tuple[str, int | None, str, str], ...] = (),
    ) -> None:
        self.path = str(path)
        self.line = line
        self.problem = problem
        self.fix = fix
        self.problems = ((self.path, line, problem, fix), *more)
        super().__init__("\n".join(_describe(*found) for found in self.problems))


def _describe(path: str, line: int | None, problem: str, fix: str) -> str:
    where = f"{path}, line {line}" if line else path
    return f"{where}: {problem}\n  fix: {fix}"


class _Problem(Exception):
    """Raised while reading; turned into a KnowledgeError once the file's path is known."""

    def __init__(self, line: int | None, problem: str, fix: str) -> None:
        super().__init__(problem)
        self.line = line
        self.problem = problem
        self.fix = fix


# --- YAML with line numbers -------------------------------------------------------------


class _Block(dict[str, Any]):
    """A YAML mapping that remembers the line of itself and of each key."""

    line: int = 0
    key_lines: dict[str, int]


class _List(list[Any]):
    line: int = 0
    item_lines: list[int]


# libyaml's parser when PyYAML was built with it (much faster); the same safe constructors either way.
_SafeLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _LineLoader(_SafeLoader):  # type: ignore[valid-type,misc]  # a class chosen at import time
    """yaml's safe loader, keeping line numbers and refusing duplicate keys."""


def _construct_block(loader: _LineLoader, node: yaml.MappingNode) -> _Block:
    loader.flatten_mapping(node)
    block = _Block()
    block.line = node.start_mark.line + 1
    block.key_lines = {}
    for key_node, value_node in node.value:
        line = key_node.start_mark.line + 1
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, str):
            raise _Problem(line, f"the key {key!r} is not a field name", "write field names as plain words")
        if key in block:
            raise _Problem(
                line,
                f"'{key}' is given twice in the block that starts on line {block.line}",
                f"keep one '{key}' (the first is on line {block.key_lines[key]})",
            )
        block[key] = loader.construct_object(value_node, deep=True)
        block.key_lines[key] = line
    return block


def _construct_list(loader: _LineLoader, node: yaml.SequenceNode) -> _List:
    items = _List(loader.construct_object(child, deep=True) for child in node.value)
    items.line = node.start_mark.line + 1
    items.item_lines = [child.start_mark.line + 1 for child in node.value]
    return items


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_block)
_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_list)


# --- Field checks --------------------------------------------------------------------------

_FIELDS = {
    "file": {"source": False, "roles": True, "comparisons": False, "topics": False, "vocabulary": False},
    "source": {"title": True, "link": False},
    "role": {
        "id": True,
        "name": True,
        "aliases": False,
        "summary": True,
        "focus": True,
        "hints": False,
        "examples": False,
        "source": False,
        "responsibilities": False,
    },
    "responsibility": {"id": True, "title": True, "text": True, "hints": False, "examples": False},
    "comparison": {"roles": True, "source": False, "differences": False, "examples": False},
    "difference": {"id": True, "title": True, "sides": True, "hints": False, "examples": False},
    "example": {"id": True, "title": True, "sides": True, "hints": False, "examples": False},
    "topic": {"id": True, "title": True, "text": True, "hints": False, "examples": False},
    "vocabulary": {"synonyms": False, "phrases": False, "job_words": False, "job_modifiers": False},
}

_TYPE_NAMES = {str: "text", list: "a list", dict: "a block of fields", bool: "true/false", int: "a number"}


def _type_name(value: Any) -> str:
    if value is None:
        return "nothing"
    return next((name for kind, name in _TYPE_NAMES.items() if isinstance(value, kind)), type(value).__name__)


def _block(value: Any, line: int, what: str) -> _Block:
    if not isinstance(value, _Block):
        raise _Problem(line, f"{what} should be a block of fields, not {_type_name(value)}", _example_fix(what))
    return value


def _example_fix(what: str) -> str:
    return f"write {what} as indented 'field: value' lines, as the other blocks in the file are"


def _fields(block: _Block, kind: str, label: str) -> None:
    allowed = _FIELDS[kind]
    for key in block:
        if key not in allowed:
            guess = process.extractOne(key, list(allowed), score_cutoff=60)
            hint = f"did you mean '{guess[0]}'? " if guess else ""
            raise _Problem(
                block.key_lines[key],
                f"{label} has an unknown field '{key}'",
                f"{hint}the fields of a {kind} are: {', '.join(allowed)}",
            )
    for key, required in allowed.items():
        if required and key not in block:
            raise _Problem(block.line, f"{label} has no '{key}'", f"add a '{key}:' line to it")


def _text(block: _Block, key: str, label: str) -> str:
    value = block[key]
    line = block.key_lines[key]
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise _Problem(
            line,
            f"'{key}' of {label} should be text, not {_type_name(value)}",
            "write it as text; put it in quotes if it contains a colon or looks like yes/no or a number",
        )
    text = str(value).strip()
    if not text:
        raise _Problem(line, f"'{key}' of {label} is empty", f"write the {key} after '{key}:'")
    return text


def _optional_texts(block: _Block, key: str, label: str, not_empty: bool = False) -> tuple[str, ...]:
    """A list of texts, or () when the field is absent; `not_empty`: an empty list is a mistake."""
    if key not in block or (block[key] is None and not not_empty):
        return ()
    values = block[key]
    line = block.key_lines[key]
    if not_empty and not values:
        raise _Problem(line, f"'{key}' of {label} is an empty list", f"add items to it, or remove the '{key}:' line")
    if not isinstance(values, _List):
        raise _Problem(
            line,
            f"'{key}' of {label} should be a list, not {_type_name(values)}",
            f"write it as {key}: [first, second phrase]",
        )
    texts = []
    for value, item_line in zip(values, values.item_lines, strict=True):
        if isinstance(value, bool) or not isinstance(value, str | int | float) or not str(value).strip():
            raise _Problem(
                item_line,
                f"an item of '{key}' in {label} is {_type_name(value) if value != '' else 'empty'}, not text",
                "write each item as text; put it in quotes if it looks like yes/no, a number or has a colon",
            )
        texts.append(str(value).strip())
    return tuple(texts)


def _list_of_blocks(block: _Block, key: str, label: str) -> list[tuple[_Block, int]]:
    if key not in block or block[key] is None:
        return []
    values = block[key]
    if not isinstance(values, _List):
        raise _Problem(
            block.key_lines[key],
            f"'{key}' of {label} should be a list of blocks, not {_type_name(values)}",
            f"start each item of '{key}' with '- ' on its own line",
        )
    return [
        (_block(value, line, f"an item of '{key}'"), line)
        for value, line in zip(values, values.item_lines, strict=True)
    ]


def _label(kind: str, block: _Block) -> str:
    """How an error names a block: by its id when it has a usable one, else by its line."""
    block_id = block.get("id")
    if isinstance(block_id, str) and _ID.match(block_id):
        return f"{kind} '{block_id}'"
    return f"the {kind} on line {block.line}"


def _id(block: _Block, label: str) -> str:
    value = _text(block, "id", label)
    if len(value) > MAX_ID:
        words = value[:MAX_ID].rsplit("-", 1)[0] if "-" in value[:MAX_ID] else value[:MAX_ID]
        raise _Problem(
            block.key_lines["id"],
            f"the id of {label} is {len(value)} characters long; ids are at most {MAX_ID}",
            f"use a shorter id, such as '{words}'",
        )
    if not _ID.match(value):
        suggestion = "-".join(re.findall(r"[a-z0-9]+", value.lower())) or "my-id"
        raise _Problem(
            block.key_lines["id"],
            f"the id '{value}' of {label} is not lowercase words joined by dashes",
            f"use an id such as '{suggestion}'",
        )
    return value


# --- Reading the blocks --------------------------------------------------------------------


class _Reader:
    """Builds the knowledge model from the YAML tree, checking as it goes.

    A problem in one block is recorded and reading goes on with the next, so that one check
    reports every problem in the file.
    """

    def __init__(self) -> None:
        self.entry_lines: dict[str, int] = {}
        self.problems: list[_Problem] = []

    @contextmanager
    def block(self) -> Iterator[None]:
        """Record a problem found inside, and go on after the block."""
        try:
            yield
        except _Problem as problem:
            self.problems.append(problem)

    def each(self, items: list[tuple[_Block, int]], read: Callable[[_Block], T]) -> tuple[T, ...]:
        """Read every block of a list, keeping those without problems."""
        found: list[T] = []
        for item, _ in items:
            with self.block():
                found.append(read(item))
        return tuple(found)

    def claim(self, entry_id: str, line: int, what: str) -> None:
        if entry_id in self.entry_lines:
            raise _Problem(
                line,
                f"the {what} id '{entry_id.split('/')[-1]}' is already used on line {self.entry_lines[entry_id]}",
                f"give this {what} an id of its own",
            )
        self.entry_lines[entry_id] = line

    def knowledge(self, path: Path, tree: Any) -> Knowledge:
        top = _block(tree, 1, "the file")
        _fields(top, "file", "the file")
        roles = self.each(_list_of_blocks(top, "roles", "the file"), self.role)
        if not top.get("roles"):
            raise _Problem(top.key_lines["roles"], "the file lists no roles", "add at least one role under 'roles:'")
        with self.block():
            self.check_aliases(top["roles"], roles)
        role_ids = {role.id: role for role in roles}
        comparisons = self.each(
            _list_of_blocks(top, "comparisons", "the file"), lambda block: self.comparison(block, role_ids)
        )
        with self.block():
            self.check_pairs(top, comparisons)
        topics = self.each(
            _list_of_blocks(top, "topics", "the file"), lambda block: self.text_entry(block, "topic", "topic", Topic)
        )
        source = vocabulary = None
        with self.block():
            source = _source(top, "the file")
        with self.block():
            vocabulary = self.vocabulary(top)
        return Knowledge(
            path=path,
            source=source,
            roles=roles,
            comparisons=comparisons,
            topics=topics,
            vocabulary=vocabulary or Vocabulary(),
        )

    def role(self, block: _Block) -> Role:
        _fields(block, "role", _label("role", block))
        role_id = _id(block, f"the role on line {block.line}")
        label = f"role '{role_id}'"
        self.claim(f"role/{role_id}", block.key_lines["id"], "role")
        responsibilities = self.each(
            _list_of_blocks(block, "responsibilities", label),
            lambda item: self.text_entry(item, "responsibility", role_id, Responsibility),
        )
        return Role(
            id=role_id,
            name=_text(block, "name", label),
            aliases=_optional_texts(block, "aliases", label),
            summary=_text(block, "summary", label),
            focus=_text(block, "focus", label),
            hints=_optional_texts(block, "hints", label),
            examples=_optional_texts(block, "examples", label, not_empty=True),
            source=_source(block, label),
            responsibilities=responsibilities,
        )

    def text_entry(self, block: _Block, kind: str, owner: str, make: type[TextT]) -> TextT:
        """A responsibility (owned by its role) or a topic: an id, a title, a text, hints and examples."""
        _fields(block, kind, _label(kind, block))
        entry_id = _id(block, f"the {kind} on line {block.line}")
        label = f"{kind} '{entry_id}'"
        self.claim(f"{owner}/{entry_id}", block.key_lines["id"], kind)
        return make(
            id=entry_id,
            title=_text(block, "title", label),
            text=_text(block, "text", label),
            hints=_optional_texts(block, "hints", label),
            examples=_optional_texts(block, "examples", label, not_empty=True),
        )

    def check_aliases(self, blocks: _List, roles: tuple[Role, ...]) -> None:
        owners: dict[str, tuple[str, int]] = {}
        by_id = {block.get("id"): block for block in blocks if isinstance(block, _Block)}
        for role in roles:
            block = by_id[role.id]
            names = [(role.name, block.key_lines["name"])]
            names += [(alias, block.key_lines.get("aliases", block.line)) for alias in role.aliases]
            for name, line in names:
                key = " ".join(tokenize(name))
                owner = owners.get(key)
                if owner and owner[0] != role.id:
                    raise _Problem(
                        line,
                        f"the name '{name}' is claimed by role '{role.id}' and by role '{owner[0]}' (line {owner[1]})",
                        "an alias can belong to one role only: remove it from one of them",
                    )
                owners[key] = (role.id, line)

    def comparison(self, block: _Block, roles: dict[str, Role]) -> Comparison:
        label = f"the comparison on line {block.line}"
        _fields(block, "comparison", label)
        pair = _optional_texts(block, "roles", label)
        line = block.key_lines["roles"]
        if len(pair) != 2 or pair[0] == pair[1]:
            raise _Problem(
                line, f"{label} should name two different roles", "write roles: [first-role-id, second-role-id]"
            )
        for role_id in pair:
            if role_id not in roles:
                guess = process.extractOne(role_id, list(roles), score_cutoff=60)
                hint = f"did you mean '{guess[0]}'? " if guess else ""
                raise _Problem(
                    line,
                    f"{label} names the role '{role_id}', which is not in the file",
                    f"{hint}the roles are: {', '.join(roles)}",
                )
        differences = self.each(
            _list_of_blocks(block, "differences", label), lambda item: self.contrast(item, "difference", pair)
        )
        examples = self.each(
            _list_of_blocks(block, "examples", label), lambda item: self.contrast(item, "example", pair)
        )
        return Comparison(
            roles=(pair[0], pair[1]), differences=differences, examples=examples, source=_source(block, label)
        )

    def contrast(self, block: _Block, kind: str, pair: tuple[str, ...]) -> Contrast:
        _fields(block, kind, _label(kind, block))
        contrast_id = _id(block, f"the {kind} on line {block.line}")
        label = f"{kind} '{contrast_id}'"
        self.claim(f"{kind}/{contrast_id}", block.key_lines["id"], kind)
        sides = _block(block["sides"], block.key_lines["sides"], f"'sides' of {label}")
        for role_id in sides:
            if role_id not in pair:
                raise _Problem(
                    sides.key_lines[role_id],
                    f"{label} has a text for '{role_id}', which is not one of the compared roles",
                    f"give one text for each of: {', '.join(pair)}",
                )
        for role_id in pair:
            if role_id not in sides:
                raise _Problem(
                    block.key_lines["sides"],
                    f"{label} has no text for '{role_id}'",
                    f"add '{role_id}: ...' under 'sides:'",
                )
        return Contrast(
            id=contrast_id,
            title=_text(block, "title", label),
            sides={role_id: _text(sides, role_id, label) for role_id in pair},
            hints=_optional_texts(block, "hints", label),
            examples=_optional_texts(block, "examples", label, not_empty=True),
        )

    def check_pairs(self, top: _Block, comparisons: tuple[Comparison, ...]) -> None:
        seen: dict[frozenset[str], int] = {}
        lines = {
            frozenset(map(str, block.get("roles") or ())): block.line
            for block, _ in _list_of_blocks(top, "comparisons", "the file")
        }
        for comparison in comparisons:
            key = frozenset(comparison.roles)
            line = lines.get(key, top.key_lines.get("comparisons", 1))
            if key in seen:
                raise _Problem(
                    line,
                    f"the roles {' and '.join(comparison.roles)} are compared twice (also on line {seen[key]})",
                    "merge the two comparisons into one",
                )
            seen[key] = line

    def vocabulary(self, top: _Block) -> Vocabulary:
        if "vocabulary" not in top:
            return Vocabulary()
        block = _block(top["vocabulary"], top.key_lines["vocabulary"], "'vocabulary'")
        _fields(block, "vocabulary", "'vocabulary'")
        lists: dict[str, dict[str, str]] = {}
        for key in ("synonyms", "phrases"):
            lists[key] = {}
            with self.block():
                lists[key] = self.said_for(block, key)
        return Vocabulary(
            synonyms=lists["synonyms"],
            phrases=lists["phrases"],
            job_words=frozenset(word.casefold() for word in _optional_texts(block, "job_words", "'vocabulary'", True)),
            job_modifiers=frozenset(
                word.casefold() for word in _optional_texts(block, "job_modifiers", "'vocabulary'", True)
            ),
        )

    def said_for(self, vocabulary: _Block, key: str) -> dict[str, str]:
        """`synonyms` or `phrases`: what people say -> the knowledge's word, each said only once."""
        if key not in vocabulary:
            return {}
        block = _block(vocabulary[key], vocabulary.key_lines[key], f"'{key}' of 'vocabulary'")
        said: dict[str, tuple[str, int]] = {}
        for word in block:
            label = f"'{word}' in '{key}'"
            with self.block():
                for text in _optional_texts(block, word, label, not_empty=True):
                    spoken = " ".join(text.casefold().split())
                    line = block.key_lines[word]
                    if spoken in said and said[spoken][0] != word:
                        other, other_line = said[spoken]
                        raise _Problem(
                            line,
                            f"'{spoken}' is listed for '{word}' and for '{other}' (line {other_line}) in '{key}'",
                            f"keep '{spoken}' under one word only",
                        )
                    said[spoken] = (word, line)
        return {spoken: word for spoken, (word, _) in said.items()}


def _source(block: _Block, label: str) -> Source | None:
    if "source" not in block:
        return None
    source = _block(block["source"], block.key_lines["source"], f"'source' of {label}")
    _fields(source, "source", f"'source' of {label}")
    link = _text(source, "link", f"'source' of {label}") if "link" in source else ""
    if link and not _LINK.match(link):
        raise _Problem(
            source.key_lines["link"],
            f"the link of 'source' of {label} is not a web address",
            "write it as https://... with no spaces, '<', '>' or '|'",
        )
    return Source(title=_text(source, "title", f"'source' of {label}"), link=link)


def load_knowledge(path: Path | str) -> Knowledge:
    """Load and check a knowledge file and the labelled questions beside it (`questions*.yaml`);
    raise KnowledgeError naming every problem with its line and fix."""
    path = Path(path)
    tree = read_yaml(path)
    reader = _Reader()
    knowledge = None
    try:
        knowledge = reader.knowledge(path, tree)
    except _Problem as problem:
        reader.problems.append(problem)
    found = sorted(reader.problems, key=lambda problem: problem.line or 0)
    problems = [(str(path), p.line, p.problem, p.fix) for p in found]
    labelled: list[LabelledQuestion] = []
    for questions_path in question_files(path):
        try:
            labelled += load_questions(questions_path)
        except KnowledgeError as error:
            problems += error.problems
    if knowledge is not None:
        problems += check_labels(knowledge, (*knowledge.labelled(), *labelled))
    if problems or knowledge is None:
        raise KnowledgeError(*problems[0], more=tuple(problems[1:]))
    return dataclasses.replace(knowledge, questions=tuple(labelled), version=_version(path))


def _version(path: Path) -> str:
    """A short digest of the knowledge file and its labelled question files, as they are on disk."""
    digest = hashlib.sha256()
    for each in (path, *question_files(path)):
        try:
            digest.update(each.read_bytes())
        except OSError:  # removed since it was read: the version still differs from the last one
            digest.update(str(each).encode())
    return digest.hexdigest()[:12]


def _raise_problems(path: Path, problems: list[_Problem]) -> None:
    if problems:
        found = sorted(problems, key=lambda problem: problem.line or 0)
        more = tuple((str(path), p.line, p.problem, p.fix) for p in found[1:])
        raise KnowledgeError(path, found[0].line, found[0].problem, found[0].fix, more=more)


def question_files(knowledge_path: Path) -> list[Path]:
    """The labelled question files that go with a knowledge file: `questions*.yaml` beside it."""
    return sorted(knowledge_path.parent.glob("questions*.yaml"))


_QUESTION_FIELDS = {"q", "expect"}


def load_questions(path: Path | str) -> list[LabelledQuestion]:
    """Read a labelled questions file: a YAML list of {q: ..., expect: id or [ids]}.

    Every malformed item is reported, not only the first.
    """
    path = Path(path)
    items = read_yaml(path)
    if not isinstance(items, _List):
        raise KnowledgeError(
            path, 1, "a questions file is a list of questions", "start each with '- {q: ..., expect: ...}'"
        )
    found: list[LabelledQuestion] = []
    problems: list[_Problem] = []
    for item, line in zip(items, items.item_lines, strict=True):
        try:
            found.append(_labelled(path, item, line))
        except _Problem as problem:
            problems.append(problem)
    _raise_problems(path, problems)
    return found


def _labelled(path: Path, item: object, line: int) -> LabelledQuestion:
    fix = 'write it as - {q: "the question", expect: entry-id} (or expect: [id, other-id])'
    if not isinstance(item, dict) or not isinstance(item.get("q"), str) or "expect" not in item:
        raise _Problem(line, "this item needs a text 'q' and an 'expect'", fix)
    unknown = set(item) - _QUESTION_FIELDS
    if unknown:
        raise _Problem(line, f"this item has an unknown field '{sorted(unknown)[0]}'", fix)
    expect = item["expect"] if isinstance(item["expect"], list) else [item["expect"]]
    if not expect or not all(isinstance(entry_id, str) for entry_id in expect):
        raise _Problem(line, "'expect' should be an answer id or a non-empty list of them", fix)
    if not item["q"].strip():
        raise _Problem(line, "the question 'q' is empty", "write the question, or remove the item")
    return LabelledQuestion(item["q"], tuple(expect), str(path), line)


def check_labels(
    knowledge: Knowledge, questions: tuple[LabelledQuestion, ...]
) -> list[tuple[str, int | None, str, str]]:
    """Problems with labelled questions: ids the knowledge lacks, and one question given answers that
    have nothing in common (a list of acceptable answers that includes the other label agrees with it)."""
    problems = unknown_labels(knowledge, questions)
    first_label: dict[str, LabelledQuestion] = {}
    for question in questions:
        key = question_key(question.text)
        earlier = first_label.setdefault(key, question)
        if not set(earlier.expect) & set(question.expect):
            where = f"{earlier.origin}, line {earlier.line}" if earlier.line else earlier.origin
            problems.append(
                (
                    question.origin,
                    question.line or None,
                    f"the question {question.text!r} expects {' or '.join(question.expect)}, but {where} "
                    f"labels it {' or '.join(earlier.expect)}",
                    "give one question one answer: correct or remove one of the two",
                )
            )
    return problems


def unknown_labels(
    knowledge: Knowledge, questions: Sequence[LabelledQuestion]
) -> list[tuple[str, int | None, str, str]]:
    """A problem for every expected id that is not an answer of the knowledge."""
    problems: list[tuple[str, int | None, str, str]] = []
    known = [entry.id for entry in knowledge.entries] + list(FIXED_LABELS)
    for question in questions:
        for entry_id in question.expect:
            if entry_id not in known:
                guess = process.extractOne(entry_id, known, score_cutoff=70)
                hint = f"did you mean '{guess[0]}'? " if guess else ""
                problems.append(
                    (
                        question.origin,
                        question.line or None,
                        f"the question {question.text!r} expects '{entry_id}', which is not an answer in "
                        f"{knowledge.path}",
                        f"{hint}use an id that `rolebot ask --json` reports, or none, compare, help",
                    )
                )
    return problems


def question_key(text: str) -> str:
    """What two questions share when they are the same question: case, spacing and punctuation aside."""
    return plain_key(plain_text(text))


def plain_key(plain: str) -> str:
    """question_key of a text already made plain (language.plain_text)."""
    return " ".join(_PUNCTUATION.sub(" ", plain.casefold()).split())


def read_yaml(path: Path) -> Any:
    """A YAML file read with the safe loader; mappings and lists know their lines (`.line`,
    `.key_lines`, `.item_lines`). Raises KnowledgeError for an unreadable or invalid file."""
    raw = _read_text(path)
    try:
        return yaml.load(raw, Loader=_LineLoader)  # noqa: S506 - a subclass of yaml's safe loader
    except _Problem as problem:
        raise KnowledgeError(path, problem.line, problem.problem, problem.fix) from None
    except yaml.YAMLError as error:
        raise _yaml_error(path, error) from None


def _read_text(path: Path) -> str:
    try:
        size = path.stat().st_size if path.is_file() else 0
        if size > MAX_FILE_BYTES:  # reading and checking it would take minutes and gigabytes
            raise KnowledgeError(
                path,
                None,
                f"the file is {size / 1e6:.1f} MB, over the {MAX_FILE_BYTES / 1e6:.0f} MB a knowledge file may be",
                "keep answers and labelled questions to what people ask (the shipped files are under 0.1 MB each)",
            )
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise KnowledgeError(
            path, None, "the file does not exist", "check the path, or set it with --knowledge"
        ) from None
    except IsADirectoryError:
        raise KnowledgeError(path, None, "this is a folder, not a file", "give the path of the YAML file") from None
    except UnicodeDecodeError as error:
        raise KnowledgeError(path, None, f"the file is not UTF-8 text ({error.reason})", "save it as UTF-8") from None
    except OSError as error:
        raise KnowledgeError(
            path, None, f"the file cannot be read ({error.strerror})", "check its permissions"
        ) from None


def _yaml_error(path: Path, error: yaml.YAMLError) -> KnowledgeError:
    """A YAML syntax error as a KnowledgeError: where the parser stopped, and where to look."""
    if not isinstance(error, yaml.MarkedYAMLError):
        return KnowledgeError(path, None, f"the file is not valid YAML: {error}", "check the file's syntax")
    mark = error.problem_mark or error.context_mark
    line = mark.line + 1 if mark else None
    if isinstance(error, yaml.constructor.ConstructorError):
        return KnowledgeError(
            path, line, "the file uses a YAML tag (such as !!python/...) that is not allowed", "remove the tag"
        )
    problem = " ".join(part for part in (error.context, error.problem) if part)
    start = error.context_mark.line + 1 if error.context_mark else None
    where = f"the lines from {start} to {line}" if start and line and start < line else "this line and the one above"
    return KnowledgeError(
        path,
        line,
        f"the file is not valid YAML: {problem}",
        f"check the indentation of {where}: fields of one block line up; text with a colon in it needs quotes",
    )
