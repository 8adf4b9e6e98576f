"""How answers look: Block Kit messages (slack_sdk's models), buttons and their values, Slack's
mrkdwn escaping and size limits, and the same messages as terminal text.

Imports the core, never the Slack transport (bot.slack) or the listeners (bot.handlers).
"""
