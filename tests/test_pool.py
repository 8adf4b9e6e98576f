"""The listener pool knows when the work it was given is done."""

import threading

import pytest

from bot.slack.pool import ListenerPool, PoolFull


def test_the_pool_is_idle_only_once_every_piece_of_work_has_finished():
    pool = ListenerPool(2)
    release = threading.Event()
    try:
        for _ in range(3):  # one more than there are threads: one waits in the queue
            pool.submit(release.wait, 10)
        assert pool.pending == 3
        assert pool.wait_idle(0.05) is False
        release.set()
        assert pool.wait_idle(10) is True
        assert pool.pending == 0
    finally:
        release.set()
        pool.shutdown(wait=True)


def test_work_that_fails_still_counts_as_finished():
    pool = ListenerPool(1)
    try:
        future = pool.submit(lambda: 1 / 0)
        assert pool.wait_idle(10) is True
        assert isinstance(future.exception(), ZeroDivisionError)
    finally:
        pool.shutdown(wait=True)


def test_a_full_pool_refuses_more_work_counts_it_and_logs_once(caplog):
    pool = ListenerPool(1, max_waiting=1)
    release = threading.Event()
    try:
        pool.submit(release.wait, 10)
        pool.submit(release.wait, 10)  # waits for the thread
        for _ in range(3):
            with pytest.raises(PoolFull):
                pool.submit(release.wait, 10)
        assert pool.refused == 3
        assert len([record for record in caplog.records if "refused" in record.getMessage()]) == 1
        release.set()
        assert pool.wait_idle(10) is True
        pool.submit(lambda: None)  # takes work again once there is room
        assert pool.wait_idle(10) is True
    finally:
        release.set()
        pool.shutdown(wait=True)
