"""`brigadir` — set up, fill, run, back up. Each command reads the config once."""

from __future__ import annotations

import json
import os
import secrets
import threading
import time
from pathlib import Path

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from cli import russian
from cli.context import DEFAULT_CONFIG, Refused, open_config, open_database
from cli.restart import SettingsWatch, exec_again
from core import migrations
from core.access import SYSTEM, actor_for_employee
from core.base import runtime
from core.base.errors import BrigadirError
from core.orders.models import Order
from core.people.models import Employee
from core.setup import create_director, prepare

russian.install()  # before any command is declared: Click's own words in Russian
console = Console()
EXAMPLE = Path(__file__).resolve().parent.parent / "config.example.toml"


@click.group(cls=russian.RuGroup)
@click.option(
    "--config", "config_file", envvar="BRIGADIR_CONFIG", metavar="ФАЙЛ",
    help="Файл настроек (config.toml).",
)  # fmt: skip
@click.pass_context
def main(ctx: click.Context, config_file: str | None) -> None:
    """Бригадир: заказы, клиенты, касса и боты для небольшой фирмы."""
    ctx.obj = {"config_file": config_file}


def _open(ctx: click.Context):
    """The configuration in force: config.toml with the director's Настройки where it is silent."""
    config = open_config(ctx.obj["config_file"])
    open_database(config)
    return runtime.refresh()


def _write_config(target: Path, database_url: str = "") -> None:
    """config.toml from the example with a fresh secret key (and the database the command used,
    e.g. from BRIGADIR_DATABASE_URL), unless one is there."""
    if target.exists():
        return
    text = EXAMPLE.read_text(encoding="utf-8").replace(
        'secret_key = ""', f'secret_key = "{secrets.token_hex(32)}"', 1
    )
    if database_url:
        text = text.replace('\nurl = ""', f"\nurl = {json.dumps(database_url)}", 1)
    # The secret key and the tokens: readable by the owner only, from the first byte.
    with os.fdopen(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w") as fh:
        fh.write(text)
    console.print(f"Создан файл настроек [bold]{target}[/]")


def first_login_file(config) -> Path:
    return config.data_dir / "first-login.txt"


@main.command()
@click.option("--demo", is_flag=True, help="Сразу заполнить демо-данными.")
@click.pass_context
def init(ctx: click.Context, demo: bool) -> None:
    """Создать настройки, базу и учётную запись директора (пароль печатается один раз)."""
    target = Path(ctx.obj["config_file"] or DEFAULT_CONFIG)
    _write_config(target)
    ctx.obj["config_file"] = str(target)
    config = _open(ctx)
    before, after = prepare()
    console.print(f"База: {config.database_url} (схема v{after})")
    if Employee.select().where(Employee.role == "director").exists():
        console.print("Директор уже создан — ничего не меняю.")
        return
    director, password = create_director()
    config.data_dir.mkdir(parents=True, exist_ok=True)
    login_file = first_login_file(config)
    login_file.write_text(f"login: {director.login}\npassword: {password}\n", encoding="utf-8")
    login_file.chmod(0o600)
    console.print(f"Вход директора: логин [bold]{director.login}[/], пароль [bold]{password}[/]")
    console.print(f"(сохранено в {login_file}; смените пароль и удалите файл)")
    if demo:
        ctx.invoke(demo_command, clients=300, orders=1500)


@main.command("demo")
@click.option(
    "--clients",
    default=300,
    show_default=True,
    type=click.IntRange(1, 1_000_000),
    help="Сколько клиентов.",
)
@click.option(
    "--orders",
    default=1500,
    show_default=True,
    type=click.IntRange(0, 10_000_000),
    help="Сколько заказов.",
)
@click.option("--seed", default=7, show_default=True, help="Зерно случайных данных (то же — те же данные).")  # fmt: skip
@click.option("--remove", is_flag=True, help="Убрать демо-данные и начать работу по-настоящему.")
@click.option("--yes", is_flag=True, help="Не спрашивать подтверждения (для --remove).")
@click.pass_context
def demo_command(
    ctx: click.Context, clients: int, orders: int, seed: int, remove: bool, yes: bool
) -> None:
    """Заполнить базу правдоподобными данными для обоих процессов (полиграфия и монтаж)."""
    from cli.demo import generate
    from cli.demo.remove import recorded
    from cli.demo_inbox import fill_inbox
    from storage import build_store

    config = _open(ctx)
    prepare()
    if remove:
        _remove_demo(config, yes)
        return
    started = time.perf_counter()
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
    ) as progress:
        task = progress.add_task("Генерация", total=None)

        def tick(stage: str, done: int, total: int) -> None:
            progress.update(task, description=stage, completed=done, total=total)

        with recorded():  # what `demo --remove` takes out again
            report = generate(clients, orders, seed=seed, progress=tick)
            fill_inbox(build_store(config), seed=seed)
    elapsed = time.perf_counter() - started
    console.print(
        f"Готово за {elapsed:.1f} с: клиентов {report.clients}, заказов {report.orders}, "
        f"переходов {report.moves}, оплат {report.payments}, движений кассы {report.expenses}, "
        f"сообщений {report.messages}. Менеджеры maria / oleg, пароль {report.passwords['maria']}"
    )


def _remove_demo(config, yes: bool) -> None:
    """`brigadir demo --remove`: say what goes, ask, take it out."""
    from cli.demo.remove import NothingToRemove, remove_demo, what_would_go
    from storage import build_store

    try:
        going = what_would_go()
    except NothingToRemove as exc:
        raise Refused(str(exc)) from None
    console.print(
        f"Будут удалены демо-данные: клиентов {going.clients}, заказов {going.orders} с их "
        f"сообщениями, оплатами, кассой и документами, демо-сотрудников {going.staff}. "
        "Останутся директор и ваши сотрудники, процессы, шаблоны и настройки."
    )
    if not yes and not click.confirm(
        "Удалить? (y — да, n — нет)", default=False, show_default=False
    ):
        console.print("Ничего не удалено.")
        return
    done = remove_demo(build_store(config))
    console.print(f"Демо-данные удалены (файлов: {done.files}). Первый настоящий заказ получит №1.")


def _logging() -> None:
    import logging

    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    # INFO is what an operator acts on: not every job tick, not a PDF's font subsetting.
    for chatty in ("apscheduler", "fontTools"):
        logging.getLogger(chatty).setLevel(logging.WARNING)


def _exit_now(again: bool = False) -> None:
    """Exit at once after an orderly stop: everything is written and the lease handed over.
    Finalizing the interpreter (a full garbage collection over every module the web app,
    the bots and the PDFs loaded) would add seconds to a stop on a busy host. `again`: start
    the same command anew instead (settings changed in the web)."""
    import logging
    import os
    import sys

    if again:
        exec_again()
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


def _login_hint(config) -> str:
    """What a newcomer needs to log in: the director's login and, on a fresh install, the
    generated password that `init` kept in data/first-login.txt."""
    director = Employee.select().where((Employee.role == "director") & Employee.active).first()
    if director is None:
        return "Директора нет: выполните brigadir init"
    hint = f"логин {director.login}"
    path = first_login_file(config)
    if path.exists():
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.startswith("password:"):
                hint += f", пароль {line.split(':', 1)[1].strip()} (из {path})"
    return hint


def _chat_invites() -> list[tuple[str, str]]:
    """Open invite codes for the web chat: one crew member and one manager, if they exist."""
    from core.base.clock import utcnow
    from core.clients.models import Invite, MessengerLink
    from core.people.staff import create_invite

    picks = []
    for role, crew in (("executor", True), ("manager", False)):
        query = Employee.select().where(
            (Employee.role == role) & Employee.active & ~Employee.is_external
        )
        query = query.where(Employee.crew.is_null(not crew))
        linked = MessengerLink.select(MessengerLink.employee).where(
            MessengerLink.employee.is_null(False)
        )
        person = query.where(Employee.id.not_in(linked)).order_by(Employee.id).first()
        if person is None:
            continue
        invite = (
            Invite.select()
            .where(
                (Invite.employee == person)
                & Invite.used_at.is_null()
                & (Invite.expires_at > utcnow())
            )
            .first()
        ) or create_invite(SYSTEM, employee_id=person.id)
        picks.append((person.name, invite.code))
    return picks


@main.command()
@click.pass_context
def run(ctx: click.Context) -> None:
    """Всё в одной группе процессов: веб-панель и веб-чат, боты (если заданы токены), планировщик."""
    import signal

    from cli.serve import (
        build_scheduler,
        build_web_app,
        cap_malloc_arenas,
        register_telegram_webhook,
        run_polling,
        serve_web,
    )
    from storage import build_store

    cap_malloc_arenas()
    _logging()
    _open(ctx)
    prepare()
    config = runtime.config()  # with the settings a migration may just have moved
    store = build_store(config)
    server = serve_web(build_web_app(config, store), config.web.host, config.web.port)
    scheduler = build_scheduler(config, store)
    scheduler.start()
    base = f"http://{config.web.host}:{server.server_port}"
    console.print(
        f"\n[bold]Бригадир работает.[/] Веб-панель: [bold]{base}/admin/[/] — {_login_hint(config)}"
    )
    console.print(f"Веб-чат (те же диалоги, что в Telegram и Viber): [bold]{base}/chat/[/]")
    for name, code in _chat_invites():
        console.print(f"  код приглашения для «{name}»: [bold]{code}[/]")
    bots = []
    if config.telegram.token and config.telegram.mode == "polling":
        bots.append("Telegram")
    if config.telegram.token and config.telegram.mode == "webhook":
        bots.append(register_telegram_webhook(config))
    if config.viber.token:
        bots.append("Viber (вебхук)")
    console.print(
        f"Боты: {', '.join(bots) if bots else 'токены не заданы — только веб-чат'}. Ctrl+C — остановить."
    )
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())  # what process managers send
    watch = SettingsWatch()
    watch.start(stop)  # a bot token saved in the web: stop in order, start again
    try:
        if config.telegram.token and config.telegram.mode == "polling":
            run_polling(config, store, stop)
        else:
            stop.wait()
    except KeyboardInterrupt:
        pass
    finally:
        stop.set()
        scheduler.shutdown()  # the message in hand is finished, the lease handed over
        server.shutdown()
        console.print(
            "Перезапуск с новыми настройками…" if watch.restart.is_set() else "Остановлено."
        )
    _exit_now(again=watch.restart.is_set())  # only after a clean stop; errors propagate


@main.command()
@click.option(
    "--gunicorn",
    "use_gunicorn",
    is_flag=True,
    help="Рабочие процессы gunicorn (для работы на сервере).",
)
@click.option("--workers", default=2, show_default=True, type=click.IntRange(1, 64),
              help="Сколько процессов gunicorn.")  # fmt: skip
@click.pass_context
def web(ctx: click.Context, use_gunicorn: bool, workers: int) -> None:
    """Только веб: панель, веб-чат, вебхуки Telegram и Viber."""
    from cli.serve import (
        build_web_app,
        cap_malloc_arenas,
        register_telegram_webhook,
        serve_gunicorn,
        serve_web,
    )
    from storage import build_store

    cap_malloc_arenas()
    _open(ctx)
    prepare()
    config = runtime.config()
    webhook = config.telegram.token and config.telegram.mode == "webhook"

    def build():
        open_database(config)
        return build_web_app(config, build_store(config))

    if use_gunicorn:
        if webhook:  # before the workers: each would register it again
            console.print(register_telegram_webhook(config))
        serve_gunicorn(config, workers, build)
        return
    server = serve_web(build(), config.web.host, config.web.port)
    console.print(f"Веб-панель: http://{config.web.host}:{server.server_port}/admin/")
    if webhook:
        console.print(register_telegram_webhook(config))
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        server.shutdown()


@main.command()
@click.pass_context
def bots(ctx: click.Context) -> None:
    """Только Telegram-бот в режиме long polling (в режиме webhook его обслуживает веб)."""

    from cli.serve import run_polling
    from storage import build_store

    _logging()
    config = _open(ctx)
    if not config.telegram.token:
        raise Refused("Не задан [telegram] token — боту нечего запускать.")
    if config.telegram.mode != "polling":
        raise Refused("[telegram] mode = webhook: обновления принимает `brigadir web`.")
    try:
        run_polling(config, build_store(config))
    except KeyboardInterrupt:
        pass


@main.command()
@click.pass_context
def scheduler(ctx: click.Context) -> None:
    """Только планировщик: доставка сообщений, напоминания, эскалации, почта, синхронизация файлов."""

    from cli.serve import build_scheduler
    from storage import build_store

    _logging()
    _open(ctx)
    prepare()
    config = runtime.config()
    import signal

    jobs = build_scheduler(config, build_store(config))
    jobs.start()
    console.print(
        "Планировщик запущен (работает тот экземпляр, что держит аренду в базе). Ctrl+C — остановить."
    )
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())  # what process managers send
    watch = SettingsWatch()
    watch.start(stop)
    try:
        stop.wait()
    except KeyboardInterrupt:
        pass
    finally:
        jobs.shutdown()  # the message in hand is finished, a standby takes over at once
        console.print("Остановлено.")
    _exit_now(again=watch.restart.is_set())  # only after a clean stop; errors propagate


@main.command("import")
@click.argument("kind", type=click.Choice(["orders", "clients"]))
@click.argument(
    "source", metavar="ФАЙЛ", type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@click.option(
    "--write", is_flag=True, help="Записать (без флага — только проверка, ничего не пишется)."
)
@click.option(
    "--pipeline", type=click.Choice(["printing", "installation"]), help="Процесс для заказов."
)
@click.option(
    "--status", "statuses", multiple=True, metavar="СЛОВО=ЭТАП",
    help="Статус из таблицы — этап программы: --status \"монтируется=Монтаж\".",
)  # fmt: skip
@click.option(
    "--crew", "crews", multiple=True, metavar="ИМЯ=БРИГАДА",
    help="Бригада из таблицы — бригада программы или «новая»: --crew \"Петров=Бригада Петрова\".",
)  # fmt: skip
@click.option(
    "--type", "types", multiple=True, metavar="СЛОВО=ТИП",
    help="Тип объекта из таблицы — тип из настроек или «как есть»: --type \"Дача=Дача / садовый участок\".",
)  # fmt: skip
@click.pass_context
def import_command(
    ctx: click.Context,
    kind: str,
    source: Path,
    write: bool,
    pipeline: str | None,
    statuses: tuple[str, ...],
    crews: tuple[str, ...],
    types: tuple[str, ...],
) -> None:
    """Перенести таблицу Excel (.xlsx, .xls) или CSV (заказы монтажников или клиентов
    типографии): сначала проверка каждой строки, с --write — запись всего или ничего. Свои
    слова таблицы (статусы, бригады, типы объектов) сопоставляются один раз через --status,
    --crew и --type и запоминаются."""
    from core.orders.imports import guess_mapping, read_table, run_import

    words = _import_words(statuses, crews, types)
    _open(ctx)
    prepare()
    director = Employee.select().where((Employee.role == "director") & Employee.active).first()
    if director is None:
        raise Refused("Нет директора: сначала brigadir init.")
    try:
        rows = read_table(source.read_bytes(), source.name)
        mapping = guess_mapping(rows[0], kind) if rows else {}
        report = run_import(
            actor_for_employee(director), rows, kind, mapping, dry_run=not write,
            pipeline=pipeline, words=words,
        )  # fmt: skip
    except BrigadirError as exc:
        raise Refused(str(exc)) from None
    _print_import(report, rows[0], mapping, kind, write)
    if write and not report.written:
        raise SystemExit(1)


def _import_words(
    statuses: tuple[str, ...], crews: tuple[str, ...], types: tuple[str, ...]
) -> dict:
    """--status/--crew/--type СЛОВО=ЦЕЛЬ as core.orders.imports reads the table's words."""
    from core.orders.imports import AS_TYPED, NEW_CREW

    def pairs(values: tuple[str, ...], option: str) -> dict[str, str]:
        found = {}
        for value in values:
            word, sep, target = value.partition("=")
            if not sep or not word.strip() or not target.strip():
                raise click.BadParameter(f"нужно СЛОВО=ЦЕЛЬ, а не «{value}»", param_hint=option)
            found[word.strip()] = target.strip()
        return found

    def aside(target: str, words: tuple[str, ...], meaning: str) -> str:
        return meaning if target.lower() in words else target

    return {
        "stage": pairs(statuses, "--status"),
        "crew": {w: aside(t, ("новая", "new"), NEW_CREW) for w, t in pairs(crews, "--crew").items()},
        "object_type": {w: aside(t, ("как есть",), AS_TYPED) for w, t in pairs(types, "--type").items()},
    }  # fmt: skip


def _print_import(
    report, headers: list[str], mapping: dict[str, int], kind: str, write: bool
) -> None:
    from rich.table import Table

    from core.orders.imports import CLIENT_FIELDS, ORDER_FIELDS

    labels = CLIENT_FIELDS if kind == "clients" else ORDER_FIELDS
    console.print(
        "Колонки: " + "; ".join(f"{labels[k][0]} ← «{headers[i]}»" for k, i in mapping.items())
    )
    if report.failed:
        table = Table("Строка", "Ошибки", title=f"Строки с ошибками: {len(report.failed)}")
        for row in report.failed[:200]:
            table.add_row(str(row.line), "; ".join(row.errors))
        console.print(table)
    for note in report.notes:
        console.print(note)
    hints = {
        "stage": ("Статусы без этапа", ' — укажите: --status "СЛОВО=Этап".'),
        "crew": ("Бригады не найдены", ' — укажите: --crew "ИМЯ=Бригада" или --crew "ИМЯ=новая".'),
        "object_type": ("Типы объектов не из настроек (записаны как есть)",
                        ' — укажите: --type "СЛОВО=Тип" или --type "СЛОВО=как есть".'),
    }  # fmt: skip
    for what, words in report.unmapped.items():
        if words:
            console.print(
                f"{hints[what][0]}: " + ", ".join(f"«{w}»" for w in words) + hints[what][1]
            )
    verdict = (
        "записано"
        if report.written
        else ("ничего не записано" if write else "проверка, ничего не записано")
    )
    console.print(f"Строк без ошибок: {report.ok} из {len(report.rows)} — {verdict}.")


@main.command()
@click.pass_context
def migrate(ctx: click.Context) -> None:
    """Обновить схему базы до текущей версии (данные сохраняются)."""
    _open(ctx)
    before, after = migrations.upgrade()
    console.print(
        f"Схема: v{before} → v{after}" if before != after else f"Схема уже актуальна (v{after})."
    )


@main.group()
def user() -> None:
    """Учётные записи сотрудников."""


@user.command("add")
@click.argument("name", metavar="ИМЯ")
@click.option(
    "--role",
    type=click.Choice(["director", "manager", "executor"]),
    default="manager",
    show_default=True,
)
@click.option("--login", help="Логин для веб-панели.")
@click.option("--password", help="Пароль (если не указан — будет сгенерирован).")
@click.option("--external", is_flag=True, help="Подрядчик (перезаказ).")
@click.pass_context
def user_add(
    ctx: click.Context,
    name: str,
    role: str,
    login: str | None,
    password: str | None,
    external: bool,
) -> None:
    """Добавить сотрудника (с логином — может входить в веб-панель)."""
    from core.base.security import generate_password
    from core.people.staff import create_employee

    _open(ctx)
    if login and not password:
        password = generate_password()
    try:
        employee = create_employee(
            SYSTEM, name, role, login=login, password=password, is_external=external
        )
    except BrigadirError as exc:
        raise Refused(str(exc)) from None
    console.print(f"Сотрудник #{employee.id} {employee.name} ({role}) добавлен.")
    if login:
        console.print(
            f"Логин [bold]{login}[/], пароль [bold]{password}[/] — показывается один раз."
        )


@main.command()
@click.argument(
    "target", metavar="[ФАЙЛ]", required=False, type=click.Path(dir_okay=False, path_type=Path)
)
@click.option(
    "--with-secrets",
    is_flag=True,
    help="Положить в копию и config.toml (токены, секретный ключ). Храните такую копию бережно.",
)
@click.pass_context
def backup(ctx: click.Context, target: Path | None, with_secrets: bool) -> None:
    """Сделать резервную копию: база и все файлы заказов в одном архиве с описью (можно при
    работающей программе)."""
    from cli.backup import take_backup
    from core import backups
    from core.base.errors import BrigadirError
    from storage.errors import StorageError

    config = _open(ctx)
    try:
        result = take_backup(config, target, with_secrets=with_secrets)
    except (BrigadirError, StorageError, RuntimeError, OSError) as exc:
        raise Refused(f"Копия не сделана: {exc}") from None
    backups.record_success(result.size, result.path.name)
    remote = f", на Яндекс Диске перечислено {result.remote_listed}" if result.remote_listed else ""
    console.print(
        f"Копия сохранена: {result.path} ({backups.format_size(result.size)}, файлов {result.files}"
        f"{remote}){'' if with_secrets else '. Токены и секретный ключ не включены'}."
    )


@main.command()
@click.argument("source", metavar="АРХИВ", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Не спрашивать подтверждения.")
@click.pass_context
def restore(ctx: click.Context, source: Path, yes: bool) -> None:
    """Вернуть базу и файлы из копии. Копия сначала проверяется целиком; заменяемые данные
    сохраняются рядом с копиями."""
    from cli.backup import restore_backup
    from cli.context import config_path
    from core.base.errors import BrigadirError

    config = _open(ctx)
    if not yes and not click.confirm(
        f"Заменить базу {config.database_url} и файлы в {config.storage_root} копией {source}?"
    ):
        raise Refused("Отменено: ничего не изменено.")
    config_target = Path(config_path(ctx.obj["config_file"]) or DEFAULT_CONFIG)
    try:
        result = restore_backup(config, source, config_target)
    except (BrigadirError, RuntimeError, OSError) as exc:
        raise Refused(str(exc)) from None
    open_database(config)
    migrations.upgrade()  # a copy from an older version gets today's schema
    if result.config_restored:
        console.print(f"Настройки восстановлены в {config_target}.")
    else:
        _write_config(config_target, config.database.url)
    console.print(
        f"Восстановлено из {source}: заказов {Order.select().count()}, файлов {result.files}; "
        "всё сверено с описью."
    )
    if result.replaced is not None:
        console.print(f"Прежние база и файлы сохранены в {result.replaced}")


if __name__ == "__main__":
    main()
