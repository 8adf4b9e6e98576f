"""Records written by a child process beside the answering one: every batch it confirms is in the
database (SQLite and PostgreSQL), a batch it could not write is reported so the writer keeps it, a
record the database refuses comes back with why, a child that dies is replaced, and none outlives
its parent's writer. Starting a child costs a second, so the tests that do not depend on the
database run on SQLite alone."""

import multiprocessing
import os
import signal
import threading
import time
from dataclasses import replace

import pytest
from sqlalchemy import text

from bot.core.routing import EntryAnswer
from bot.store.recorder import question_record
from bot.store.records import vote_record
from bot.store.remote import WriteFailed, WritingProcess
from bot.store.store import Store
from bot.store.writer import RecordWriter


def _records(knowledge, store, count, user_id="U0ASKER01"):
    answer = EntryAnswer("delivery-lead/risk-management", question="who handles risk?", score=90)
    return [
        question_record(answer, knowledge, "command", "T0TEAM123", store.user_hash(user_id), "unanswered")
        for _ in range(count)
    ]


@pytest.fixture
def sqlite_url(tmp_path):
    return f"sqlite:///{tmp_path / 'rolebot.sqlite3'}"


@pytest.fixture
def store(sqlite_url):
    opened = Store.open(sqlite_url)
    yield opened
    opened.close()


@pytest.fixture
def writing(store):
    """A writing process for the SQLite store (closed again when a test has)."""
    made = WritingProcess.for_store(store)
    yield made
    made.close()


@pytest.fixture
def writer(sqlite_url):
    """A record writer whose batches a child process writes to SQLite (closed again when a test has)."""
    made = RecordWriter(lambda: Store.open(sqlite_url), retention_days=90, separate_process=True)
    yield made
    made.close()


def test_a_batch_the_child_confirms_is_in_the_database(store_url, knowledge):
    store = Store.open(store_url)
    writing = WritingProcess.for_store(store)
    try:
        writing.add(_records(knowledge, store, 250))
        writing.add(_records(knowledge, store, 3))
        assert store.question_count() == 253
        assert writing.pid is not None
        assert writing.pid != os.getpid()
    finally:
        writing.close()
        store.close()
    assert writing.pid is None


def test_a_dead_child_fails_its_batch_and_the_next_batch_gets_a_new_one(writing, store, knowledge):
    writing.add(_records(knowledge, store, 1))
    first = writing.pid
    os.kill(first, signal.SIGKILL)
    with pytest.raises(WriteFailed):
        writing.add(_records(knowledge, store, 5))
    writing.add(_records(knowledge, store, 2))
    assert writing.pid not in (None, first)
    assert store.question_count() == 3  # the failed batch was not written, in part or whole


def test_a_database_that_refuses_the_batch_is_reported_with_its_reason(writing, store, knowledge):
    writing.add(_records(knowledge, store, 2))
    with store.engine.begin() as connection:
        connection.execute(text("DROP TABLE votes"))  # a database that has lost a table
    with pytest.raises(WriteFailed, match="votes"):
        writing.add([vote_record(_records(knowledge, store, 1)[0].ref, 1)])
    assert store.question_count() == 2


def test_the_writer_with_a_writing_process_writes_all_it_can_and_stops_its_child(writer, knowledge):
    store = writer.open_store()
    assert store is not None
    records = _records(knowledge, store, 41)
    records[20] = replace(records[20], surface=None)  # refused by the database: counted, never retried
    for record in records:
        assert writer.submit(record, "U0ASKER01")
    assert writer.flush(30)
    assert store.question_count() == 40
    assert writer.status() == {"store": "ok", "queued": 0, "written": 40, "dropped": 1, "refused": 1}
    child = writer.writing_pid
    assert child is not None
    writer.close()
    assert writer.writing_pid is None
    with pytest.raises(ProcessLookupError):
        os.kill(child, 0)


def test_records_the_database_refuses_come_back_with_why_and_the_rest_are_written(store_url, knowledge):
    store = Store.open(store_url)
    writing = WritingProcess.for_store(store)
    try:
        good = _records(knowledge, store, 3)
        refused = writing.add([good[0], replace(good[1], surface=None), good[2]])
        assert len(refused) == 1
        assert "surface" in refused[0]
        assert store.question_count() == 2
    finally:
        writing.close()
        store.close()


def test_signals_to_stop_reach_the_parent_not_the_child(writing, store, knowledge):
    # A platform may send SIGTERM to every process of a container, and Ctrl-C reaches the whole
    # terminal: the parent still has records to hand over while it stops.
    writing.add(_records(knowledge, store, 1))
    child = writing.pid
    os.kill(child, signal.SIGTERM)
    os.kill(child, signal.SIGINT)
    writing.add(_records(knowledge, store, 1))
    assert writing.pid == child
    assert store.question_count() == 2


def test_no_child_is_started_before_there_is_something_to_write(writer, knowledge):
    store = writer.open_store()
    assert store is not None
    assert writer.flush(10)
    assert writer.writing_pid is None  # connecting at start wrote nothing, so started nothing
    assert writer.submit(_records(knowledge, store, 1)[0], "U0ASKER01")
    assert writer.flush(30)
    assert writer.writing_pid is not None


def test_a_writer_closed_while_its_store_is_still_opening_never_starts_a_child(sqlite_url, knowledge):
    # A child started after close() would keep the process from exiting: multiprocessing waits for it.
    ready = Store.open(sqlite_url)
    opening = threading.Event()

    def slow_open():
        opening.set()
        time.sleep(1.5)
        return Store.open(sqlite_url)

    writer = RecordWriter(slow_open, retention_days=90, separate_process=True)
    assert opening.wait(5)
    writer.submit(_records(knowledge, ready, 1)[0], "U0ASKER01")
    writer.close(timeout=0.2)  # gives up on the thread, still opening the store
    time.sleep(2.5)
    assert writer.writing_pid is None
    assert multiprocessing.active_children() == []
    ready.close()
