"""Logging set-up: one format, and no secret ever written, at any level."""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Iterable

# Slack tokens, and response URLs (whoever holds one can post to the channel for 30 minutes).
_TOKEN = re.compile(r"\b(?:xox[a-z]|xapp)-[A-Za-z0-9-]+|(?<=hooks\.slack\.com/)[A-Za-z]+/[A-Za-z0-9/_%.-]+")
REDACTED = "[redacted]"


class RedactSecrets(logging.Filter):
    """Replaces the app's secrets, and anything shaped like a Slack token, in every record."""

    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        self._secrets = sorted((secret for secret in secrets if secret), key=len, reverse=True)

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        for secret in self._secrets:
            message = message.replace(secret, REDACTED)
        record.msg, record.args = _TOKEN.sub(REDACTED, message), ()
        if record.exc_info and record.exc_info[1] is not None:
            record.exc_text = _TOKEN.sub(REDACTED, logging.Formatter().formatException(record.exc_info))
            for secret in self._secrets:
                record.exc_text = record.exc_text.replace(secret, REDACTED)
            record.exc_info = None
        return True


class OneLine(logging.Filter):
    """Writes a library's error as one line: in Bolt, a traceback means input it could not read,
    which is bad input, not a bug of ours (our listeners log their own failures in full)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and record.name.startswith("slack_bolt"):
            record.msg, record.args = record.getMessage().splitlines()[0], ()
            record.exc_info = record.exc_text = None
        return True


class NoDuplicates(logging.Filter):
    """Drops slack_sdk's own line for a Web API call that failed: Role Bot logs each failure once, with
    what it meant (an answer lost, Slack unreachable). Kept when logging at DEBUG."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.name != "slack_sdk.web.base_client" or logging.getLogger().isEnabledFor(logging.DEBUG)


def first_line(error: BaseException, limit: int = 300) -> str:
    """An error in one short line: its kind and the first line of its message (a database's error
    carries the statement and its values on the lines after)."""
    return f"{type(error).__name__}: {error}".splitlines()[0][:limit]


class JSONLines(logging.Formatter):
    """One JSON object a line (LOG_FORMAT=json), for log shippers: time, level, logger, message."""

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S") + f".{int(record.msecs):03d}Z",
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_text:
            line["exception"] = record.exc_text
        return json.dumps(line, ensure_ascii=False)


def configure_logging(level: str, secrets: Iterable[str], json_lines: bool = False) -> None:
    """Log to standard error in one format (or JSON lines), with secrets redacted from every
    handler's output."""
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s", force=True)
    redact = RedactSecrets(secrets)
    for handler in logging.getLogger().handlers:
        if json_lines:
            formatter = JSONLines()
            formatter.converter = time.gmtime
            handler.setFormatter(formatter)
        handler.addFilter(NoDuplicates())
        handler.addFilter(OneLine())
        handler.addFilter(redact)
