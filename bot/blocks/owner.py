"""The App Home tab of the people who keep the knowledge: the report's summary above the usual home."""

from __future__ import annotations

from slack_sdk.models.blocks import Block, DividerBlock, HeaderBlock, SectionBlock
from slack_sdk.models.views import View

from bot.blocks.fitting import bullets_within, shorten
from bot.blocks.messages import home_view
from bot.blocks.mrkdwn import escape_mrkdwn
from bot.blocks.render import HEADER_LIMIT, SECTION_LIMIT
from bot.core.knowledge import Knowledge
from bot.store.report import Report

HOME_BLOCKS = 100
QUOTE_LIMIT = 120


def owner_home_view(report: Report | None, knowledge: Knowledge) -> View:
    """The report (or why there is none) first, then what everyone sees."""
    blocks: list[Block] = [HeaderBlock(text=shorten(f"What people asked: the last {_days(report)}", HEADER_LIMIT))]
    if report is None:
        blocks.append(SectionBlock(text="The store is not available just now, so there is no report to show."))
    else:
        blocks += _summary(report)
    blocks.append(DividerBlock())
    everyone = home_view(knowledge).blocks or []
    return View(type="home", blocks=[*blocks, *everyone][:HOME_BLOCKS])


def _days(report: Report | None) -> str:
    days = report.days if report else 7
    return "day" if days == 1 else f"{days} days"


def _summary(report: Report) -> list[Block]:
    counts = f"*{report.questions}* questions, *{report.share_answered:.0%}* answered."
    declined = [
        f"{group.count} × " + " / ".join(f"“{_quote(example)}”" for example in group.examples)
        for group in report.declined
    ]
    disputed = [
        f"`{escape_mrkdwn(entry.entry)}`: 👎 {entry.down}, 👍 {entry.up}"
        + "".join(f"\n    wrong: “{_quote(reason)}”" for reason in entry.reasons[:2])
        + "".join(f"\n    expected: “{_quote(expected)}”" for expected in entry.expected[:2])
        for entry in report.disputed
    ]
    low = [f"{item['score']}: “{_quote(str(item['question']))}”" for item in report.low_confidence]
    blocks: list[Block] = [SectionBlock(text=counts)]
    for title, lines in (
        ("Declined (rephrasings together)", declined),
        ("Answers people said were wrong", disputed),
        ("Answered with low confidence", low),
    ):
        body = bullets_within([f"• {line}" for line in lines], SECTION_LIMIT - len(title) - 10) if lines else "_None._"
        blocks.append(SectionBlock(text=f"*{title}*\n{body}"))
    blocks.append(
        SectionBlock(text="Run `rolebot report` for the full report, and `rolebot review` to label these questions.")
    )
    return blocks


def _quote(text: str) -> str:
    """Someone's words, shown safely: escaped (no pings, no links) and short."""
    return escape_mrkdwn(shorten(" ".join(text.split()), QUOTE_LIMIT))
