"""The load script runs and stops by itself (its figures are for people; this only checks it works)."""

from bench.load import run


def test_a_tiny_load_run_completes_without_errors():
    figures = run(clients=3, seconds=2, max_requests=30)
    assert figures["errors"] == 0
    assert figures["requests"] == 30
    answered, sent = figures["mentions_answered"].split("/")
    assert answered == sent
