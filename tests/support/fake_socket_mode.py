"""A Socket Mode endpoint on 127.0.0.1 speaking Slack's protocol: hello, envelopes, and the
acknowledgements the app sends back by envelope_id."""

from __future__ import annotations

import json
import threading
import time
import uuid

from websockets.exceptions import ConnectionClosed
from websockets.sync.server import ServerConnection, serve


class FakeSocketMode:
    def __init__(self) -> None:
        self.received: list[dict] = []
        self._connections: list[ServerConnection] = []
        self._lock = threading.Lock()
        self._server = serve(self._serve, "127.0.0.1", 0)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self._server.socket.getsockname()[1]}/link"

    def _serve(self, connection: ServerConnection) -> None:
        connection.send(json.dumps({"type": "hello", "num_connections": 1, "connection_info": {"app_id": "A0APP0001"}}))
        with self._lock:
            self._connections.append(connection)
        try:
            for message in connection:
                with self._lock:
                    self.received.append(json.loads(message))
        except ConnectionClosed:
            return  # dropped on purpose by a test

    def wait_connected(self, count: int = 1, timeout: float = 30.0) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if len(self._connections) >= count:
                    return True
            time.sleep(0.05)
        return False

    def send(self, kind: str, payload: dict, accepts_response_payload: bool = False) -> str:
        """Deliver an envelope on the newest connection; returns its envelope_id."""
        envelope_id = str(uuid.uuid4())
        envelope = {
            "envelope_id": envelope_id,
            "type": kind,
            "payload": payload,
            "accepts_response_payload": accepts_response_payload,
            "retry_attempt": 0,
            "retry_reason": "",
        }
        with self._lock:
            connection = self._connections[-1]
        connection.send(json.dumps(envelope))
        return envelope_id

    def send_raw(self, message: dict) -> None:
        with self._lock:
            connection = self._connections[-1]
        connection.send(json.dumps(message))

    def drop(self) -> None:
        """Close the newest connection without a goodbye, as a network failure would."""
        with self._lock:
            connection = self._connections[-1]
        connection.socket.close()

    @property
    def connection_count(self) -> int:
        with self._lock:
            return len(self._connections)

    def ack_for(self, envelope_id: str, timeout: float = 10.0) -> dict | None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                for message in self.received:
                    if message.get("envelope_id") == envelope_id:
                        return message
            time.sleep(0.02)
        return None

    def close(self) -> None:
        self._server.shutdown()
