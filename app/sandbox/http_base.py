"""The HTTP plumbing both stand-ins share: a threaded stdlib server, JSON request/response
objects, fault injection at the socket level, and start/stop for tests and the CLI.

A stand-in is a ``SandboxApp``: it turns a ``SandboxRequest`` into a ``SandboxResponse``
and says how a 429/503/500 looks in its own error shape. Everything about sockets, faults
and threads lives here.
"""

from __future__ import annotations

import contextlib
import json
import socket
import struct
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Protocol
from urllib.parse import parse_qs, urlsplit

from app.sandbox.faults import FaultInjector, FaultKind

ADMIN_PREFIX = "/_sandbox/"


@dataclass
class SandboxRequest:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]  # lower-cased names
    body: bytes
    token_expired: bool = False  # set by an EXPIRED_TOKEN fault

    def json(self) -> Any:
        """The body as JSON; raises ``ValueError`` on a malformed body."""
        if not self.body:
            return {}
        return json.loads(self.body.decode("utf-8"))


@dataclass
class SandboxResponse:
    status: int
    body: Any = None  # JSON-serialisable, or bytes sent as-is
    headers: dict[str, str] = field(default_factory=dict)

    def encoded(self) -> bytes:
        if isinstance(self.body, bytes):
            return self.body
        if self.body is None:
            return b""
        return json.dumps(self.body).encode("utf-8")


class SandboxApp(Protocol):
    def handle(self, request: SandboxRequest) -> SandboxResponse: ...

    def fault_response(self, kind: FaultKind, retry_after_s: int) -> SandboxResponse: ...

    def is_write(self, request: SandboxRequest) -> bool: ...


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out in two writes; without TCP_NODELAY, Nagle's algorithm and the
    # client's delayed ACK hold the body back ~40 ms on every keep-alive request.
    disable_nagle_algorithm = True
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        return  # request logs would flood test output; faults are counted instead

    def do_GET(self) -> None:
        self._serve()

    def do_POST(self) -> None:
        self._serve()

    def do_PUT(self) -> None:
        self._serve()

    def do_DELETE(self) -> None:
        self._serve()

    def _read_request(self) -> SandboxRequest:
        parts = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        query = {k: v[-1] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
        headers = {k.lower(): v for k, v in self.headers.items()}
        return SandboxRequest(self.command, parts.path, query, headers, body)

    def _send(self, response: SandboxResponse, truncate: bool = False) -> None:
        payload = response.encoded()
        if truncate:
            payload = payload[: max(1, len(payload) // 2)]
        self.send_response(response.status)
        if not isinstance(response.body, bytes):
            self.send_header("Content-Type", "application/json; charset=utf-8")
        for name, value in response.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def _abort(self) -> None:
        """Drop the connection with a TCP reset and no response."""
        self.close_connection = True
        # The peer may already be gone; the connection closes either way.
        with contextlib.suppress(OSError):
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.connection.close()

    def _serve(self) -> None:
        request = self._read_request()
        server = self.server
        injector = server.faults
        if request.path.startswith(ADMIN_PREFIX):
            self._send(server.handle_admin(request))
            return
        if injector.settings.latency_s:
            time.sleep(injector.settings.latency_s)
        fault = injector.decide(request.path, server.app.is_write(request))
        if fault is FaultKind.LATENCY:
            time.sleep(injector.settings.fault_latency_s)
        elif fault in (FaultKind.RATE_LIMITED, FaultKind.UNAVAILABLE, FaultKind.INTERNAL):
            self._send(server.app.fault_response(fault, injector.settings.retry_after_s))
            return
        elif fault is FaultKind.RESET:
            self._abort()
            return
        elif fault is FaultKind.HANG:
            server.stopping.wait(injector.settings.hang_s)
            self._abort()
            return
        elif fault is FaultKind.EXPIRED_TOKEN:
            request.token_expired = True
        with server.write_lock:  # one writer at a time, like a real database
            response = server.app.handle(request)
        if fault is FaultKind.APPLY_THEN_DROP:
            self._abort()
            return
        self._send(response, truncate=fault is FaultKind.MALFORMED)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], app: SandboxApp, faults: FaultInjector):
        self.app = app
        self.faults = faults
        self.stopping = threading.Event()
        self.write_lock = threading.RLock()
        super().__init__(address, _Handler)

    def handle_admin(self, request: SandboxRequest) -> SandboxResponse:
        if request.path == ADMIN_PREFIX + "faults":
            if request.method == "POST":
                try:
                    self.faults.configure(request.json())
                except (ValueError, KeyError, TypeError) as exc:
                    return SandboxResponse(400, {"error": str(exc)})
            return SandboxResponse(200, {"counts": dict(self.faults.counts)})
        admin = getattr(self.app, "handle_admin", None)
        if admin is None:
            return SandboxResponse(404, {"error": "unknown sandbox control"})
        with self.write_lock:
            result: SandboxResponse = admin(request)
        return result


class SandboxServer:
    """A stand-in app served on ``host:port`` (port 0 = a free port) in a background thread."""

    def __init__(self, app: SandboxApp, host: str = "127.0.0.1", port: int = 0) -> None:
        self.app = app
        self.faults = FaultInjector()
        self._server = _Server((host, port), app, self.faults)
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> SandboxServer:
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"sandbox-{type(self.app).__name__}-{self.port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        """Serve in the calling thread until interrupted (the CLI's ``paysage sandbox``)."""
        try:
            self._server.serve_forever(poll_interval=0.2)
        finally:
            self._server.server_close()

    def stop(self) -> None:
        self._server.stopping.set()
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> SandboxServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
