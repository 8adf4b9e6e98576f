"""The web process's HTTP server: a gunicorn worker that reads each request whole, under one deadline,
on an event loop, and only then hands it to the WSGI application on a bounded pool of threads.

A thread-per-connection server gives a client that sends slowly a thread for as long as it keeps
sending; a few hundred such clients stop it. Here a connection that is still sending costs a few
kilobytes and no thread, and is closed at its deadline however it trickles. HTTP/1.1 is parsed by h11
(the parser uvicorn uses); uvicorn itself is not used because it has no deadline for a request's
headers, only for idle keep-alive connections.

gunicorn still runs the processes: the number of workers, restarts, SIGHUP, graceful stops, `--timeout`.
"""

from __future__ import annotations

import asyncio
import io
import logging
import os
import sys
import time
import urllib.parse
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from http import HTTPStatus

import h11
from gunicorn.workers.base import Worker

from bot.logs import RedactSecrets
from bot.settings import Settings

logger = logging.getLogger("bot.http")

REQUEST_SECONDS = 5.0  # from a request's first byte to the end of its body: Slack sends a few kB at once
HEADER_BYTES = 16 * 1024
BODY_BYTES = 1_000_000  # Slack's payloads are far smaller
BUFFER_BYTES = 32_000_000  # all the bodies a worker holds while they arrive, together
WRITE_SECONDS = 5.0  # a client that does not read its response is dropped after this long
CHECK_SECONDS = 0.2  # how often the worker looks at gunicorn's signals and tells the master it is alive

WSGIApp = Callable[[dict, Callable[..., object]], Iterable[bytes]]


@dataclass(frozen=True)
class Limits:
    """What one worker allows: open connections, threads answering, and how long things may take."""

    connections: int = 1000
    threads: int = 16
    request_seconds: float = REQUEST_SECONDS
    idle_seconds: float = 5.0  # a kept-alive connection waiting for its next request
    header_bytes: int = HEADER_BYTES
    body_bytes: int = BODY_BYTES
    buffer_bytes: int = BUFFER_BYTES


@dataclass(frozen=True)
class Response:
    status: int
    headers: list[tuple[str, str]]
    body: bytes


class _Refused(Exception):
    """The request cannot be served: answered with this status, then the connection is closed."""

    def __init__(self, status: int, why: str) -> None:
        super().__init__(why)
        self.status = status


class HTTPServer:
    """Serves one WSGI application on the running event loop."""

    def __init__(self, app: WSGIApp, limits: Limits, server_port: int = 0, access_log: bool = False) -> None:
        self.app = app
        self.limits = limits
        self.server_port = str(server_port)
        self.access_log = access_log
        self.pool = ThreadPoolExecutor(limits.threads, thread_name_prefix="http")
        self.open = 0
        self.busy = 0
        self.stopping = False
        self.refused = 0
        self.evicted = 0
        self.buffered = 0  # bytes of bodies still arriving, over every connection
        # Connections waiting for a request's bytes, oldest first, each marked True while it is quiet
        # between requests (kept alive) rather than still sending one: at the limit the oldest makes
        # room, so nobody can hold every slot by keeping connections open; a stop closes the quiet ones.
        self._waiting: dict[asyncio.StreamWriter, bool] = {}

    async def connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        """One client connection: requests one after another (keep-alive) until it closes, goes
        quiet, breaks a limit, or the server stops."""
        if self.open >= self.limits.connections and self._waiting and not self.stopping:
            oldest = next(iter(self._waiting))
            del self._waiting[oldest]
            oldest.transport.abort()  # its handler sees the connection reset and frees its slot
            self.evicted += 1
            if self.evicted == 1 or self.evicted % 1000 == 0:
                logger.warning("closed %d waiting connection(s) to make room: %d open", self.evicted, self.open)
        elif self.open >= self.limits.connections or self.stopping:
            self.refused += 1
            if self.refused == 1 or self.refused % 1000 == 0:
                logger.warning("refused %d connection(s): %d open already, all busy", self.refused, self.open)
            writer.transport.abort()
            return
        self.open += 1
        peer = writer.get_extra_info("peername")
        client = peer[0] if isinstance(peer, tuple) else ""
        connection = h11.Connection(h11.SERVER, max_incomplete_event_size=self.limits.header_bytes)
        try:
            first = True
            while not self.stopping:
                try:
                    request = await self._read(connection, reader, writer, first)
                except _Refused as refused:
                    logger.info("closed a connection: %s", refused)
                    await self._send_plain(connection, writer, refused.status)
                    return
                if request is None:
                    return
                first = False
                started = time.perf_counter()
                self.busy += 1
                try:
                    response = await asyncio.get_running_loop().run_in_executor(self.pool, self._call, *request, client)
                finally:
                    self.busy -= 1
                if not await self._send(connection, writer, response, head=request[0].method == b"HEAD"):
                    return
                if self.access_log:
                    method, target = request[0].method.decode(), request[0].target.decode("ascii", "replace")
                    logger.info(
                        '%s "%s %s" %d %.1f ms',
                        client,
                        method,
                        target.split("?", 1)[0][:200],
                        response.status,
                        (time.perf_counter() - started) * 1000,
                    )
                if connection.our_state is not h11.DONE or connection.their_state is not h11.DONE:
                    return
                connection.start_next_cycle()
        except (ConnectionError, TimeoutError, h11.LocalProtocolError, h11.RemoteProtocolError):
            return
        finally:
            self.open -= 1
            self._waiting.pop(writer, None)
            if writer.transport.get_write_buffer_size():
                writer.transport.abort()  # a client that does not read gets no more of our time
            else:
                writer.close()

    async def _read(
        self, connection: h11.Connection, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, first: bool
    ) -> tuple[h11.Request, bytes] | None:
        """The next whole request, or None when the client closed or went quiet between requests.
        Its deadline starts with its first byte (or the connection, for the first request)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + (self.limits.request_seconds if first else self.limits.idle_seconds)
        waiting = not first  # between requests: not yet started
        request: h11.Request | None = None
        body = bytearray()
        self._waiting[writer] = waiting
        try:
            while True:
                try:
                    event = connection.next_event()
                except h11.RemoteProtocolError as error:
                    raise _Refused(error.error_status_hint, f"malformed request ({error})") from None
                if event is h11.NEED_DATA:
                    if request is not None and connection.they_are_waiting_for_100_continue:
                        continuing = h11.InformationalResponse(status_code=100, headers=[], reason=b"Continue")
                        writer.write(connection.send(continuing))
                    try:
                        async with asyncio.timeout_at(deadline):
                            data = await reader.read(64 * 1024)
                    except TimeoutError:
                        if waiting:
                            return None  # a quiet kept-alive connection: closed without a word
                        raise _Refused(408, "the request took longer than its deadline") from None
                    if waiting and data:
                        waiting = self._waiting[writer] = False
                        deadline = loop.time() + self.limits.request_seconds
                    connection.receive_data(data)
                elif isinstance(event, h11.Request):
                    request = event
                    size = len(event.target) + sum(len(name) + len(value) + 4 for name, value in event.headers)
                    if size > self.limits.header_bytes:  # arrived at once, so h11's own limit did not apply
                        raise _Refused(431, f"{size} bytes of headers")
                    length = _content_length(event)
                    if any(name == b"transfer-encoding" for name, _ in event.headers):
                        # Slack always says how long its bodies are. A chunked body costs a parse per chunk
                        # (a body of one-byte chunks is CPU for the asking), and with Content-Length as
                        # well it is what request smuggling plays on.
                        raise _Refused(411 if length is None else 400, "a body without a Content-Length")
                    if length is not None and length > self.limits.body_bytes:
                        raise _Refused(413, f"a body of {length} bytes")
                elif isinstance(event, h11.Data):
                    if self.buffered + len(event.data) > self.limits.buffer_bytes:
                        raise _Refused(503, "too many large requests arriving at once")
                    body += event.data
                    self.buffered += len(event.data)
                    if len(body) > self.limits.body_bytes:
                        raise _Refused(413, "a body over the limit")
                elif isinstance(event, h11.EndOfMessage) and request is not None:
                    return request, bytes(body)
                else:  # ConnectionClosed, or the client closed half way
                    return None
        finally:
            self._waiting.pop(writer, None)
            self.buffered -= len(body)

    def _call(self, request: h11.Request, body: bytes, client: str) -> Response:
        """Run the WSGI application (on a pool thread)."""
        environ = self._environ(request, body, client)
        started: dict = {}

        def start_response(status: str, headers: list[tuple[str, str]], _exc_info: object = None) -> Callable:
            started["status"], started["headers"] = int(status.split(" ", 1)[0]), headers
            return _no_write

        try:
            result = self.app(environ, start_response)
            try:
                data = b"".join(result)
            finally:
                close = getattr(result, "close", None)
                if close is not None:
                    close()
        except Exception as error:  # the application answers for its own errors; this is a last resort
            logger.error("the application failed on a request: %s: %s", type(error).__name__, error)
            return _plain(500)
        headers = [
            (name, value)
            for name, value in started.get("headers", [])
            if name.lower() not in ("connection", "transfer-encoding", "content-length", "keep-alive")
        ]
        headers.append(("content-length", str(len(data))))
        return Response(started.get("status", 500), headers, data)

    def _environ(self, request: h11.Request, body: bytes, client: str) -> dict:
        target = request.target.decode("latin-1")
        if target[:8].lower().startswith(("http://", "https://")):  # the absolute form: its path is what counts
            target = "/" + target.split("://", 1)[1].partition("/")[2]
        path, _, query = target.partition("?")
        path = urllib.parse.unquote(path, encoding="latin-1")  # WSGI's PATH_INFO is decoded
        environ = {
            "REQUEST_METHOD": request.method.decode("ascii"),
            "SCRIPT_NAME": "",
            "PATH_INFO": path,
            "QUERY_STRING": query,
            "SERVER_NAME": "localhost",
            "SERVER_PORT": self.server_port,
            "SERVER_PROTOCOL": f"HTTP/{request.http_version.decode('ascii')}",
            "REMOTE_ADDR": client,
            "CONTENT_LENGTH": str(len(body)),
            "wsgi.version": (1, 0),
            "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(body),
            "wsgi.errors": sys.stderr,
            "wsgi.multithread": True,
            "wsgi.multiprocess": True,
            "wsgi.run_once": False,
        }
        for raw_name, raw_value in request.headers:
            if b"_" in raw_name:  # X_Slack_Signature would pass for X-Slack-Signature in the environ: dropped
                continue
            name, value = raw_name.decode("latin-1").upper().replace("-", "_"), raw_value.decode("latin-1")
            if name == "CONTENT_TYPE":
                environ[name] = value
            if name in ("CONTENT_TYPE", "CONTENT_LENGTH"):  # CGI's own names; the length is the body's
                continue
            key = f"HTTP_{name}"
            environ[key] = f"{environ[key]},{value}" if key in environ else value
        return environ

    async def _send(
        self, connection: h11.Connection, writer: asyncio.StreamWriter, response: Response, head: bool = False
    ) -> bool:
        """Write a response; False when the connection is to be closed (the server is stopping, or
        the client would not read it in time)."""
        headers = list(response.headers)
        if self.stopping:
            headers.append(("connection", "close"))
        try:
            reason = HTTPStatus(response.status).phrase.encode() if response.status in _STATUSES else b""
            data = connection.send(h11.Response(status_code=response.status, headers=headers, reason=reason))
            if response.body and not head:  # a HEAD response has the headers a GET's would, no body
                data += connection.send(h11.Data(data=response.body))
            data += connection.send(h11.EndOfMessage())
        except h11.LocalProtocolError:
            return False
        writer.write(data)
        try:
            async with asyncio.timeout(WRITE_SECONDS):
                await writer.drain()
        except (TimeoutError, ConnectionError):
            return False
        return not self.stopping

    async def _send_plain(self, connection: h11.Connection, writer: asyncio.StreamWriter, status: int) -> None:
        if connection.our_state not in (h11.IDLE, h11.SEND_RESPONSE):
            return
        response = _plain(status)
        response.headers.append(("connection", "close"))
        await self._send(connection, writer, response)

    async def stop(self, seconds: float) -> None:
        """Stop taking requests: quiet connections close now, requests being answered get `seconds`."""
        self.stopping = True
        for writer in [writer for writer, quiet in self._waiting.items() if quiet]:
            writer.close()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + seconds
        while (self.busy or self.open) and loop.time() < deadline:
            await asyncio.sleep(0.05)
        self.pool.shutdown(wait=False, cancel_futures=True)


def _no_write(_data: bytes) -> None:
    """WSGI's write(): Role Bot's application returns its body instead."""


_STATUSES = {status.value for status in HTTPStatus}


def _content_length(request: h11.Request) -> int | None:
    for name, value in request.headers:
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


def _plain(status: int) -> Response:
    body = f"{HTTPStatus(status).phrase.lower()}\n".encode()
    return Response(status, [("content-type", "text/plain; charset=utf-8"), ("content-length", str(len(body)))], body)


class DeadlineWorker(Worker):
    """A gunicorn worker serving with HTTPServer (`--worker-class bot.slack.server.DeadlineWorker`).
    `--threads` sizes the pool that runs the application, `--worker-connections` bounds the open
    connections, `--keep-alive` is how long a quiet connection is kept, `--graceful-timeout` how long
    requests being answered get when it stops."""

    def init_process(self) -> None:
        # gunicorn's own log lines (and a traceback from a failed boot) pass the same redaction as
        # Role Bot's: the secrets are known from the environment before the application loads.
        try:
            secrets = Settings.from_env().secrets
        except Exception:  # a bad setting is reported by the application itself, in one line
            secrets = ()
        redact = RedactSecrets(secrets)
        for handler in [*self.log.error_log.handlers, *self.log.access_log.handlers]:
            handler.addFilter(redact)
        super().init_process()

    def run(self) -> None:
        asyncio.run(self._serve())

    async def _serve(self) -> None:
        limits = Limits(
            connections=self.cfg.worker_connections,
            threads=max(self.cfg.threads, 1),
            idle_seconds=float(self.cfg.keepalive or 0) or 0.01,
        )
        port = self.sockets[0].cfg_addr[1] if self.sockets and isinstance(self.sockets[0].cfg_addr, tuple) else 0
        server = HTTPServer(self.wsgi, limits, port, access_log=bool(self.cfg.accesslog))
        listening = [
            await asyncio.start_server(server.connection, sock=listener.sock, backlog=self.cfg.backlog)
            for listener in self.sockets
        ]
        try:
            while self.alive and os.getppid() == self.ppid:
                self.notify()
                await asyncio.sleep(CHECK_SECONDS)
        finally:
            for listener in listening:
                listener.close()
            await server.stop(self.cfg.graceful_timeout)
