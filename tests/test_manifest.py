"""The Slack app manifest asks for exactly what the listeners use."""

from pathlib import Path

import yaml

from bot.blocks.messages import SHORTCUT_CALLBACK
from bot.handlers.commands import COMMAND

MANIFEST = yaml.safe_load((Path(__file__).resolve().parent.parent / "manifest.yaml").read_text())


def test_slash_command_and_shortcut_match_the_listeners():
    assert [command["command"] for command in MANIFEST["features"]["slash_commands"]] == [COMMAND]
    (shortcut,) = MANIFEST["features"]["shortcuts"]
    assert (shortcut["type"], shortcut["callback_id"], shortcut["name"]) == (
        "message",
        SHORTCUT_CALLBACK,
        "Answer with Role Bot",
    )


def test_events_interactivity_and_home_are_on():
    assert set(MANIFEST["settings"]["event_subscriptions"]["bot_events"]) == {
        "app_mention",
        "message.channels",
        "message.groups",
        "message.im",
        "app_home_opened",
    }
    assert MANIFEST["settings"]["interactivity"]["is_enabled"] is True
    assert MANIFEST["features"]["app_home"]["home_tab_enabled"] is True
    assert MANIFEST["features"]["app_home"]["messages_tab_enabled"] is True


def test_bot_scopes_are_only_those_needed():
    # app_mention needs app_mentions:read, message.im needs im:history, posting needs chat:write,
    # the slash command and the shortcut need commands; follow-ups in threads need the message events
    # of public and private channels, hence channels:history and groups:history.
    assert sorted(MANIFEST["oauth_config"]["scopes"]["bot"]) == [
        "app_mentions:read",
        "channels:history",
        "chat:write",
        "commands",
        "groups:history",
        "im:history",
    ]
