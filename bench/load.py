"""Load test: concurrent signed slash commands and mentions against the web process.

Starts the Procfile's web process and a fake Slack, both on 127.0.0.1, sends requests from
concurrent clients for a fixed time (and at most a fixed number of requests), then prints
requests per second, acknowledgement times and errors. It stops by itself.

    python -m bench.load [--clients 50] [--seconds 20] [--max-requests 50000]
    python -m bench.load --slow 200 --seconds 20     # slow clients instead: a byte every 2 s each
"""

from __future__ import annotations

import argparse
import http.client
import secrets
import statistics
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from tests.support import fake_slack
from tests.support.fake_slack import FakeSlack, signature
from tests.support.processes import start_web

RUN = secrets.token_hex(3)
QUESTIONS = [
    "who owns the budget?",
    "compare",
    "does a DL handle risk?",
    "delivery manager",
    "kpis",
    "who coordinates?",
    "what does a scrum master do",
    "consulting example",
]


@dataclass
class Results:
    latencies: dict[str, list[float]] = field(default_factory=lambda: {"command": [], "mention": []})
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    sent: int = 0

    def every(self) -> list[float]:
        return self.latencies["command"] + self.latencies["mention"]

    def claim(self, limit: int) -> int | None:
        """The number of the next request, or None once the limit is reached."""
        with self.lock:
            if self.sent >= limit:
                return None
            self.sent += 1
            return self.sent


def _request(number: int, response_url: str) -> tuple[str, bytes, str]:
    question = QUESTIONS[number % len(QUESTIONS)]
    if number % 2:
        return "command", fake_slack.slash_command(question, response_url), "application/x-www-form-urlencoded"
    event = fake_slack.mention(question, f"1700100000.{number:06d}", channel="C0LOAD001")
    # Event ids differ from run to run: a store remembers the ones taken for an hour.
    return "mention", fake_slack.event_callback(event, f"Ev0{RUN}{number:08d}"), "application/json"


RequestMaker = Callable[[int], tuple[str, bytes, str]]


def drive(
    port: int | list[int], make_request: RequestMaker, clients: int, seconds: float, limit: int
) -> tuple[Results, float]:
    """Send signed requests from concurrent clients until the time or the count runs out; with several
    ports (processes behind one URL), the clients are spread evenly over them."""
    ports = port if isinstance(port, list) else [port]
    results = Results()
    started = time.monotonic()
    deadline = started + seconds
    threads = [
        threading.Thread(target=_client, args=(ports[number % len(ports)], make_request, results, deadline, limit))
        for number in range(clients)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=seconds + 30)
    return results, time.monotonic() - started


def _client(port: int, make_request: RequestMaker, results: Results, deadline: float, limit: int) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    while time.monotonic() < deadline:
        number = results.claim(limit)
        if number is None:
            break
        kind, body, content_type = make_request(number)
        timestamp = str(int(time.time()))
        headers = {
            "Content-Type": content_type,
            "X-Slack-Request-Timestamp": timestamp,
            "X-Slack-Signature": signature(body, timestamp),
        }
        started = time.perf_counter()
        try:
            connection.request("POST", "/slack/events", body=body, headers=headers)
            response = connection.getresponse()
            response.read()
            elapsed = time.perf_counter() - started
            with results.lock:
                if response.status == 200:
                    results.latencies[kind].append(elapsed)
                else:
                    results.errors.append(f"HTTP {response.status}")
        except (OSError, http.client.HTTPException) as error:
            with results.lock:
                results.errors.append(type(error).__name__)
            connection.close()
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.close()


def run(clients: int, seconds: float, max_requests: int) -> dict:
    """Run the load and return its figures."""
    slack = FakeSlack()
    with tempfile.TemporaryDirectory() as folder:
        web = start_web(slack, Path(folder) / "web.log", {"LOG_LEVEL": "WARNING"})
        try:
            port = int(web.url.rsplit(":", 1)[1])
            response_url = slack.response_url("load")
            results, elapsed = drive(port, lambda n: _request(n, response_url), clients, seconds, max_requests)
            mentions = len(results.latencies["mention"])
            replies = len(slack.posted(mentions, timeout=30))
        finally:
            web.stop()
            slack.close()
    every = results.every()
    return {
        "clients": clients,
        "seconds": round(elapsed, 1),
        "requests": len(every),
        "requests_per_second": round(len(every) / elapsed, 1),
        "p50_ms": round(percentile(every, 50) * 1000, 1),
        "p99_ms": round(percentile(every, 99) * 1000, 1),
        "max_ms": round(max(every, default=0) * 1000, 1),
        "command_p50_ms": round(percentile(results.latencies["command"], 50) * 1000, 1),
        "mention_p50_ms": round(percentile(results.latencies["mention"], 50) * 1000, 1),
        "errors": len(results.errors),
        "mentions_answered": f"{replies}/{mentions}",
    }


TRICKLE = b"POST /slack/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 900\r\n\r\n"


def slow_clients(port: int, clients: int, seconds: float, every: float = 2.0) -> dict:
    """`clients` connections each send a request one byte every `every` seconds (reconnecting when the
    server closes them) while /health and a signed /role are asked in turn; their times in ms."""
    import selectors
    import socket

    response_url = "http://127.0.0.1:1/unused"
    timings: dict[str, list[float]] = {"health": [], "command": []}
    errors: list[str] = []
    stop = threading.Event()

    def ask() -> None:
        number = 0
        while not stop.is_set() and number < 100_000:
            number += 1
            kind = "command" if number % 2 else "health"
            started = time.perf_counter()
            try:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
                if kind == "health":
                    connection.request("GET", "/health")
                else:
                    body = fake_slack.slash_command("who owns the budget?", response_url)
                    timestamp = str(int(time.time()))
                    headers = {
                        "Content-Type": "application/x-www-form-urlencoded",
                        "X-Slack-Request-Timestamp": timestamp,
                        "X-Slack-Signature": signature(body, timestamp),
                    }
                    connection.request("POST", "/slack/events", body=body, headers=headers)
                response = connection.getresponse()
                response.read()
                connection.close()
                if response.status == 200:
                    timings[kind].append(time.perf_counter() - started)
                else:
                    errors.append(f"HTTP {response.status}")
            except (OSError, http.client.HTTPException) as error:
                errors.append(type(error).__name__)
            time.sleep(0.05)

    selector = selectors.DefaultSelector()
    sent: dict[socket.socket, int] = {}

    def connect() -> None:
        try:
            client = socket.create_connection(("127.0.0.1", port), timeout=2)
        except OSError:
            return
        client.setblocking(False)
        sent[client] = 0
        selector.register(client, selectors.EVENT_READ)

    def drop(client: socket.socket) -> None:
        selector.unregister(client)
        sent.pop(client, None)
        client.close()

    asker = threading.Thread(target=ask)
    for _ in range(clients):
        connect()
    opened = len(sent)
    closed_by_server = 0
    asker.start()
    deadline = time.monotonic() + seconds
    next_byte = time.monotonic()
    while time.monotonic() < deadline:
        for key, _ in selector.select(timeout=0.1):  # the server answered (408) or closed: reconnect
            drop(key.fileobj)  # type: ignore[arg-type]
            closed_by_server += 1
            connect()
        if time.monotonic() >= next_byte:
            next_byte += every
            for client, count in list(sent.items()):
                try:
                    client.send(TRICKLE[count % len(TRICKLE) : count % len(TRICKLE) + 1])
                    sent[client] = count + 1
                except OSError:
                    drop(client)
                    closed_by_server += 1
                    connect()
    stop.set()
    asker.join(30)
    for client in list(sent):
        drop(client)
    return {
        "slow clients": opened,
        "closed by the server (and reopened)": closed_by_server,
        "health p50 / p99 ms": _p50_p99(timings["health"]),
        "signed /role p50 / p99 ms": _p50_p99(timings["command"]),
        "answered, errors": f"{len(timings['health']) + len(timings['command'])}, {len(errors)}",
    }


def _p50_p99(values: list[float]) -> str:
    return f"{percentile(values, 50) * 1000:.1f} / {percentile(values, 99) * 1000:.1f}"


def run_slow(clients: int, seconds: float) -> dict:
    """slow_clients() against the Procfile's web process."""
    slack = FakeSlack()
    with tempfile.TemporaryDirectory() as folder:
        web = start_web(slack, Path(folder) / "web.log", {"LOG_LEVEL": "WARNING", "ROLE_STORE": "off"})
        try:
            return slow_clients(int(web.url.rsplit(":", 1)[1]), clients, seconds)
        finally:
            web.stop()
            slack.close()


def percentile(values: list[float], percent: float) -> float:
    if len(values) < 2:
        return values[0] if values else 0.0
    return statistics.quantiles(values, n=100, method="inclusive")[int(percent) - 1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--max-requests", type=int, default=50_000)
    parser.add_argument("--slow", type=int, default=0, help="instead: this many clients sending a byte every 2 s")
    args = parser.parse_args()
    if args.slow:
        figures = run_slow(min(args.slow, 1000), min(args.seconds, 300.0))
    else:
        figures = run(args.clients, min(args.seconds, 300.0), args.max_requests)
    width = max(len(name) for name in figures)
    for name, value in figures.items():
        print(f"{name.ljust(width)}  {value}")


if __name__ == "__main__":
    main()
