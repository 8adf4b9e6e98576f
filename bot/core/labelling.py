"""Teaching the knowledge file a question: the question is added to the `examples:` of the entry it
should get, editing the file's text in place so that its comments and layout stay as they are.
Labels that are not an entry (compare, help, a decline) go to a labelled question file beside it.
Every edit is checked by loading the file again, and undone if it does not load."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from bot.core.knowledge import COMPARE, DECLINE, HELP
from bot.core.loading import KnowledgeError, load_knowledge, read_yaml

REVIEWED_FILE = "questions-reviewed.yaml"
_REVIEWED_HEADER = (
    "# Questions labelled with `rolebot review`: the answer each should get (none: decline it).\n"
    "# Role Bot learns from them as from any questions*.yaml beside the knowledge file.\n"
)


def add_label(knowledge_path: Path, question: str, label: str) -> tuple[Path, int]:
    """Teach the knowledge file that `question` gets `label` (an entry id, compare, help or none).
    Returns the file and line written; raises KnowledgeError (and changes nothing) when the edited
    knowledge would not load."""
    question = " ".join(question.split())
    if label in (COMPARE, HELP, DECLINE):
        target = knowledge_path.parent / REVIEWED_FILE
        return _edited(knowledge_path, target, lambda text: _append_labelled(text, question, label))
    return _edited(knowledge_path, knowledge_path, lambda text: _with_example(knowledge_path, text, question, label))


def _edited(knowledge_path: Path, target: Path, edit: Any) -> tuple[Path, int]:
    before = target.read_text(encoding="utf-8") if target.exists() else None
    after, line = edit(before or "")
    target.write_text(after, encoding="utf-8")
    try:
        load_knowledge(knowledge_path)
    except KnowledgeError:
        if before is None:
            target.unlink()
        else:
            target.write_text(before, encoding="utf-8")
        raise
    return target, line


def _append_labelled(text: str, question: str, label: str) -> tuple[str, int]:
    text = text or _REVIEWED_HEADER
    if not text.endswith("\n"):
        text += "\n"
    text += f"- {{q: {json.dumps(question, ensure_ascii=False)}, expect: {label}}}\n"
    return text, text.count("\n")


def _with_example(path: Path, text: str, question: str, entry_id: str) -> tuple[str, int]:
    block = _block_of(read_yaml(path), entry_id)
    if block is None:
        raise KnowledgeError(path, None, f"there is no entry {entry_id!r}", "pick an entry id `rolebot check` lists")
    lines = text.splitlines(keepends=True)
    quoted = json.dumps(question, ensure_ascii=False)
    examples = block.get("examples")
    if examples is None:  # a new key, right after the entry's id (key order means nothing in YAML)
        at = block.key_lines["id"]  # 1-based line of `id:`; insert after it, at the same indentation
        indent = _indent(lines[at - 1], "- ")
        lines.insert(at, f"{indent}examples: [{quoted}]\n")
        return "".join(lines), at + 1
    key_line = block.key_lines["examples"]
    item_lines = getattr(examples, "item_lines", [])
    if item_lines and item_lines[-1] > key_line:  # a block list: one more item under the last
        last = item_lines[-1]
        indent = _indent(lines[last - 1], "")
        lines.insert(
            last,
            f"{indent}{lines[last - 1].strip()[:2] if lines[last - 1].lstrip().startswith('- ') else '- '}{quoted}\n",
        )
        return "".join(lines), last + 1
    line = lines[key_line - 1]  # a flow list on the key's line: add before its closing bracket
    closing = line.rstrip().rfind("]")
    if closing < 0:
        raise KnowledgeError(path, key_line, "the examples list is spread over lines", "add the question by hand")
    separator = ", " if examples else ""
    lines[key_line - 1] = line[:closing] + f"{separator}{quoted}" + line[closing:]
    return "".join(lines), key_line


def _indent(line: str, strip_marker: str) -> str:
    """The indentation of a line's key, counting a list marker ('- ') as indentation."""
    content = line.lstrip(" ")
    indent = " " * (len(line) - len(content))
    if strip_marker and content.startswith(strip_marker):
        indent += " " * len(strip_marker)
    return indent


def _block_of(tree: Any, entry_id: str) -> Any:
    """The YAML mapping that defines an entry, found the way entry ids are made."""
    kind, _, name = entry_id.partition("/")

    def by_id(blocks: Any, wanted: str) -> Any:
        return next((block for block in blocks or () if isinstance(block, dict) and block.get("id") == wanted), None)

    if kind == "role":
        return by_id(tree.get("roles"), name)
    if kind == "topic":
        return by_id(tree.get("topics"), name)
    if kind in ("difference", "example"):
        field = "differences" if kind == "difference" else "examples"
        for comparison in tree.get("comparisons") or ():
            found = by_id(comparison.get(field), name)
            if found is not None:
                return found
        return None
    role = by_id(tree.get("roles"), kind)
    return by_id(role.get("responsibilities"), name) if role is not None else None
