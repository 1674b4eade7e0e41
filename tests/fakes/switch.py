"""One platform's address whose world changes under a running sender: a name and a port that
stay the same while the platform behind them works, loses its name (DNS), refuses
connections, holds them without a word (timeout), answers 5xx or refuses the firm's token.

The name (`<platform>.matrix.test`) is resolved by `resolving` (socket.getaddrinfo for those
names only: requests, aiohttp's threaded resolver and smtplib all ask it); the port is a
relay that forwards each new connection to the server of the current mode. Changing the
mode drops the connections in flight, as a blocked or fallen platform does, so a
kept-alive connection does not hide the change."""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Callable, Iterator

from tests.fakes.outages import closed_port

SUFFIX = ".matrix.test"
_SWITCHES: dict[str, Switch] = {}


class Switch:
    MODES = ("ok", "dns", "refused", "timeout", "5xx", "token")

    def __init__(self, name: str, targets: dict[str, int]):
        """targets: mode -> the local port of the server that plays it ("ok", "5xx",
        "token"); "dns", "refused" and "timeout" are played by the switch itself."""
        self.host = f"{name}{SUFFIX}"
        self.targets = targets
        self.port = closed_port()
        self.mode = "ok"
        self.lock = threading.Lock()
        self.conns: list[socket.socket] = []
        self.listener: socket.socket | None = None
        _SWITCHES[self.host] = self
        self._listen()

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def set(self, mode: str) -> None:
        assert mode in self.MODES, mode
        with self.lock:
            self.mode = mode
            for conn in self.conns:
                with contextlib.suppress(OSError):
                    conn.shutdown(socket.SHUT_RDWR)
                conn.close()
            self.conns = []
        if mode == "refused" and self.listener is not None:
            with contextlib.suppress(OSError):  # wakes the accept() in flight, which would
                self.listener.shutdown(socket.SHUT_RDWR)  # keep the port listening
            self.listener.close()
            self.listener = None
        elif mode != "refused" and self.listener is None:
            self._listen()

    def close(self) -> None:
        self.set("refused")
        _SWITCHES.pop(self.host, None)

    def _listen(self) -> None:
        sock = socket.socket()
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", self.port))
        sock.listen(64)
        self.listener = sock
        threading.Thread(target=self._accept, args=(sock,), daemon=True).start()

    def _accept(self, sock: socket.socket) -> None:
        while True:
            try:
                conn, _ = sock.accept()
            except OSError:
                return  # the listener was closed: "refused" until the next mode
            with self.lock:
                self.conns.append(conn)
                port = self.targets.get(self.mode)
            if port is None:
                continue  # "timeout": held, never answered
            try:
                upstream = socket.create_connection(("127.0.0.1", port), timeout=5)
            except OSError:
                conn.close()
                continue
            upstream.settimeout(None)
            with self.lock:
                self.conns.append(upstream)
            for a, b in ((conn, upstream), (upstream, conn)):
                threading.Thread(target=_pump, args=(a, b), daemon=True).start()


def _pump(src: socket.socket, dst: socket.socket) -> None:
    try:
        while data := src.recv(65536):
            dst.sendall(data)
    except OSError:
        pass
    for sock in (src, dst):
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)


@contextlib.contextmanager
def resolving(monkeypatch) -> Iterator[None]:
    """socket.getaddrinfo knows the switches' names (and none in "dns" mode)."""
    real: Callable = socket.getaddrinfo

    def getaddrinfo(host, port, family=0, type=0, proto=0, flags=0):  # noqa: A002
        name = host.decode() if isinstance(host, bytes) else host
        switch = _SWITCHES.get(name or "")
        if switch is None:
            return real(host, port, family, type, proto, flags)
        if switch.mode == "dns":
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", int(port or 0)))]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    yield


class ScriptedSmtp:
    """A mail server in three moods: "ok" (takes every letter, any login), "token" (refuses
    the login: 535) and "5xx" (closes its doors at once: 421)."""

    def __init__(self, mood: str):
        self.mood = mood
        self.letters: list[bytes] = []
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._talk, args=(conn,), daemon=True).start()

    def _talk(self, conn: socket.socket) -> None:
        file = conn.makefile("rb")
        say = lambda line: conn.sendall(line.encode() + b"\r\n")  # noqa: E731
        try:
            if self.mood == "5xx":
                say("421 4.3.2 Service not available")
                return
            say("220 mail.matrix.test ESMTP")
            while line := file.readline():
                verb = line.decode(errors="replace").strip().split(" ")[0].upper()
                if verb == "EHLO":
                    say("250-mail.matrix.test")
                    say("250 AUTH PLAIN LOGIN")
                elif verb == "AUTH":
                    say("535 5.7.8 Authentication failed" if self.mood == "token" else "235 OK")
                elif verb == "DATA":
                    say("354 go on")
                    body = b""
                    while (part := file.readline()) not in (b".\r\n", b""):
                        body += part
                    self.letters.append(body)
                    say("250 queued")
                elif verb == "QUIT":
                    say("221 bye")
                    return
                else:
                    say("250 OK")
        except OSError:
            pass
        finally:
            conn.close()

    def close(self) -> None:
        self.sock.close()


class ScriptedImap:
    """An IMAP server in three moods: "ok" (any login, an empty INBOX), "token" (refuses the
    login) and "5xx" (says BYE at once, as a server out of service does)."""

    def __init__(self, mood: str):
        self.mood = mood
        self.logins = 0
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._talk, args=(conn,), daemon=True).start()

    def _answer(self, tag: str, verb: str) -> list[str]:
        if verb == "CAPABILITY":
            return ["* CAPABILITY IMAP4rev1 AUTH=PLAIN", f"{tag} OK done"]
        if verb == "LOGIN":
            if self.mood == "token":
                return [f"{tag} NO [AUTHENTICATIONFAILED] Authentication failed."]
            self.logins += 1
            return [f"{tag} OK LOGIN completed"]
        if verb in ("SELECT", "EXAMINE"):
            return ["* 0 EXISTS", "* 0 RECENT", f"{tag} OK [READ-WRITE] done"]
        if verb in ("SEARCH", "UID"):
            return ["* SEARCH", f"{tag} OK done"]
        if verb == "LOGOUT":
            return ["* BYE", f"{tag} OK done"]
        return [f"{tag} OK done"]

    def _talk(self, conn: socket.socket) -> None:
        file = conn.makefile("rb")
        try:
            if self.mood == "5xx":
                conn.sendall(b"* BYE Service unavailable, try later\r\n")
                return
            conn.sendall(b"* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] ready\r\n")
            while line := file.readline():
                tag, _, rest = line.decode(errors="replace").strip().partition(" ")
                verb = rest.split(" ")[0].upper()
                conn.sendall("".join(f"{r}\r\n" for r in self._answer(tag, verb)).encode())
                if verb == "LOGOUT":
                    return
        except OSError:
            pass
        finally:
            conn.close()

    def close(self) -> None:
        self.sock.close()
