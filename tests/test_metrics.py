"""GET /metrics: Prometheus' text format, counting what Role Bot does as it does it; several worker
processes add up to one set of figures."""

import shutil
import urllib.request

from prometheus_client.parser import text_string_to_metric_families
from slack_sdk.http_retry import FixedValueRetryIntervalCalculator

from bot.core.answerer import Answerer
from bot.core.knowledge import DEFAULT_KNOWLEDGE_PATH
from bot.metrics import exposition
from tests.support.fake_slack import FakeSlack, event_callback, mention, slash_command
from tests.support.in_process import InProcessApp
from tests.support.processes import start_web

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"


def _figures(text: str) -> dict[tuple[str, tuple], float]:
    """Every sample: (name, sorted labels) -> value."""
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def _scrape(app, headers=None) -> dict:
    status, body, response_headers = app.request("GET", "/metrics", b"", headers or {})
    assert status == 200
    assert response_headers["content-type"].startswith("text/plain; version=")
    return _figures(body.decode())


def _value(figures: dict, name: str, **labels) -> float:
    return figures.get((name, tuple(sorted(labels.items()))), 0.0)


def test_questions_answer_times_slack_calls_and_skipped_redeliveries_are_counted(app, slack, answerer):
    before = _scrape(app)
    app.post(slash_command("who owns the budget?", slack.response_url()), FORM)
    app.post(slash_command("order me a pizza", slack.response_url()), FORM)
    event = event_callback(mention("who handles risk?", "1700009000.000100", channel="C0METRICS"), "Ev0metric01")
    for _ in range(2):  # the second delivery is a repeat
        app.post(event, JSON)
    app.settle()
    after = _scrape(app)

    def grew(name, **labels):
        return _value(after, name, **labels) - _value(before, name, **labels)

    assert grew("rolebot_questions_total", surface="command", outcome="answered") == 1
    assert grew("rolebot_questions_total", surface="command", outcome="declined") == 1
    assert grew("rolebot_questions_total", surface="mention", outcome="answered") == 1
    assert grew("rolebot_answer_seconds_count") == 3
    assert grew("rolebot_slack_calls_total", method="chat.postMessage", result="ok") == 1
    assert grew("rolebot_redeliveries_skipped_total") == 1
    assert _value(after, "rolebot_knowledge_info", version=answerer.knowledge.version) == 1


def test_records_written_to_the_store_are_counted_and_none_left_queued(app, slack):
    app.recorded()  # what earlier requests queued is written before counting starts
    before = _scrape(app)
    for question in ("who owns the budget?", "compare", "order me a pizza"):
        app.post(slash_command(question, slack.response_url()), FORM)
    app.recorded()  # every queued record written
    after = _scrape(app)
    assert _value(after, "rolebot_store_written_total") - _value(before, "rolebot_store_written_total") == 3
    assert _value(after, "rolebot_store_queued") == 0
    assert _value(after, "rolebot_store_dropped_total") == _value(before, "rolebot_store_dropped_total")


def test_slack_errors_and_retries_are_counted_by_kind(app, slack):
    handlers = app.app.client.retry_handlers
    saved = [handler.interval_calculator for handler in handlers]
    for handler in handlers:
        handler.interval_calculator = FixedValueRetryIntervalCalculator(0.01)
    try:
        before = _scrape(app)
        for _ in range(3):
            slack.fail_next("chat.postMessage", 503, "Service Unavailable")
        slack.fail_next("views.publish", 200, {"ok": False, "error": "not_authed"})
        app.post(event_callback(mention("compare", "1700009100.000100", channel="C0METRICS"), "Ev0metric02"), JSON)
        home = {"type": "app_home_opened", "user": "U0ASKER01", "tab": "home", "channel": "D0HOME"}
        app.post(event_callback(home, "Ev0metric03"), JSON)
        app.settle()
        after = _scrape(app)
    finally:
        for handler, calculator in zip(handlers, saved, strict=True):
            handler.interval_calculator = calculator
    assert (
        _value(after, "rolebot_slack_retries_total", reason="server_error")
        - _value(before, "rolebot_slack_retries_total", reason="server_error")
        == 2
    )
    assert (
        _value(after, "rolebot_slack_calls_total", method="views.publish", result="not_authed")
        - _value(before, "rolebot_slack_calls_total", method="views.publish", result="not_authed")
        == 1
    )


def test_with_a_metrics_token_metrics_need_it(answerer):
    slack = FakeSlack()
    app = InProcessApp(slack, answerer, metrics_token="s3cret-metrics")
    try:
        assert app.request("GET", "/metrics", b"", {})[0] == 401
        assert app.request("GET", "/metrics", b"", {"Authorization": "Bearer wrong"})[0] == 401
        assert _scrape(app, {"Authorization": "Bearer s3cret-metrics"})  # anything at all: it answered
    finally:
        app.close()
        slack.close()


def test_two_workers_report_one_set_of_figures(tmp_path):
    slack = FakeSlack()
    web = start_web(slack, tmp_path / "web.log", {"ROLE_STORE": "off", "WEB_CONCURRENCY": "2", "LOG_LEVEL": "INFO"})
    try:
        workers = set()
        for _ in range(40):  # new connections land on either worker
            status, _, _ = web.post(slash_command("who owns the budget?", slack.response_url()), FORM)
            assert status == 200
        for line in web.log_text().splitlines():
            if "Booting worker with pid" in line:
                workers.add(line.rsplit(" ", 1)[1])
        assert len(workers) == 2
        with urllib.request.urlopen(f"{web.url}/metrics", timeout=5) as response:
            figures = _figures(response.read().decode())
        assert _value(figures, "rolebot_questions_total", surface="command", outcome="answered") == 40
    finally:
        web.stop()
        slack.close()


def test_knowledge_reloads_taken_and_refused_are_counted(tmp_path):
    path = tmp_path / "roles.yaml"
    shutil.copy(DEFAULT_KNOWLEDGE_PATH, path)
    answerer = Answerer.from_file(path)
    text = path.read_text()
    path.write_text(text.replace("title: Risk Management", "title: Risk and Issue Management"))
    assert answerer.refresh() is True
    path.write_text("roles: [")  # broken: refused, the last good knowledge stays
    assert answerer.refresh() is False
    body, _ = exposition(answerer)
    figures = _figures(body.decode())
    assert _value(figures, "rolebot_knowledge_reloads_total", result="taken") == 1
    assert _value(figures, "rolebot_knowledge_reloads_total", result="refused") == 1
    assert _value(figures, "rolebot_knowledge_info", version=answerer.knowledge.version) == 1
