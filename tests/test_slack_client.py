"""Pieces that keep Slack's faults and secrets in check."""

import logging

from slack_sdk.http_retry import RetryState
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse

from bot.logs import REDACTED, RedactSecrets
from bot.slack import client as slack_client
from bot.slack.client import CappedRateLimitRetryHandler


def test_a_long_retry_after_is_waited_out_for_at_most_the_cap(monkeypatch):
    slept = []
    monkeypatch.setattr(slack_client.time, "sleep", slept.append)
    handler = CappedRateLimitRetryHandler(max_retry_count=2)
    state = RetryState()
    request = HttpRequest(method="POST", url="http://127.0.0.1:9/api/chat.postMessage", headers={})
    response = HttpResponse(status_code=429, headers={"Retry-After": ["60"]}, body=b"{}")
    handler.prepare_for_next_attempt(state=state, request=request, response=response)
    assert slept == [slack_client.MAX_WAIT_SECONDS]
    assert state.current_attempt == 1


def test_response_urls_and_tokens_are_redacted_from_log_lines():
    record = logging.LogRecord(
        "slack_sdk.webhook",
        logging.DEBUG,
        __file__,
        1,
        "Sending a request - url: https://hooks.slack.com/commands/T1/398/96rGlf, token xoxb-1-2-abc",
        None,
        None,
    )
    RedactSecrets(["s3cret"]).filter(record)
    assert record.getMessage() == f"Sending a request - url: https://hooks.slack.com/{REDACTED}, token {REDACTED}"
