"""Answers as Block Kit: the right layout, plain yes/no, friendly declines, and nothing that can ping."""

import json
import re

import pytest

from bot.blocks.render import render_answer
from bot.core.routing import Declined, EntryAnswer, route

SPECIAL_MENTION = re.compile(r"<[!@#]")


def _strings(reply) -> str:
    return json.dumps(reply.blocks_as_dicts()) + reply.text


def _section_fields(reply) -> list[list[str]]:
    return [[field["text"] for field in block["fields"]] for block in reply.blocks_as_dicts() if "fields" in block]


def test_comparison_puts_the_roles_side_by_side_one_row_per_difference(reply, knowledge):
    blocks = reply("compare").blocks_as_dicts()
    assert blocks[0] == {
        "type": "header",
        "text": {"type": "plain_text", "text": "Delivery Lead vs Delivery Manager", "emoji": True},
    }
    comparison = knowledge.comparison("delivery-lead", "delivery-manager")
    rows = {block["text"]["text"]: block["fields"] for block in blocks if "fields" in block and "text" in block}
    assert list(rows) == [f"*{difference.title}*" for difference in comparison.differences]
    for difference in comparison.differences:
        lead, manager = (field["text"] for field in rows[f"*{difference.title}*"])
        assert lead == f"*Delivery Lead:* {difference.sides['delivery-lead']}"
        assert manager == f"*Delivery Manager:* {difference.sides['delivery-manager']}"


def test_comparison_in_the_other_order_swaps_the_columns(reply, knowledge):
    fields = _section_fields(reply("compare delivery manager and delivery lead"))
    assert fields[0][0].startswith("*Delivery Manager*")
    focus = knowledge.comparison("delivery-lead", "delivery-manager").differences[0]
    assert fields[1] == [
        f"*Delivery Manager:* {focus.sides['delivery-manager']}",
        f"*Delivery Lead:* {focus.sides['delivery-lead']}",
    ]


def test_responsibility_answer_says_whose_it_is(reply):
    rendered = reply("who handles risk?")
    text = _strings(rendered)
    assert "*The Delivery Lead.*" in text
    assert "Risk Management" in rendered.blocks_as_dicts()[0]["text"]["text"]


def test_yes_no_about_the_other_role_says_no_plainly(reply):
    section = reply("does a delivery lead manage budgets?").blocks_as_dicts()[1]["text"]["text"]
    assert section.startswith(
        "*No* — Budget and Financial Management is the Delivery Manager's responsibility, not the Delivery Lead's."
    )


def test_yes_no_about_the_owner_says_yes(reply):
    section = reply("does the DM own the budget?").blocks_as_dicts()[1]["text"]["text"]
    assert section.startswith("*Yes* — ")


def test_declined_question_is_friendly_and_shows_how_to_ask(reply):
    rendered = reply("what's the weather tomorrow")
    text = _strings(rendered)
    assert "Sorry, I can't answer" in text
    assert "Delivery Lead" in text
    assert "Delivery Manager" in text
    assert "/role compare" in text


def test_ambiguous_question_lists_what_it_might_mean(reply):
    rendered = reply("who coordinates?")
    assert rendered.text == (
        "I'm not sure which you mean: Team Coordination (Delivery Lead) or "
        "Cross-Functional Coordination (Delivery Manager)?"
    )
    text = _strings(rendered)
    assert "Did you mean" in text
    assert "Team Coordination (Delivery Lead)" in text
    assert "Cross-Functional Coordination (Delivery Manager)" in text


def test_unknown_role_is_named_back_as_code(reply):
    text = _strings(reply("what does a scrum master do?"))
    assert "I don't know the role `scrum master` yet" in text


def test_echoed_words_are_shown_as_typed_never_as_links_or_formatting(reply):
    text = reply("*urgent* see https://evil.example/login now").blocks_as_dicts()[0]["text"]["text"]
    assert "Sorry, I can't answer that from what I know: `*urgent* see https://evil.example/login now`." in text


@pytest.mark.parametrize(
    "typed",
    [
        "&lt;!channel&gt; order lunch",
        "&lt;!here|here&gt; what is this",
        "&lt;!everyone&gt;",
        "&lt;!subteam^S123|devs&gt; lunch?",
        "&lt;@U024BE7LH&gt; hello there weather",
        "&lt;#C024BE7LR|general&gt; qwerty",
        "a &amp; b &lt;https://evil.example|click&gt; zzz",
        "<!channel> &lt;!channel&gt; weather",
    ],
)
def test_nothing_the_user_typed_can_ping_or_link(reply, typed):
    rendered = reply(typed)
    assert not SPECIAL_MENTION.search(_strings(rendered))


def test_user_text_is_escaped_when_echoed(reply):
    text = _strings(reply("&lt;b&gt; &amp; weather"))
    assert "&lt;b&gt; &amp; weather" in text


def test_every_answer_is_valid_block_kit_within_limits(knowledge, matcher):
    answers = [EntryAnswer(entry.id) for entry in knowledge.entries]
    answers += [
        route(text, matcher) for text in ("help", "compare", "qwerty", "who coordinates?", "scrum master vs dl")
    ]
    for answer in answers:
        rendered = render_answer(answer, knowledge)
        blocks = rendered.blocks_as_dicts()  # slack_sdk validates most limits here
        assert 0 < len(blocks) <= 50
        assert rendered.text.strip()
        for block in blocks:
            assert len(block.get("fields", [])) <= 10
            assert all(len(field["text"]) <= 2000 for field in block.get("fields", []))
            if block["type"] == "header":
                assert len(block["text"]["text"]) <= 150


def test_control_characters_are_not_echoed(reply):
    assert "\x1b" not in _strings(reply("\x1b[2J\x1b[31mpizza\x00"))


def test_a_single_choice_is_offered_as_a_question(knowledge):
    answer = Declined(
        "ambiguous", question="who keeps an eye on quality?", suggestions=("delivery-lead/risk-management",)
    )
    reply = render_answer(answer, knowledge)
    assert reply.text.startswith("Did you mean Risk Management (Delivery Lead)?")
