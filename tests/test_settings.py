"""Settings come from the environment; the mode follows from them; a half-set one stops the start."""

import subprocess
from pathlib import Path

import pytest

from bot.settings import SLACK_API_URL, Settings, SettingsError
from tests.support.fake_slack import APP_TOKEN, BOT_TOKEN, SIGNING_SECRET
from tests.support.processes import run_bot


def test_nothing_set_means_the_console_with_defaults():
    settings = Settings.from_env({})
    assert settings.mode()[0] == "console"
    assert (settings.port, settings.api_url) == (3000, SLACK_API_URL)


def test_bot_token_and_signing_secret_mean_http_mode_on_port():
    settings = Settings.from_env({"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": SIGNING_SECRET, "PORT": "8080"})
    mode, reason = settings.mode()
    assert mode == "http"
    assert "port 8080" in reason


def test_app_token_means_socket_mode():
    assert Settings.from_env({"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_APP_TOKEN": APP_TOKEN}).mode()[0] == "socket"


def test_api_url_and_knowledge_path_are_read():
    settings = Settings.from_env({"SLACK_API_URL": "http://127.0.0.1:5000/api", "ROLE_KNOWLEDGE": "/srv/roles/k.yaml"})
    assert settings.api_url == "http://127.0.0.1:5000/api/"
    assert settings.knowledge_path == Path("/srv/roles/k.yaml")


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"SLACK_BOT_TOKEN": BOT_TOKEN}, "SLACK_SIGNING_SECRET"),
        ({"SLACK_SIGNING_SECRET": SIGNING_SECRET}, "SLACK_BOT_TOKEN"),
        ({"SLACK_APP_TOKEN": APP_TOKEN}, "SLACK_BOT_TOKEN"),
        ({"SLACK_BOT_TOKEN": "xoxp-user-token", "SLACK_SIGNING_SECRET": SIGNING_SECRET}, "SLACK_BOT_TOKEN"),
        ({"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_APP_TOKEN": "xoxb-not-an-app-token"}, "SLACK_APP_TOKEN"),
        ({"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": "has a space"}, "SLACK_SIGNING_SECRET"),
        ({"PORT": "eighty"}, "PORT"),
        ({"PORT": "70000"}, "PORT"),
        ({"SLACK_API_URL": "ftp://example"}, "SLACK_API_URL"),
        ({"DATABASE_URL": "mysql://db/rolebot"}, "DATABASE_URL"),
        ({"ROLE_STORE": "maybe"}, "ROLE_STORE"),
        ({"ROLE_KEEP_QUESTIONS": "some"}, "ROLE_KEEP_QUESTIONS"),
        ({"ROLE_RETENTION_DAYS": "0"}, "ROLE_RETENTION_DAYS"),
        ({"ROLE_RETENTION_DAYS": "ninety"}, "ROLE_RETENTION_DAYS"),
        ({"ROLE_WATCH_SECONDS": "0"}, "ROLE_WATCH_SECONDS"),
        ({"ROLE_OWNERS": "U012AB3CD, <!channel>"}, "ROLE_OWNERS"),
        ({"ROLE_FOLLOW_UPS": "sometimes"}, "ROLE_FOLLOW_UPS"),
        ({"ROLE_STORE_WRITER": "fork"}, "ROLE_STORE_WRITER"),
        ({"ROLE_ANSWERS_KEPT": "-1"}, "ROLE_ANSWERS_KEPT"),
        ({"ROLE_ANSWERS_KEPT": "lots"}, "ROLE_ANSWERS_KEPT"),
        ({"ROLE_ANSWERS_KEPT": "\u00b2"}, "ROLE_ANSWERS_KEPT"),  # a digit, but not a number
        ({"ROLE_ANSWERS_KEPT": "1000000"}, "ROLE_ANSWERS_KEPT"),
        ({"ROLE_RETENTION_DAYS": "\u00b2"}, "ROLE_RETENTION_DAYS"),
    ],
)
def test_a_half_set_or_malformed_configuration_names_the_variable(env, named):
    with pytest.raises(SettingsError, match=named):
        Settings.from_env(env)


def test_secrets_never_appear_in_the_settings_repr():
    settings = Settings.from_env({"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": SIGNING_SECRET})
    shown = repr(settings)
    assert BOT_TOKEN not in shown
    assert SIGNING_SECRET not in shown


def _run(env: dict, stdin: str = "") -> subprocess.CompletedProcess:
    return run_bot("run", stdin=stdin, env=env)


def test_run_without_tokens_says_why_and_starts_the_console():
    result = _run({}, stdin="who owns the budget?\n")
    assert result.returncode == 0
    assert "no Slack tokens are set, so Role Bot starts its console" in result.stderr
    assert "Budget and Financial Management" in result.stdout


def test_run_with_a_half_set_configuration_fails_naming_the_missing_variable():
    result = _run({"SLACK_BOT_TOKEN": BOT_TOKEN})
    assert result.returncode == 2
    assert "SLACK_SIGNING_SECRET" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_platforms_postgres_url_gets_the_psycopg_driver_and_its_password_is_a_secret():
    settings = Settings.from_env({"DATABASE_URL": "postgres://bot:s3cret-pw@db.internal:5432/rolebot"})
    assert settings.store_url == "postgresql+psycopg://bot:s3cret-pw@db.internal:5432/rolebot"
    assert "s3cret-pw" in settings.secrets


def test_without_a_database_url_the_store_is_a_sqlite_file_in_the_users_data_folder(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    assert Settings.from_env({}).store_url == f"sqlite:///{tmp_path / 'rolebot' / 'rolebot.sqlite3'}"


def test_the_hash_key_is_a_secret_and_the_store_settings_are_read():
    settings = Settings.from_env(
        {"ROLE_HASH_KEY": "k3y", "ROLE_STORE": "off", "ROLE_KEEP_QUESTIONS": "all", "ROLE_RETENTION_DAYS": "30"}
    )
    assert "k3y" in settings.secrets
    assert (settings.store_enabled, settings.keep_questions, settings.retention_days) == (False, "all", 30)
    assert Settings.from_env({}).store_writer == "process"
    assert Settings.from_env({"ROLE_STORE_WRITER": " Thread "}).store_writer == "thread"
    assert Settings.from_env({}).answers_kept == 4096
    assert Settings.from_env({"ROLE_ANSWERS_KEPT": "0"}).answers_kept == 0


def test_owners_are_read_as_a_set_of_user_ids():
    assert Settings.from_env({"ROLE_OWNERS": " U012AB3CD,W0ENTERPRISE  U012AB3CD "}).owners == {
        "U012AB3CD",
        "W0ENTERPRISE",
    }
