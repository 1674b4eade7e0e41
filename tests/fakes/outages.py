"""The ways a platform is unreachable, on 127.0.0.1: a name that does not resolve, a port
nobody listens on, a server that accepts and never answers, one that answers 502 to all."""

from __future__ import annotations

import socket
import threading

from tests.fakes.http import FakeHTTPServer, Reply

NO_SUCH_HOST = "brigadir-test.invalid"  # RFC 2606: .invalid never resolves


def dns_url() -> str:
    return f"http://{NO_SUCH_HOST}"


def closed_port() -> int:
    """A port with nobody listening (bound, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def refused_url() -> str:
    return f"http://127.0.0.1:{closed_port()}"


class BlackHole:
    """Accepts connections and never says a word: every call ends in a timeout."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.held: list[socket.socket] = []
        self._stop = threading.Event()
        self.thread = threading.Thread(target=self._accept, daemon=True)

    def _accept(self) -> None:
        self.sock.settimeout(0.1)
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.held.append(conn)

    def __enter__(self) -> BlackHole:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self.thread.join(2)
        for conn in self.held:
            conn.close()
        self.sock.close()


def server_error() -> FakeHTTPServer:
    """Answers every request with an HTML 502, as a proxy in front of a dead API does."""
    return FakeHTTPServer(lambda req: Reply(502, "<html>502 Bad Gateway</html>",
                                            {"Content-Type": "text/html"}))  # fmt: skip
