"""Fitting text into Slack's limits without breaking it: never inside an escape such as &amp;,
never inside an emoji (a joined sequence, a skin tone, a flag), at a line or word break if possible."""

from __future__ import annotations

import unicodedata

_ZWJ = "\u200d"


def shorten(text: str, limit: int) -> str:
    """The text, or as much of it as fits in `limit` characters with an ellipsis."""
    if len(text) <= limit:
        return text
    return text[: cut_point(text, limit - 1)].rstrip() + "…"


def split(text: str, limit: int) -> list[str]:
    """The text in pieces of at most `limit` characters that join back to the same words."""
    pieces = []
    while len(text) > limit:
        cut = cut_point(text, limit)
        pieces.append(text[:cut].rstrip())
        text = text[cut:].lstrip()
    return [*pieces, text] if text else pieces


def bullets_within(lines: list[str], limit: int) -> str:
    """Lines joined one per line; those that do not fit are counted in a last line instead."""
    kept: list[str] = []
    used = 0
    for number, line in enumerate(lines):
        rest = len(lines) - number
        tail = len(f"\n• …and {rest} more")
        if used + len(line) + 1 + (tail if rest > 1 else 0) > limit:
            kept.append(f"• …and {rest} more")
            break
        kept.append(line)
        used += len(line) + 1
    return "\n".join(kept)


def cut_point(text: str, limit: int) -> int:
    """Where to cut the text so the first part has at most `limit` characters."""
    if len(text) <= limit:
        return len(text)
    for breaker in ("\n", " "):
        cut = text.rfind(breaker, 0, limit + 1)
        if cut > limit // 2:
            return cut
    cut = limit
    entity = text.rfind("&", max(0, cut - 5), cut)
    if entity != -1 and ";" not in text[entity:cut]:
        cut = entity
    while 0 < cut < len(text) and _joined(text, cut):
        cut -= 1
    return cut or limit


def _joined(text: str, at: int) -> bool:
    """Whether text[at - 1] and text[at] belong to one character as a reader sees it."""
    before, after = text[at - 1], text[at]
    if before == _ZWJ or after == _ZWJ or unicodedata.combining(after):
        return True
    if "\ufe00" <= after <= "\ufe0f" or "\U0001f3fb" <= after <= "\U0001f3ff" or "\U000e0020" <= after <= "\U000e007f":
        return True  # variation selectors, skin tones, tag characters
    if _regional(before) and _regional(after):
        run = 0
        while at - run - 1 >= 0 and _regional(text[at - run - 1]):
            run += 1
        return run % 2 == 1  # flags are pairs of regional indicators
    return False


def _regional(character: str) -> bool:
    return "\U0001f1e6" <= character <= "\U0001f1ff"
