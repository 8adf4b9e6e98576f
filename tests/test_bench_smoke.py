"""The benchmark runs end to end on tiny sizes (its figures are for people, not for assertions)."""

import subprocess
import sys

from bot.procfile import PROJECT_ROOT


def test_the_benchmark_runs_on_a_tiny_size():
    result = subprocess.run(
        [sys.executable, "-m", "bench.bench", "--quick"],
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    for section in (
        "Scale (generated knowledge)",
        "Answer quality on held-out questions",
        "Follow-up replies in threads",
        "HTTP: signed /role commands",
    ):
        assert section in result.stdout
    assert "throughput ratio, Role Bot (no store) / minimal" in result.stdout
    assert "throughput ratio, Role Bot (no store, no answers kept) / minimal" in result.stdout
    assert "throughput ratio, Role Bot, SQLite / no store" in result.stdout
