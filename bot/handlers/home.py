"""The App Home tab, published when a user opens it; the knowledge owners see the report above it."""

from __future__ import annotations

from slack_bolt import App
from slack_sdk import WebClient

from bot.blocks.messages import home_view
from bot.blocks.owner import owner_home_view
from bot.handlers.background import in_background
from bot.handlers.context import OWNERS, answerer_in, recorder_in
from bot.slack.sending import call_slack

REPORT_DAYS = 7


def publish_home(event: dict, client: WebClient, context: dict) -> None:
    if event.get("tab", "home") != "home":
        return
    user, knowledge = event["user"], answerer_in(context).knowledge
    if user in context.get(OWNERS, ()):
        view = owner_home_view(recorder_in(context).report(REPORT_DAYS), knowledge)
    else:
        view = home_view(knowledge)
    call_slack("views.publish", lambda: client.views_publish(user_id=user, view=view))


def register(app: App) -> None:
    app.event("app_home_opened")(in_background(publish_home))
