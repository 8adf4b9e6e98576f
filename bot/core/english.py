"""How common an English word is, from pyspellchecker's word-frequency list.

Used to tell a typo ("budjet") from a real word that merely looks like a known one ("party").
The list loads on first use (about 0.1 s).
"""

from __future__ import annotations

from functools import cache
from typing import Any

from spellchecker import SpellChecker


@cache
def _frequencies() -> Any:
    return SpellChecker(language="en", distance=1).word_frequency


def english_frequency(word: str) -> int:
    """How often the word occurs in the list's English corpus; 0 for unknown words."""
    frequencies = _frequencies()
    return frequencies[word] if word in frequencies else 0  # noqa: SIM401 - not a dict, has no get()
