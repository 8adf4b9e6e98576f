"""Reading a question: fixing typos, finding the roles it names, and what it asks for."""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import process
from rapidfuzz.distance import DamerauLevenshtein

from bot.core.english import english_frequency
from bot.core.knowledge import Knowledge
from bot.core.language import (
    COMPARE_WORDS,
    EXAMPLE_WORDS,
    HELP_WORDS,
    OWNERSHIP_WORDS,
    PAIR_WORDS,
    ROLE_WORDS,
    STOPWORDS,
    WEAK_COMPARE_WORDS,
    WHO_WORDS,
    YES_NO_OPENERS,
    Phrases,
    stem,
    tokenize,
    without_links,
)

_FUNCTION_WORDS = (
    STOPWORDS
    | OWNERSHIP_WORDS
    | COMPARE_WORDS
    | WEAK_COMPARE_WORDS
    | ROLE_WORDS
    | HELP_WORDS
    | YES_NO_OPENERS
    | WHO_WORDS
)
_STOPWORD_STEMS = frozenset(stem(word) for word in STOPWORDS)  # "kinds" is as empty as "kind"
# Words that ask what a role is, as against "do", "does" or "job" that most questions use.
_DESCRIBING = ROLE_WORDS - {"do", "does", "doing", "work", "works", "day", "responsible", "involved", "job", "jobs"}
_DETERMINERS = {"the", "a", "an"}
_PERSON_DETERMINERS = {"the", "our", "my", "your", "their", "this", "a", "an"}
_QUESTION_WORDS = WHO_WORDS | {"which", "what", "how", "why", "where", "when"}
_OBJECT_PRONOUNS = {("me",), ("you",), ("him",), ("her",), ("us",), ("them",)}
# A capitalised word after another word, not after a sentence's end: "earn in Leeds".
_NAME = re.compile(r"(?<=[\w,] )[A-Z][a-z]{2,}\b")
_CLAUSE_BREAK = re.compile(r"[,.;:!?()\n]+|\s[-–—]\s")
_IDENTITY_OPENERS = {("who", "is"), ("who", "are"), ("what", "is"), ("what", "are")}
_ADDRESSING_BOT = {"can", "know", "answer", "cover", "do"}


@dataclass(frozen=True)
class Question:
    """What a question says, as far as matching needs to know."""

    text: str  # the question as plain text, Slack markup removed
    words: tuple[str, ...]  # its words, typos corrected
    roles: tuple[str, ...]  # ids of the known roles it names, in order of first mention
    role_spans: tuple[tuple[int, int, str], ...]  # where in `words` each role is named: start, end, role id
    unknown_roles: tuple[str, ...]  # job titles it names that the knowledge file lacks
    content: tuple[str, ...]  # stems of the words that say what it is about
    focus: tuple[str, ...]  # the content of its question clause, when other clauses are context
    compares: bool  # asks how roles differ
    names_pair: bool  # "both roles", "these two roles": the pair, named without naming them
    offers_choice: bool  # "the DL or the DM?": which of the two does something
    yes_no: bool  # a yes/no question ("does a DL own the budget?")
    asks_who: bool
    asks_help: bool  # asks what the bot can do, or greets it
    asks_identity: bool  # "who is ...", "what is ...", "what does X do"
    describes_role: bool  # "overview of the DM role", "what's their job about": the role itself
    corrected: bool  # a word had to be corrected to be understood
    names: tuple[str, ...]  # capitalised words that are not role names: people, places, projects
    asks_about_people: bool  # who holds a role, or who reports to whom: not what a role does


class QuestionReader:
    """Reads questions against one knowledge file's vocabulary and role names."""

    typo_frequency_ratio = 20.0  # how much more common a correction must be than a real word it replaces
    common_word_frequency = 10_000  # an English word this common is never a typo

    def __init__(self, knowledge: Knowledge) -> None:
        self.knowledge = knowledge
        vocabulary = knowledge.vocabulary
        self.phrases = Phrases(vocabulary.phrases)
        self._job_words = vocabulary.job_words
        self._job_modifiers = vocabulary.job_modifiers
        self._aliases: dict[tuple[str, ...], str] = {}
        for role in knowledge.roles:
            for name in (role.name, *role.aliases):
                words = tuple(tokenize(name, self.phrases))
                plural = (*words[:-1], words[-1] + "s")
                for form in (words, plural, ("".join(words),), ("".join(plural),)):
                    self._aliases.setdefault(form, role.id)
        self._longest_alias = max(len(form) for form in self._aliases)
        self._heads = _unique_heads(knowledge, self.phrases)
        content_words = {
            word
            for entry in knowledge.entries
            for text in (entry.title, entry.text, *entry.hints)
            for word in tokenize(text, self.phrases)
        }
        self._content_singulars = {word.removesuffix("s") for word in content_words}
        self._content_stems = {stem(word) for word in content_words}
        # Role names are read by role detection; as content words they would only add noise.
        self.role_name_stems = frozenset(stem(word) for form in self._aliases for word in form)
        alias_words = {word for form in self._aliases for word in form}
        self._alias_words = frozenset(alias_words)
        synonyms = {word for word in vocabulary.synonyms if " " not in word}
        known = content_words | alias_words | _FUNCTION_WORDS | EXAMPLE_WORDS | self._job_words | synonyms
        self._known = frozenset(known)
        by_initial: dict[str, list[str]] = {}
        for word in sorted(known):
            by_initial.setdefault(word[0], []).append(word)
        self._by_initial = {initial: tuple(words) for initial, words in by_initial.items()}
        self._closest = lru_cache(maxsize=16384)(self._closest_uncached)

    def read(self, plain: str) -> Question:
        """Read a plain-text question (see language.plain_text): its corrected words, the roles it
        names, its content and intents."""
        raw_words, clause_of = _words_by_clause(plain, self.phrases)
        names = _names(plain)
        words = tuple(word if word in names else self._correct(word) for word in raw_words)
        spans, roles = self._find_roles(words)
        covered = {i for start, end in spans for i in range(start, end)}
        unknown, unknown_at = self._find_unknown_roles(words, covered)
        content = self._content(words, clause_of, skip=covered | unknown_at)
        focus_clause = _focus_clause(words, clause_of)
        focus = tuple(term for term, clause in content.items() if clause == focus_clause)
        return Question(
            text=plain,
            words=words,
            roles=tuple(dict.fromkeys(roles)),
            role_spans=tuple((start, end, role) for (start, end), role in zip(spans, roles, strict=True)),
            unknown_roles=unknown,
            content=tuple(content),
            focus=focus if 0 < len(focus) < len(content) else (),
            compares=_compares(words, roles),
            names_pair=_names_pair(words),
            offers_choice=_offers_choice(words, spans),
            yes_no=bool(words) and words[0] in YES_NO_OPENERS,
            asks_who=any(word in WHO_WORDS or word == "which" for word in words),
            asks_help=any(word in HELP_WORDS for word in words)
            or ("you" in words and any(word in _ADDRESSING_BOT for word in words)),
            asks_identity=words[:2] in _IDENTITY_OPENERS or any(word in ROLE_WORDS for word in words),
            describes_role=any(word in _DESCRIBING for word in words),
            corrected=raw_words != list(words),
            names=tuple(word for i, word in enumerate(words) if word in names and i not in covered),
            asks_about_people=_asks_about_people(words, spans),
        )

    def _content(self, words: tuple[str, ...], clause_of: list[int], skip: set[int]) -> dict[str, int]:
        """Stems of the words that say what the question is about, each with its first clause."""
        content: dict[str, int] = {}
        for i, word in enumerate(words):
            if i in skip or word in _FUNCTION_WORDS or len(word) < 2 or word.isdigit():
                continue
            stemmed = stem(word)
            if stemmed not in self.role_name_stems and stemmed not in _STOPWORD_STEMS:
                content.setdefault(stemmed, clause_of[i])
        return content

    def _correct(self, word: str) -> str:
        if word in self._known or len(word) < 4 or not word.isalpha():
            return word
        if stem(word) in self._content_stems and english_frequency(word):
            return word  # another form of a known word: "task" for "tasks"
        return self._closest(word)

    def _closest_uncached(self, word: str) -> str:
        """The known word at most one edit away (two for long words), or the word itself.

        The first letter must agree: typos rarely change it, and unrelated words often differ there.
        A real English word is kept ("party" is not "part") unless the correction is far more
        common, as "manager" is than "manger".
        """
        own = english_frequency(word)
        if own >= self.common_word_frequency:
            return word
        limit = 1 if len(word) <= 7 else 2
        candidates = self._by_initial.get(word[0], ())
        found = process.extract(word, candidates, scorer=DamerauLevenshtein.distance, score_cutoff=limit, limit=8)
        if not found:
            return word
        # Closest first; among equals, a role-name word, then the most common English word.
        best = min(found, key=lambda item: (item[1], item[0] not in self._alias_words, -english_frequency(item[0])))[0]
        if own and english_frequency(best) < self.typo_frequency_ratio * own:
            return word
        return best

    def _find_roles(self, words: tuple[str, ...]) -> tuple[list[tuple[int, int]], list[str]]:
        """Spans of role names and the roles they name.

        A bare 'lead' or 'manager' counts beside another role ('delivery lead vs manager') or after
        'the'/'a' ('what does the lead do'), not as a verb ('who leads the team').
        """
        spans: list[tuple[int, int]] = []
        roles: list[str] = []
        bare: list[tuple[int, str]] = []
        i = 0
        while i < len(words):
            for length in range(min(self._longest_alias, len(words) - i), 0, -1):
                role_id = self._aliases.get(words[i : i + length])
                # "DM me", "can you DM them": a name used as a verb of messaging, not the role.
                if role_id and words[i + length : i + length + 1] not in _OBJECT_PRONOUNS:
                    spans.append((i, i + length))
                    roles.append(role_id)
                    i += length
                    break
            else:
                role_id = self._heads.get(words[i])
                if role_id and not (i > 0 and words[i - 1] in self._job_modifiers):
                    bare.append((i, role_id))
                i += 1
        if len({*roles, *(role_id for _, role_id in bare)}) >= 2 or (
            not roles and len(bare) == 1 and bare[0][0] > 0 and words[bare[0][0] - 1] in _DETERMINERS
        ):
            spans += [(i, i + 1) for i, _ in bare]
            roles += [role_id for _, role_id in bare]
            order = sorted(zip(spans, roles, strict=True))
            spans, roles = [span for span, _ in order], [role for _, role in order]
        return spans, roles

    def _find_unknown_roles(self, words: tuple[str, ...], covered: set[int]) -> tuple[tuple[str, ...], set[int]]:
        """Job titles the file does not know, like 'scrum master' or 'project manager'."""
        found: list[str] = []
        positions: set[int] = set()
        for i, word in enumerate(words):
            if i in covered:
                continue
            if word == "head" and words[i + 1 : i + 2] == ("of",):  # "head of HR", not "get my head around"
                found.append(" ".join(words[i : i + 3]))
                positions.update(range(i, i + 3))
                continue
            singular = word.removesuffix("s")
            is_head = word in self._heads
            if is_head and not _is_modifier(words, i - 1, covered):
                continue
            if not is_head and (singular not in self._job_words or singular in self._content_singulars):
                continue
            modified = _is_modifier(words, i - 1, covered)
            if singular == "owner" and modified and words[i - 1] not in self._job_modifiers:
                continue  # "budget owner" asks who owns the budget; "product owner" is a job
            start = i - 1 if modified else i
            found.append(" ".join(words[start : i + 1]))
            positions.update(range(start, i + 1))
        return tuple(found), positions


def _words_by_clause(plain: str, phrases: Phrases) -> tuple[list[str], list[int]]:
    """The words of the text, and for each the number of the clause it is in."""
    words: list[str] = []
    clause_of: list[int] = []
    for number, clause in enumerate(_CLAUSE_BREAK.split(without_links(plain))):
        clause_words = tokenize(clause, phrases)
        words += clause_words
        clause_of += [number] * len(clause_words)
    return words, clause_of


def _names(plain: str) -> frozenset[str]:
    """Capitalised words inside a sentence ("in Leeds", "is Priya"): names, never typos to correct."""
    return frozenset(word.casefold() for word in _NAME.findall(plain))


def _names_pair(words: tuple[str, ...]) -> bool:
    return any(word in PAIR_WORDS and {"role", "roles"} & set(words[i + 1 : i + 3]) for i, word in enumerate(words))


def _offers_choice(words: tuple[str, ...], spans: list[tuple[int, int]]) -> bool:
    """Two role names joined by 'or' ('the DL or the DM'): the question asks which of them."""
    ordered = sorted(spans)
    return any(
        "or" in words[first_end:second_start] and set(words[first_end:second_start]) <= {"or", "the", "a", "an"}
        for (_, first_end), (second_start, _) in itertools.pairwise(ordered)
    )


def _compares(words: tuple[str, ...], roles: list[str]) -> bool:
    """Whether the question asks how roles differ."""
    names_pair = _names_pair(words)
    return (
        any(word in COMPARE_WORDS for word in words)
        or len(set(roles)) >= 2
        or names_pair
        or ((bool(roles) or names_pair) and any(word in WEAK_COMPARE_WORDS for word in words))
    )


def _asks_about_people(words: tuple[str, ...], spans: list[tuple[int, int]]) -> bool:
    """'who is our delivery manager?', 'does a DL report to a DM?': about people, not roles."""
    starts = {start for start, _ in spans}
    ends = {end for _, end in spans}
    if words[:2] in (("who", "is"), ("who", "are")) and any(
        index in starts for index in (2, 3) if index == 2 or words[2] in _PERSON_DETERMINERS
    ):
        return True
    return any(
        word in ("report", "reports", "reporting")
        and words[i + 1 : i + 2] == ("to",)
        and ({i + 2, i + 3} & starts or i in ends)
        for i, word in enumerate(words)
    )


def _focus_clause(words: tuple[str, ...], clause_of: list[int]) -> int | None:
    """The last clause that asks something: 'we need a backend dev on this, [who staffs that]'."""
    asking = None
    for i, word in enumerate(words):
        opens_clause = i == 0 or clause_of[i - 1] != clause_of[i]
        if word in _QUESTION_WORDS or (opens_clause and word in YES_NO_OPENERS):
            asking = clause_of[i]
    return asking


def _is_modifier(words: tuple[str, ...], i: int, covered: set[int] | frozenset[int] = frozenset()) -> bool:
    """Whether words[i] qualifies the noun after it ('project' in 'project manager')."""
    return i >= 0 and i not in covered and words[i] not in _FUNCTION_WORDS and words[i].isalpha()


def _unique_heads(knowledge: Knowledge, phrases: Phrases) -> dict[str, str]:
    """Last words of role names that only one role has: 'lead' -> delivery-lead."""
    owners: dict[str, set[str]] = {}
    for role in knowledge.roles:
        words = tokenize(role.name, phrases)
        if len(words) > 1:
            for form in (words[-1], words[-1] + "s"):
                owners.setdefault(form, set()).add(role.id)
    return {head: ids.pop() for head, ids in owners.items() if len(ids) == 1}
