"""An SMTP sink (aiosmtpd) and a real Dovecot IMAP server with its own config in a tmp dir."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class SmtpSink:
    """Collects (mail_from, rcpt_tos, content bytes) of every letter it is given."""

    def __init__(self):
        from aiosmtpd.controller import Controller

        self.messages: list[tuple[str, list[str], bytes]] = []
        sink = self

        class _Handler:
            async def handle_DATA(self, server, session, envelope):
                sink.messages.append((envelope.mail_from, envelope.rcpt_tos, envelope.content))
                return "250 Message accepted"

            async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
                if address.startswith("nobody@"):
                    return "550 5.1.1 No such user"
                envelope.rcpt_tos.append(address)
                return "250 OK"

        self.port = free_port()  # aiosmtpd cannot take port 0: start() connects to .port
        self.controller = Controller(_Handler(), hostname="127.0.0.1", port=self.port)

    def __enter__(self) -> SmtpSink:
        self.controller.start()
        return self

    def __exit__(self, *exc) -> None:
        self.controller.stop()


DOVECOT_CONF = """\
protocols = imap
listen = 127.0.0.1
base_dir = {tmp}/run
state_dir = {tmp}/run/state
log_path = {tmp}/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_failure_delay = 0
mail_location = maildir:~/Maildir
first_valid_uid = 1
default_internal_user = dovecot
default_login_user = dovenull
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
passdb {{
  driver = passwd-file
  args = {tmp}/users
}}
userdb {{
  driver = passwd-file
  args = {tmp}/users
}}
"""


class Dovecot:
    """dovecot -c own.conf; the user shop@example.test / secret, and any `more` users
    (address, password): one maildir each, i.e. several mailboxes of one firm."""

    user, password = "shop@example.test", "secret"

    def __init__(self, more: tuple[tuple[str, str], ...] = ()):
        self.users = ((self.user, self.password), *more)
        # not pytest's tmp_path: its parents are 0700 and Dovecot's users must traverse them
        self.tmp = Path(tempfile.mkdtemp(prefix="brigadir-dovecot-"))
        self.port = free_port()
        self.conf = self.tmp / "dovecot.conf"

    @staticmethod
    def available() -> str | None:
        if not shutil.which("dovecot"):
            return "нет dovecot (apt-get install dovecot-imapd)"
        if os.geteuid() != 0:
            return "dovecot со своим конфигом здесь запускается только от root"
        return None

    def __enter__(self) -> Dovecot:
        self.tmp.chmod(0o755)
        lines = []
        for user, password in self.users:
            mail = self.tmp / "mail" / user.partition("@")[0]
            mail.mkdir(parents=True)
            lines.append(f"{user}:{{PLAIN}}{password}:65534:65534::{mail}::\n")
        (self.tmp / "run").mkdir()
        subprocess.run(["chown", "-R", "65534:65534", str(self.tmp / "mail")], check=True)
        (self.tmp / "users").write_text("".join(lines))
        self.conf.write_text(DOVECOT_CONF.format(tmp=self.tmp, port=self.port))
        subprocess.run(["dovecot", "-c", str(self.conf)], check=True)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return self
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("dovecot did not start: " + (self.tmp / "dovecot.log").read_text())

    def __exit__(self, *exc) -> None:
        subprocess.run(["doveadm", "-c", str(self.conf), "stop"], check=False)
        shutil.rmtree(self.tmp, ignore_errors=True)

    def append(self, raw: bytes, user: str | None = None) -> None:
        self.append_many([raw], user)

    def append_many(self, letters: list[bytes], user: str | None = None) -> None:
        import imaplib

        user = user or self.user
        password = dict(self.users)[user]
        imap = imaplib.IMAP4("127.0.0.1", self.port)
        imap.login(user, password)
        for raw in letters:
            imap.append("INBOX", "", imaplib.Time2Internaldate(time.time()), raw)
        imap.logout()
