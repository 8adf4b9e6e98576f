"""The web process: Slack's requests at POST /slack/events, and GET /health for the platform.

Requests are checked here before Bolt sees them, so that anything that is not a well-formed,
signed Slack request gets a plain 401 or 400 rather than an error from deep inside.
"""

from __future__ import annotations

import atexit
import hmac
import json
import logging
import time
import urllib.parse
from collections.abc import Callable, Iterable, Sequence
from http import HTTPStatus
from typing import Any

from slack_bolt import App, BoltRequest

from bot.blocks.messages import APOLOGY
from bot.core.answerer import Answerer
from bot.core.loading import KnowledgeError
from bot.logs import configure_logging
from bot.metrics import exposition
from bot.settings import Settings, SettingsError
from bot.slack.app import build_app
from bot.slack.identity import Identity, TokenRefused, stop_this_process
from bot.slack.signing import signature_problem
from bot.store.recorder import Recorder

SLACK_PATH = "/slack/events"
HEALTH_PATH = "/health"
HEALTH_DETAILS_PATH = "/health/details"
METRICS_PATH = "/metrics"
MAX_BODY_BYTES = 1_000_000  # Slack's payloads are far smaller
APP_LOAD_ERROR = 4  # gunicorn's exit code for "the application could not be loaded": the master stops

logger = logging.getLogger(__name__)

StartResponse = Callable[..., object]


class SlackWeb:
    """The WSGI application: health check, request checks, then Bolt."""

    def __init__(
        self,
        app: App,
        signing_secret: str,
        clock: Callable[[], float] = time.time,
        details: Callable[[], dict[str, Any]] = dict,
        metrics: Callable[[], tuple[bytes, str]] | None = None,
        metrics_token: str = "",
    ) -> None:
        self.app = app
        self.signing_secret = signing_secret
        self.clock = clock
        self.details = details
        self.metrics = metrics
        self.metrics_token = metrics_token

    def __call__(self, environ: dict, start_response: StartResponse) -> Iterable[bytes]:
        path, method = environ.get("PATH_INFO", ""), environ.get("REQUEST_METHOD", "")
        if path == HEALTH_PATH and method in ("GET", "HEAD"):
            return _send(start_response, 200, "ok\n")
        if path == HEALTH_DETAILS_PATH and method in ("GET", "HEAD"):
            return _send(start_response, 200, json.dumps(self.details()) + "\n", {"content-type": "application/json"})
        if path == METRICS_PATH and method in ("GET", "HEAD") and self.metrics is not None:
            return self._metrics(self.metrics, environ, start_response)
        if path != SLACK_PATH:
            return _send(start_response, 404, "not found\n")
        if method != "POST":
            return _send(start_response, 405, "use POST\n")
        status, body, headers = self.handle(environ)
        return _send(start_response, status, body, headers)

    def _metrics(
        self, metrics: Callable[[], tuple[bytes, str]], environ: dict, start_response: StartResponse
    ) -> Iterable[bytes]:
        if self.metrics_token and not hmac.compare_digest(
            environ.get("HTTP_AUTHORIZATION", "").encode(), f"Bearer {self.metrics_token}".encode()
        ):
            return _send(start_response, 401, "this needs ROLE_METRICS_TOKEN as a bearer token\n")
        data, content_type = metrics()
        return _send(start_response, 200, data, {"content-type": content_type})

    def handle(self, environ: dict) -> tuple[int, str, dict[str, str]]:
        body = _read_body(environ)
        if body is None:
            logger.warning("refused a request: body unreadable, too slow, or over %d bytes", MAX_BODY_BYTES)
            return 413, "too large\n", {}
        problem = signature_problem(
            self.signing_secret,
            environ.get("HTTP_X_SLACK_REQUEST_TIMESTAMP"),
            environ.get("HTTP_X_SLACK_SIGNATURE"),
            body,
            self.clock(),
        )
        if problem:
            logger.warning("refused a request: %s", problem)
            return 401, "invalid request signature\n", {}
        text = _utf8(body)
        content_type = environ.get("CONTENT_TYPE", "")
        document, shape = _parsed(text, content_type) if text is not None else (None, "the body is not UTF-8")
        if text is None or document is None:
            logger.warning("refused a signed request: %s", shape)
            return 400, "malformed request\n", {}
        headers: dict[str, str | Sequence[str]] = {
            name[5:].replace("_", "-").lower(): value
            for name, value in environ.items()
            # Bolt's own headers (x-slack-bolt-lazy-only …) tell it how to run a request it sent itself;
            # from outside they are not Slack's and are not signed.
            if name.startswith("HTTP_") and not name.startswith("HTTP_X_SLACK_BOLT_")
        }
        headers["content-type"] = content_type
        try:
            response = self.app.dispatch(_bolt_request(text, document, environ.get("QUERY_STRING", ""), headers))
        except Exception as error:  # a signed but unexpected payload must not become a 500
            logger.warning("could not handle a signed request: %s: %s", type(error).__name__, error)
            return 400, "unsupported request\n", {}
        if response.status == 404 and "command" in document:
            # The command's listener did not acknowledge in time: the asker still hears from us.
            logger.error("the /role listener did not acknowledge in time")
            return (
                200,
                json.dumps({"response_type": "ephemeral", "text": APOLOGY}),
                {"content-type": "application/json"},
            )
        if response.status == 404:  # nothing listens for it (logged by the app): acknowledge, so Slack does not retry
            return 200, "", {}
        if response.status >= 500:
            logger.warning("could not handle a signed request: Bolt answered %d", response.status)
            return 400, "unsupported request\n", {}
        response_headers = {name: ", ".join(values) for name, values in response.headers.items()}
        return response.status, response.body, response_headers


def create_app() -> SlackWeb:
    """The WSGI application gunicorn serves (see the Procfile's web process). A setting, the knowledge
    file or the token being wrong is one line in the log, and gunicorn stops rather than start the
    worker again and again."""
    try:
        return _create_app()
    except (SettingsError, KnowledgeError, TokenRefused) as problem:
        logger.error("%s", problem)
        raise SystemExit(APP_LOAD_ERROR) from None


def _create_app() -> SlackWeb:
    settings = Settings.from_env()
    configure_logging(settings.log_level, settings.secrets, settings.log_json)
    settings.require("http")
    identity = Identity(settings.bot_token, settings.api_url, on_refused=stop_this_process)
    identity.start()
    answerer = Answerer.from_file(settings.knowledge_path, settings.answers_kept)
    answerer.watch(settings.watch_seconds)
    recorder = Recorder.from_settings(settings)
    # When the worker stops, the replies in hand are sent first (Python finishes a thread pool's work
    # before the exit handlers run), then what is queued for the store is written.
    atexit.register(recorder.close)
    app = build_app(settings, answerer, recorder=recorder, identity=identity)
    return SlackWeb(
        app,
        settings.signing_secret,
        details=lambda: {**recorder.health(), **identity.status()},
        metrics=lambda: exposition(answerer),
        metrics_token=settings.metrics_token,
    )


def _read_body(environ: dict) -> bytes | None:
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return None
    if length > MAX_BODY_BYTES or length < 0:
        return None
    try:
        return environ["wsgi.input"].read(length) if length else b""
    except OSError:  # the input could not be read (the server normally hands over whole bodies)
        return None


# Fields Bolt reads without checking their type, and the type it expects of each.
_OBJECT_FIELDS = ("event", "user", "channel", "container", "message", "team", "view", "enterprise")
_LIST_FIELDS = ("actions", "authorizations")
_TEXT_FIELDS = ("type", "event_id", "team_id", "api_app_id", "callback_id", "response_url", "trigger_id")


def _utf8(body: bytes) -> str | None:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _parsed(text: str, content_type: str) -> tuple[dict[str, Any] | None, str]:
    """The document in a request's body, as Bolt's listeners read it: a JSON body, an interaction's
    `payload` field, or the fields of a form such as a slash command; or None and what is wrong with
    its shape. Parsed once, here: Bolt would parse it again, and it takes any form body holding the
    word "payload" for an interaction, so a /role question with that word went unanswered."""
    if "application/json" in content_type or text.startswith("{"):  # JSON, as Bolt reads it
        name, source = "the JSON body", text
    else:
        form = dict(urllib.parse.parse_qsl(text, keep_blank_values=True))
        if "payload" not in form:
            return form, ""
        name, source = "the payload", form["payload"]
    try:
        document = json.loads(source)
    except (ValueError, RecursionError):
        return None, f"{name} does not parse"
    problem = _shape_problem(document, name)
    return (None, problem) if problem else (document, "")


def _bolt_request(
    text: str, document: dict[str, Any], query: str, headers: dict[str, str | Sequence[str]]
) -> BoltRequest:
    """A Bolt request carrying the document already parsed. Bolt's constructor takes a parsed body only
    in its Socket Mode form, which differs from HTTP's only in what the request keeps as raw text
    (for signature checks, which SlackWeb has made) and how it copies itself (for lazy listeners,
    which Role Bot does not use)."""
    request = BoltRequest(body=document, query=query, headers=headers, mode="socket_mode")
    request.raw_body, request.mode = text, "http"
    return request


def _shape_problem(document: object, name: str) -> str:
    if not isinstance(document, dict):
        return f"{name} is not an object"
    for kinds, expected, noun in (
        (_OBJECT_FIELDS, dict, "an object"),
        (_LIST_FIELDS, list, "a list"),
        (_TEXT_FIELDS, str, "text"),
    ):
        for key in kinds:
            if key in document and not isinstance(document[key], expected):
                return f"{name}'s {key!r} is not {noun}"
    for key in _OBJECT_FIELDS:
        inner = document.get(key)
        if isinstance(inner, dict) and "type" in inner and not isinstance(inner["type"], str):
            return f"{name}'s {key!r} has a 'type' that is not text"
    if any(not isinstance(action, dict) for action in document.get("actions", [])):
        return f"{name}'s 'actions' are not objects"
    return ""


def _send(
    start_response: StartResponse, status: int, body: str | bytes, headers: dict[str, str] | None = None
) -> list[bytes]:
    data = body.encode("utf-8") if isinstance(body, str) else body
    fields = {"content-type": "text/plain; charset=utf-8", **(headers or {})}
    fields["content-length"] = str(len(data))
    start_response(f"{status} {HTTPStatus(status).phrase}", list(fields.items()))
    return [data]
