"""Knowledge-independent text handling: Slack markup, tokens, stems, and generic English.

The generic English word lists live in `english.yaml` beside this module; words about one
domain come from the knowledge file's vocabulary (see `Phrases`).
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

import snowballstemmer
import yaml

# Slack encodes mentions, channels and links as <...>; see Slack's message formatting docs.
_SLACK_TOKEN = re.compile(r"<([^<>]*)>")
_EMOJI_CODE = re.compile(r":[a-z0-9_+\-']+:")
# Control characters (NUL, terminal escapes) are never part of a question and must not be echoed.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_WORD = re.compile(r"[^\W_]+", re.UNICODE)
# A web address typed into a question names a page, not what is asked.
_URL = re.compile(r"\b(?:[a-z][a-z0-9+.-]*://|www\.)\S+", re.IGNORECASE)

ENGLISH_PATH = Path(__file__).with_name("english.yaml")


def _load_english(path: Path) -> dict[str, Any]:
    with path.open(encoding="utf-8") as file:
        data: dict[str, Any] = yaml.safe_load(file)
    return data


_ENGLISH = _load_english(ENGLISH_PATH)


def english_words(name: str) -> frozenset[str]:
    """A word list of english.yaml, by its name."""
    return frozenset(str(_ENGLISH[name]).split())


# Chat shorthand people type, expanded before anything else reads the words.
ABBREVIATIONS: dict[str, tuple[str, ...]] = {
    word: tuple(str(expansion).split()) for word, expansion in _ENGLISH["abbreviations"].items()
}
STOPWORDS = english_words("stopwords")
OWNERSHIP_WORDS = english_words("ownership_words")
COMPARE_WORDS = english_words("compare_words")
WEAK_COMPARE_WORDS = english_words("weak_compare_words")
ROLE_WORDS = english_words("role_words")
HELP_WORDS = english_words("help_words")
EXAMPLE_WORDS = english_words("example_words")
YES_NO_OPENERS = english_words("yes_no_openers")
WHO_WORDS = english_words("who_words")
PAIR_WORDS = english_words("pair_words")

_BRITISH = re.compile(r"(?<=\w{3})(is)(ation|ations|e|ed|es|ing|er|ers)$")
_BRITISH_YSE = re.compile(r"(?<=\w{3})ys(e|ed|es|ing)$")

_stemmer = snowballstemmer.stemmer("english")


class Phrases:
    """Set phrases rewritten before a text is split into words: "day to day" -> "operational".

    A phrase matches whole words, with any spaces or hyphens between them.
    """

    def __init__(self, replacements: Mapping[str, str]) -> None:
        self._replacements = {self._key(phrase): text for phrase, text in replacements.items()}
        parts = sorted(self._replacements, key=len, reverse=True)  # the longest phrase wins
        alternatives = "|".join(r"[\s-]+".join(map(re.escape, key.split())) for key in parts)
        self._pattern = re.compile(rf"\b(?:{alternatives})\b") if parts else None

    @staticmethod
    def _key(phrase: str) -> str:
        return " ".join(unicodedata.normalize("NFKC", phrase).casefold().replace("-", " ").split())

    def rewrite(self, text: str) -> str:
        """The text with every known phrase replaced; `text` is already lower case."""
        if self._pattern is None:
            return text
        return self._pattern.sub(lambda found: f" {self._replacements[self._key(found.group(0))]} ", text)


NO_PHRASES = Phrases({})
_GENERIC_PHRASES = [(re.compile(pattern), replacement) for pattern, replacement in _ENGLISH["phrases"].items()]


def clean_slack_text(text: str) -> str:
    """Turn Slack-encoded message text into plain words.

    Mentions, channel references and links are dropped (a link's label names the page,
    not the question), entities (&amp; &lt; &gt;) are decoded, and control characters go.
    """

    text = _SLACK_TOKEN.sub(" ", text)
    text = html.unescape(text)
    text = _CONTROL.sub(" ", text)
    return _EMOJI_CODE.sub(" ", text)


# Past this, a message is not a question but a paste; reading all of it would only cost time.
MAX_QUESTION_CHARS = 2000


def plain_text(text: str) -> str:
    """A message as the plain question it asks: Slack markup removed, spaces folded, length capped.

    Done once per message: decoding entities twice would turn a typed "&lt;" into "<".
    """
    return " ".join(clean_slack_text(text[: MAX_QUESTION_CHARS * 4]).split())[:MAX_QUESTION_CHARS]


def without_links(text: str) -> str:
    """The text with typed web addresses removed: they name a page, not what is asked."""
    return _URL.sub(" ", text)


def tokenize(text: str, phrases: Phrases = NO_PHRASES) -> list[str]:
    """Lower-case words of the text, with set phrases rewritten, chat shorthand expanded and
    British -ise spelt -ize.

    Both questions and the knowledge file go through this, so the spelling only has to agree.
    """
    normalized = phrases.rewrite(unicodedata.normalize("NFKC", text).casefold().replace("’", "'"))
    for pattern, replacement in _GENERIC_PHRASES:
        normalized = pattern.sub(replacement, normalized)
    words: list[str] = []
    for word in _WORD.findall(normalized):
        words.extend(_expanded(word))
    return words


@lru_cache(maxsize=65536)
def _expanded(word: str) -> tuple[str, ...]:
    """A word's chat shorthand expanded ("mgr" -> "manager") and British -ise spelt -ize."""
    if word in ABBREVIATIONS:
        return ABBREVIATIONS[word]
    if "is" in word or "ys" in word:
        word = _BRITISH_YSE.sub(r"yz\1", _BRITISH.sub(r"iz\2", word))
    return (word,)


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """The word's stem, so that 'manages', 'managing' and 'management' meet."""
    return str(_stemmer.stemWord(word))
