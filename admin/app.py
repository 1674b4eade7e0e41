"""The web admin's composition root: `create_app(config)` builds the Flask app.

Nothing connects at import. The caller normally runs `core.base.runtime.init(config)` and
`core.base.db.connect(...)` first; if it did not, create_app does both (and prepares the schema),
so a bare `create_app(load_config(path))` also works.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from flask import Blueprint, Flask
from flask_admin import Admin
from flask_admin.theme import Bootstrap4Theme
from flask_babel import Babel
from flask_wtf.csrf import CSRFProtect

from core.base import db as core_db
from core.base import runtime
from core.base.config import Config

__all__ = ["create_app"]


def _ensure_core(config: Config) -> Config:
    """Bind the runtime and the database if the composition root has not done it; returns
    the configuration in force (the file's with the director's Настройки)."""
    if config is not runtime.config():  # not already the composition root's
        runtime.init(config)
    if core_db.database.obj is None:
        from core.setup import prepare

        core_db.connect(config.database_url)
        prepare()
    return runtime.refresh()


def create_app(
    config: Config,
    *,
    file_store: Any = None,
    extra_blueprints: Iterable[Blueprint] = (),
    testing: bool = False,
    payment_gateway: Any = None,
) -> Flask:
    """The admin app. file_store: any object with `read(key) -> bytes` (storage.LocalStore);
    None means attachments are listed but cannot be downloaded. The CSRFProtect instance is
    `app.extensions["csrf"]`: `app.extensions["csrf"].exempt(blueprint)` for webhooks."""
    config = _ensure_core(config)
    app = Flask(__name__, template_folder="templates", static_folder="static")
    from admin.csp import template_loader

    app.jinja_loader = template_loader(os.path.join(app.root_path, "templates"))  # type: ignore[misc]
    _configure(app, config, file_store=file_store, testing=testing)
    Babel(app, locale_selector=lambda: "ru", timezone_selector=lambda: config.app.timezone)
    from admin import date_filters, wording

    wording.install()  # Flask-Admin's stock phrases in the firm's words
    date_filters.install()  # list filters read dd.mm.yyyy
    csrf = CSRFProtect(app)
    app.extensions["csrf"] = csrf

    _install_parts(app, config)
    import checkout
    from portal import bp as portal_bp

    app.register_blueprint(portal_bp)  # the client portal, /my/
    csrf.exempt("portal.unsubscribe.one_click")  # RFC 8058: a mail service posts it, no token
    checkout.init_app(app, config, payment_gateway)  # online payment (YooKassa), if configured
    _build_admin(app, config)
    _error_pages(app)
    # Each request hands its connection back: a threaded server runs every request in a new
    # thread, and a connection left open holds a file handle and a page cache for good.
    app.teardown_appcontext(lambda _exc: core_db.release())
    _settings_once_per_request(app)
    app.after_request(_russian_page)
    for blueprint in extra_blueprints:
        app.register_blueprint(blueprint)
    return app


def _configure(app: Flask, config: Config, *, file_store: Any, testing: bool) -> None:
    """Cookies, sessions and limits as a firm's server needs them."""
    app.config.update(
        SECRET_KEY=config.app.secret_key or secrets.token_hex(32),
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=config.web.https,
        SESSION_COOKIE_NAME="brigadir_session",
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SECURE=config.web.https,
        PERMANENT_SESSION_LIFETIME=timedelta(hours=24),  # absolute cap; idle cap in auth.py
        WTF_CSRF_TIME_LIMIT=None,  # the token lives as long as the session
        WTF_CSRF_SSL_STRICT=config.web.https,
        MAX_CONTENT_LENGTH=20 * 1024 * 1024,
        TESTING=testing,
        BRIGADIR_CONFIG=config,
        BRIGADIR_FILE_STORE=file_store,
        FLASK_ADMIN_FLUID_LAYOUT=True,
    )


def _install_parts(app: Flask, config: Config) -> None:
    """Sign-in, the money formats and field masks the templates use, files and requisites."""
    from admin import auth, files, formatting

    auth.init_app(app, config)
    formatting.init_app(app)
    from admin.base import masked, reads_paper, sees

    app.jinja_env.globals["sees"] = sees
    app.jinja_env.globals["reads_paper"] = (
        reads_paper  # core.access: may this person see a field or sum
    )
    app.jinja_env.filters["masked"] = masked
    app.register_blueprint(files.bp)
    from admin import requisites

    app.register_blueprint(requisites.blueprint)  # /admin/requisites/?inn=… for the forms


def _settings_once_per_request(app: Flask) -> None:
    """Each setting read from the database once per request (core.base.settings.remembered):
    a list page asks for the hidden fields and the columns many times over."""
    from flask import g

    from core.base import settings

    def start() -> None:
        g.settings_memo = settings.remembered()
        g.settings_memo.__enter__()

    def end(_exc: BaseException | None) -> None:
        memo = g.pop("settings_memo", None)
        if memo is not None:
            memo.__exit__(None, None, None)

    app.before_request(start)
    app.teardown_request(end)


# Flask-Admin's base template says these outside any block or gettext call.
_BASE_TEMPLATE_WORDS = ((b"<html>", b'<html lang="ru">'),
                        (b'aria-label="Toggle navigation"', 'aria-label="Меню"'.encode()))  # fmt: skip


def _russian_page(response):
    """`<html lang="ru">` (the browser needs the language for hyphenation, dates and screen
    readers) and the menu button's label for screen readers, both fixed in Flask-Admin's
    base template."""
    if response.mimetype == "text/html" and not response.direct_passthrough:
        body = response.get_data()
        if b"<html>" in body[:200]:
            for stock, ours in _BASE_TEMPLATE_WORDS:
                body = body.replace(stock, ours, 1)
            response.set_data(body)
    return response


def _add_money_views(admin: Admin) -> None:
    """Касса, Расходы, Зарплата, Онлайн-оплаты, Кассовые чеки, Документы — in menu order."""
    from admin.views.cash import CashView
    from admin.views.documents import DocumentRegisterView
    from admin.views.expenses import ExpensesView
    from admin.views.fiscal import FiscalCheckView
    from admin.views.online_payments import OnlinePaymentView
    from admin.views.pay import PayView

    admin.add_view(CashView(name="Касса", endpoint="cash"))
    admin.add_view(ExpensesView(name="Расходы", endpoint="expenses"))
    admin.add_view(PayView(name="Зарплата", endpoint="pay"))
    admin.add_view(OnlinePaymentView(name="Онлайн-оплаты", endpoint="online"))
    admin.add_view(FiscalCheckView(name="Кассовые чеки", endpoint="fiscal"))
    admin.add_view(DocumentRegisterView(name="Документы", endpoint="documents"))


def _build_admin(app: Flask, config: Config) -> Admin:
    from admin.views import calls
    from admin.views.clients import ClientView
    from admin.views.dashboard import DashboardView
    from admin.views.inbox import InboxView, counters
    from admin.views.mailing import MailingView
    from admin.views.orders import OrderView
    from admin.views.staff import BonusView, CrewView, EmployeeView
    from admin.views.tasks import TaskView
    from admin.views.team import TeamView
    from core.clients.models import Client
    from core.orders.models import Order
    from core.people.models import Bonus, Crew, Employee
    from core.tasks.models import Task

    admin = Admin(
        app,
        name=config.app.name,
        url="/admin",
        theme=Bootstrap4Theme(swatch="cerulean", fluid=True, base_template="brigadir/master.html"),
        index_view=DashboardView(name="Сводка", url="/admin", endpoint="admin"),
    )
    admin.add_view(InboxView(name="Входящие", endpoint="inbox"))
    admin.add_view(OrderView(Order, name="Заказы", endpoint="order"))
    admin.add_view(ClientView(Client, name="Клиенты", endpoint="client"))
    _add_money_views(admin)
    admin.add_view(TaskView(Task, name="Задачи", endpoint="task"))
    admin.add_view(MailingView(name="Рассылка", endpoint="mailing"))
    admin.add_view(TeamView(name="Коллеги", endpoint="team"))
    admin.add_view(
        EmployeeView(Employee, name="Сотрудники", endpoint="employee", category="Сотрудники")
    )
    admin.add_view(CrewView(Crew, name="Бригады", endpoint="crew", category="Сотрудники"))
    admin.add_view(
        BonusView(Bonus, name="Премии и штрафы", endpoint="bonus", category="Сотрудники")
    )
    _settings_views(admin)
    calls.install(app, admin)  # «Звонки», Настройки → Телефония, the caller's card
    app.context_processor(lambda: {"counters": counters})  # the header's unread numbers
    return admin


def _settings_views(admin: Admin) -> None:
    """The director's Настройки menu."""
    from admin.views.booking import BookingView
    from admin.views.imports import ImportView
    from admin.views.mailboxes import MailboxView
    from admin.views.settings import SettingsView, TemplateView
    from admin.views.settings_program import ProgramSettingsView
    from admin.views.stages import StageView
    from core.conversations.models import Template
    from core.orders.models import Stage

    menu = "Настройки"
    admin.add_view(ProgramSettingsView(name="Фирма и каналы", endpoint="program", category=menu))
    admin.add_view(SettingsView(name="Поля заказа", endpoint="settings", category=menu))
    admin.add_view(StageView(Stage, name="Этапы", endpoint="stage", category=menu))
    admin.add_view(BookingView(name="Запись на выезд", endpoint="booking", category=menu))
    admin.add_view(
        TemplateView(Template, name="Шаблоны сообщений", endpoint="template", category=menu)
    )
    admin.add_view(ImportView(name="Импорт из Excel", endpoint="import", category=menu))
    admin.add_view(MailboxView(name="Почтовые ящики", endpoint="mailboxes", category=menu))


def _error_pages(app: Flask) -> None:
    """Russian error pages; nothing about the internals leaks."""
    from flask import render_template, request, url_for
    from flask_wtf.csrf import CSRFError
    from markupsafe import escape

    texts = {
        400: ("Неверный запрос", "Запрос не удалось обработать."),
        401: ("Нужен вход", "Войдите, чтобы продолжить."),
        403: ("Нет доступа", "У вас нет прав на эту страницу или действие."),
        404: ("Не найдено", "Такой записи нет — возможно, её удалили или она вам недоступна."),
        405: ("Так нельзя", "Это действие выполняется только кнопкой на странице."),
        413: ("Слишком большой файл", "Файл больше 20 МБ."),
        429: ("Слишком много попыток", "Подождите немного и попробуйте снова."),
        500: (
            "Ошибка на сервере",
            "Что-то пошло не так. Попробуйте ещё раз; если повторится — сообщите директору.",
        ),
    }

    def render(code: int, message: str | None = None):
        title, text = texts.get(code, texts[400])
        try:
            from flask_admin import helpers as admin_helpers

            from admin.base import back_url

            admin = app.extensions["admin"][0]
            back = back_url("")
            return render_template(
                "brigadir/error.html", code=code, title=title, message=message or text,
                back=back if back != request.full_path.rstrip("?") else "",
                admin_view=admin.index_view, admin_base_template=admin.theme.base_template,
                h=admin_helpers, get_url=url_for, theme=admin.theme,
            ), code  # fmt: skip
        except Exception:  # noqa: BLE001 - the error page must never fail itself
            return f"<h1>{escape(title)}</h1><p>{escape(message or text)}</p>", code

    @app.errorhandler(CSRFError)
    def _csrf(error):
        return render(
            400,
            "Форма устарела или отправлена не со страницы Бригадира. Обновите страницу и повторите.",
        )

    for code in texts:
        if code != 500:
            app.register_error_handler(code, lambda e, code=code: render(code))
    app.register_error_handler(500, lambda e: render(500))
