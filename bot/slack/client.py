"""The Web API client and the one way answers are posted, with Slack's faults handled.

Retries use slack_sdk's retry handlers: rate limits wait for Retry-After, server errors and
dropped connections back off, all bounded. Errors Slack reports (ok: false) are not retried.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry import (
    BackoffRetryIntervalCalculator,
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    RetryHandler,
    RetryState,
)
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse

from bot.blocks.render import Reply

RETRIES = 2
TIMEOUT_SECONDS = 10
MAX_WAIT_SECONDS = 5  # the longest a rate limit is waited out before retrying
APOLOGY = "Sorry — something went wrong on my side while answering that. Please try again in a moment."
# Slack refused the blocks themselves: the same answer as plain text still gets through.
_BLOCK_ERRORS = {"invalid_blocks", "invalid_blocks_format", "msg_blocks_too_long"}

logger = logging.getLogger(__name__)


class CappedRateLimitRetryHandler(RateLimitErrorRetryHandler):
    """slack_sdk's rate-limit handler, waiting at most MAX_WAIT_SECONDS however long Slack asks:
    a listener thread asleep for a minute is a thread no one else can use."""

    def prepare_for_next_attempt(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> None:
        if response is None:
            super().prepare_for_next_attempt(state=state, request=request, response=response, error=error)
            return
        asked = next((values for name, values in response.headers.items() if name.lower() == "retry-after"), ["1"])
        try:
            wait = min(float(asked[0]), MAX_WAIT_SECONDS)
        except (TypeError, ValueError):
            wait = 1.0
        state.next_attempt_requested = True
        time.sleep(max(wait, 0.0))
        state.increment_current_attempt()


class ServerErrorRetryHandler(RetryHandler):
    """Retries 5xx answers (slack_sdk's own covers only 500 and 503; gateways answer 502 and 504)."""

    def _can_retry(self, *, response: HttpResponse | None = None, **_context: object) -> bool:
        return response is not None and 500 <= response.status_code <= 599


def web_client(token: str, base_url: str) -> WebClient:
    backoff = BackoffRetryIntervalCalculator(backoff_factor=0.5)
    return WebClient(
        token=token or None,
        base_url=base_url,
        timeout=TIMEOUT_SECONDS,
        retry_handlers=[
            ConnectionErrorRetryHandler(max_retry_count=RETRIES, interval_calculator=backoff),
            CappedRateLimitRetryHandler(max_retry_count=RETRIES),
            ServerErrorRetryHandler(max_retry_count=RETRIES, interval_calculator=backoff),
        ],
    )


def post_reply(client: WebClient, channel: str, thread_ts: str | None, reply: Reply) -> str:
    """Post an answer, as plain text if Slack refuses its blocks. '' when it got through, else why not."""
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
        logger.warning("could not post an answer in %s: %s", channel, problem)
    return problem


def _post(client: WebClient, message: dict) -> str:
    try:
        client.chat_postMessage(**message)
    except SlackApiError as error:  # Slack answered ok: false; not worth retrying
        return str(error.response.get("error"))
    except Exception as error:  # unreachable, or an answer that is not JSON: the process keeps serving
        return _describe(error)
    return ""


def respond_with(respond: Callable[..., object], **message: object) -> bool:
    """Send through the interaction's response_url; a missing URL or a failure is one log line."""
    try:
        response = respond(**message)
    except ValueError as error:  # Bolt's word for a payload without a response_url
        logger.warning("could not respond: %s", error)
        return False
    except Exception as error:
        logger.warning("could not reach the response URL: %s", _describe(error))
        return False
    status = getattr(response, "status_code", 200)
    if status >= 400:
        logger.warning("the response URL answered %s", status)
        return False
    return True


@contextmanager
def apology_on_error(apologise: Callable[[str], object]) -> Iterator[None]:
    """Run a listener's work; if it fails, log the bug and tell the user rather than stay silent."""
    try:
        yield
    except Exception:
        logger.exception("a listener failed")
        try:
            apologise(APOLOGY)
        except Exception as error:
            logger.warning("could not send the apology either: %s", _describe(error))


def _describe(error: Exception) -> str:
    if isinstance(error, SlackApiError):
        return str(error.response.get("error"))
    return f"{type(error).__name__}: {error}"[:300]
