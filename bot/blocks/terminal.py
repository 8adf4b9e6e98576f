"""Block Kit messages as terminal text, so the command line reads as Slack would show it."""

from __future__ import annotations

import html
import re
import textwrap

_BOLD = re.compile(r"(?<![\w*])\*([^*\n]+)\*(?![\w*])")
_ITALIC = re.compile(r"(?<![\w_])_([^_\n]+)_(?![\w_])")
_WIDTH = 88


def blocks_to_text(blocks: list[dict]) -> str:
    """Readable plain text for a list of Block Kit blocks (as dicts)."""
    lines: list[str] = []
    for block in blocks:
        kind = block.get("type")
        if kind == "header":
            title = block["text"]["text"]
            lines += [title, "=" * min(len(title), _WIDTH)]
        elif kind == "section":
            if "text" in block:
                lines += _wrap(_plain(block["text"]["text"]))
            for field in block.get("fields", []):
                lines += _field(_plain(field["text"]))
        elif kind == "context":
            lines += _wrap(" ".join(_plain(element.get("text", "")) for element in block["elements"]), indent="  ")
        elif kind == "divider":
            lines.append("-" * 40)
        elif kind == "actions":
            labels = [element["text"]["text"] for element in block["elements"] if "text" in element]
            lines.append("  " + "  ".join(f"[{label}]" for label in labels))
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def _field(text: str) -> list[str]:
    """A field as 'Label: text', or the label over its lines when it holds a list."""
    label, _, body = text.partition("\n")
    if not body:
        return _wrap(label, indent="  ")
    if "\n" in body:
        return _wrap(label, indent="  ") + _wrap(body, indent="    ")
    return _wrap(f"{label}: {body}", indent="  ")


def _plain(mrkdwn: str) -> str:
    text = _ITALIC.sub(r"\1", _BOLD.sub(r"\1", mrkdwn))
    return html.unescape(text.replace("`", ""))


def _wrap(text: str, indent: str = "") -> list[str]:
    out: list[str] = []
    for paragraph in text.split("\n"):
        out += textwrap.wrap(paragraph, _WIDTH, initial_indent=indent, subsequent_indent=indent) or [""]
    return out
