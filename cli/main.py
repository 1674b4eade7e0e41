"""`brigadir` — set up, fill, run, back up. Each command reads the config once."""

from __future__ import annotations

import secrets
import time
from pathlib import Path

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from cli.context import DEFAULT_CONFIG, open_config, open_database
from core import migrations
from core.access import SYSTEM
from core.errors import BrigadirError
from core.models import Employee, Order
from core.setup import create_director, prepare

console = Console()
EXAMPLE = Path(__file__).resolve().parent.parent / "config.example.toml"


@click.group()
@click.option(
    "--config", "config_file", envvar="BRIGADIR_CONFIG", help="Файл настроек (config.toml)."
)
@click.pass_context
def main(ctx: click.Context, config_file: str | None) -> None:
    """Бригадир: заказы, клиенты, касса и боты для небольшой фирмы."""
    ctx.obj = {"config_file": config_file}


def _open(ctx: click.Context):
    config = open_config(ctx.obj["config_file"])
    open_database(config)
    return config


def first_login_file(config) -> Path:
    return config.data_dir / "first-login.txt"


@main.command()
@click.option("--demo", is_flag=True, help="Сразу заполнить демо-данными.")
@click.pass_context
def init(ctx: click.Context, demo: bool) -> None:
    """Создать настройки, базу и учётную запись директора (пароль печатается один раз)."""
    target = Path(ctx.obj["config_file"] or DEFAULT_CONFIG)
    if not target.exists():
        text = EXAMPLE.read_text(encoding="utf-8").replace(
            'secret_key = ""', f'secret_key = "{secrets.token_hex(32)}"', 1
        )
        target.write_text(text, encoding="utf-8")
        console.print(f"Создан файл настроек [bold]{target}[/]")
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
@click.option("--clients", default=300, show_default=True, type=click.IntRange(1, 1_000_000))
@click.option("--orders", default=1500, show_default=True, type=click.IntRange(0, 10_000_000))
@click.option("--seed", default=7, show_default=True)
@click.pass_context
def demo_command(ctx: click.Context, clients: int, orders: int, seed: int) -> None:
    """Заполнить базу правдоподобными данными для обоих процессов (полиграфия и монтаж)."""
    from cli.demo import generate

    _open(ctx)
    prepare()
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

        report = generate(clients, orders, seed=seed, progress=tick)
    elapsed = time.perf_counter() - started
    console.print(
        f"Готово за {elapsed:.1f} с: клиентов {report.clients}, заказов {report.orders}, "
        f"переходов {report.moves}, оплат {report.payments}, движений кассы {report.expenses}, "
        f"сообщений {report.messages}. Менеджеры maria / oleg, пароль {report.passwords['maria']}"
    )


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
@click.argument("name")
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
    from core.security import generate_password
    from core.staff import create_employee

    _open(ctx)
    if login and not password:
        password = generate_password()
    try:
        employee = create_employee(
            SYSTEM, name, role, login=login, password=password, is_external=external
        )
    except BrigadirError as exc:
        raise click.ClickException(str(exc)) from None
    console.print(f"Сотрудник #{employee.id} {employee.name} ({role}) добавлен.")
    if login:
        console.print(
            f"Логин [bold]{login}[/], пароль [bold]{password}[/] — показывается один раз."
        )


@main.command()
@click.argument("target", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.pass_context
def backup(ctx: click.Context, target: Path | None) -> None:
    """Сделать согласованную копию базы (можно при работающей программе)."""
    from cli.backup import backup as do_backup
    from cli.backup import default_name
    from core.db import is_postgres

    config = _open(ctx)
    target = target or default_name(config.data_dir, is_postgres())
    try:
        path = do_backup(config.database_url, target)
    except (RuntimeError, OSError) as exc:
        raise click.ClickException(str(exc)) from None
    console.print(f"Копия сохранена: {path} ({path.stat().st_size / 1024:.0f} КБ)")


@main.command()
@click.argument("source", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Не спрашивать подтверждения.")
@click.pass_context
def restore(ctx: click.Context, source: Path, yes: bool) -> None:
    """Вернуть базу из копии (текущие данные будут заменены)."""
    from cli.backup import restore as do_restore

    config = _open(ctx)
    if not yes:
        click.confirm(f"Заменить данные в {config.database_url} копией {source}?", abort=True)
    from core.db import database

    database.close()
    try:
        do_restore(config.database_url, source)
    except (RuntimeError, OSError, ValueError) as exc:
        raise click.ClickException(str(exc)) from None
    open_database(config)
    console.print(f"База восстановлена из {source}: заказов {Order.select().count()}.")


if __name__ == "__main__":
    main()
