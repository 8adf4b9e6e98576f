"""Sending to Slack with its faults handled: an answer posted in a channel or thread, a message
through an interaction's response URL. A failure is one log line and a reason, never an exception."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TypeVar

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot import metrics
from bot.blocks.render import Reply
from bot.logs import first_line

# Slack refused the blocks themselves: the same answer as plain text still gets through.
_BLOCK_ERRORS = {"invalid_blocks", "invalid_blocks_format", "msg_blocks_too_long"}

logger = logging.getLogger(__name__)
T = TypeVar("T")


def post_reply(client: WebClient, channel: str, thread_ts: str | None, reply: Reply, answer: str = "") -> str:
    """Post an answer (`answer`: its id, for the log), as plain text if Slack refuses its blocks. ''
    when it got through, else why not; what was lost is logged."""
    message = {
        "channel": channel,
        "thread_ts": thread_ts,
        "text": reply.text,
        "unfurl_links": False,
        "unfurl_media": False,
    }
    problem = _post(client, message | {"blocks": reply.blocks})
    if problem in _BLOCK_ERRORS:
        logger.warning("Slack refused the blocks (%s); posting the answer as plain text", problem)
        problem = _post(client, message)
    if problem:
        where = f"{channel}, thread {thread_ts}" if thread_ts else channel
        logger.warning("could not post an answer in %s: %s; lost: %s", where, problem, answer or "an answer")
    return problem


def _post(client: WebClient, message: dict) -> str:
    try:
        call_slack("chat.postMessage", lambda: client.chat_postMessage(**message))
    except SlackApiError as error:  # Slack answered ok: false; not worth retrying
        return str(error.response.get("error"))
    except Exception as error:  # unreachable, or an answer that is not JSON: the process keeps serving
        return describe(error)
    return ""


def call_slack(method: str, call: Callable[[], T]) -> T:
    """Make one Web API call, counted for /metrics by method and result (ok, Slack's error code, or
    the kind of failure); what it returns or raises passes through."""
    try:
        result = call()
    except SlackApiError as error:
        metrics.SLACK_CALLS.labels(method, str(error.response.get("error") or "error")[:40]).inc()
        raise
    except Exception as error:
        metrics.SLACK_CALLS.labels(method, type(error).__name__[:40]).inc()
        raise
    metrics.SLACK_CALLS.labels(method, "ok").inc()
    return result


def respond_with(respond: Callable[..., object], **message: object) -> bool:
    """Send through the interaction's response_url; a missing URL or a failure is one log line."""
    try:
        response = call_slack("response_url", lambda: respond(**message))
    except ValueError as error:  # Bolt's word for a payload without a response_url
        logger.warning("could not respond: %s", error)
        return False
    except Exception as error:
        logger.warning("could not reach the response URL: %s", describe(error))
        return False
    status = getattr(response, "status_code", 200)
    if status >= 400:
        logger.warning("the response URL answered %s", status)
        return False
    return True


def describe(error: Exception) -> str:
    """A failure to reach Slack in one short line: Slack's error code, or the exception's kind."""
    if isinstance(error, SlackApiError):
        return str(error.response.get("error"))
    return first_line(error)
