"""SMTP sender behind core.base.interfaces.Sender.

Every letter about an order carries "[Заказ №123]" in the subject and a Message-ID
that is an HMAC of the outbox idempotency key under [app] secret_key: a letter re-sent
after a crash has the same Message-ID, so mail clients show it once, and a reply's
In-Reply-To finds the order — but nobody without the key can compute another client's
Message-ID to forge a reply into their order (core.conversations.mailbox also checks the sender)."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import smtplib
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from core.base.config import Config
from core.base.interfaces import DeliveryError, OutgoingMessage
from core.channels.outage import auth_error, outage
from core.conversations.mailbox import order_tag

__all__ = ["SmtpSender", "build"]


class SmtpSender:
    channel = "email"

    def __init__(self, host: str, port: int, *, sender: str, user: str = "", password: str = "",
                 reply_to: str = "", starttls: bool = False, ssl: bool = False,
                 timeout: float = 30, secret: str = ""):  # fmt: skip
        self.host, self.port, self.sender = host, port, sender
        self.user, self.password, self.reply_to = user, password, reply_to or sender
        self.starttls, self.ssl, self.timeout = starttls, ssl, timeout
        self.domain = sender.rpartition("@")[2] or "localhost"
        # No configured key: a per-process one — still unguessable, but a resend after a
        # restart then gets a new Message-ID (a reply to either still finds the order).
        self._secret = secret.encode() if secret else secrets.token_bytes(32)

    def message_id(self, idempotency_key: str | None) -> str:
        if not idempotency_key:
            return make_msgid(domain=self.domain)
        digest = hmac.new(self._secret, idempotency_key.encode(), hashlib.sha256).hexdigest()
        return f"<brigadir.{digest[:40]}@{self.domain}>"

    def compose(self, message: OutgoingMessage, message_id: str | None = None) -> EmailMessage:
        address = message.address.strip()
        if "@" not in address or any(c in address for c in " \r\n,;<>"):
            raise DeliveryError(f"Неверный адрес почты: {address!r}", permanent=True)
        subject = (message.subject or "Сообщение").replace("\r", " ").replace("\n", " ")
        number = message.headers.get("X-Brigadir-Order")
        if number and order_tag(int(number)) not in subject:
            subject = f"{order_tag(int(number))} {subject}"
        mail = EmailMessage()
        mail["From"] = self.sender
        mail["To"] = address
        mail["Reply-To"] = self.reply_to
        mail["Subject"] = subject
        mail["Date"] = formatdate(localtime=True)
        mail["Message-ID"] = message_id or self.message_id(message.idempotency_key)
        for name in ("In-Reply-To", "References", "List-Unsubscribe", "List-Unsubscribe-Post"):
            if message.headers.get(name):
                mail[name] = message.headers[name]
        mail.set_content(message.text)
        for name, data, mime in message.attachments:
            main, _, sub = (mime or "application/octet-stream").partition("/")
            mail.add_attachment(data, maintype=main, subtype=sub or "octet-stream", filename=name)
        return mail

    def _session(self) -> smtplib.SMTP:
        factory = smtplib.SMTP_SSL if self.ssl else smtplib.SMTP
        smtp = factory(self.host, self.port, timeout=self.timeout)
        if self.starttls and not self.ssl:
            smtp.starttls()
        if self.user:
            smtp.login(self.user, self.password)
        return smtp

    def probe(self) -> None:
        """The light check: connect, log in, say NOOP."""
        try:
            with self._session() as smtp:
                smtp.noop()
        except smtplib.SMTPAuthenticationError as exc:
            raise auth_error("Почта", f"SMTP {exc.smtp_code}") from exc
        except smtplib.SMTPResponseException as exc:
            raise DeliveryError(f"Почта: сервер ответил {exc.smtp_code}", outage="server") from exc
        except (TimeoutError, smtplib.SMTPException, OSError) as exc:
            raise outage("Почтовый сервер", exc) from exc

    def send(self, message: OutgoingMessage) -> str | None:
        own_id = self.message_id(message.idempotency_key)
        mail = self.compose(message, own_id)
        try:
            with self._session() as smtp:
                smtp.send_message(mail)
        except smtplib.SMTPAuthenticationError as exc:
            raise auth_error("Почта", f"SMTP {exc.smtp_code}") from exc
        except smtplib.SMTPRecipientsRefused as exc:
            raise DeliveryError(
                f"Почтовый сервер отказал адресату: {exc.recipients}", permanent=True
            ) from exc
        except smtplib.SMTPResponseException as exc:
            if exc.smtp_code == 421:  # the server closes its doors for everyone, for now
                raise DeliveryError(
                    f"Почта: сервер ответил {exc.smtp_code}", outage="server"
                ) from exc
            # 5xx: the server will say the same next time; 4xx: try later
            raise DeliveryError(f"SMTP {exc.smtp_code}: {exc.smtp_error!r}",
                                permanent=500 <= exc.smtp_code < 600 and exc.smtp_code != 535) from exc  # fmt: skip
        except (TimeoutError, smtplib.SMTPException, OSError) as exc:
            raise outage("Почтовый сервер", exc) from exc
        return own_id


def build(config: Config) -> SmtpSender | None:
    smtp = config.smtp
    if not smtp.host or not smtp.sender:
        return None
    return SmtpSender(smtp.host, smtp.port, sender=smtp.sender, user=smtp.user,
                      password=smtp.password, reply_to=smtp.reply_to or config.imap.user,
                      starttls=smtp.starttls, ssl=smtp.ssl, timeout=smtp.timeout,
                      secret=config.app.secret_key)  # fmt: skip
