"""Checking that a request comes from Slack: its signature and its timestamp.

Every malformed header is a plain refusal: the caller answers 401, never 500.
"""

from __future__ import annotations

import hashlib
import hmac
import re

MAX_AGE_SECONDS = 300
_TIMESTAMP = re.compile(r"[0-9]{1,12}")
_SIGNATURE = re.compile(r"v0=[0-9a-f]{64}")


def signature_problem(secret: str, timestamp: str | None, signature: str | None, body: bytes, now: float) -> str:
    """Why the request is not Slack's ('' when it is): missing or malformed headers, a stale
    timestamp (replays), or a signature that does not match. Compared in constant time."""
    if not timestamp or not _TIMESTAMP.fullmatch(timestamp):
        return "missing or malformed X-Slack-Request-Timestamp"
    if abs(now - int(timestamp)) > MAX_AGE_SECONDS:
        return "X-Slack-Request-Timestamp is more than 5 minutes away"
    if not signature or not _SIGNATURE.fullmatch(signature):
        return "missing or malformed X-Slack-Signature"
    base = b"v0:" + timestamp.encode("ascii") + b":" + body
    expected = "v0=" + hmac.new(secret.encode("utf-8"), base, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, signature):
        return "X-Slack-Signature does not match"
    return ""
