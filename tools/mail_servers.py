"""Mail servers on a free loopback port, for the mail tests and `make bench`: one that accepts
connections and never answers (a hung server), and a real SMTP server that keeps what it gets.
Both stop within a bounded time."""

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from aiosmtpd.controller import Controller


@contextmanager
def hung_smtp_server(port: int = 0) -> Iterator[int]:
    """Yield the port of a server that accepts every connection and never says a word."""
    listener = socket.create_server(("127.0.0.1", port), reuse_port=False)
    listener.settimeout(0.2)
    held: list[socket.socket] = []
    stopping = threading.Event()

    def accept_forever():
        while not stopping.is_set():
            try:
                held.append(listener.accept()[0])
            except TimeoutError:
                continue
            except OSError:
                return

    thread = threading.Thread(target=accept_forever, daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1]
    finally:
        stopping.set()
        thread.join(timeout=5)
        listener.close()
        for connection in held:  # the clients waiting on it see the connection end
            connection.close()


class _Keep:
    def __init__(self):
        self.messages: list[bytes] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        with self.lock:
            self.messages.append(envelope.content)
        return "250 Message accepted"


@contextmanager
def smtp_sink(port: int) -> Iterator[list[bytes]]:
    """Yield the list that receives each message a real SMTP server on `port` accepts."""
    handler = _Keep()
    controller = Controller(handler, hostname="127.0.0.1", port=port, ready_timeout=10)
    controller.start()
    try:
        yield handler.messages
    finally:
        controller.stop()
