"""The App Home tab, published when a user opens it."""

from __future__ import annotations

from slack_bolt import App
from slack_sdk import WebClient

from bot.blocks.messages import home_view
from bot.handlers.context import answerer_in


def publish_home(event: dict, client: WebClient, context: dict) -> None:
    if event.get("tab", "home") != "home":
        return
    client.views_publish(user_id=event["user"], view=home_view(answerer_in(context).knowledge))


def register(app: App) -> None:
    app.event("app_home_opened")(publish_home)
