"""Each event gets exactly one reply, however often Slack delivers it."""

import threading

from bot.slack.deliveries import SeenDeliveries
from tests.support import fake_slack


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def test_an_id_is_taken_once():
    seen = SeenDeliveries()
    assert [seen.take("Ev1"), seen.take("Ev1"), seen.take("Ev2")] == [True, False, True]


def test_ids_are_remembered_for_at_least_ten_minutes_then_forgotten():
    clock = Clock()
    seen = SeenDeliveries(clock=clock)
    seen.take("Ev1")
    clock.now = 10 * 60
    assert seen.take("Ev1") is False
    clock.now = 10 * 60 + seen.keep_seconds
    assert seen.take("Ev1") is True


def test_memory_stays_bounded_under_ten_thousand_distinct_events():
    seen = SeenDeliveries(capacity=2_000)
    for number in range(10_000):
        assert seen.take(f"Ev{number}")
    assert len(seen) == 2_000
    default = SeenDeliveries()
    for number in range(10_000):
        default.take(f"Ev{number}")
    assert len(default) <= default.capacity


def _mention(event_id: str, ts: str) -> bytes:
    return fake_slack.event_callback(fake_slack.mention("who owns the budget?", ts, channel="C0DUPES01"), event_id)


def _post_event(app, body, retry: int | None = None):
    headers = {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"} if retry else {}
    return app.post(body, "application/json", headers=headers)[0]


def test_sequential_retries_get_one_reply(app, slack):
    body = _mention("Ev0retry01", "1700001000.000100")
    assert [_post_event(app, body, retry) for retry in (None, 1, 2, 3)] == [200, 200, 200, 200]
    app.settle()
    assert len(slack.posted(1)) == 1


def test_concurrent_copies_get_one_reply(app, slack):
    body = _mention("Ev0concur1", "1700001100.000100")
    statuses = []
    threads = [
        threading.Thread(target=lambda n=n: statuses.append(_post_event(app, body, n or None))) for n in range(6)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=15)
    assert statuses == [200] * 6
    app.settle()
    assert len(slack.posted(1)) == 1
