"""The web process's HTTP server on 127.0.0.1: whole requests under one deadline, slow and stalled
clients closed without holding a thread, limits on size and connections, keep-alive, and a stop that
lets requests being answered finish."""

import asyncio
import http.client
import socket
import threading
import time

import pytest

from bot.slack.server import HTTPServer, Limits
from tests.support import fake_slack
from tests.support.fake_slack import request_headers
from tests.support.in_process import InProcessApp
from tests.support.waiting import until

FORM = "application/x-www-form-urlencoded"


class Served:
    """An HTTPServer on its own event loop thread, listening on 127.0.0.1."""

    def __init__(self, app, limits: Limits) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.server = HTTPServer(app, limits)
        self.listening = self._run(asyncio.start_server(self.server.connection, "127.0.0.1", 0))
        self.port = self.listening.sockets[0].getsockname()[1]

    def _run(self, coroutine, timeout: float = 10):
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout)

    def stop(self, seconds: float = 2.0) -> None:
        self._run(self._stop(seconds))
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)

    async def _stop(self, seconds: float) -> None:
        self.listening.close()  # on the loop's own thread: asyncio's servers are not thread-safe
        await self.server.stop(seconds)
        others = [task for task in asyncio.all_tasks() if task is not asyncio.current_task()]
        for task in others:  # connections still open end here, as asyncio.run ends them in the worker
            task.cancel()
        await asyncio.gather(*others, return_exceptions=True)

    def get(self, path: str, timeout: float = 5) -> tuple[int, bytes]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            connection.request("GET", path)
            response = connection.getresponse()
            return response.status, response.read()
        finally:
            connection.close()

    def raw(self, data: bytes, timeout: float = 5) -> socket.socket:
        client = socket.create_connection(("127.0.0.1", self.port), timeout=timeout)
        client.sendall(data)
        return client


def _hello(environ, start_response):
    body = f"{environ['REQUEST_METHOD']} {environ['PATH_INFO']} {len(environ['wsgi.input'].read())}\n".encode()
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [body]


def _read_all(client: socket.socket, seconds: float = 5) -> bytes:
    client.settimeout(seconds)
    chunks = []
    try:
        while chunk := client.recv(65536):
            chunks.append(chunk)
    except TimeoutError:
        chunks.append(b"<still open>")
    except ConnectionResetError:
        pass  # closed without a word
    return b"".join(chunks)


@pytest.fixture
def served():
    running = Served(_hello, Limits(threads=2, request_seconds=0.5, idle_seconds=0.5, body_bytes=1000))
    yield running
    running.stop()


def test_a_request_is_answered_and_the_connection_kept_for_the_next(served):
    connection = http.client.HTTPConnection("127.0.0.1", served.port, timeout=5)
    for body in (b"one", b"three"):
        connection.request("POST", "/echo", body=body)
        response = connection.getresponse()
        assert (response.status, response.read()) == (200, f"POST /echo {len(body)}\n".encode())
    connection.close()


def test_head_gets_the_headers_a_get_would_and_no_body(served):
    # Platforms' health checks often use HEAD.
    answer = _read_all(served.raw(b"HEAD /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"))
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200 ")
    assert b"content-length: 15" in head.lower()  # the body it would have: "HEAD /health 0" and a newline
    assert body == b""


def test_requests_pipelined_on_one_connection_are_answered_in_order(served):
    answer = _read_all(
        served.raw(b"GET /one HTTP/1.1\r\nHost: x\r\n\r\nGET /two HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    )
    assert answer.count(b"HTTP/1.1 200 ") == 2
    assert answer.index(b"GET /one 0") < answer.index(b"GET /two 0")


def test_an_absolute_target_is_served_by_its_path(served):
    answer = _read_all(served.raw(b"GET http://example.org/echo?x=1 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"))
    assert answer.endswith(b"GET /echo 0\n")


def test_a_request_that_stops_half_way_is_closed_at_its_deadline(served):
    started = time.monotonic()
    headers_only = served.raw(b"POST /echo HTTP/1.1\r\nHost: x\r\n")
    half_a_body = served.raw(b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{")
    assert _read_all(headers_only).startswith(b"HTTP/1.1 408 ")
    assert _read_all(half_a_body).startswith(b"HTTP/1.1 408 ")
    assert time.monotonic() - started < 3  # closed at the 0.5 s deadline, not whenever the client gives up


def test_a_request_trickled_a_byte_at_a_time_is_closed_at_its_deadline_however_it_trickles(served):
    client = served.raw(b"P")
    started = time.monotonic()
    answer = b""
    for byte in b"OST /echo HTTP/1.1\r\nHost: x\r\n" * 10:  # one byte every 0.05 s: far over the deadline
        try:
            client.sendall(bytes([byte]))
        except OSError:
            break
        time.sleep(0.05)
        if time.monotonic() - started > 3:
            break
    answer = _read_all(client)
    assert answer.startswith(b"HTTP/1.1 408 ") or answer == b""
    assert time.monotonic() - started < 3


def test_a_quiet_kept_alive_connection_is_closed(served):
    client = served.raw(b"GET /a HTTP/1.1\r\nHost: x\r\n\r\n")
    assert _read_all(client, 3).startswith(b"HTTP/1.1 200 ")  # then closed quietly after 0.5 s idle


@pytest.mark.parametrize(
    ("request_bytes", "status"),
    [
        (b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n", b"413"),
        (b"POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nx\r\n" * 3, b"411"),
        (b"GARBAGE\r\n\r\n", b"400"),
        (
            b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n"
            b"2\r\n{}\r\n0\r\n\r\n",
            b"400",
        ),
        (b"GET /a HTTP/1.1\r\nHost: x\r\n" + b"X-Long: " + b"a" * 20_000 + b"\r\n\r\n", b"431"),
    ],
    ids=["declared-too-large", "chunked", "not-http", "length-and-chunked", "headers-too-large"],
)
def test_oversized_and_malformed_requests_get_a_plain_refusal(served, request_bytes, status):
    answer = _read_all(served.raw(request_bytes))
    assert answer.split(b" ", 2)[1] == status, answer[:100]


def test_a_client_waiting_for_100_continue_gets_it_and_an_answer(served):
    client = served.raw(b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n")
    client.settimeout(2)
    assert client.recv(100).startswith(b"HTTP/1.1 100 Continue\r\n")
    client.sendall(b"abcd")
    assert _read_all(client, 2).split(b"\r\n\r\n")[-1] == b"POST /echo 4\n"


def test_at_the_connection_limit_the_oldest_waiting_connection_makes_room():
    # Connections that hold their slot without finishing a request cannot keep anyone else out.
    running = Served(_hello, Limits(connections=5, threads=2, request_seconds=30, idle_seconds=30))
    try:
        held = [running.raw(b"GET") for _ in range(5)]
        assert until(lambda: running.server.open == 5, timeout=5)
        assert running.get("/after") == (200, b"GET /after 0\n")
        assert _read_all(held[0], 2) == b""  # the oldest was closed to make room
        assert running.server.evicted >= 1
    finally:
        running.stop()


def test_at_the_connection_limit_with_every_connection_busy_new_ones_are_refused():
    release = threading.Event()

    def busy(_environ, start_response):
        release.wait(10)
        start_response("200 OK", [])
        return [b"done"]

    running = Served(busy, Limits(connections=2, threads=2))
    answers = []
    clients = [threading.Thread(target=lambda: answers.append(running.get("/busy", timeout=15))) for _ in range(2)]
    try:
        for client in clients:
            client.start()
        assert until(lambda: running.server.busy == 2, timeout=5)
        assert _read_all(running.raw(b"GET /x HTTP/1.1\r\nHost: x\r\n\r\n"), 2) == b""  # closed at once
        assert running.server.refused == 1
    finally:
        release.set()
        for client in clients:
            client.join(15)
        running.stop()
    assert answers == [(200, b"done")] * 2


def test_bodies_arriving_together_are_held_within_a_budget():
    running = Served(_hello, Limits(threads=2, request_seconds=5, body_bytes=800, buffer_bytes=1000))
    try:
        start = b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 800\r\n\r\n"
        first = running.raw(start + b"x" * 600)
        assert until(lambda: running.server.buffered == 600, timeout=5)
        second = running.raw(start + b"y" * 600)  # 1,200 bytes held in all: over the budget
        assert _read_all(second, 2).startswith(b"HTTP/1.1 503 ")
        first.sendall(b"x" * 200)
        assert b"\r\n\r\nPOST /echo 800\n" in _read_all(first, 2)
        assert until(lambda: running.server.buffered == 0, timeout=5)
    finally:
        running.stop()


def _headers_seen(environ, start_response):
    seen = sorted(key for key in environ if key.startswith("HTTP_"))
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [f"{environ['PATH_INFO']} {' '.join(seen)}".encode()]


def test_paths_are_decoded_and_headers_spelt_with_underscores_are_dropped():
    running = Served(_headers_seen, Limits(threads=1))
    try:
        request = b"GET /%68ealth HTTP/1.1\r\nHost: x\r\nX_Slack_Signature: v0=forged\r\nConnection: close\r\n\r\n"
        answer = _read_all(running.raw(request)).split(b"\r\n\r\n", 1)[1]
        assert answer == b"/health HTTP_CONNECTION HTTP_HOST"
    finally:
        running.stop()


def test_an_application_error_is_a_plain_500_and_the_server_goes_on(caplog):
    def broken(_environ, _start_response):
        raise RuntimeError("boom")

    running = Served(broken, Limits(threads=1))
    try:
        assert running.get("/x") == (500, b"internal server error\n")
        assert running.get("/x")[0] == 500
    finally:
        running.stop()
    assert "RuntimeError: boom" in caplog.text


def test_stopping_lets_a_request_being_answered_finish():
    answering = threading.Event()

    def slow(_environ, start_response):
        answering.set()
        time.sleep(0.5)
        start_response("200 OK", [])
        return [b"finished"]

    running = Served(slow, Limits(threads=1))
    answers = []
    client = threading.Thread(target=lambda: answers.append(running.get("/slow")))
    client.start()
    assert answering.wait(5)
    running.stop(seconds=5)
    client.join(5)
    assert answers == [(200, b"finished")]


def test_hundreds_of_stalled_clients_hold_no_thread_while_health_and_role_are_answered(answerer, slack):
    # The Slack app itself behind the server, with as many threads as the web process has.
    app = InProcessApp(slack, answerer)
    running = Served(app.web, Limits(threads=16, request_seconds=10))
    stalled = []
    try:
        for number in range(300):
            start = b"POST /slack/events HTTP/1.1\r\nHost: x\r\n"
            if number % 2:
                start += b"Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"
            stalled.append(running.raw(start))
        time.sleep(0.3)
        assert running.server.open == 300
        timings = []
        for _ in range(10):
            started = time.perf_counter()
            assert running.get("/health") == (200, b"ok\n")
            body = fake_slack.slash_command("who owns the budget?", slack.response_url())
            connection = http.client.HTTPConnection("127.0.0.1", running.port, timeout=5)
            connection.request("POST", "/slack/events", body=body, headers=request_headers(body, FORM))
            response = connection.getresponse()
            assert (response.status, b"budget" in response.read().lower()) == (200, True)
            connection.close()
            timings.append(time.perf_counter() - started)
        assert max(timings) < 2  # with a thread per connection, every one of these would time out
    finally:
        for client in stalled:
            client.close()
        running.stop()
        app.close()
