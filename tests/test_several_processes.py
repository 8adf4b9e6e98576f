"""Several Role Bot processes sharing one store act as one: an event delivered to all of them (or
again, to any of them) is answered once, on SQLite and on a real PostgreSQL server."""

import threading

import pytest

from bot.store.claims import Claims
from bot.store.store import Store
from tests.support.fake_slack import FakeSlack, event_callback, mention
from tests.support.in_process import InProcessApp
from tests.support.processes import start_web
from tests.support.waiting import until

JSON = "application/json"


def test_an_event_is_taken_once_across_stores_sharing_a_database(store_url):
    first, second = Store.open(store_url), Store.open(store_url)
    try:
        assert first.take_delivery("Ev0shared01") is True
        assert first.take_delivery("Ev0shared01") is False
        assert second.take_delivery("Ev0shared01") is False
        assert second.take_delivery("Ev0shared02") is True
    finally:
        first.close()
        second.close()


def _mentions(question: str, second: str, channel: str, id_prefix: str, count: int) -> list[bytes]:
    """`count` mentions in one channel, event ids and thread stamps numbered from 0."""
    return [
        event_callback(mention(question, f"{second}.{number:06d}", channel=channel), f"{id_prefix}{number:04d}")
        for number in range(count)
    ]


def _deliver_to_all(targets, bodies) -> None:
    """Every body to every target at once, one thread per delivery (bounded: joined with a timeout)."""
    threads = [threading.Thread(target=target, args=(body, JSON)) for body in bodies for target in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)


def test_two_apps_sharing_a_store_answer_each_event_delivered_to_both_once(answerer, store_url):
    slack = FakeSlack()
    apps = [InProcessApp(slack, answerer, store_url) for _ in range(2)]
    try:
        bodies = _mentions("who owns the budget?", "1700007000", "C0SHARED", "Ev0two", 10)
        _deliver_to_all([app.post for app in apps], bodies)
        for app in apps:
            app.settle()
        answered = [call.body["thread_ts"] for call in slack.posted_in("C0SHARED", count=0, timeout=0)]
        assert sorted(answered) == [f"1700007000.{number:06d}" for number in range(10)]
    finally:
        for app in apps:
            app.close()
        slack.close()


@pytest.mark.usefixtures("postgres")
def test_two_web_processes_on_one_postgresql_answer_a_burst_of_events_once_each(postgres, tmp_path):
    slack = FakeSlack()
    database = postgres.database()
    webs = [start_web(slack, tmp_path / f"web{number}.log", {"DATABASE_URL": database}) for number in range(2)]
    try:
        bodies = _mentions("who handles risk?", "1700008000", "C0BURST", "Ev0burst", 20)
        _deliver_to_all([web.post for web in webs], bodies)
        slack.posted_in("C0BURST", count=20, timeout=15)
        answered = [call.body["thread_ts"] for call in slack.posted_in("C0BURST", count=0, timeout=0)]
        assert sorted(answered) == [f"1700008000.{number:06d}" for number in range(20)]
        # Every event reached both processes: for each, one answered and the other logged that it did not.
        assert until(lambda: sum(web.log_text().count("another process took it") for web in webs) == 20)
        assert len(slack.posted_in("C0BURST", count=0, timeout=0)) == 20  # and nothing more came since
        assert "Traceback" not in "".join(web.log_text() for web in webs)
    finally:
        for web in webs:
            web.stop()
        slack.close()


def test_events_arriving_together_are_taken_in_one_transaction(store_url):
    store = Store.open(store_url)
    claims = Claims(store.take_deliveries, gather_seconds=0.05)
    results: dict[str, bool] = {}
    try:
        store.take_delivery("Ev0group03")  # taken before, by another process
        threads = [
            threading.Thread(target=lambda event=event: results.update({event: claims.take(event)}))
            for event in (f"Ev0group{number:02d}" for number in range(8))
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(10)
        assert results == {f"Ev0group{number:02d}": number != 3 for number in range(8)}
        assert claims.transactions < 8  # shared: one, unless a thread started late
    finally:
        store.close()


def test_a_store_failure_reaches_every_event_waiting_on_the_transaction():
    def broken(_events):
        raise RuntimeError("the database is down")

    claims = Claims(broken, gather_seconds=0.01)
    with pytest.raises(RuntimeError, match="down"):
        claims.take("Ev0broken01")
