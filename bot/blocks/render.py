"""Answers as Slack Block Kit messages, built with slack_sdk's block models.

Everything shown is escaped for mrkdwn (&, <, >): the asker's words so they can never
ping anyone, and the knowledge file's text so an edit cannot either.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

import orjson
from slack_sdk.models.blocks import (
    Block,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    MarkdownTextObject,
    SectionBlock,
)

from bot.blocks.fitting import bullets_within, shorten, split
from bot.blocks.mrkdwn import escape_mrkdwn
from bot.core.knowledge import Contrast, Knowledge, Role, Source
from bot.core.routing import Answer, ComparisonAnswer, Declined, EntryAnswer, HelpAnswer, SeveralAnswers

HEADER_LIMIT = 150
SECTION_LIMIT = 3000
FIELD_LIMIT = 2000
MESSAGE_BLOCKS = 48  # Slack allows 50; room is kept for the buttons added on Slack
MESSAGE_CHARS = 12_000  # reported: blocks totalling about 13,000 characters are refused
COMPARISON_ROWS = 40
TEXT_LIMIT = 3000  # the fallback text is what notifications show; Slack cuts long ones anyway
ECHO_LIMIT = 120  # characters of the asker's text repeated back


@dataclass(frozen=True)
class Reply:
    """A message ready for Slack: blocks and the plain-text fallback that goes with them."""

    blocks: list[Block]
    text: str

    # What is made once and kept goes into the instance's __dict__ directly, not through
    # functools.cached_property: before Python 3.12 that takes one lock shared by every instance, and
    # under load the threads answering /role queued on it.

    def blocks_as_dicts(self) -> list[dict]:
        """The blocks as Slack receives them, checked against Block Kit's limits (once, then kept)."""
        kept: list[dict] | None = self.__dict__.get("_serialised")
        if kept is None:
            kept = self.__dict__["_serialised"] = [block.to_dict() for block in self.blocks]
        return kept

    def with_block(self, block: Block, serialised: dict | None = None) -> Reply:
        """This reply with one more block at the end, reusing this reply's checked blocks: a cached
        reply stays cheap to send when each copy gets a block of its own (whose dict may be given,
        already known to match the block)."""
        extended = Reply([*self.blocks, block], self.text)
        extended.__dict__["_serialised"] = [*self.blocks_as_dicts(), serialised or block.to_dict()]
        return extended

    def message(self) -> dict:
        """Arguments for any Slack call that sends this reply; links and media never unfurl."""
        return {"blocks": self.blocks_as_dicts(), "text": self.text, "unfurl_links": False, "unfurl_media": False}

    def private_json(self) -> str:
        """The whole message, shown to the asker only, as the JSON body of an HTTP response: the same
        as {"response_type": "ephemeral", **message()}, made once (a reply kept for repeated answers is
        sent again as it is)."""
        kept: str | None = self.__dict__.get("_private_json")
        if kept is None:
            head, tail = self._private_parts()
            kept = self.__dict__["_private_json"] = f"{head}{tail}"
        return kept

    def private_json_with(self, block_json: str) -> str:
        """private_json() of this reply with one more block at the end, given as its JSON text: made
        from this reply's own JSON, kept, rather than written out again for every copy."""
        head, tail = self._private_parts()
        return f"{head}{',' if self.blocks else ''}{block_json}{tail}"

    def _private_parts(self) -> tuple[str, str]:
        """private_json() cut where a block would be added. With orjson: on every /role answer, the
        standard library's json took eight times as long."""
        kept: tuple[str, str] | None = self.__dict__.get("_kept_private_parts")
        if kept is None:
            blocks = orjson.dumps(self.blocks_as_dicts()).decode()  # no whitespace: "[...]"
            head = f'{{"response_type":"ephemeral","blocks":{blocks[:-1]}'
            tail = f'],"text":{orjson.dumps(self.text).decode()},"unfurl_links":false,"unfurl_media":false}}'
            kept = self.__dict__["_kept_private_parts"] = (head, tail)
        return kept


def render_answer(answer: Answer, knowledge: Knowledge) -> Reply:
    """The Slack message for an answer."""
    match answer:
        case Declined():
            reply = _declined(answer, knowledge)
        case HelpAnswer():
            reply = _help(knowledge)
        case ComparisonAnswer():
            reply = _comparison(knowledge, answer.roles)
        case EntryAnswer():
            reply = _entry(answer, knowledge)
        case SeveralAnswers():
            reply = _several(answer, knowledge)
    return _fitted(reply)


def _entry(answer: EntryAnswer, knowledge: Knowledge) -> Reply:
    return _RENDERERS[knowledge.entry(answer.entry_id).kind](answer, knowledge)


def _several(answer: SeveralAnswers, knowledge: Knowledge) -> Reply:
    """Each part's message, one after the other, divided."""
    replies = [_entry(part, knowledge) for part in answer.parts]
    blocks: list[Block] = []
    for reply in replies:
        blocks += [DividerBlock()] if blocks else []
        blocks += reply.blocks
    return Reply(blocks, " ".join(reply.text for reply in replies))


def _fitted(reply: Reply) -> Reply:
    """The reply within Slack's size limits: blocks that do not fit are left out, and that is said."""
    kept: list[Block] = []
    used = 0
    for block, as_dict in zip(reply.blocks, reply.blocks_as_dicts(), strict=True):
        size = len(json.dumps(as_dict))
        if len(kept) + 1 >= MESSAGE_BLOCKS or used + size > MESSAGE_CHARS:
            note = "Shortened to fit in Slack; ask about one part for the rest."
            return Reply(
                [*kept, ContextBlock(elements=[MarkdownTextObject(text=note)])], shorten(reply.text, TEXT_LIMIT)
            )
        kept.append(block)
        used += size
    return Reply(reply.blocks, shorten(reply.text, TEXT_LIMIT))


# --- one renderer per kind of entry ---------------------------------------------------------


def _role(answer: EntryAnswer, knowledge: Knowledge) -> Reply:
    role = knowledge.owner(answer.entry_id)
    duties = _bullets(item.title for item in role.responsibilities) or "_None listed._"
    blocks: list[Block] = [
        _header(role.name),
        _section(escape_mrkdwn(role.summary)),
        _fields([f"*Focus*\n{escape_mrkdwn(role.focus)}", f"*Responsibilities*\n{duties}"]),
    ]
    footer = [f"Also called: {escape_mrkdwn(', '.join(role.aliases))}"] if role.aliases else []
    blocks.append(_context(knowledge.source_of(answer.entry_id), *footer))
    return Reply(blocks, f"{_name(role)}: {escape_mrkdwn(role.summary)}")


def _responsibility(answer: EntryAnswer, knowledge: Knowledge) -> Reply:
    entry = knowledge.entry(answer.entry_id)
    owner = _name(knowledge.owner(entry.id))
    if answer.verdict == "no" and answer.asked_role:
        asked = _name(knowledge.role(answer.asked_role))
        lead = f"*No* — {escape_mrkdwn(entry.title)} is the {owner}'s responsibility, not the {asked}'s."
    elif answer.verdict == "yes":
        lead = f"*Yes* — {escape_mrkdwn(entry.title)} is part of the {owner}'s role."
    elif answer.asks_who:
        lead = f"*The {owner}.*"
    else:
        lead = f"A *{owner}* responsibility."
    body = escape_mrkdwn(entry.text)
    blocks = [
        _header(entry.title),
        *_sections(f"{lead}\n{body}"),
        _context(knowledge.source_of(entry.id), f"Role: {owner}"),
    ]
    return Reply(blocks, f"{_plain(lead)} {escape_mrkdwn(entry.title)}: {body}")


def _contrast(answer: EntryAnswer, knowledge: Knowledge) -> Reply:
    entry = knowledge.entry(answer.entry_id)
    contrast = knowledge.contrast(entry.id)
    names = [knowledge.role(role_id).name for role_id in entry.roles]
    title = f"Example: {entry.title}" if entry.kind == "example" else f"{entry.title}: {' vs '.join(names)}"
    blocks = [
        _header(title),
        _contrast_fields(knowledge, contrast, entry.roles),
        _context(knowledge.source_of(entry.id)),
    ]
    sides = "; ".join(f"{_name(knowledge.role(r))}: {escape_mrkdwn(text)}" for r, text in contrast.sides.items())
    return Reply(blocks, f"{escape_mrkdwn(title)} — {sides}")


def _topic(answer: EntryAnswer, knowledge: Knowledge) -> Reply:
    entry = knowledge.entry(answer.entry_id)
    body = escape_mrkdwn(entry.text)
    return Reply(
        [_header(entry.title), *_sections(body), _context(knowledge.source_of(entry.id))],
        f"{escape_mrkdwn(entry.title)}: {body}",
    )


_RENDERERS: dict[str, Callable[[EntryAnswer, Knowledge], Reply]] = {
    "role": _role,
    "responsibility": _responsibility,
    "difference": _contrast,
    "example": _contrast,
    "topic": _topic,
}


# --- compare, help and declined ------------------------------------------------------------


def _comparison(knowledge: Knowledge, pair: tuple[str, ...]) -> Reply:
    first, second = (knowledge.role(role_id) for role_id in pair)
    source = knowledge.source_of(roles=pair)
    title = f"{first.name} vs {second.name}"
    blocks: list[Block] = [
        _header(title),
        _fields([f"*{_name(role)}*\n{escape_mrkdwn(role.focus)}" for role in (first, second)]),
    ]
    comparison = knowledge.comparison(first.id, second.id)
    differences = comparison.differences if comparison else ()
    for difference in differences[:COMPARISON_ROWS]:
        row = _contrast_fields(knowledge, difference, pair, inline=True)
        row.text = MarkdownTextObject(text=f"*{escape_mrkdwn(shorten(difference.title, 200))}*")
        blocks.append(row)
    if len(differences) > COMPARISON_ROWS:
        blocks.append(_context(source, f"…and {len(differences) - COMPARISON_ROWS} more differences."))
    blocks += [DividerBlock(), _fields([_duties(first), _duties(second)])]
    more = "any responsibility or difference" if differences else "any responsibility"
    blocks.append(_context(source, f"Ask about {more} for more detail."))
    summary = " ".join(f"{_name(role)}: {escape_mrkdwn(role.focus)}" for role in (first, second))
    return Reply(blocks, f"{escape_mrkdwn(title)} — {summary}")


def _help(knowledge: Knowledge) -> Reply:
    names = [_name(role) for role in knowledge.roles]
    intro = (
        f"I answer questions about job roles: {_join(f'*{name}*' for name in names)}"
        " — what each does, who owns what, and how they differ."
    )
    blocks: list[Block] = [
        _header("Role Bot"),
        _section(intro),
        _section("*Try*\n" + _bullets(_examples(knowledge), code=True)),
    ]
    blocks.append(_context(knowledge.source, "Mention me in a channel or thread, message me directly, or use /role."))
    return Reply(blocks, f"Role Bot answers questions about {_join(names)}. Try /role compare.")


def _declined(answer: Declined, knowledge: Knowledge) -> Reply:
    names = _join(f"*{_name(role)}*" for role in knowledge.roles)
    if answer.reason == "unknown-role":
        lead = f"I don't know the role {_echo(answer.unknown_role)} yet. I know about {names}."
    elif answer.reason == "people":
        lead = f"I can't say who holds a role or who reports to whom — I know what {names} do."
    elif answer.reason == "ambiguous" and len(answer.suggestions) == 1:
        lead = f"Did you mean {escape_mrkdwn(suggestion_label(answer.suggestions[0], knowledge))}?"
    elif answer.reason == "ambiguous":
        choices = " or ".join(suggestion_label(entry_id, knowledge) for entry_id in answer.suggestions)
        lead = f"I'm not sure which you mean: {escape_mrkdwn(choices)}?"
    else:
        lead = (
            f"Sorry, I can't answer that from what I know: {_echo(answer.question)}. I can tell you what {names} "
            "do, who owns what, and how they differ; not pay, job openings or who holds a role."
        )
    blocks: list[Block] = [_section(lead)]
    if answer.suggestions:
        blocks.append(
            _section("*Did you mean*\n" + _bullets(suggestion_label(s, knowledge) for s in answer.suggestions))
        )
    blocks.append(_section("*Try*\n" + _bullets(_examples(knowledge), code=True)))
    blocks.append(_context(knowledge.source))
    return Reply(blocks, _plain(lead))


# --- pieces ------------------------------------------------------------------------------


def suggestion_label(entry_id: str, knowledge: Knowledge) -> str:
    """A short human name for an entry id, for 'did you mean' lists and buttons."""
    if entry_id == "compare":
        pair = knowledge.pair_for(())
        return " vs ".join(knowledge.role(r).name for r in pair) if pair else "Compare roles"
    if entry_id == "help":
        return "What I can answer"
    entry = knowledge.entry(entry_id)
    if entry.kind == "responsibility":
        return f"{entry.title} ({knowledge.owner(entry.id).name})"
    if entry.kind == "example":
        return f"Example: {entry.title}"
    if entry.kind == "difference":
        return f"{entry.title}: how the roles differ"
    return entry.title


def _examples(knowledge: Knowledge) -> list[str]:
    examples = ["/role compare"]
    roles = knowledge.roles
    examples.append(f"/role {roles[-1].name.lower()}")
    duties = [(role, item) for role in roles for item in role.responsibilities]
    if duties:
        examples.append(f"/role who handles {duties[0][1].title.lower()}?")
    if len(roles) >= 2 and duties:
        asked = roles[0]
        other = next((item for role, item in duties if role.id != asked.id), None)
        if other:
            short = asked.aliases[0] if asked.aliases else asked.name
            examples.append(f"/role does a {short} handle {other.title.lower()}?")
    return examples


def _contrast_fields(
    knowledge: Knowledge, contrast: Contrast, pair: tuple[str, ...], inline: bool = False
) -> SectionBlock:
    """One field per role, each naming its role: the columns stack on narrow screens."""
    texts = []
    for role_id in pair:
        name, side = _name(knowledge.role(role_id)), escape_mrkdwn(contrast.sides[role_id])
        texts.append(f"*{name}:* {side}" if inline else f"*{name}*\n{side}")
    return _fields(texts)


def _duties(role: Role) -> str:
    return f"*{_name(role)} responsibilities*\n" + (
        _bullets(item.title for item in role.responsibilities) or "_None listed._"
    )


def _name(role: Role) -> str:
    return escape_mrkdwn(role.name)


def _header(text: str) -> HeaderBlock:
    return HeaderBlock(text=shorten(text, HEADER_LIMIT))


def _section(text: str) -> SectionBlock:
    return SectionBlock(text=MarkdownTextObject(text=shorten(text, SECTION_LIMIT)))


def _sections(text: str) -> list[SectionBlock]:
    return [SectionBlock(text=MarkdownTextObject(text=part)) for part in split(text, SECTION_LIMIT)]


def _fields(texts: list[str]) -> SectionBlock:
    return SectionBlock(fields=[MarkdownTextObject(text=shorten(text, FIELD_LIMIT)) for text in texts])


def _context(source: Source | None, *notes: str) -> ContextBlock:
    """A footer of notes and the source of what the message shows."""
    parts = [*notes]
    if source and source.link:
        parts.append(f"Source: <{source.link}|{escape_mrkdwn(source.title)}>")
    elif source:
        parts.append(f"Source: {escape_mrkdwn(source.title)}")
    text = " · ".join(parts) or "Role Bot"
    return ContextBlock(elements=[MarkdownTextObject(text=shorten(text, SECTION_LIMIT))])


def _bullets(items, code: bool = False, limit: int = FIELD_LIMIT - 100) -> str:
    mark = "`" if code else ""
    return bullets_within([f"• {mark}{escape_mrkdwn(item)}{mark}" for item in items], limit)


def _join(items) -> str:
    items = list(items)
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _echo(text: str) -> str:
    """The asker's words as inline code: escaped, and shown as typed, never as links or formatting."""
    return f"`{escape_mrkdwn(shorten(text.replace('`', ''), ECHO_LIMIT))}`"


def _plain(mrkdwn: str) -> str:
    return mrkdwn.replace("*", "")
