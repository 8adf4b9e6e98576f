"""The WSGI layer in front of Bolt, on its own: what it answers when Bolt could not."""

import io
import json
import time

from slack_bolt import BoltResponse

from bot.blocks.messages import APOLOGY
from bot.slack.web import SlackWeb
from tests.support.fake_slack import SIGNING_SECRET, signature, slash_command


class SilentBolt:
    """A Bolt app whose listener never acknowledged: Bolt answers 404 then."""

    def dispatch(self, request):
        return BoltResponse(status=404, body='{"error": "unhandled request"}')


def _environ(body: bytes) -> dict:
    timestamp = str(int(time.time()))
    return {
        "PATH_INFO": "/slack/events",
        "REQUEST_METHOD": "POST",
        "CONTENT_TYPE": "application/x-www-form-urlencoded",
        "CONTENT_LENGTH": str(len(body)),
        "wsgi.input": io.BytesIO(body),
        "QUERY_STRING": "",
        "HTTP_X_SLACK_REQUEST_TIMESTAMP": timestamp,
        "HTTP_X_SLACK_SIGNATURE": signature(body, timestamp),
    }


def test_a_role_command_nobody_acknowledged_still_gets_an_apology():
    status, body, headers = SlackWeb(SilentBolt(), SIGNING_SECRET).handle(
        _environ(slash_command("compare", "http://127.0.0.1:9/x"))
    )
    assert (status, headers["content-type"]) == (200, "application/json")
    assert json.loads(body) == {"response_type": "ephemeral", "text": APOLOGY}


def test_other_unhandled_requests_are_acknowledged_quietly():
    body = b"payload=" + json.dumps({"type": "view_closed"}).encode()
    status, reply, _ = SlackWeb(SilentBolt(), SIGNING_SECRET).handle(_environ(body))
    assert (status, reply) == (200, "")
