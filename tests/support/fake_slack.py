"""A stand-in for Slack on 127.0.0.1: its Web API and response URLs, recording what they are sent,
and helpers to send Role Bot requests signed and shaped the way Slack sends them."""

from __future__ import annotations

import hashlib
import hmac
import json
import socket
import struct
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from bot.blocks.feedback import FEEDBACK_ACTION

BOT_USER_ID = "U0BOT1234"
BOT_ID = "B0BOT1234"
TEAM_ID = "T0TEAM123"
SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
BOT_TOKEN = "xoxb-0000-0000-test"
APP_TOKEN = "xapp-1-A000-0000-test"


@dataclass
class Call:
    """One request Slack received: the API method or response path, and its decoded body."""

    path: str
    body: dict
    headers: dict
    at: float = field(default_factory=time.monotonic)

    @property
    def method(self) -> str:
        return self.path.removeprefix("/api/")


STALL = -1  # an outage status: calls hang until it ends


@dataclass
class FakeSlack:
    calls: list[Call] = field(default_factory=list)
    socket_url: str = "ws://127.0.0.1:9/"  # what apps.connections.open hands out
    failures: dict[str, list[tuple[int, dict | str, dict]]] = field(default_factory=dict)
    down_until: float = 0.0  # monotonic time until which every Web API call fails (outage())
    down_status: int = 500
    delay_seconds: float = 0.0  # every Web API call takes this long, then succeeds

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._server = _QuietServer(("127.0.0.1", 0), _handler_for(self))
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    @property
    def api_url(self) -> str:
        return f"{self.url}/api/"

    def response_url(self, name: str = "cmd") -> str:
        return f"{self.url}/respond/{name}"

    def record(self, call: Call) -> None:
        with self._lock:
            self.calls.append(call)

    def fail_next(self, method: str, status: int, body: dict | str = "", headers: dict | None = None) -> None:
        """Make the next call of this method answer with this status and body (status 0: reset the connection)."""
        with self._lock:
            self.failures.setdefault(method, []).append((status, body, headers or {}))

    def take_failure(self, method: str) -> tuple[int, dict | str, dict] | None:
        with self._lock:
            if not method.startswith("/") and time.monotonic() < self.down_until:  # the Web API, not response URLs
                return (self.down_status, "Slack is down", {})
            queued = self.failures.get(method)
            return queued.pop(0) if queued else None

    def outage(self, seconds: float, status: int = 500) -> None:
        """Answer every Web API call with this status (0: reset the connection; STALL: hold it until
        the outage ends) for the next `seconds`."""
        with self._lock:
            self.down_until, self.down_status = time.monotonic() + seconds, status

    def recover(self) -> None:
        with self._lock:
            self.down_until = 0.0

    def wait_for(self, count: int = 1, path_prefix: str = "", timeout: float = 10.0) -> list[Call]:
        """The calls whose path starts with the prefix, once there are `count` of them (bounded wait)."""
        return self.wait_until(lambda call: call.path.startswith(path_prefix), count, timeout)

    def wait_until(self, wanted: Callable[[Call], bool], count: int = 1, timeout: float = 10.0) -> list[Call]:
        """The calls `wanted` accepts, once there are `count` of them or the time is up."""
        deadline = time.monotonic() + timeout
        while True:
            with self._lock:
                found = [call for call in self.calls if wanted(call)]
            if len(found) >= count or time.monotonic() > deadline:
                return found
            time.sleep(0.02)

    def posted_in(self, channel: str, count: int = 1, timeout: float = 10.0) -> list[Call]:
        """The messages posted in one channel, once there are `count` of them."""
        return self.wait_until(
            lambda call: call.method == "chat.postMessage" and call.body.get("channel") == channel, count, timeout
        )

    def posted(self, count: int = 1, timeout: float = 10.0) -> list[Call]:
        return self.wait_for(count, "/api/chat.postMessage", timeout)

    def responses(self, count: int = 1, timeout: float = 10.0) -> list[Call]:
        return self.wait_for(count, "/respond/", timeout)

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: object, client_address: object) -> None:
        return  # a connection the fake reset on purpose is not an error worth printing


def _handler_for(slack: FakeSlack) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:  # keep test output clean
            return

        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode("utf-8")
            if "json" in (self.headers.get("Content-Type") or ""):
                body = json.loads(raw or "{}")
            else:
                body = {key: values[0] for key, values in urllib.parse.parse_qs(raw).items()}
            call = Call(self.path, body, dict(self.headers))
            if slack.delay_seconds and not self.path.startswith("/respond/"):
                time.sleep(slack.delay_seconds)  # a slow Slack: the call is recorded when it completes
            slack.record(call)
            failure = slack.take_failure(call.method)
            if failure and failure[0] == STALL:  # hold the call until the outage ends, then fail it
                while time.monotonic() < slack.down_until:
                    time.sleep(0.02)
                failure = (503, "Slack was stalled", {})
            if failure and failure[0] == 0:
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                self.close_connection = True
                self.connection.close()
            elif failure:
                status, payload, headers = failure
                self._send(status, payload, headers)
            elif self.path.startswith("/respond/"):
                self._send(200, "ok", {})
            else:
                self._send(200, _api_answer(slack, call), {})

        def _send(self, status: int, payload: dict | str, headers: dict) -> None:
            data = (json.dumps(payload) if isinstance(payload, dict) else payload).encode("utf-8")
            self.send_response(status)
            kind = "application/json" if isinstance(payload, dict) else "text/plain"
            self.send_header("Content-Type", f"{kind}; charset=utf-8")
            for name, value in headers.items():
                self.send_header(name, str(value))
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    return Handler


def _api_answer(slack: FakeSlack, call: Call) -> dict:
    if call.method == "auth.test":
        return {
            "ok": True,
            "url": "https://test.slack.com/",
            "team": "Test",
            "user": "rolebot",
            "team_id": TEAM_ID,
            "user_id": BOT_USER_ID,
            "bot_id": BOT_ID,
            "is_enterprise_install": False,
        }
    if call.method == "apps.connections.open":
        return {"ok": True, "url": slack.socket_url}
    if call.method in ("chat.postMessage", "chat.postEphemeral"):
        return {"ok": True, "channel": call.body.get("channel"), "ts": f"{time.time():.6f}", "message": {}}
    if call.method == "views.open":
        return {"ok": True, "view": {"id": "V0FEEDBACK", **_decoded(call.body.get("view", {}))}}
    if call.method == "views.publish":
        return {"ok": True, "view": call.body.get("view", {})}
    return {"ok": False, "error": "unknown_method"}


def _decoded(view: dict | str) -> dict:
    return json.loads(view) if isinstance(view, str) else view


# --- requests as Slack sends them --------------------------------------------------------------


def signature(body: bytes, timestamp: str, secret: str = SIGNING_SECRET) -> str:
    base = b"v0:" + timestamp.encode() + b":" + body
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


def signed_headers(body: bytes, timestamp: str | None = None, secret: str = SIGNING_SECRET) -> dict[str, str]:
    """The headers Slack signs a request with (now, unless a timestamp is given)."""
    timestamp = timestamp or str(int(time.time()))
    return {"X-Slack-Request-Timestamp": timestamp, "X-Slack-Signature": signature(body, timestamp, secret)}


def request_headers(
    body: bytes, content_type: str, headers: dict | None = None, sign: bool = True, timestamp: str | None = None
) -> dict[str, str]:
    """The headers of a request to the app: its content type, Slack's signature unless told otherwise,
    and any others given (which win)."""
    return {"Content-Type": content_type} | (signed_headers(body, timestamp) if sign else {}) | (headers or {})


def post(
    url: str,
    body: bytes,
    content_type: str,
    headers: dict | None = None,
    sign: bool = True,
    timestamp: str | None = None,
) -> tuple[int, bytes, dict]:
    """POST over HTTP; signed with the test secret unless told otherwise. Returns status, body, headers."""
    all_headers = request_headers(body, content_type, headers, sign, timestamp)
    request = urllib.request.Request(url, data=body, headers=all_headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read(), dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, error.read(), dict(error.headers)


def slash_command(text: str, response_url: str, user_id: str = "U0ASKER01", channel_id: str = "C0CHAN001") -> bytes:
    return urllib.parse.urlencode(
        {
            "token": "legacy-verification-token",
            "team_id": TEAM_ID,
            "team_domain": "test",
            "channel_id": channel_id,
            "channel_name": "general",
            "user_id": user_id,
            "user_name": "asker",
            "command": "/role",
            "text": text,
            "api_app_id": "A0APP0001",
            "is_enterprise_install": "false",
            "response_url": response_url,
            "trigger_id": "1.2.3",
        }
    ).encode()


def mention(question: str, ts: str, channel: str = "C0CHAN001", thread_ts: str | None = None) -> dict:
    """An app_mention event, as a person mentioning the bot sends it."""
    event = {
        "type": "app_mention",
        "user": "U0ASKER01",
        "text": f"<@{BOT_USER_ID}> {question}",
        "ts": ts,
        "channel": channel,
    }
    return event | ({"thread_ts": thread_ts} if thread_ts else {})


def event_envelope(event: dict, event_id: str = "Ev0001") -> dict:
    """The Events API wrapper around an event (the body over HTTP, the payload over Socket Mode)."""
    return {
        "token": "legacy-verification-token",
        "team_id": TEAM_ID,
        "api_app_id": "A0APP0001",
        "type": "event_callback",
        "event_id": event_id,
        "event_time": int(time.time()),
        "authorizations": [{"team_id": TEAM_ID, "user_id": BOT_USER_ID, "is_bot": True}],
        "event": event,
    }


def event_callback(event: dict, event_id: str = "Ev0001") -> bytes:
    return json.dumps(event_envelope(event, event_id)).encode()


def interaction(payload: dict) -> bytes:
    return urllib.parse.urlencode({"payload": json.dumps(payload)}).encode()


def block_actions(action: dict, response_url: str, ephemeral: bool, user_id: str = "U0ASKER01") -> dict:
    container = {"type": "message", "channel_id": "C0CHAN001", "is_ephemeral": ephemeral, "message_ts": "1.1"}
    return {
        "type": "block_actions",
        "team": {"id": TEAM_ID, "domain": "test"},
        "user": {"id": user_id, "username": "asker", "team_id": TEAM_ID},
        "api_app_id": "A0APP0001",
        "token": "legacy-verification-token",
        "container": container,
        "trigger_id": "1.2.3",
        "channel": {"id": "C0CHAN001", "name": "general"},
        "response_url": response_url,
        "actions": [{**action, "type": "button", "block_id": "b1", "action_ts": "1.2"}],
    }


def message_shortcut(text: str, response_url: str, thread_ts: str | None = None) -> dict:
    message = {"type": "message", "user": "U0COLLEAG", "text": text, "ts": "1700000000.000200"}
    if thread_ts:
        message["thread_ts"] = thread_ts
    return {
        "type": "message_action",
        "callback_id": "answer_with_role_bot",
        "trigger_id": "1.2.3",
        "team": {"id": TEAM_ID, "domain": "test"},
        "user": {"id": "U0MANAGER", "name": "manager"},
        "channel": {"id": "C0CHAN001", "name": "general"},
        "message": message,
        "message_ts": message["ts"],
        "response_url": response_url,
        "token": "legacy-verification-token",
        "action_ts": "1.2",
    }


def feedback_click(value: str, response_url: str, user_id: str = "U0ASKER01", trigger_id: str = "1.2.3") -> dict:
    """A click on one of the 👍/👎 buttons under an answer, carrying that button's value."""
    payload = block_actions({"action_id": FEEDBACK_ACTION, "value": value}, response_url, True, user_id)
    payload["actions"][0]["type"] = "feedback_buttons"
    return payload | {"trigger_id": trigger_id}


def view_submission(view: dict, user_id: str = "U0ASKER01") -> dict:
    """A modal's submission, with the values typed into it (`view["state"]`)."""
    return {
        "type": "view_submission",
        "team": {"id": TEAM_ID, "domain": "test"},
        "user": {"id": user_id, "username": "asker", "team_id": TEAM_ID},
        "api_app_id": "A0APP0001",
        "token": "legacy-verification-token",
        "trigger_id": "1.2.4",
        "view": {"id": "V0FEEDBACK", "type": "modal", "team_id": TEAM_ID, **view},
    }
