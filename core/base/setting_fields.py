"""The registry of Настройки → Программа: the kinds of value, and every setting declared once
(how to add one: core/base/settings.py). Add yours inside your group's block, not at the end of
the file: other areas add theirs too."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from core.base.errors import ValidationError
from core.clients.requisites import inn_problem

# --- kinds: each turns what a form sent into a value, or says in Russian what is wrong ------


class Kind:
    widget = "text"  # text | password | number | checkbox | select | textarea

    def parse(self, raw: Any) -> Any:
        return str(raw if raw is not None else "").strip()

    def show(self, value: Any) -> str:
        return "" if value is None else str(value)


@dataclass(frozen=True)
class Text(Kind):
    max_length: int = 300
    pattern: str = ""  # a full match is required when the value is not empty
    message: str = "значение не подходит"
    lines: int = 1  # more than one: a text area

    @property
    def widget(self) -> str:  # type: ignore[override]
        return "textarea" if self.lines > 1 else "text"

    def parse(self, raw: Any) -> str:
        text = super().parse(raw)
        if self.lines == 1:
            text = " ".join(text.split())
        if len(text) > self.max_length:
            raise ValueError(f"не длиннее {self.max_length} знаков")
        if text and self.pattern and not re.fullmatch(self.pattern, text):
            raise ValueError(self.message)
        return text


@dataclass(frozen=True)
class Secret(Text):
    """A token or a password: never shown back; an empty box keeps the stored one."""

    widget = "password"  # type: ignore[assignment]

    def show(self, value: Any) -> str:
        return "••••••" if value else ""


@dataclass(frozen=True)
class Number(Kind):
    whole: bool = True
    least: float | None = None
    most: float | None = None
    widget = "number"

    def parse(self, raw: Any) -> int | float:
        text = str(raw if raw is not None else "").strip().replace(",", ".").replace(" ", "")
        try:
            number: int | float = int(text) if self.whole else float(text)
        except ValueError:
            raise ValueError("нужно целое число" if self.whole else "нужно число") from None
        if self.least is not None and number < self.least:
            raise ValueError(f"не меньше {_plain(self.least)}")
        if self.most is not None and number > self.most:
            raise ValueError(f"не больше {_plain(self.most)}")
        return number


def _plain(number: float) -> str:
    return str(int(number)) if float(number).is_integer() else str(number).replace(".", ",")


@dataclass(frozen=True)
class Flag(Kind):
    widget = "checkbox"

    def parse(self, raw: Any) -> bool:
        if isinstance(raw, bool):
            return raw
        return str(raw or "").strip().lower() in ("1", "on", "true", "yes", "да")

    def show(self, value: Any) -> str:
        return "да" if value else "нет"


@dataclass(frozen=True)
class Choice(Kind):
    options: dict[str, str] = field(default_factory=dict)  # stored value -> Russian name
    widget = "select"

    def parse(self, raw: Any) -> str:
        text = super().parse(raw)
        if text not in self.options:
            raise ValueError("выберите из списка")
        return text

    def show(self, value: Any) -> str:
        return self.options.get(value, str(value))


@dataclass(frozen=True)
class Items(Kind):
    """A list: one item a line (or comma-separated); with options, each must be one of them
    (typed by its name or its code) and the box shows the names."""

    options: dict[str, str] = field(default_factory=dict)
    pattern: str = ""
    message: str = "значение не подходит"
    widget = "textarea"

    def parse(self, raw: Any) -> list[str]:
        parts = raw if isinstance(raw, list | tuple) else re.split(r"[\n,;]+", str(raw or ""))
        items = [str(p).strip() for p in parts if str(p).strip()]
        if self.options:
            names = {k.casefold(): k for k in self.options}
            names |= {v.casefold(): k for k, v in self.options.items()}
            unknown = [item for item in items if item.casefold() not in names]
            if unknown:
                raise ValueError(f"«{unknown[0]}» — нет такого варианта")
            items = [names[item.casefold()] for item in items]
        for item in items:
            if self.pattern and not re.fullmatch(self.pattern, item):
                raise ValueError(f"«{item}»: {self.message}")
        if len(set(items)) != len(items):
            raise ValueError("значения повторяются")
        return items

    def show(self, value: Any) -> str:
        return "\n".join(self.options.get(str(v), str(v)) for v in (value or ()))


# --- the registry ------------------------------------------------------------------------

# Pages of Настройки → Фирма и каналы, in this order: code -> Russian title.
GROUPS: dict[str, str] = {}


@dataclass(frozen=True)
class Field:
    key: str  # "telegram.token": a config.toml [section] key, or a name of the web's own
    label: str
    kind: Kind
    group: str
    help: str = ""
    default: Any = None
    live: bool = False  # True: read at each use; False: the processes restart to apply it
    check: Callable[[Any], str | None] | None = None  # one more rule: a Russian text or None

    def parse(self, raw: Any) -> Any:
        try:
            parsed = self.kind.parse(raw)
        except ValueError as exc:
            raise ValidationError(f"{self.label}: {exc}.") from None
        problem = self.check(parsed) if self.check is not None else None
        if problem:
            raise ValidationError(f"{self.label}: {problem}.")
        return parsed


REGISTRY: dict[str, Field] = {}


def declare(
    key: str,
    label: str,
    kind: Kind | None = None,
    *,
    group: str,
    help: str = "",  # noqa: A002 - the word the form uses
    default: Any = None,
    live: bool = False,
    check: Callable[[Any], str | None] | None = None,
) -> Field:
    """Add a setting. A config.toml key takes its default from core/base/config.py."""
    if key in REGISTRY:
        raise RuntimeError(f"setting {key} declared twice")
    if group not in GROUPS:
        raise RuntimeError(f"setting {key}: unknown group {group!r} (add it to GROUPS)")
    from_file = _file_default(key)
    item = Field(key, label, kind or Text(), group, help,
                 from_file if from_file is not _NONE else default, live, check)  # fmt: skip
    REGISTRY[key] = item
    return item


_NONE = object()


def _file_default(key: str) -> Any:
    from core.base.config import Config

    section, _, name = key.partition(".")
    part = getattr(Config(), section, None)
    if part is None or not hasattr(part, "__dataclass_fields__") or not hasattr(part, name):
        return _NONE
    value = getattr(part, name)
    return list(value) if isinstance(value, tuple) else value


# --- the settings ---------------------------------------------------------------------------

GROUPS.update({
    "firm": "Фирма и реквизиты",
    "work": "Работа и адрес программы",
    "telegram": "Telegram",
    "max": "MAX",
    "vk": "ВКонтакте",
    "viber": "Viber",
    "mail": "Почта",
    "sms": "SMS",
    "notify": "Сообщения клиентам",
    "widget": "Чат на сайте",
    "storage": "Файлы и Яндекс Диск",
    "backup": "Резервные копии",
    "payments": "Онлайн-оплата",
    "taxes": "Налоги и документы",
    "kkt": "Кассовые чеки (54-ФЗ)",
    "system": "Служебное",
})  # fmt: skip

URL = r"https?://[^\s/]+\S*"
URL_TEXT = "нужен адрес вида https://…"
EMAIL = r"[^@\s]+@[^@\s]+\.[^@\s]+"
EMAIL_TEXT = "нужен адрес почты вида имя@домен.ru"
HOST = r"[A-Za-z0-9.\-]+"
HOST_TEXT = "нужно имя сервера, например smtp.yandex.ru"
CHANNELS = {"telegram": "Telegram", "max": "MAX", "vk": "ВКонтакте", "viber": "Viber",
            "sms": "SMS", "email": "Почта"}  # fmt: skip
PORT = Number(least=1, most=65535)
HOUR = Number(least=0, most=23)


def _digits(count: int, what: str) -> Text:
    return Text(max_length=count, pattern=rf"\d{{{count}}}", message=what)


def _zone(value: str) -> str | None:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        return "такого часового пояса нет (пример: Europe/Moscow)"
    return None


def _vat_rate(value: int) -> str | None:
    known = (-1, 0, 5, 7, 10, 20, 22)
    return None if value in known else "бывает −1 (без НДС), 0, 5, 7, 10, 20 или 22"


def _inn(value: str) -> str | None:
    return inn_problem(value) if value else None


# --- firm ---------------------------------------------------------------------------------
F = "firm"
declare(
    "app.name",
    "Название программы",
    Text(max_length=60),
    group=F,
    help="Видно в заголовке веб-панели и в сообщениях клиентам, если у фирмы нет названия.",
)
declare(
    "company.name",
    "Название фирмы",
    Text(),
    group=F,
    live=True,
    help="Как в документах: ООО «Рекламная мастерская» или ИП Иванов И. И.",
)
declare(
    "company.inn",
    "ИНН",
    Text(max_length=12),
    group=F,
    live=True,
    check=_inn,
    help="10 цифр у организации, 12 у ИП. По ИНН реквизиты заполняются сами.",
)
declare("company.kpp", "КПП", _digits(9, "КПП — 9 цифр"), group=F, live=True)
declare(
    "company.ogrn",
    "ОГРН / ОГРНИП",
    Text(max_length=15, pattern=r"\d{13}|\d{15}", message="ОГРН — 13 цифр, ОГРНИП — 15"),
    group=F,
    live=True,
)
declare("company.address", "Адрес", Text(), group=F, live=True)
declare(
    "company.phone",
    "Телефон фирмы",
    Text(max_length=40),
    group=F,
    live=True,
    help="Подставляется в сообщения клиентам вместо {телефон фирмы}.",
)
declare(
    "company.email", "E-mail фирмы", Text(pattern=EMAIL, message=EMAIL_TEXT), group=F, live=True
)
declare("company.bank", "Банк", Text(), group=F, live=True)
declare("company.bik", "БИК", _digits(9, "БИК — 9 цифр"), group=F, live=True)
declare(
    "company.account", "Расчётный счёт", _digits(20, "расчётный счёт — 20 цифр"), group=F, live=True
)
declare(
    "company.corr_account", "Корр. счёт", _digits(20, "корр. счёт — 20 цифр"), group=F, live=True
)
declare(
    "company.director",
    "Руководитель (ФИО полностью)",
    Text(),
    group=F,
    live=True,
    help="Кто подписывает документы: Сергеев Сергей Сергеевич (в документах — Сергеев С.С., "
    "в договоре — «в лице директора Сергеева Сергея Сергеевича»).",
)
declare("company.director_post", "Должность руководителя", Text(max_length=100), group=F,
        live=True, help="Директор, Генеральный директор; у ИП — Индивидуальный предприниматель.")  # fmt: skip
declare("company.director_basis", "Руководитель действует на основании", Text(max_length=200),
        group=F, live=True, help="Устав; доверенность № 5 от 01.02.2026. У ИП — лист записи ЕГРИП (Устава у ИП нет).")  # fmt: skip
declare("company.accountant", "Главный бухгалтер (ФИО)", Text(max_length=200), group=F,
        live=True, help="Пусто — строки бухгалтера в документах нет.")  # fmt: skip
declare(
    "requisites.provider",
    "Поиск реквизитов по ИНН",
    Choice({"dadata": "`DaData`", "": "выключен — вводить вручную"}),
    group=F,
    live=True,
)
declare(
    "requisites.token",
    "Ключ `DaData`",
    Secret(max_length=100),
    group=F,
    live=True,
    help="Бесплатный ключ: `dadata.ru` → Личный кабинет → `API` (до 10 000 запросов в день).",
)
declare(
    "requisites.url",
    "Адрес службы `DaData`",
    Text(pattern=URL, message=URL_TEXT),
    group=F,
    live=True,
)
declare(
    "requisites.timeout", "Ждать ответа `DaData`, секунд", Number(False, 1, 30), group=F, live=True
)

# --- work ---------------------------------------------------------------------------------
W = "work"
declare("app.pipeline", "Процесс новых заказов",
        Choice({"printing": "Полиграфия: принят → в работе → выполнен → выдан",
                "installation": "Монтаж: принят → монтаж → документы → сдача в сетевую → оплата"}),
        group=W, live=True)  # fmt: skip
declare(
    "app.timezone",
    "Часовой пояс",
    Text(max_length=60),
    group=W,
    check=_zone,
    help="Время хранится по Гринвичу и показывается в этом поясе. Пример: `Europe/Moscow`.",
)
declare(
    "app.base_url",
    "Адрес программы в интернете",
    Text(pattern=URL, message=URL_TEXT),
    group=W,
    help="Как клиенты и сотрудники открывают ссылки и QR-коды: "
    "https://crm.ваша-фирма.ru. Для Telegram в режиме вебхука и ЮKassa нужен защищённый адрес (`https://`).",
)
declare(
    "web.host",
    "Веб-панель: адрес для входящих соединений",
    Text(pattern=HOST, message="нужен IP-адрес, например 127.0.0.1"),
    group=W,
    help="127.0.0.1 — только через веб-сервер `Caddy` на этой же машине (так и нужно на сервере).",
)
declare("web.port", "Веб-панель: порт", PORT, group=W)
declare(
    "web.https",
    "Работает по защищённому адресу",
    Flag(),
    group=W,
    help="Отметьте, когда программа открывается по `https://` (за `Caddy`): вход защищается строже.",
)
declare(
    "web.session_idle_minutes",
    "Выходить из панели после простоя, минут",
    Number(least=5, most=24 * 60),
    group=W,
)
declare(
    "web.trusted_proxies",
    "Прокси перед программой",
    Items(pattern=r"[0-9a-fA-F.:/]+", message="нужен IP-адрес или сеть, например 127.0.0.1"),
    group=W,
    help="По одному в строке. Только им верится, с какого адреса на самом деле открывают "
    "страницу. За `Caddy` на этой же машине: 127.0.0.1.",
)

# --- telegram -------------------------------------------------------------------------------
T = "telegram"
declare(
    "telegram.token",
    "Токен бота",
    Secret(
        max_length=100,
        pattern=r"\d+:[\w-]+",
        message="токен выглядит как 123456789:AA…, его даёт бот `@BotFather`",
    ),
    group=T,
    help="В Telegram напишите боту `@BotFather` команду `/newbot` и вставьте сюда токен из его ответа.",
)
declare(
    "telegram.bot_username",
    "Имя бота",
    Text(
        max_length=64,
        pattern=r"@?\w{3,64}",
        message="имя бота из латинских букв, например firm_bot",
    ),
    group=T,
    help="Для ссылок-приглашений `t.me/имя_бота`. Проверка токена заполняет его сама.",
)
declare("telegram.mode", "Как получать сообщения",
        Choice({"polling": "опрос (на компьютере, без защищённого адреса)",
                "webhook": "вебхук (на сервере с защищённым адресом)"}), group=T)  # fmt: skip
declare(
    "telegram.webhook_secret",
    "Секрет вебхука",
    Secret(
        max_length=256, pattern=r"[A-Za-z0-9_-]{1,256}", message="латинские буквы, цифры, _ и -"
    ),
    group=T,
    help="Нужен в режиме вебхука; мастер первого запуска придумывает его сам.",
)
declare("telegram.api_base", "Адрес службы Telegram", Text(pattern=URL, message=URL_TEXT), group=T)

# --- max --------------------------------------------------------------------------------------
M = "max"
declare(
    "max.token",
    "Токен бота MAX",
    Secret(max_length=200),
    group=M,
    help="`business.max.ru` → Чат-боты → ваш бот → токен.",
)
declare(
    "max.secret",
    "Секрет подписки",
    Secret(max_length=256),
    group=M,
    help="MAX присылает его в заголовке каждого вебхука; запросы без него отклоняются.",
)
declare("max.api_base", "Адрес службы MAX", Text(pattern=URL, message=URL_TEXT), group=M)
declare("max.max_media_mb", "Наибольший файл от клиента, МБ", Number(least=1, most=100), group=M)

# --- vk ---------------------------------------------------------------------------------------
V = "vk"
declare(
    "vk.token",
    "Ключ доступа сообщества",
    Secret(max_length=300),
    group=V,
    help="Управление сообществом → `Работа с API` → Ключи доступа (с правом на сообщения).",
)
declare("vk.group_id", "Номер сообщества", Number(least=0), group=V)
declare("vk.secret", "Секретный ключ вебхука (`Callback API`)", Secret(max_length=100), group=V)
declare("vk.confirmation", "Строка подтверждения вебхука", Text(max_length=100), group=V)
declare("vk.api_base", "Адрес службы ВКонтакте", Text(pattern=URL, message=URL_TEXT), group=V)
declare("vk.max_media_mb", "Наибольший файл от клиента, МБ", Number(least=1, most=100), group=V)

# --- viber ------------------------------------------------------------------------------------
B = "viber"
declare(
    "viber.token",
    "Токен бота Viber",
    Secret(max_length=100),
    group=B,
    help="Viber заблокирован в России с декабря 2024 — только для клиентов, у кого он работает в обход блокировки.",
)
declare("viber.name", "Имя отправителя", Text(max_length=28), group=B)
declare("viber.avatar", "Аватар (адрес картинки)", Text(pattern=URL, message=URL_TEXT), group=B)
declare("viber.api_base", "Адрес службы Viber", Text(pattern=URL, message=URL_TEXT), group=B)
declare("viber.max_media_mb", "Наибольший файл от клиента, МБ", Number(least=1, most=100), group=B)

# --- mail -------------------------------------------------------------------------------------
E = "mail"
declare(
    "smtp.host",
    "Сервер исходящей почты (`SMTP`)",
    Text(pattern=HOST, message=HOST_TEXT),
    group=E,
    help="Пусто — письма клиентам не отправляются. Яндекс: `smtp.yandex.ru`.",
)
declare(
    "smtp.port",
    "Порт исходящей почты",
    PORT,
    group=E,
    help="587 — с шифрованием после соединения, 465 — с шифрованием сразу.",
)
declare("smtp.user", "Логин исходящей почты", Text(max_length=200), group=E)
declare(
    "smtp.password",
    "Пароль исходящей почты",
    Secret(max_length=200),
    group=E,
    help="Для Яндекса и `Mail.ru` — пароль приложения, не от почты.",
)
declare("smtp.sender", "Адрес отправителя", Text(pattern=EMAIL, message=EMAIL_TEXT), group=E)
declare("smtp.starttls", "Шифровать после соединения (`STARTTLS`)", Flag(), group=E)
declare("smtp.ssl", "Шифровать сразу (порт 465)", Flag(), group=E)
declare(
    "smtp.reply_to",
    "Адрес для ответов",
    Text(pattern=EMAIL, message=EMAIL_TEXT),
    group=E,
    help="Пусто — адрес отправителя.",
)
declare("smtp.timeout", "Ждать сервер исходящей почты, секунд", Number(least=1, most=300), group=E)
declare(
    "imap.host",
    "Сервер входящей почты (`IMAP`)",
    Text(pattern=HOST, message=HOST_TEXT),
    group=E,
    help="Письма этого ящика попадают во «Входящие» и в заказы. Яндекс: `imap.yandex.ru`.",
)
declare("imap.port", "Порт входящей почты", PORT, group=E)
declare("imap.user", "Логин входящей почты", Text(max_length=200), group=E)
declare("imap.password", "Пароль входящей почты", Secret(max_length=200), group=E)
declare("imap.folder", "Папка", Text(max_length=100), group=E)
declare("imap.ssl", "Шифровать соединение", Flag(), group=E)
declare(
    "imap.auth_server",
    "Имя почтового сервера в проверке подписи писем",
    Text(max_length=200),
    group=E,
    help="Как ваш сервер подписывается в заголовке `Authentication-Results` (например "
    "`mx.firm.ru`). Пусто — берётся верхний такой заголовок.",
)
declare("imap.poll_seconds", "Проверять почту каждые, секунд", Number(least=10, most=3600), group=E)
declare("imap.max_attachment_mb", "Наибольшее вложение, МБ", Number(least=1, most=100), group=E)

# --- sms --------------------------------------------------------------------------------------
S = "sms"
declare("sms.provider", "Служба SMS",
        Choice({"": "выключены", "smsru": "`SMS.ru`", "smsc": "`SMSC.ru`",
                "http": "другой шлюз (веб-форма)"}), group=S)  # fmt: skip
declare("sms.api_id", "Ключ `api_id` для `SMS.ru`", Secret(max_length=100), group=S)
declare("sms.login", "Логин (`SMSC.ru` или шлюз)", Text(max_length=100), group=S)
declare("sms.password", "Пароль (`SMSC.ru` или шлюз)", Secret(max_length=200), group=S)
declare(
    "sms.sender",
    "Имя отправителя",
    Text(max_length=11),
    group=S,
    help="Согласованное со службой SMS, до 11 латинских букв.",
)
declare(
    "sms.url",
    "Адрес шлюза",
    Text(pattern=URL, message=URL_TEXT),
    group=S,
    help="Пусто — адрес службы по умолчанию.",
)
declare("sms.translit", "Латиницей (дешевле)", Flag(), group=S)
declare("sms.per_second", "Не больше SMS в секунду", Number(False, 0.1, 100), group=S)

# --- notify -----------------------------------------------------------------------------------
N = "notify"
declare(
    "notify.fallback",
    "Порядок каналов",
    Items(options=CHANNELS),
    group=N,
    live=True,  # the deliverer reads it at each pass (scheduler.deliverer.channel_order)
    help="По одному в строке: Telegram, MAX, ВКонтакте, Viber, SMS, Почта. Клиенту пишут в первый "
    "канал, где он есть; не дошло — в следующий. Последний канал самого клиента идёт первым.",
)
declare(
    "notify.platform_timeout",
    "Ждать ответа площадки, секунд",
    Number(False, 1, 120),
    group=N,
)
declare(
    "notify.escalate_after_hours",
    "Нет ответа на «готово» — задача позвонить через, часов",
    Number(least=1, most=240),
    group=N,
)
declare("notify.max_attempts", "Попыток на сообщение", Number(least=1, most=50), group=N)
declare("notify.digest_hour", "Утренняя сводка исполнителям, час", HOUR, group=N)
declare("notify.remind_hour", "Напоминания о сроках, час", HOUR, group=N)
declare(
    "notify.subcontract_days_ahead",
    "Напоминать подрядчику за, дней",
    Number(least=0, most=30),
    group=N,
)
declare(
    "notify.mailing_per_second", "Рассылки: сообщений в секунду", Number(False, 0.1, 100), group=N
)
declare(
    "notify.telegram_per_second", "Telegram: сообщений в секунду", Number(False, 0.1, 30), group=N
)
declare("notify.max_per_second", "MAX: сообщений в секунду", Number(False, 0.1, 30), group=N)
declare("notify.vk_per_second", "ВКонтакте: сообщений в секунду", Number(False, 0.1, 20), group=N)
declare("notify.viber_per_second", "Viber: сообщений в секунду", Number(False, 0.1, 100), group=N)
declare("notify.email_per_second", "Почта: писем в секунду", Number(False, 0.1, 100), group=N)
declare(
    "notify.retry_base_seconds", "Первый повтор через, секунд", Number(least=5, most=3600), group=N
)
declare(
    "notify.retry_cap_seconds",
    "Повторы не реже, чем раз в, секунд",
    Number(least=60, most=7 * 86400),
    group=N,
)
declare(
    "notify.claim_timeout_seconds",
    "Сообщение «в отправке» после сбоя — снова через, секунд",
    Number(least=30, most=86400),
    group=N,
)
declare("notify.batch_size", "Получателей в одной пачке", Number(least=10, most=10000), group=N)
declare(
    "notify.deliver_every_seconds",
    "Проверять очередь каждые, секунд",
    Number(False, 0.2, 60),
    group=N,
)

# --- widget -----------------------------------------------------------------------------------
C = "widget"
declare(
    "widget.allowed_origins",
    "Сайты, где стоит чат",
    Items(pattern=URL, message=URL_TEXT),
    group=C,
    help="По одному в строке: https://ваша-фирма.ru. Код для сайта: "
    '`<script src="АДРЕС-ПРОГРАММЫ/widget.js" async></script>`.',
)
declare(
    "widget.per_ip_per_minute",
    "Сообщений с одного адреса в минуту",
    Number(least=1, most=1000),
    group=C,
)
declare(
    "widget.per_ip_per_hour",
    "Сообщений с одного адреса в час",
    Number(least=1, most=100000),
    group=C,
)
declare(
    "widget.per_visitor_per_minute",
    "Сообщений одного посетителя в минуту",
    Number(least=1, most=1000),
    group=C,
)
declare("widget.max_text", "Длина сообщения, знаков", Number(least=100, most=20000), group=C)
declare("widget.max_file_mb", "Наибольший файл, МБ", Number(least=1, most=100), group=C)

# --- storage ----------------------------------------------------------------------------------
D = "storage"
declare(
    "storage.backend",
    "Где хранить файлы",
    Choice({"local": "на этом сервере", "yadisk": "на Яндекс Диске"}),
    group=D,
)
declare(
    "storage.root",
    "Папка файлов на сервере",
    Text(max_length=200),
    group=D,
    help="Относительно папки данных.",
)
declare(
    "storage.yadisk_token",
    "Доступ к Яндекс Диску",
    Secret(max_length=300),
    group=D,
    help="Подключается ниже, кодом подтверждения от Яндекса, — вручную не нужно.",
)
declare(
    "storage.yadisk_app_id",
    "Приложение Яндекса: идентификатор",
    Text(max_length=64, pattern=r"[0-9a-fA-F]{32}", message="32 знака из цифр и букв a–f"),
    group=D,
    help="Создайте приложение на `oauth.yandex.ru` с доступом к Диску и адресом "
    "`https://oauth.yandex.ru/verification_code`; его `ClientID` — сюда.",
)
declare("storage.yadisk_app_secret", "Приложение Яндекса: пароль", Secret(max_length=64), group=D)
declare(
    "storage.yadisk_oauth_url", "Адрес входа Яндекса", Text(pattern=URL, message=URL_TEXT), group=D
)
declare(
    "storage.yadisk_root",
    "Папка на Диске",
    Text(max_length=200, pattern=r"/.*", message="путь начинается с /, например /Бригадир"),
    group=D,
)
declare(
    "storage.yadisk_base_url", "Адрес службы Диска", Text(pattern=URL, message=URL_TEXT), group=D
)
declare("storage.yadisk_timeout", "Ждать Диск, секунд", Number(False, 1, 120), group=D)

# --- backup -----------------------------------------------------------------------------------
K = "backup"
declare("backup.nightly", "Копия каждую ночь", Flag(), group=K)
declare("backup.hour", "Час ночной копии", HOUR, group=K)
declare(
    "backup.folder", "Папка копий", Text(max_length=200), group=K, help="Относительно папки данных."
)
declare("backup.keep_daily", "Хранить ежедневных копий", Number(least=1, most=365), group=K)
declare("backup.keep_monthly", "Хранить ежемесячных копий", Number(least=0, most=120), group=K)
declare("backup.include_yadisk", "Класть в копию файлы с Яндекс Диска", Flag(), group=K)
declare("backup.yadisk_copy", "Копию — ещё и на Яндекс Диск", Flag(), group=K)
declare(
    "backup.yadisk_folder",
    "Папка копий на Диске",
    Text(max_length=200, pattern=r"/.*", message="путь начинается с /"),
    group=K,
)

# --- payments ---------------------------------------------------------------------------------
P = "payments"
declare(
    "yookassa.shop_id",
    "ЮKassa: номер магазина",
    Text(
        max_length=40, pattern=r"\d+", message="номер магазина — число из личного кабинета ЮKassa"
    ),
    group=P,
    help="Пусто — онлайн-оплата выключена.",
)
declare("yookassa.shop_secret", "ЮKassa: секретный ключ", Secret(max_length=200), group=P)
declare("yookassa.api_url", "Адрес службы ЮKassa", Text(pattern=URL, message=URL_TEXT), group=P)
declare(
    "yookassa.trusted_proxies",
    "Прокси перед программой (прежнее место)",
    Items(pattern=r"[0-9a-fA-F.:/]+", message="нужен IP-адрес, например 127.0.0.1"),
    group=P,
    help="Читается вместе с «Прокси перед программой» в разделе «Работа и адрес программы» — "
    "задавайте там.",
)
declare("yookassa.receipts", "Передавать данные для чека (54-ФЗ)", Flag(), group=P)
declare(
    "yookassa.vat_code",
    "Код НДС в чеке",
    Number(least=1, most=12),
    group=P,
    help="1 — без НДС, 4 — НДС 20 %.",
)
declare(
    "yookassa.tax_system_code",
    "Система налогообложения",
    Number(least=0, most=6),
    group=P,
    help="0 — не передавать; 1 ОСН, 2 УСН доходы, 3 УСН доходы-расходы, 6 патент.",
)

# --- calls (core.calls: the cloud PBX; extensions and who is on duty: Настройки → Телефония) ---
GROUPS["calls"] = "Телефония"
GROUPS["system"] = GROUPS.pop("system")  # «Служебное» stays the last page
C = "calls"
KEY = Text(max_length=200, pattern=r"\S+", message="без пробелов")
declare("calls.provider", "Облачная АТС",
        Choice({"": "не подключена", "novofon": "Новофон", "mango": "Манго Офис"}), group=C,
        default="", live=True,
        help="Её звонки открывают карточку звонящего, пропущенные становятся задачами «Перезвонить».")  # fmt: skip
declare("calls.novofon_key", "Новофон: ключ", KEY, group=C, default="", live=True,
        help="Личный кабинет Новофона: `Пользователи АТС → Администратор → API`.")  # fmt: skip
declare(
    "calls.novofon_secret",
    "Новофон: секрет",
    Secret(max_length=200),
    group=C,
    default="",
    live=True,
)
declare("calls.novofon_url", "Новофон: адрес для запросов", Text(pattern=URL, message=URL_TEXT),
        group=C, default="https://api.novofon.com", live=True)  # fmt: skip
declare("calls.mango_key", "Манго: уникальный код ВАТС", KEY, group=C, default="", live=True,
        help="Личный кабинет Манго: `Интеграции → API коннектор`.")  # fmt: skip
declare("calls.mango_salt", "Манго: ключ для создания подписи", Secret(max_length=200), group=C,
        default="", live=True)  # fmt: skip
declare("calls.mango_url", "Манго: адрес для запросов", Text(pattern=URL, message=URL_TEXT),
        group=C, default="https://app.mango-office.ru/vpbx", live=True)  # fmt: skip
declare("calls.promise", "Пропущенному клиенту сообщать, что перезвоним", Flag(), group=C,
        default=False, live=True)  # fmt: skip
declare("calls.promise_text", "Что сообщить пропущенному клиенту", Text(max_length=500, lines=3),
        group=C, live=True,
        default="Здравствуйте! Мы пропустили ваш звонок и перезвоним в ближайшее время.")  # fmt: skip
declare("calls.callback_minutes", "«Перезвонили вовремя» — в течение, минут",
        Number(least=1, most=24 * 60), group=C, default=30, live=True)  # fmt: skip

# --- taxes (core.money.taxes, core.documents) --------------------------------------------------
X = "taxes"
_RATES = {"none": "без НДС", "22": "22 %", "20": "20 %", "10": "10 %", "7": "7 %", "5": "5 %",
          "0": "0 %"}  # fmt: skip
declare("vat.tax_system", "Система налогообложения",
        Choice({"usn_income": "УСН (доходы)", "usn_income_outcome": "УСН (доходы минус расходы)",
                "osn": "Общая система (ОСН)", "patent": "Патент (ПСН)", "esn": "ЕСХН"}),
        group=X, live=True, help="Печатается в кассовом чеке.")  # fmt: skip
declare("vat.rates", "Ставки НДС в позициях заказа", Items(options=_RATES), group=X, live=True,
        help="По одной в строке: без НДС, 22 % (основная с 2026 года), 10 %, 0 %, 5 % и 7 % для "
        "УСН. Пусто — по ставке по умолчанию.")  # fmt: skip
declare("company.vat_rate", "Ставка НДС новой позиции, %", Number(least=-1, most=22), group=X,
        live=True, check=_vat_rate, help="−1 — без НДС; иначе ставка из списка выше.")  # fmt: skip
declare("vat.no_vat_reason", "Надпись «без НДС» в документах", Text(max_length=200), group=X,
        live=True, help="Пусто — «Без НДС (УСН, освобождение по п. 1 ст. 145 НК РФ)».")  # fmt: skip
declare("papers.torg12", "Выписывать ТОРГ-12 (кроме УПД)", Flag(), group=X, default=False,
        live=True)  # fmt: skip
declare("papers.invoice_days", "Срок оплаты счёта, дней", Number(least=1, most=90), group=X,
        default=5, live=True)  # fmt: skip

# --- kkt: the cloud cash register (core.money.fiscal_checks, checkout/atol.py) ----------------
K = "kkt"
declare("cash_register.provider", "Облачная касса",
        Choice({"": "не подключена", "atol": "АТОЛ Онлайн (протокол v5)"}), group=K, default="",
        live=True, help="Чек на каждую оплату наличными и картой, ссылка на чек — клиенту.")  # fmt: skip
declare("cash_register.url", "Адрес сервиса кассы", Text(pattern=URL, message=URL_TEXT), group=K,
        default="https://online.atol.ru/possystem/v5", live=True)  # fmt: skip
declare("cash_register.login", "Логин кассы", Text(max_length=100), group=K, default="", live=True)
declare("cash_register.password", "Пароль кассы", Secret(max_length=100), group=K, default="",
        live=True)  # fmt: skip
declare("cash_register.group_code", "Код группы касс", Text(max_length=100), group=K, default="",
        live=True)  # fmt: skip
declare("cash_register.inn", "ИНН в кассе", Text(max_length=12), group=K, default="", live=True,
        check=_inn)  # fmt: skip
declare("cash_register.payment_address", "Место расчётов", Text(max_length=250), group=K,
        default="", live=True, help="Адрес сайта или точки, как зарегистрирована касса.")  # fmt: skip
declare("cash_register.email", "E-mail фирмы для чеков",
        Text(pattern=EMAIL, message=EMAIL_TEXT), group=K, default="", live=True)  # fmt: skip

# --- system -----------------------------------------------------------------------------------
declare(
    "scheduler.lease_seconds",
    "Замена остановившегося планировщика через, секунд",
    Number(least=3, most=600),
    group="system",
)
