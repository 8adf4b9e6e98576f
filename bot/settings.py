"""Settings from the environment, read once into one frozen object."""

from __future__ import annotations

import os
import re
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from bot.core.knowledge import DEFAULT_KNOWLEDGE_PATH

SLACK_API_URL = "https://slack.com/api/"
KEEP_QUESTIONS = ("unanswered", "all", "none")
DEFAULT_RETENTION_DAYS = 90
# The answerer's ANSWERS_KEPT (bot/core/answerer.py), not imported from it: that would load the matcher
# and numpy wherever settings are read, the gunicorn master (bot/slack/server.py) included.
DEFAULT_ANSWERS_KEPT = 4096
_DATABASE_URL = re.compile(r"^(sqlite|postgres|postgresql)(\+\w+)?://", re.IGNORECASE)
_PORT = re.compile(r"^\d{1,5}$")
_LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,20}$")


class SettingsError(Exception):
    """A configuration Role Bot cannot start with; the message names the variable to fix."""


@dataclass(frozen=True)
class Settings:
    bot_token: str = ""  # SLACK_BOT_TOKEN, xoxb-...
    signing_secret: str = ""  # SLACK_SIGNING_SECRET, for HTTP mode
    app_token: str = ""  # SLACK_APP_TOKEN, xapp-..., for Socket Mode
    port: int = 3000  # PORT
    knowledge_path: Path = DEFAULT_KNOWLEDGE_PATH  # ROLE_KNOWLEDGE
    api_url: str = SLACK_API_URL  # SLACK_API_URL, the Web API base URL
    log_level: str = "INFO"  # LOG_LEVEL: DEBUG, INFO, WARNING or ERROR
    log_json: bool = False  # LOG_FORMAT=json: one JSON object a line
    database_url: str = ""  # DATABASE_URL: PostgreSQL or SQLite; '' is the default SQLite file
    store_enabled: bool = True  # ROLE_STORE=off: remember nothing
    keep_questions: str = "unanswered"  # ROLE_KEEP_QUESTIONS: unanswered, all or none
    retention_days: int = DEFAULT_RETENTION_DAYS  # ROLE_RETENTION_DAYS
    # ROLE_STORE_WRITER: "process" (a child process writes records) or "thread" (the answering process does)
    store_writer: str = "process"
    hash_key: str = ""  # ROLE_HASH_KEY: the key user ids are hashed with ('' : one kept in the database)
    watch_seconds: float = 2.0  # ROLE_WATCH_SECONDS: how often the knowledge file is checked for edits
    answers_kept: int = DEFAULT_ANSWERS_KEPT  # ROLE_ANSWERS_KEPT: answers to recent questions kept (0: none)
    owners: frozenset[str] = frozenset()  # ROLE_OWNERS: Slack user ids who see the report in App Home
    follow_ups: bool = True  # ROLE_FOLLOW_UPS=off: answer in threads only when mentioned
    metrics_token: str = ""  # ROLE_METRICS_TOKEN: when set, GET /metrics needs "Authorization: Bearer <it>"

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Read and check the SLACK_*, PORT and ROLE_KNOWLEDGE variables."""
        env = os.environ if env is None else env
        port_text = env.get("PORT", "").strip() or "3000"
        if not _PORT.match(port_text) or not 0 < int(port_text) < 65536:
            raise SettingsError(f"PORT must be a port number from 1 to 65535, not {port_text!r}")
        api_url = env.get("SLACK_API_URL", "").strip() or SLACK_API_URL
        if not re.match(r"^https?://", api_url):
            raise SettingsError(f"SLACK_API_URL must be an http(s) URL, not {api_url!r}")
        log_level = env.get("LOG_LEVEL", "").strip().upper() or "INFO"
        if log_level not in _LOG_LEVELS:
            raise SettingsError(f"LOG_LEVEL must be one of {', '.join(_LOG_LEVELS)}, not {log_level!r}")
        log_format = env.get("LOG_FORMAT", "").strip().lower() or "text"
        if log_format not in ("text", "json"):
            raise SettingsError(f"LOG_FORMAT must be text or json, not {log_format!r}")
        database_url = env.get("DATABASE_URL", "").strip()
        if database_url and not _DATABASE_URL.match(database_url):
            raise SettingsError("DATABASE_URL must be a postgresql:// or sqlite:/// URL")
        store = env.get("ROLE_STORE", "").strip().lower() or "on"
        if store not in ("on", "off"):
            raise SettingsError(f"ROLE_STORE must be on or off, not {store!r}")
        keep = env.get("ROLE_KEEP_QUESTIONS", "").strip().lower() or "unanswered"
        if keep not in KEEP_QUESTIONS:
            raise SettingsError(f"ROLE_KEEP_QUESTIONS must be one of {', '.join(KEEP_QUESTIONS)}, not {keep!r}")
        writer = env.get("ROLE_STORE_WRITER", "").strip().lower() or "process"
        if writer not in ("process", "thread"):
            raise SettingsError(f"ROLE_STORE_WRITER must be process or thread, not {writer!r}")
        days = env.get("ROLE_RETENTION_DAYS", "").strip() or str(DEFAULT_RETENTION_DAYS)
        if not days.isdecimal() or not 1 <= int(days) <= 36_500:
            raise SettingsError(f"ROLE_RETENTION_DAYS must be a number of days from 1 to 36500, not {days!r}")
        watch = env.get("ROLE_WATCH_SECONDS", "").strip() or "2"
        try:
            watch_seconds = float(watch)
        except ValueError:
            watch_seconds = -1.0
        if not 0.1 <= watch_seconds <= 3600:
            raise SettingsError(f"ROLE_WATCH_SECONDS must be a number of seconds from 0.1 to 3600, not {watch!r}")
        kept = env.get("ROLE_ANSWERS_KEPT", "").strip() or str(DEFAULT_ANSWERS_KEPT)
        if not kept.isdecimal() or int(kept) > 100_000:
            raise SettingsError(f"ROLE_ANSWERS_KEPT must be a number of answers from 0 to 100000, not {kept!r}")
        owners = frozenset(re.split(r"[\s,]+", env.get("ROLE_OWNERS", "").strip())) - {""}
        strange = sorted(owner for owner in owners if not _USER_ID.match(owner))
        if strange:
            raise SettingsError(
                f"ROLE_OWNERS must be Slack user ids (U… or W…), separated by commas, not {strange[0]!r}"
            )
        follow_ups = env.get("ROLE_FOLLOW_UPS", "").strip().lower() or "on"
        if follow_ups not in ("on", "off"):
            raise SettingsError(f"ROLE_FOLLOW_UPS must be on or off, not {follow_ups!r}")
        settings = cls(
            bot_token=env.get("SLACK_BOT_TOKEN", "").strip(),
            signing_secret=env.get("SLACK_SIGNING_SECRET", "").strip(),
            app_token=env.get("SLACK_APP_TOKEN", "").strip(),
            port=int(port_text),
            knowledge_path=Path(env.get("ROLE_KNOWLEDGE", "").strip() or DEFAULT_KNOWLEDGE_PATH),
            api_url=api_url if api_url.endswith("/") else api_url + "/",
            log_level=log_level,
            log_json=log_format == "json",
            database_url=database_url,
            store_enabled=store == "on",
            keep_questions=keep,
            retention_days=int(days),
            store_writer=writer,
            hash_key=env.get("ROLE_HASH_KEY", "").strip(),
            watch_seconds=watch_seconds,
            answers_kept=int(kept),
            owners=owners,
            follow_ups=follow_ups == "on",
            metrics_token=env.get("ROLE_METRICS_TOKEN", "").strip(),
        )
        settings._check_tokens()
        return settings

    def mode(self) -> tuple[str, str]:
        """How to run, and why: ("socket" | "http" | "console", reason)."""
        if self.app_token:
            return "socket", "SLACK_APP_TOKEN is set, so Role Bot connects to Slack in Socket Mode"
        if self.bot_token and self.signing_secret:
            return (
                "http",
                f"SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET are set, so Role Bot serves HTTP on port {self.port}",
            )
        return "console", "no Slack tokens are set, so Role Bot starts its console"

    def require(self, mode: str) -> None:
        """Fail unless the variables the mode needs are all set."""
        needed = {"socket": ("SLACK_APP_TOKEN", "SLACK_BOT_TOKEN"), "http": ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET")}
        values = {
            "SLACK_APP_TOKEN": self.app_token,
            "SLACK_BOT_TOKEN": self.bot_token,
            "SLACK_SIGNING_SECRET": self.signing_secret,
        }
        missing = [name for name in needed.get(mode, ()) if not values[name]]
        if missing:
            raise SettingsError(f"{' and '.join(missing)} must be set to run in {mode} mode")

    def _check_tokens(self) -> None:
        if self.bot_token and not self.bot_token.startswith("xoxb-"):
            raise SettingsError("SLACK_BOT_TOKEN must be a bot token starting with xoxb-")
        if self.app_token and not self.app_token.startswith("xapp-"):
            raise SettingsError("SLACK_APP_TOKEN must be an app-level token starting with xapp-")
        if self.signing_secret and re.search(r"\s", self.signing_secret):
            raise SettingsError("SLACK_SIGNING_SECRET must not contain spaces; copy it again from the app's page")
        if self.app_token and not self.bot_token:
            raise SettingsError("SLACK_BOT_TOKEN must be set too: Socket Mode needs it to post answers")
        if self.bot_token and not (self.signing_secret or self.app_token):
            raise SettingsError(
                "SLACK_SIGNING_SECRET (for HTTP mode) or SLACK_APP_TOKEN (for Socket Mode) must be set "
                "with SLACK_BOT_TOKEN"
            )
        if self.signing_secret and not self.bot_token:
            raise SettingsError("SLACK_BOT_TOKEN must be set with SLACK_SIGNING_SECRET")

    @property
    def secrets(self) -> tuple[str, ...]:
        """The values that must never be written to a log."""
        password = urllib.parse.urlsplit(self.database_url).password if self.database_url else None
        values = (self.bot_token, self.signing_secret, self.app_token, self.hash_key, self.metrics_token, password)
        return tuple(value for value in values if value)

    @property
    def store_url(self) -> str:
        """The database to remember in, as SQLAlchemy names it: DATABASE_URL (postgres:// as
        platforms write it, with the psycopg driver), else a SQLite file in the user's data folder."""
        url = self.database_url
        if not url:
            data = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
            return f"sqlite:///{data / 'rolebot' / 'rolebot.sqlite3'}"
        scheme, _, rest = url.partition("://")
        if scheme.lower() in ("postgres", "postgresql"):
            return f"postgresql+psycopg://{rest}"
        return url

    def __repr__(self) -> str:
        # Never show secrets, not even in a traceback or a debug log.
        shown: dict[str, object] = {"bot_token": bool(self.bot_token), "signing_secret": bool(self.signing_secret)}
        shown |= {"app_token": bool(self.app_token), "port": self.port, "knowledge_path": str(self.knowledge_path)}
        return f"Settings({', '.join(f'{key}={value!r}' for key, value in shown.items())}, api_url={self.api_url!r})"
