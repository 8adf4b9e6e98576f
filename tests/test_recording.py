"""What Role Bot remembers of each question, through every surface, and how it copes when the
database is down or slow: answers never wait for it, and nothing accepted is lost silently."""

import json
import logging
import os
import threading
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from prometheus_client import REGISTRY

from bot.store.records import LOW_CONFIDENCE, new_ref
from bot.store.store import Store
from bot.store.writer import RecordWriter
from tests.support import fake_slack
from tests.support.fake_slack import event_callback, interaction
from tests.support.in_process import InProcessApp
from tests.support.processes import free_port

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"


def _newest(app):
    return app.recorded()[0]


def test_a_command_is_recorded_with_its_answer_and_a_hashed_user_but_no_text(app, slack, knowledge):
    app.post(fake_slack.slash_command("who handles risk?", slack.response_url(), user_id="U0RECORD1"), FORM)
    record = _newest(app)
    assert (record.surface, record.workspace, record.answer) == (
        "command",
        fake_slack.TEAM_ID,
        "delivery-lead/risk-management",
    )
    assert record.score >= LOW_CONFIDENCE
    assert record.text is None  # answered with confidence: the question's text is not kept
    assert record.user == app.recorder.writer.store.user_hash("U0RECORD1")
    assert "U0RECORD1" not in repr(record)
    assert record.knowledge_version == knowledge.version


def test_a_declined_mention_keeps_its_text_without_slack_markup(app, slack):
    app.post(event_callback(fake_slack.mention("order me a pizza", "1700007000.000100"), "Ev0record1"), JSON)
    slack.posted(1)
    record = _newest(app)
    assert (record.surface, record.answer, record.decline_reason) == ("mention", None, "out-of-scope")
    assert record.text == "order me a pizza"


def test_direct_messages_and_the_shortcut_are_recorded_as_such(app, slack):
    dm = {"type": "message", "channel_type": "im", "user": "U0ASKER01", "text": "compare", "ts": "1.2", "channel": "D1"}
    app.post(event_callback(dm, "Ev0record2"), JSON)
    slack.posted(1)
    assert _newest(app).surface == "dm"
    app.post(interaction(fake_slack.message_shortcut("who owns the budget?", slack.response_url("sc"))), FORM)
    slack.posted(2)
    record = _newest(app)
    assert (record.surface, record.answer) == ("shortcut", "delivery-manager/budget-financial-management")


def test_health_details_say_the_store_is_up_and_what_it_wrote(app, slack):
    app.post(fake_slack.slash_command("compare", slack.response_url()), FORM)
    app.recorded()
    status, body, headers = app.get("/health/details")
    details = json.loads(body)
    assert (status, headers["content-type"]) == (200, "application/json")
    assert details["store"]["store"] == "ok"
    assert details["store"]["written"] >= 1
    assert details["store"]["dropped"] == 0


@pytest.fixture
def app_with_store_down(slack, answerer, caplog):
    """An app whose PostgreSQL is not there: nothing listens on the port."""
    caplog.set_level(logging.ERROR, logger="bot.store.writer")
    built = InProcessApp(slack, answerer, f"postgresql+psycopg://rolebot@127.0.0.1:{free_port()}/none")
    yield built
    built.settle()
    built.recorder.writer.close(timeout=0)
    built.pool.shutdown()


def test_with_the_store_down_commands_are_still_answered_and_health_says_so(app_with_store_down, slack, caplog):
    for question in ("who handles risk?", "who owns the budget?", "compare"):
        status, body, _ = app_with_store_down.post(fake_slack.slash_command(question, slack.response_url()), FORM)
        assert status == 200
        assert json.loads(body)["response_type"] == "ephemeral"
    details = json.loads(app_with_store_down.get("/health/details")[1])["store"]
    assert details["store"] == "unavailable"
    assert details["queued"] == 3  # waiting, not lost

    def problems():
        logged = caplog.get_records("setup") + caplog.get_records("call")
        return [record for record in logged if "cannot write to the store" in record.getMessage()]

    deadline = time.monotonic() + 10
    while not problems() and time.monotonic() < deadline:
        time.sleep(0.05)
    app_with_store_down.recorder.writer.flush(0.5)  # more retries fail meanwhile
    assert len(problems()) == 1  # logged once, however often it is retried


class FlakyStore:
    """Opens a real store, but only after failing the first `failures` times."""

    def __init__(self, url, failures):
        self.url, self.failures, self.attempts = url, failures, 0

    def __call__(self):
        self.attempts += 1
        if self.attempts <= self.failures:
            raise ConnectionError("the database is not there yet")
        return Store.open(self.url)


def _records(knowledge, count):
    from bot.core.routing import EntryAnswer
    from bot.store.recorder import question_record

    answer = EntryAnswer("delivery-lead/risk-management", question="who handles risk?")
    return [question_record(answer, knowledge, "command", "T1", "", "unanswered") for _ in range(count)]


def test_records_wait_while_the_store_is_down_and_are_written_when_it_is_back(tmp_path, knowledge, caplog):
    url = f"sqlite:///{tmp_path / 'late.sqlite3'}"
    writer = RecordWriter(FlakyStore(url, failures=2), retention_days=90, retry_seconds=(0.01, 0.05))
    try:
        for record in _records(knowledge, 5):
            assert writer.submit(record, "U1")
        assert writer.flush(10)
        expected = {"store": "ok", "queued": 0, "written": 5, "dropped": 0, "refused": 0}
        assert writer.status() | {"written": 5} == expected
        assert writer.store.question_count() == 5
        assert "the store is back" in caplog.text
    finally:
        writer.close()


def test_a_full_queue_drops_and_counts_what_it_cannot_take(tmp_path, knowledge):
    url = f"sqlite:///{tmp_path / 'full.sqlite3'}"
    opened = threading.Event()

    def slow_store():
        opened.wait(10)  # the store answers only when the test lets it
        return Store.open(url)

    writer = RecordWriter(slow_store, retention_days=90, capacity=3)
    try:
        accepted = [writer.submit(record, "U1") for record in _records(knowledge, 5)]
        assert accepted == [True, True, True, False, False]
        assert writer.status()["dropped"] == 2
        opened.set()
        assert writer.flush(10)
        assert writer.store.question_count() == 3
    finally:
        opened.set()
        writer.close()


def test_a_record_the_store_refuses_is_counted_as_dropped_and_holds_up_nothing(tmp_path, knowledge, caplog):
    # Retried as if the store were down, it would block every record behind it for as long as the
    # process runs.
    url = f"sqlite:///{tmp_path / 'refused.sqlite3'}"
    writer = RecordWriter(lambda: Store.open(url), retention_days=90, retry_seconds=(0.01, 0.05))
    good = _records(knowledge, 4)
    refused_before = REGISTRY.get_sample_value("rolebot_store_refused_total") or 0
    try:
        writer.submit(good[0], "U1")
        writer.submit(replace(good[1], surface=None), "U1")  # the database requires a surface
        for record in good[2:]:
            writer.submit(record, "U1")
        assert writer.flush(10)
        assert writer.status() == {"store": "ok", "queued": 0, "written": 3, "dropped": 1, "refused": 1}
        assert REGISTRY.get_sample_value("rolebot_store_refused_total") == refused_before + 1
        assert writer.store.question_count() == 3
        assert "refused 1 record(s) so far" in caplog.text
        assert "surface" in caplog.text
    finally:
        writer.close()


def test_records_refused_batch_after_batch_are_logged_once_not_every_time(tmp_path, knowledge, caplog):
    url = f"sqlite:///{tmp_path / 'refused-often.sqlite3'}"
    writer = RecordWriter(lambda: Store.open(url), retention_days=90)
    try:
        for record in _records(knowledge, 3):
            writer.submit(replace(record, surface=None), "U1")
            assert writer.flush(10)  # each its own batch
        assert writer.status()["dropped"] == 3
        assert caplog.text.count("the store refused") == 1
    finally:
        writer.close()


def test_closing_writes_what_is_queued(tmp_path, knowledge):
    url = f"sqlite:///{tmp_path / 'close.sqlite3'}"
    writer = RecordWriter(lambda: Store.open(url), retention_days=90)
    for record in _records(knowledge, 20):
        writer.submit(record, "U1")
    writer.close()
    reopened = Store.open(url)
    try:
        assert reopened.question_count() == 20
    finally:
        reopened.close()


def test_records_older_than_the_retention_are_purged_as_soon_as_the_store_opens(tmp_path, knowledge):
    url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    old = Store.open(url)
    (record,) = _records(knowledge, 1)
    old.add_questions([replace(record, user="u", asked_at=datetime.now(UTC) - timedelta(days=120))])
    old.close()
    writer = RecordWriter(lambda: Store.open(url), retention_days=90)
    try:
        assert writer.flush(10)
        deadline = time.monotonic() + 10
        while (writer.store is None or writer.store.question_count()) and time.monotonic() < deadline:
            time.sleep(0.02)
        assert writer.store.question_count() == 0
    finally:
        writer.close()


def test_references_are_unique_within_a_process_and_in_a_forked_worker():
    # Feedback finds its question by reference: two workers forked from one parent must not hand out
    # the same ones.
    reading, writing = os.pipe()
    new_ref()  # the parent has references in hand before the fork
    child = os.fork()
    if child == 0:
        os.write(writing, " ".join(new_ref() for _ in range(300)).encode())
        os._exit(0)
    os.waitpid(child, 0)
    os.close(writing)
    theirs = os.read(reading, 65536).decode().split()
    mine = [new_ref() for _ in range(300)]
    assert len(theirs) == 300
    assert len(set(mine) | set(theirs)) == 600
    assert all(len(ref) == 32 and int(ref, 16) >= 0 for ref in mine)


def test_references_made_later_sort_after_earlier_ones():
    # The store indexes questions by reference: made in order, each lands at the end of that index,
    # so writing a batch of questions dirties a few index pages rather than one per question.
    earlier = [new_ref() for _ in range(50)]
    time.sleep(0.003)
    later = [new_ref() for _ in range(50)]
    assert max(earlier) < min(later)
    assert len({ref[12:] for ref in earlier + later}) == 100  # the random part differs even within a millisecond
