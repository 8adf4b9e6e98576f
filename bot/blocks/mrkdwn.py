"""Slack's mrkdwn: text made safe to show, so that nothing anyone typed can ping or link."""

from __future__ import annotations


def escape_mrkdwn(text: str) -> str:
    """Escape Slack's three control characters so user text can never ping or link."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
