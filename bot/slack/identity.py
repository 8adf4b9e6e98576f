"""Who the bot is in Slack (`auth.test`), found without making the start depend on Slack.

Bolt asks `auth.test` while the app is built and fails the start when Slack does not answer, so a Slack
outage during a deploy, a reload or a worker's respawn would take Role Bot down until someone restarts
it. Here the first lookup is one short try; when Slack is unreachable the process starts anyway and
keeps looking in the background. Until the identity is known the bot answers as usual (a /role answer
travels in the HTTP response and needs no Web API) and tells bots' messages apart by their own marks.
Only a definite refusal of the token stops the start.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
from collections.abc import Callable
from typing import Any, Literal

from slack_bolt.authorization import AuthorizeResult
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.logs import first_line

logger = logging.getLogger(__name__)

# Errors meaning the token itself is no good: waiting will not help, a person has to act.
REFUSALS = frozenset({"invalid_auth", "token_revoked", "account_inactive", "token_expired", "not_authed"})
LOOKUP_SECONDS = 3  # one try: the start is not held up longer than this by a Slack that stalls
RETRY_SECONDS = (1.0, 30.0)  # the first and the longest wait between lookups while Slack is unreachable

State = Literal["checking", "ok", "unreachable", "refused"]


class TokenRefused(Exception):
    """Slack refused the bot token: one line that says which setting to fix."""

    def __init__(self, error: str) -> None:
        super().__init__(
            f"Slack refused SLACK_BOT_TOKEN ({error}): check the token in the app's OAuth & Permissions page "
            "and that the app is still installed"
        )
        self.error = error


def stop_this_process(_refused: TokenRefused) -> None:
    """What a process does when Slack refuses the token after its start (it was unreachable then):
    stop as the start would have, after the work in hand (a gunicorn worker stops on SIGTERM, and the
    one started in its place stops at its start)."""
    os.kill(os.getpid(), signal.SIGTERM)


class Identity:
    """The bot's identity, for Bolt's `authorize`: known once `auth.test` has answered."""

    def __init__(
        self,
        token: str,
        api_url: str,
        retry_seconds: tuple[float, float] = RETRY_SECONDS,
        on_refused: Callable[[TokenRefused], None] | None = None,
        lookup_seconds: int = LOOKUP_SECONDS,
    ) -> None:
        self._token = token
        # No retries here: the background loop is the retry, and a stalled Slack must not hold the start.
        self._client = WebClient(token=token or None, base_url=api_url, timeout=lookup_seconds, retry_handlers=[])
        self._retry = retry_seconds
        self._on_refused = on_refused
        self._known: AuthorizeResult | None = None
        self.state: State = "checking"
        self._stop = threading.Event()

    def start(self) -> None:
        """Look once now; raises TokenRefused when Slack refuses the token. When Slack does not answer,
        keep looking in the background."""
        if not self.look_up():
            threading.Thread(target=self._keep_looking, name="slack-identity", daemon=True).start()

    def look_up(self) -> bool:
        """One `auth.test`: True when the identity is known; False when Slack could not be reached or
        failed; TokenRefused when it refused the token."""
        try:
            response = self._client.auth_test()
        except SlackApiError as error:
            code = str(error.response.get("error", "")) if error.response is not None else ""
            if code in REFUSALS:
                self.state = "refused"
                raise TokenRefused(code) from None
            return self._unreachable(f"auth.test answered {code or error.response.status_code}")
        except Exception as error:  # connection refused, reset, timed out, a proxy's HTML page …
            return self._unreachable(first_line(error))
        self._known = AuthorizeResult.from_auth_test_response(bot_token=self._token, auth_test_response=response)
        if self.state == "unreachable":
            logger.warning("Slack answers again: the bot's identity is known")
        self.state = "ok"
        return True

    def authorize(self, enterprise_id: str | None, team_id: str | None, user_id: str | None) -> AuthorizeResult:
        """Bolt's `authorize`: the bot's token, with its user and bot ids once they are known."""
        known = self._known
        return AuthorizeResult(
            enterprise_id=enterprise_id,
            team_id=team_id,
            bot_token=self._token,
            bot_user_id=known.bot_user_id if known is not None else None,
            bot_id=known.bot_id if known is not None else None,
            user_id=user_id,
        )

    def status(self) -> dict[str, Any]:
        """For /health/details: whether Slack's Web API answers (the error stays in the log)."""
        return {"slack": self.state}

    def stop(self) -> None:
        self._stop.set()

    def _unreachable(self, problem: str) -> bool:
        if self.state != "unreachable":  # said once, however many lookups fail
            logger.error("Slack's Web API is not answering (%s): answering what needs no Web API, retrying", problem)
        self.state = "unreachable"
        return False

    def _keep_looking(self) -> None:
        wait = self._retry[0]
        while not self._stop.wait(wait):
            try:
                if self.look_up():
                    return
            except TokenRefused as refused:
                logger.error("%s", refused)
                if self._on_refused is not None:
                    self._on_refused(refused)
                return
            wait = min(wait * 2, self._retry[1])
