"""Real local receivers for the notification tests: an HTTP server that records what is
POSTed and answers as told, and an SMTP server (aiosmtpd) that keeps the messages it gets."""

from __future__ import annotations

import socket
import threading
import time
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass(frozen=True)
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class HttpReceiver:
    """Answers each POST with the next status of ``answers`` (then 200), after ``delay`` s."""

    url: str = ""
    received: list[Received] = field(default_factory=list)
    answers: list[int] = field(default_factory=list)
    delay: float = 0.0

    def answer(self) -> int:
        return self.answers.pop(0) if self.answers else 200


@contextmanager
def http_receiver(*answers: int, delay: float = 0.0) -> Iterator[HttpReceiver]:
    receiver = HttpReceiver(answers=list(answers), delay=delay)
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            with lock:
                receiver.received.append(Received(self.path, dict(self.headers.items()), body))
                status = receiver.answer()
            if receiver.delay:
                time.sleep(receiver.delay)
            try:
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()
            except OSError:
                pass  # the client gave up waiting (the timeout tests)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    receiver.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/accord"
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class Mailbox:
    host: str
    port: int
    messages: list[EmailMessage] = field(default_factory=list)
    recipients: list[list[str]] = field(default_factory=list)
    refuse: str | None = None
    """An SMTP reply (e.g. ``550 no such user``) to give every recipient instead of taking it."""


@contextmanager
def smtp_server() -> Iterator[Mailbox]:
    with warnings.catch_warnings():
        # aiosmtpd's import may warn about its own use of deprecated asyncio or ssl names.
        warnings.simplefilter("ignore", DeprecationWarning)
        from aiosmtpd.controller import Controller
    box = Mailbox("127.0.0.1", free_port())

    class Handler:
        async def handle_RCPT(  # noqa: N802 (the name aiosmtpd calls)
                self, server: Any, session: Any, envelope: Any, address: str, options: Any
        ) -> str:
            if box.refuse:
                return box.refuse
            envelope.rcpt_tos.append(address)
            return "250 OK"

        async def handle_DATA(  # noqa: N802 (the name aiosmtpd calls)
                self, server: Any, session: Any, envelope: Any) -> str:
            message = message_from_bytes(envelope.original_content, policy=policy.default)
            assert isinstance(message, EmailMessage)
            box.messages.append(message)
            box.recipients.append(list(envelope.rcpt_tos))
            return "250 Message accepted for delivery"

    controller = Controller(Handler(), hostname=box.host, port=box.port)
    controller.start()
    try:
        yield box
    finally:
        controller.stop()
