"""Role Bot's benchmarks, in one run: answer speed, scale, quality against BM25, HTTP against a
minimal Bolt app, and memory. Every comparison is made in the same run, on the same machine.

    python -m bench.bench [--quick]
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from bench.generate import generate_knowledge, generate_questions, write_knowledge
from bench.load import drive, percentile, slow_clients
from bot.core.english import english_frequency
from bot.core.evaluation import load_questions
from bot.core.follow_up import load_follow_up_cases, score_follow_ups
from bot.core.knowledge import DECLINE as DECLINED
from bot.core.knowledge import DEFAULT_KNOWLEDGE_PATH
from bot.core.language import plain_text
from bot.core.loading import load_knowledge
from bot.core.matcher import Matcher
from bot.core.routing import route
from tests.support import fake_slack
from tests.support.fake_slack import FakeSlack
from tests.support.postgres import PostgresServer, binaries
from tests.support.processes import WebProcess, start_web

UNSEEN_FILES = sorted((Path(__file__).parent / "unseen").glob("*.yaml"))
FOLLOW_UPS = Path(__file__).parent / "follow-ups"
TUNED_FOLLOW_UPS = Path(__file__).parent.parent / "tests" / "data" / "follow-ups.yaml"


def _timed(function, items) -> list[float]:
    times = []
    for item in items:
        started = time.perf_counter()
        function(item)
        times.append(time.perf_counter() - started)
    return times


def _ms(values: list[float], percent: float = 50) -> float:
    return round(percentile(values, percent) * 1000, 3)


def matcher_latency() -> list[tuple[str, str]]:
    """Per question on the shipped knowledge: warm, and a cold start of `rolebot ask`."""
    # Held-out questions: a labelled question would be answered by looking it up, not by scoring.
    questions = [question.text for path in UNSEEN_FILES for question in load_questions(path)]
    matcher = Matcher(load_knowledge(DEFAULT_KNOWLEDGE_PATH))
    first = _timed(matcher.match, questions)  # caches empty: every word met for the first time
    warm = _timed(matcher.match, questions)
    rolebot = [str(Path(sys.executable).parent / "rolebot"), "ask", "who owns the budget?"]
    python = [sys.executable, "-c", "pass"]
    cold = [_wall(rolebot) for _ in range(5)]
    bare = [_wall(python) for _ in range(5)]
    return [
        ("questions", str(len(questions))),
        ("match, first sight: median / p99 ms", f"{_ms(first)} / {_ms(first, 99)}"),
        ("match, warm: median / p99 ms", f"{_ms(warm)} / {_ms(warm, 99)}"),
        ("`rolebot ask`, cold process: median ms", f"{round(statistics.median(cold) * 1000)}"),
        ("bare `python -c pass`: median ms", f"{round(statistics.median(bare) * 1000)}"),
    ]


def _wall(command: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, capture_output=True, check=True, timeout=60)
    return time.perf_counter() - started


def scale(sizes: list[int]) -> list[tuple[str, str]]:
    """Matching cost and memory as the knowledge grows."""
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        for roles in sizes:
            path = write_knowledge(roles, Path(folder))
            english_frequency("warm")  # the shared English word list is not part of any knowledge file
            started = time.perf_counter()
            matcher = Matcher(load_knowledge(path))
            built = time.perf_counter() - started
            questions = generate_questions(generate_knowledge(roles), 400)
            first = _timed(matcher.match, questions)
            warm = _timed(matcher.match, questions)
            entries = len(matcher.knowledge.entries)
            del matcher
            tracemalloc.start()  # a second load, measured for memory (tracing slows it down)
            loaded = Matcher(load_knowledge(path))
            memory = tracemalloc.get_traced_memory()[0]
            tracemalloc.stop()
            del loaded
            rows.append(
                (
                    f"{roles} roles ({entries} answers)",
                    f"load {built:.2f} s; match median {_ms(warm)} ms, p99 {_ms(warm, 99)} ms "
                    f"(first sight {_ms(first)} / {_ms(first, 99)}); memory {memory / 1e6:.1f} MB",
                )
            )
    return rows


def quality(limit: int | None = None) -> list[tuple[str, str]]:
    """Four ways of answering, on each held-out question set (its first `limit` questions, when
    given): the reader and word scores alone, the learned scorer alone, both combined (Role Bot),
    and BM25 over the same knowledge text."""
    import bm25s  # benchmark-only dependency

    knowledge = load_knowledge(DEFAULT_KNOWLEDGE_PATH)
    combined = Matcher(knowledge)
    words_only = Matcher(knowledge, labelled=())
    learned = combined.learned
    ids = [entry.id for entry in knowledge.entries]
    corpus = [" ".join((entry.title, entry.text, *entry.hints)) for entry in knowledge.entries]
    retriever = bm25s.BM25()
    retriever.index(bm25s.tokenize(corpus, stopwords="en", show_progress=False), show_progress=False)

    def bm25(text: str) -> str:
        tokens = bm25s.tokenize([text], stopwords="en", show_progress=False)
        if not tokens.vocab:
            return DECLINED
        found, scores = retriever.retrieve(tokens, k=1, show_progress=False)
        return ids[found[0][0]] if scores[0][0] > 0 else DECLINED

    def learned_alone(text: str) -> str:
        question = combined.reader.read(plain_text(text))
        return learned.best(combined.featurizer.features(question)) if learned else DECLINED

    answerers = {
        "words only (reader and word scores)": lambda text: route(text, words_only).entry_id or DECLINED,
        "learned scorer alone": learned_alone,
        "Role Bot (combined)": lambda text: route(text, combined).entry_id or DECLINED,
        "BM25 (bm25s)": bm25,
    }
    rows = []
    for path in UNSEEN_FILES:
        questions = load_questions(path)[:limit]
        for name, answer in answerers.items():
            times, right, wrong = [], 0, 0
            for question in questions:
                started = time.perf_counter()
                got = answer(question.text)
                times.append(time.perf_counter() - started)
                right += got in question.expect
                wrong += got not in question.expect and got != DECLINED
            declined = len(questions) - right - wrong
            rows.append(
                (
                    f"{path.stem} ({len(questions)}): {name}",
                    f"{right / len(questions):.3f}; wrong {wrong}, declined {declined}; median {_ms(times)} ms",
                )
            )
    return rows


def follow_ups() -> list[tuple[str, str]]:
    """Replies in threads: the held-out set (written after tuning, never tuned on) and the set the
    rules were tuned on, for comparison."""
    matcher = Matcher(load_knowledge(DEFAULT_KNOWLEDGE_PATH))
    rows = []
    for name, path in (("held-out", FOLLOW_UPS / "held-out.yaml"), ("tuned on", TUNED_FOLLOW_UPS)):
        cases = load_follow_up_cases(path)
        score = score_follow_ups(cases, matcher)
        rows.append(
            (
                f"{name} ({len(cases)}): right; wrong answers, silent; butted in",
                f"{score.accuracy:.3f}; wrong {score.wrong}, silent {score.silent}; "
                f"{score.butted_in} of {score.meant_for_people} replies meant for people",
            )
        )
    return rows


def http(
    clients: int,
    seconds: float,
    warm_up: float = 2.0,
    postgres: bool = True,
    rounds: int = 1,
    slow: tuple[int, float] | None = None,
) -> list[tuple[str, str]]:
    """Signed slash commands: a minimal Bolt app, then Role Bot's web process remembering nothing,
    in SQLite and in PostgreSQL, all under the same gunicorn settings. Every process is started first;
    then each is driven in turn for `seconds / rounds`, `rounds` times over, so that a change in the
    machine's load falls on all of them alike rather than on whichever ran last. With `slow`
    (clients, seconds), Role Bot with no store then serves /health and /role among that many clients
    sending a byte every 2 s."""
    slack, server = FakeSlack(), None
    folder = Path(tempfile.mkdtemp(prefix="rolebot-bench-"))
    # name, app (None: Role Bot's), environment, how many processes behind one URL
    targets: list[tuple[str, str | None, dict[str, str], int]] = [
        ("minimal Bolt app", "'bench.minimal_app:create_app()'", {}, 1),
        ("Role Bot, no store", None, {"ROLE_STORE": "off"}, 1),
        # Every question worked out afresh: what questions never asked before cost.
        ("Role Bot, no store, no answers kept", None, {"ROLE_STORE": "off", "ROLE_ANSWERS_KEPT": "0"}, 1),
        ("Role Bot, SQLite", None, {"DATABASE_URL": f"sqlite:///{folder / 'bench.sqlite3'}"}, 1),
    ]
    if postgres and binaries() is not None:
        server = PostgresServer.start()
        targets.append(("Role Bot, PostgreSQL", None, {"DATABASE_URL": server.database()}, 1))
        # Two processes behind one URL: the clients are spread over them, as a load balancer would.
        targets.append(("Role Bot, 2 processes on PostgreSQL", None, {"DATABASE_URL": server.database()}, 2))
    webs: dict[str, list[WebProcess]] = {}
    done = {name: _Driven() for name, _, _, _ in targets}
    rows = []
    try:
        with ThreadPoolExecutor(sum(count for *_, count in targets)) as starting:  # side by side: a second or two each
            started = {
                name: [starting.submit(_start, slack, target, env) for _ in range(count)]
                for name, target, env, count in targets
            }
        for name, futures in started.items():
            webs[name] = [future.result() for future in futures]
        make = _slash_commands(slack.response_url("bench"))
        for group in webs.values():
            drive([_port(web) for web in group], make, clients, warm_up, 2_000)
        for turn in range(rounds):
            order = list(webs.items())
            order = order[turn % len(order) :] + order[: turn % len(order)]  # each goes first in turn
            for name, group in order:
                cpu_before = sum(_cpu_seconds(web.process.pid) for web in group)
                results, elapsed = drive([_port(web) for web in group], make, clients, seconds / rounds, 100_000)
                for web in group:
                    _drained(web.url)  # its records are written (and their CPU counted) before the next one runs
                done[name].add(results, elapsed, sum(_cpu_seconds(web.process.pid) for web in group) - cpu_before)
        for name, target, env, _count in targets:
            driven, group = done[name], webs[name]
            rows.append(
                (
                    f"{name}: req/s, p50 / p99 ms, errors",
                    f"{driven.rate:.0f}, {_ms(driven.latencies)} / {_ms(driven.latencies, 99)}, {driven.errors}",
                )
            )
            if "DATABASE_URL" in env:
                rows.append((f"{name}: records written, queued, dropped", _store_counts([web.url for web in group])))
            if target is None:
                peak = max(_peak_rss(web.process.pid) for web in group)
                rows.append((f"{name}: peak memory (RSS, each process)", f"{peak / 1e6:.0f} MB"))
        if slow is not None:
            figures = slow_clients(_port(webs["Role Bot, no store"][0]), *slow)
            rows += [
                (f"Role Bot, no store, {slow[0]} slow clients for {slow[1]:.0f} s: {name}", str(value))
                for name, value in figures.items()
            ]
    finally:
        for group in webs.values():
            for web in group:
                web.stop()
        slack.close()
        if server is not None:
            server.stop()
    base = done["Role Bot, no store"]
    minimal = done["minimal Bolt app"]
    rows.append(("throughput ratio, Role Bot (no store) / minimal", f"{base.rate / minimal.rate:.2f}"))
    afresh = done["Role Bot, no store, no answers kept"]
    rows.append(
        ("throughput ratio, Role Bot (no store, no answers kept) / minimal", f"{afresh.rate / minimal.rate:.2f}")
    )
    if "Role Bot, 2 processes on PostgreSQL" in done:
        two = done["Role Bot, 2 processes on PostgreSQL"]
        rows.append(
            ("throughput ratio, Role Bot (2 processes on PostgreSQL) / minimal", f"{two.rate / minimal.rate:.2f}")
        )
    for name, driven in done.items():
        if name.startswith("Role Bot, ") and driven not in (base, afresh):
            ratios = [mine / theirs for mine, theirs in zip(driven.rates, base.rates, strict=True)]
            spread = (
                f" (rounds: median {statistics.median(ratios):.2f}, {min(ratios):.2f}–{max(ratios):.2f})"
                if len(ratios) > 1
                else ""
            )
            rows.append((f"throughput ratio, {name} / no store", f"{driven.rate / base.rate:.2f}{spread}"))
    rows += [
        (f"{name}: server CPU per request", f"{driven.cpu_per_request * 1000:.2f} ms") for name, driven in done.items()
    ]
    return rows


class _Driven:
    """What one target did over every round."""

    def __init__(self) -> None:
        self.latencies: list[float] = []
        self.rates: list[float] = []
        self.errors = 0
        self.seconds = 0.0
        self.cpu = 0.0

    def add(self, results, elapsed: float, cpu: float) -> None:
        every = results.every()
        self.latencies += every
        self.rates.append(len(every) / elapsed)
        self.errors += len(results.errors)
        self.seconds += elapsed
        self.cpu += cpu

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.seconds if self.seconds else 0.0

    @property
    def cpu_per_request(self) -> float:
        return self.cpu / max(len(self.latencies), 1)


def _port(web: WebProcess) -> int:
    return int(web.url.rsplit(":", 1)[1])


def _cpu_seconds(master_pid: int) -> float:
    """CPU time (user and system) used so far by the gunicorn master, its workers and theirs (the
    processes writing records)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in [master_pid, *_descendants(master_pid)]:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / ticks


def _children(pid: int) -> list[int]:
    """The process's children, whichever of its threads started them (the kernel lists each
    thread's children apart)."""
    found = []
    for children in Path(f"/proc/{pid}/task").glob("*/children"):
        try:
            found += [int(child) for child in children.read_text().split()]
        except OSError:  # the thread ended meanwhile
            continue
    return found


def _descendants(pid: int) -> list[int]:
    found = []
    for child in _children(pid):
        found += [child, *_descendants(child)]
    return found


def _details(url: str) -> dict:
    import json
    import urllib.request

    with urllib.request.urlopen(f"{url}/health/details", timeout=5) as response:
        return json.loads(response.read())


def _drained(url: str, timeout: float = 30) -> dict:
    """The store's counts once its queue has drained (bounded wait); {} for a process with no
    /health/details (the minimal app)."""
    try:
        store = _details(url)["store"]
    except OSError:
        return {}
    deadline = time.monotonic() + timeout
    while store.get("queued") and time.monotonic() < deadline:
        time.sleep(0.05)
        store = _details(url)["store"]
    return store


def _store_counts(urls: list[str]) -> str:
    """Records written, queued and dropped, over the processes, once their queues have drained."""
    stores = [_drained(url) for url in urls]
    total = {key: sum(int(store.get(key) or 0) for store in stores) for key in ("written", "queued", "dropped")}
    states = "/".join(str(store.get("store")) for store in stores)
    return f"{total['written']}, {total['queued']}, {total['dropped']} ({states})"


def _slash_commands(response_url: str):
    def make(number: int) -> tuple[str, bytes, str]:
        question = "who owns the budget?" if number % 2 else "compare"
        return "command", fake_slack.slash_command(question, response_url), "application/x-www-form-urlencoded"

    return make


def _start(slack: FakeSlack, target: str | None, env: dict[str, str]) -> WebProcess:
    log = Path(tempfile.mkstemp(suffix=".log")[1])
    if target is None:
        return start_web(slack, log, {"LOG_LEVEL": "WARNING", **env})
    return start_web(slack, log, {"LOG_LEVEL": "WARNING", **env}, app=target, ready=_answers)


def _answers(url: str) -> bool:
    """The minimal app has no /health; any HTTP answer on /slack/events means it is up."""
    import urllib.error
    import urllib.request

    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"{url}/slack/events", timeout=1)
        except urllib.error.HTTPError:
            return True
        except OSError:
            time.sleep(0.1)
    return False


def _peak_rss(master_pid: int) -> int:
    """The largest peak resident memory among the gunicorn master, its workers and theirs, in bytes."""
    peaks = []
    for pid in [master_pid, *_descendants(master_pid)]:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                peaks.append(int(line.split()[1]) * 1024)
    return max(peaks, default=0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes, for checking that it runs")
    args = parser.parse_args()
    sizes = [10] if args.quick else [10, 100, 1000]
    clients = 2 if args.quick else 20
    sections = [
        ("Matcher latency (shipped knowledge)", matcher_latency() if not args.quick else []),
        ("Scale (generated knowledge)", scale(sizes)),
        ("Answer quality on held-out questions: right; wrong answers, declines", quality(20 if args.quick else None)),
        ("Follow-up replies in threads", follow_ups()),
        (
            f"HTTP: signed /role commands, {clients} clients; then slow clients (a byte every 2 s each)",
            http(clients, *((0.5, 0.5, False, 1, (20, 1.0)) if args.quick else (30, 2, True, 15, (200, 20.0)))),
        ),
    ]
    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, {platform.system()}"
    print(f"Role Bot benchmarks — {time.strftime('%Y-%m-%d')} — {machine}\n")
    print("| measure | result |\n| --- | --- |")
    for title, rows in sections:
        if rows:
            print(f"| **{title}** | |")
            for name, value in rows:
                print(f"| {name} | {value} |")


if __name__ == "__main__":
    main()
