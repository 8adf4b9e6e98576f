"""The load script runs and stops by itself (its figures are for people; this only checks it works)."""

from bench.load import run


def test_a_tiny_load_run_completes_without_errors():
    # Stopped by the count: the time is only a bound, wide enough for a machine busy with other tests.
    figures = run(clients=3, seconds=20, max_requests=30)
    assert figures["errors"] == 0
    assert figures["requests"] == 30
    answered, sent = figures["mentions_answered"].split("/")
    assert answered == sent
