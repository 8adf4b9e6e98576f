"""What Role Bot is doing, for Prometheus: `GET /metrics` on the web process, in its text format.

Counted where it happens (questions, answer times, Slack API calls and retries, redeliveries skipped,
the store's queue, knowledge reloads). Several gunicorn workers are added up through prometheus-client's
multiprocess mode: each worker writes its figures to files in PROMETHEUS_MULTIPROC_DIR, which the web
process's gunicorn configuration makes (bot/slack/gunicorn_config.py) and /metrics reads.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, InfoMetricFamily
from prometheus_client.registry import Collector

from bot.core.answerer import Answerer

MULTIPROCESS_DIR = "PROMETHEUS_MULTIPROC_DIR"

QUESTIONS = Counter(
    "rolebot_questions", "Questions answered, by surface and outcome (answered, declined).", ["surface", "outcome"]
)
ANSWER_SECONDS = Histogram(
    "rolebot_answer_seconds",
    "Time to find an answer, from the question's text to the reply's blocks.",
    buckets=(0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0),
)
SLACK_CALLS = Counter(
    "rolebot_slack_calls", "Slack Web API calls by method and result (ok, or Slack's error).", ["method", "result"]
)
SLACK_RETRIES = Counter("rolebot_slack_retries", "Slack Web API calls tried again, by reason.", ["reason"])
REDELIVERIES_SKIPPED = Counter(
    "rolebot_redeliveries_skipped", "Slack events not answered again: repeats, or taken by another process."
)
REPLIES_REFUSED = Counter("rolebot_replies_refused", "Replies not sent: every reply thread busy and the queue full.")
STORE_QUEUED = Gauge(
    "rolebot_store_queued",
    "Records waiting to be written, as of the last batch.",
    multiprocess_mode="livesum",
)
STORE_WRITTEN = Counter("rolebot_store_written", "Records written to the store.")
STORE_DROPPED = Counter(
    "rolebot_store_dropped", "Records dropped: the queue was full, the process stopped, or the database refused them."
)
STORE_REFUSED = Counter(
    "rolebot_store_refused", "Records the database refused for what they held (counted among those dropped too)."
)


class KnowledgeFigures(Collector):
    """The knowledge this process answers from, and the edits it took over or refused while running,
    read from its answerer when /metrics is asked."""

    def __init__(self, answerer: Answerer) -> None:
        self._answerer = answerer

    def collect(self) -> Iterator[InfoMetricFamily | CounterMetricFamily]:
        info = InfoMetricFamily("rolebot_knowledge", "The knowledge this process answers from.")
        info.add_metric([], {"version": self._answerer.knowledge.version})
        yield info
        reloads = CounterMetricFamily(
            "rolebot_knowledge_reloads", "Edits of the knowledge file while running, by result.", labels=["result"]
        )
        reloads.add_metric(["taken"], self._answerer.reloads)
        reloads.add_metric(["refused"], self._answerer.refused_reloads)
        yield reloads


def exposition(answerer: Answerer | None = None) -> tuple[bytes, str]:
    """The metrics of every worker (or of this process alone, outside the web process), and their
    content type."""
    registry = CollectorRegistry(auto_describe=False)  # made for this answer, so nothing global changes
    if os.environ.get(MULTIPROCESS_DIR):
        from prometheus_client import multiprocess

        multiprocess.MultiProcessCollector(registry)
    else:
        from prometheus_client import REGISTRY

        registry.register(_ThisProcess(REGISTRY))
    if answerer is not None:
        registry.register(KnowledgeFigures(answerer))
    return generate_latest(registry), CONTENT_TYPE_LATEST


class _ThisProcess(Collector):
    """The metrics this process counted, in prometheus-client's own registry."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self._registry = registry

    def collect(self) -> Iterator:
        yield from self._registry.collect()
