"""The store on SQLite and on a real PostgreSQL server: its schema, what it keeps, and what it forgets."""

from dataclasses import asdict, replace
from datetime import UTC, datetime, timedelta

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, event, insert, inspect, text

from bot.core.routing import Declined, EntryAnswer
from bot.store.recorder import question_record
from bot.store.records import LOW_CONFIDENCE, ThreadRecord, user_hash, vote_record
from bot.store.schema import metadata, questions
from bot.store.store import MIGRATIONS, Store


@pytest.fixture
def store(store_url):
    opened = Store.open(store_url)
    yield opened
    opened.close()


def _record(knowledge, store, user_id="U0ASKER01", score=90, declined=False, keep="unanswered", **changes):
    answer = (
        Declined("out-of-scope", question="order me a pizza")
        if declined
        else EntryAnswer("delivery-lead/risk-management", question="who handles risk?", score=score)
    )
    record = question_record(answer, knowledge, "command", "T0TEAM123", store.user_hash(user_id), keep)
    return replace(record, **changes)


def test_the_migrated_schema_is_the_one_the_code_describes(store):
    with store.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), metadata)
    assert differences == []


def test_opening_again_migrates_nothing_and_keeps_the_records_and_the_hash_key(store_url, knowledge):
    first = Store.open(store_url)
    first.add_questions([_record(knowledge, first)])
    key = first.user_hash("U0ASKER01")
    first.close()
    again = Store.open(store_url)
    try:
        assert again.question_count() == 1
        assert again.user_hash("U0ASKER01") == key
    finally:
        again.close()


def test_a_database_of_the_release_before_is_upgraded_with_its_records(store_url, knowledge):
    # The release before wrote random references and indexed the user hash (migration 0004).
    engine = create_engine(store_url)
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0004")
        old = question_record(
            EntryAnswer("delivery-lead/risk-management", question="who handles risk?", score=90),
            knowledge,
            "command",
            "T0TEAM123",
            user_hash(b"the key", "U0ASKER01"),
            "unanswered",
            ref="f" * 32,  # sorts after every reference made from now on
        )
        row = {**asdict(old), "user_hash": old.user}
        del row["user"]
        connection.execute(insert(questions), [row])
    engine.dispose()
    upgraded = Store.open(store_url, hash_key="the key")
    try:
        indexes = {index["name"] for index in inspect(upgraded.engine).get_indexes("questions")}
        assert "ix_questions_user_hash" not in indexes
        upgraded.add_questions([_record(knowledge, upgraded)])
        assert {record.ref for record in upgraded.recent_questions()} >= {"f" * 32}
        assert upgraded.question_count() == 2
        assert upgraded.forget("U0ASKER01") == 2  # found without the index
        assert upgraded.question_count() == 0
    finally:
        upgraded.close()


def test_a_batch_written_again_adds_nothing_twice_and_still_writes_the_rest(store, knowledge):
    # A writer that stopped between the commit and its confirmation sends the same batch again.
    batch = [_record(knowledge, store) for _ in range(3)]
    store.add_questions(batch)
    vote = replace(vote_record(batch[0].ref, -1, reason="wrong"), user=store.user_hash("U0VOTER01"))
    store.add([*batch, _record(knowledge, store), vote])
    assert store.question_count() == 4
    assert [recorded.vote for recorded in store.votes_on(batch[0].ref)] == [-1]


def test_a_configured_hash_key_is_used_instead_of_the_stored_one(store_url):
    stored, configured = Store.open(store_url), Store.open(store_url, hash_key="a key kept elsewhere")
    try:
        assert stored.user_hash("U1") != configured.user_hash("U1")
        assert configured.user_hash("U1") == Store.open(store_url, "a key kept elsewhere").user_hash("U1")
    finally:
        stored.close()
        configured.close()


def test_records_read_back_as_written_and_never_hold_the_raw_user_id(store, knowledge):
    record = _record(knowledge, store, declined=True)
    store.add_questions([record])
    (read,) = store.recent_questions()
    assert read == record
    with store.engine.connect() as connection:
        rows = connection.execute(text("SELECT * FROM questions")).all()
    assert "U0ASKER01" not in repr(rows)
    assert read.text == "order me a pizza"


def test_forget_deletes_everything_of_one_person_and_nothing_else(store, knowledge):
    store.add_questions([_record(knowledge, store, user) for user in ("U0LEAVING", "U0STAYING") * 2])
    assert store.forget("U0LEAVING") == 2
    assert [record.user for record in store.recent_questions()] == [store.user_hash("U0STAYING")] * 2


def test_records_older_than_the_retention_are_purged(store, knowledge):
    now = datetime.now(UTC)
    old = _record(knowledge, store, asked_at=now - timedelta(days=91))
    recent = _record(knowledge, store, asked_at=now - timedelta(days=89))
    store.add_questions([old, recent])
    assert store.purge(90, now=now) == 1
    assert [record.ref for record in store.recent_questions()] == [recent.ref]


@pytest.mark.parametrize(
    ("keep", "declined", "score", "kept"),
    [
        ("unanswered", True, 0, True),
        ("unanswered", False, LOW_CONFIDENCE - 1, True),
        ("unanswered", False, LOW_CONFIDENCE, False),
        ("all", False, 100, True),
        ("none", True, 0, False),
    ],
)
def test_question_text_is_kept_only_when_the_policy_asks(knowledge, keep, declined, score, kept):
    answer = (
        Declined("out-of-scope", question="order me a pizza")
        if declined
        else EntryAnswer("delivery-lead/risk-management", question="who handles risk?", score=score)
    )
    record = question_record(answer, knowledge, "mention", "T1", "hash", keep)
    assert (record.text is not None) == kept
    assert record.knowledge_version == knowledge.version
    assert record.answer == (None if declined else "delivery-lead/risk-management")
    assert record.decline_reason == ("out-of-scope" if declined else None)


def test_a_persons_latest_vote_replaces_their_earlier_one_and_a_thumbs_down_keeps_the_text(store, knowledge):
    question = _record(knowledge, store)  # answered with confidence: no text kept
    store.add_questions([question])
    me, other = store.user_hash("U0VOTER01"), store.user_hash("U0VOTER02")
    store.add_votes([replace(vote_record(question.ref, 1), user=me), replace(vote_record(question.ref, 1), user=other)])
    store.add_votes([replace(vote_record(question.ref, -1, "wrong role", None, "who handles risk?"), user=me)])
    votes = {vote.user: vote for vote in store.votes_on(question.ref)}
    assert (votes[me].vote, votes[me].reason, votes[other].vote) == (-1, "wrong role", 1)
    assert store.recent_questions()[0].text == "who handles risk?"


def test_forget_deletes_a_persons_votes_too(store, knowledge):
    question = _record(knowledge, store)
    store.add_questions([question])
    store.add_votes([replace(vote_record(question.ref, -1), user=store.user_hash("U0LEAVING"))])
    assert store.forget("U0LEAVING") == 1
    assert store.votes_on(question.ref) == []


def test_a_batch_the_database_fails_on_is_not_written_at_all(store, knowledge):
    with store.engine.begin() as connection:
        connection.execute(text("DROP TABLE votes"))  # a database that has lost a table
    first = _record(knowledge, store)
    with pytest.raises(Exception):  # noqa: B017, PT011 - each database names the missing table differently
        store.add([first, replace(vote_record(first.ref, 1), user=store.user_hash("U0VOTER01"))])
    assert store.question_count() == 0  # retried later, whole


def test_records_the_database_refuses_are_left_out_with_why_and_the_rest_are_written(store, knowledge):
    first, second = _record(knowledge, store), _record(knowledge, store)
    no_answer = ThreadRecord("T1", "C1", "1.1", None, datetime.now(UTC))  # an answer is required
    no_surface = _record(knowledge, store, declined=True, surface=None)  # declined: its words are kept
    assert no_surface.text == "order me a pizza"
    vote = replace(vote_record(first.ref, -1, reason="wrong"), user=store.user_hash("U0VOTER01"))
    refused = store.add([first, no_answer, no_surface, second, vote])
    assert len(refused) == 2
    assert all("null" in problem.lower() for problem in refused)
    assert "answer" in refused[0]
    assert "surface" in refused[1]
    assert not any("pizza" in problem for problem in refused)  # what was refused is named, not what it held
    assert store.question_count() == 2
    assert [recorded.vote for recorded in store.votes_on(first.ref)] == [-1]
    assert store.add([first, second]) == []  # taken already: nothing refused, nothing written twice
    assert store.question_count() == 2


def test_one_refused_record_in_a_large_batch_costs_a_few_transactions_not_one_a_record(store, knowledge):
    # One transaction a record would take minutes for a batch on a distant database.
    batch = [_record(knowledge, store) for _ in range(200)]
    batch[137] = replace(batch[137], surface=None)
    transactions = []

    def began(connection):
        transactions.append(connection)

    event.listen(store.engine, "begin", began)
    try:
        refused = store.add(batch)
    finally:
        event.remove(store.engine, "begin", began)
    assert len(refused) == 1
    assert store.question_count() == 199
    # Halving 200 records takes 8 steps; at each, the half holding the bad record is tried twice (as it
    # is, then as a batch that may hold questions already there) and the other half once.
    assert len(transactions) <= 1 + 3 * 8


def test_values_the_driver_cannot_take_are_refused_too_and_the_reason_can_be_logged(store, knowledge):
    huge = _record(knowledge, store, score=2**70)  # no integer column holds it
    surrogate = _record(knowledge, store, declined=True, text="half an emoji \ud83d")  # made without question_record
    refused = store.add([_record(knowledge, store), huge, surrogate])
    assert len(refused) == 2
    assert all(problem.encode("utf-8") for problem in refused)  # fit to be written to a log
    assert store.question_count() == 1


def test_question_and_vote_text_is_made_storable_when_recorded(store, knowledge):
    answer = Declined("out-of-scope", question="nul\x00 and half an emoji \ud83d")
    record = question_record(answer, knowledge, "command", "T0TEAM123", store.user_hash("U0ASKER01"), "unanswered")
    vote = replace(vote_record(record.ref, -1, reason="bad\x00 \ud83d"), user=store.user_hash("U0VOTER01"))
    assert store.add([record, vote]) == []
    assert [kept.text for kept in store.questions_since(datetime.now(UTC) - timedelta(hours=1))] == [
        "nul and half an emoji ?"
    ]
    assert [kept.reason for kept in store.votes_on(record.ref)] == ["bad ?"]


def test_a_value_too_long_for_its_column_is_refused_on_postgresql(store, knowledge):
    if store.engine.dialect.name != "postgresql":
        pytest.skip("SQLite keeps text of any length")
    too_long = _record(knowledge, store, workspace="T" * 40)
    refused = store.add([_record(knowledge, store), too_long])
    assert len(refused) == 1
    assert "too long" in refused[0]
    assert store.question_count() == 1


def test_stores_opened_at_the_same_time_in_one_process_are_all_migrated(tmp_path):
    # Alembic keeps the migration it runs in module state: without care, two at once see each other's.
    from concurrent.futures import ThreadPoolExecutor

    urls = [f"sqlite:///{tmp_path / f'store{number}.sqlite3'}" for number in range(6)]
    with ThreadPoolExecutor(len(urls)) as pool:
        stores = list(pool.map(Store.open, urls))
    try:
        assert [store.question_count() for store in stores] == [0] * len(urls)
    finally:
        for store in stores:
            store.close()
