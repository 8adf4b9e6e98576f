"""The Web API client: bounded retries with slack_sdk's retry handlers.

Rate limits wait for Retry-After (capped), server errors and dropped connections back off, all
bounded. Errors Slack reports (ok: false) are not retried: they are answers, not faults.
"""

from __future__ import annotations

import time

from slack_sdk import WebClient
from slack_sdk.http_retry import (
    BackoffRetryIntervalCalculator,
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    RetryHandler,
    RetryState,
)
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse

from bot import metrics

RETRIES = 2
TIMEOUT_SECONDS = 10
MAX_WAIT_SECONDS = 5  # the longest a rate limit is waited out before retrying


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
        metrics.SLACK_RETRIES.labels("rate_limited").inc()
        time.sleep(max(wait, 0.0))
        state.increment_current_attempt()


class ServerErrorRetryHandler(RetryHandler):
    """Retries 5xx answers (slack_sdk's own covers only 500 and 503; gateways answer 502 and 504)."""

    def _can_retry(self, *, response: HttpResponse | None = None, **_context: object) -> bool:
        retry = response is not None and 500 <= response.status_code <= 599
        if retry:
            metrics.SLACK_RETRIES.labels("server_error").inc()
        return retry


class CountedConnectionErrorRetryHandler(ConnectionErrorRetryHandler):
    """slack_sdk's retry of a dropped or refused connection, counted for /metrics."""

    def _can_retry(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        retry = super()._can_retry(state=state, request=request, response=response, error=error)
        if retry:
            metrics.SLACK_RETRIES.labels("connection").inc()
        return retry


def web_client(token: str, base_url: str) -> WebClient:
    backoff = BackoffRetryIntervalCalculator(backoff_factor=0.5)
    return WebClient(
        token=token or None,
        base_url=base_url,
        timeout=TIMEOUT_SECONDS,
        retry_handlers=[
            CountedConnectionErrorRetryHandler(max_retry_count=RETRIES, interval_calculator=backoff),
            CappedRateLimitRetryHandler(max_retry_count=RETRIES),
            ServerErrorRetryHandler(max_retry_count=RETRIES, interval_calculator=backoff),
        ],
    )
