"""Nothing a user types can ping anyone or break Slack's limits, whatever it is."""

import json
import re
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.blocks.fitting import split
from bot.blocks.messages import home_view, private_reply, public_reply
from bot.blocks.render import render_answer
from bot.core.knowledge import Comparison, Contrast, Knowledge, Responsibility, Role, Source, Topic
from bot.core.routing import ComparisonAnswer, Declined, EntryAnswer, HelpAnswer, route

SLACK_TOKENS = [
    "<!channel>",
    "<!here>",
    "<!everyone>",
    "<!subteam^S1|team>",
    "<@U123ABC>",
    "<#C1|general>",
    "&lt;!channel&gt;",
    "&lt;!here&gt;",
    "&amp;",
    "&lt;",
    "&gt;",
    "<https://x.example|x>",
    "@channel",
    "&",
    "<",
    ">",
    "&lt;@U1&gt;",
    "who owns the budget",
    "DL",
    "compare",
    "scrum master",
]
user_text = st.lists(st.one_of(st.text(max_size=40), st.sampled_from(SLACK_TOKENS)), max_size=8).map(" ".join)
ENTITY_OR_PLAIN = re.compile(r"&(?!(?:amp|lt|gt);)")


def _strings(value):
    if isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)
    elif isinstance(value, str):
        yield value


def _assert_safe(reply):
    for text in [*_strings(reply.blocks_as_dicts()), reply.text]:
        assert "<" not in text, text
        assert ">" not in text, text
        assert not ENTITY_OR_PLAIN.search(text), text


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(user_text)
def test_user_text_never_reaches_a_message_unescaped(matcher, text):
    answer = route(text, matcher)
    for reply in (
        render_answer(answer, matcher.knowledge),
        private_reply(answer, matcher.knowledge),
        public_reply(answer, matcher.knowledge),
    ):
        _assert_safe(reply)


def test_replies_never_ask_slack_to_link_names_or_unfurl(reply):
    message = reply("who owns the budget?").message()
    assert "link_names" not in message
    assert "parse" not in message
    assert (message["unfurl_links"], message["unfurl_media"]) == (False, False)


EMOJI = "👩🏽‍💻🇬🇧❤️"


@given(
    st.lists(st.sampled_from(["&amp;", "&lt;", "word", " ", "\n", EMOJI, "👍🏿", "é", "x" * 7]), max_size=400).map(
        "".join
    ),
    st.integers(min_value=20, max_value=400),
)
def test_long_text_is_never_cut_inside_an_escape_or_an_emoji(text, limit):
    pieces = split(text, limit)
    assert all(len(piece) <= limit for piece in pieces)
    assert "".join(pieces).replace(" ", "").replace("\n", "") == text.replace(" ", "").replace("\n", "")
    for piece in pieces:
        assert not re.search(r"&(?:a|am|amp|l|lt|g|gt)?$", piece) or piece.endswith(("&amp;", "&lt;", "&gt;"))
        assert not piece.endswith(("\u200d", "🇬"))
        assert not piece.startswith(("\u200d", "\ufe0f", "🏽", "🏿"))


def _extreme_knowledge() -> Knowledge:
    long_text = " ".join(["A very long answer & more <text> with emoji 👩🏽‍💻 and flags 🇬🇧"] * 200)[:10_000]
    many = tuple(
        Responsibility(f"duty-{n}", f"Responsibility number {n} with a long title", "Text.") for n in range(100)
    )
    first = Role("first-role", "First Role", ("FR",), long_text, "Focus", responsibilities=many)
    second = Role(
        "second-role",
        "Second Role",
        ("SR",),
        "Summary.",
        "Focus",
        responsibilities=(Responsibility("long", "Long", long_text),),
    )
    differences = tuple(
        Contrast(f"d{n}", f"Difference {n}", {"first-role": long_text[:1500], "second-role": "B"}) for n in range(100)
    )
    comparison = Comparison(("first-role", "second-role"), differences=differences, examples=differences[:3])
    return Knowledge(
        path=Path("extreme.yaml"),
        source=Source("Extreme"),
        roles=(first, second),
        comparisons=(comparison,),
        topics=(Topic("big", "Big", long_text),),
    )


def _check_limits(blocks: list[dict], max_blocks: int = 50):
    assert len(blocks) <= max_blocks
    assert len(json.dumps(blocks)) < 13_000 or max_blocks == 100
    for block in blocks:
        if block["type"] == "header":
            assert len(block["text"]["text"]) <= 150
        if block["type"] == "section":
            assert len(block.get("text", {}).get("text", "")) <= 3000
            assert len(block.get("fields", [])) <= 10
            assert all(len(field["text"]) <= 2000 for field in block.get("fields", []))
        if block["type"] == "actions":
            assert len(block["elements"]) <= 25
            for element in block["elements"]:
                assert len(element["text"]["text"]) <= 75
                assert len(element["value"]) <= 2000
                assert len(element["action_id"]) <= 255


def test_every_message_stays_within_block_kit_limits_even_for_extreme_content(knowledge):
    for source in (knowledge, _extreme_knowledge()):
        answers: list = [EntryAnswer(entry.id) for entry in source.entries]
        answers += [
            HelpAnswer(),
            ComparisonAnswer(source.pair_for(())),
            Declined("out-of-scope", question="x" * 9000),
        ]
        for answer in answers:
            for reply in (private_reply(answer, source), public_reply(answer, source)):
                _check_limits(reply.blocks_as_dicts())
                assert len(reply.text) <= 3000
        _check_limits(home_view(source).to_dict()["blocks"], max_blocks=100)


def test_hostile_names_in_a_knowledge_file_cannot_ping_either():
    hostile = "Delivery Lead <!channel> <@U123> &"
    role = Role(
        "lead",
        hostile,
        ("<!here>",),
        "Summary <!everyone>.",
        "Focus <#C1|x>",
        responsibilities=(Responsibility("r", "Risk <!channel>", "Text <@U1>."),),
    )
    other = Role("other", "Other", (), "Summary.", "Focus", responsibilities=(Responsibility("b", "Budget", "Text."),))
    source = Knowledge(path=Path("hostile.yaml"), source=Source("Source <!here>"), roles=(role, other))
    answers: list = [EntryAnswer(entry.id) for entry in source.entries]
    answers += [HelpAnswer(), ComparisonAnswer(("lead", "other"))]
    for answer in answers:
        for reply in (private_reply(answer, source), public_reply(answer, source)):
            # plain_text (headers, buttons) shows text as it is and never pings; mrkdwn must be escaped
            for text in [*_mrkdwn(reply.blocks_as_dicts()), reply.text]:
                assert not re.search(r"<[!@#]", text), text
                assert not ENTITY_OR_PLAIN.search(text), text


def _mrkdwn(value):
    if isinstance(value, dict):
        if value.get("type") == "mrkdwn":
            yield value["text"]
        for item in value.values():
            yield from _mrkdwn(item)
    elif isinstance(value, list):
        for item in value:
            yield from _mrkdwn(item)
