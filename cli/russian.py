"""Click's own words in Russian: «Использование:», «Параметры», «Показать эту справку и выйти.»,
its error messages and the type names in the help («ТЕКСТ», «ПУТЬ»).

Click asks gettext for every phrase it prints; the CLI installs this catalogue in Click's
modules once, before any command is declared, so no English reaches a user of `brigadir`."""

from __future__ import annotations

import importlib

import click

__all__ = ["PHRASES", "PLURALS", "RuCommand", "RuGroup", "install"]

PHRASES = {
    "Usage:": "Использование:",
    "Options": "Параметры",
    "Commands": "Команды",
    "Positional arguments": "Аргументы",
    "Show this message and exit.": "Показать эту справку и выйти.",
    "Show the version and exit.": "Показать версию и выйти.",
    "%(prog)s, version %(version)s": "%(prog)s, версия %(version)s",
    "Try '{command} {option}' for help.": "Справка: «{command} {option}».",
    "Error: {message}": "Ошибка: {message}",
    "Aborted!": "Прервано.",
    "Missing command.": "Не указана команда.",
    "Missing argument": "Не указан аргумент",
    "Missing option": "Не указан параметр",
    "Missing parameter": "Не указан параметр",
    "Missing parameter: {param_name}": "Не указан параметр: {param_name}",
    "Missing {param_type}": "Не указан {param_type}",
    "No such command {name!r}.": "Нет такой команды: {name!r}.",
    "No such option {name!r}.": "Нет такого параметра: {name!r}.",
    "Invalid value for {param_hint}: {message}": "Неверное значение {param_hint}: {message}",
    "Invalid value: {message}": "Неверное значение: {message}",
    "Option {name!r} does not take a value.": "Параметр {name!r} не принимает значения.",
    "Argument {name!r} takes {nargs} values.": "Аргумент {name!r} принимает {nargs} значения.",
    "Invalid start character for option ({option})": "Неверный первый символ параметра ({option})",
    "Repeat for confirmation": "Повторите для подтверждения",
    "Error: The two entered values do not match.": "Ошибка: введённые значения не совпадают.",
    "Error: invalid input": "Ошибка: неверный ввод",
    "Do you want to continue?": "Продолжить?",
    "Confirm the action without prompting.": "Подтвердить действие без вопроса.",
    "Press any key to continue...": "Нажмите любую клавишу…",
    "Choose from:\n\t{choices}": "Выберите одно из:\n\t{choices}",
    "Choice({choices})": "Выбор({choices})",
    "Value must be an iterable.": "Нужен список значений.",
    "Could not open file {filename!r}: {message}": "Не удалось открыть файл {filename!r}: {message}",
    "{name} {filename!r} does not exist.": "{name} {filename!r} не существует.",
    "{name} {filename!r} is a file.": "{name} {filename!r} — это файл.",
    "{name} {filename!r} is a directory.": "{name} {filename!r} — это папка.",
    "{name} {filename!r} is not readable.": "{name} {filename!r} нельзя прочитать.",
    "{name} {filename!r} is not writable.": "В {name} {filename!r} нельзя записать.",
    "{name} {filename!r} is not executable.": "{name} {filename!r} нельзя запустить.",
    "{value!r} is not a valid {number_type}.": "{value!r} — не {number_type}.",
    "{value!r} is not a valid UUID.": "{value!r} — не UUID.",
    "{value} is not in the range {range}.": "{value} вне диапазона {range}.",
    "file": "Файл",
    "directory": "Папка",
    "path": "Путь",
    "default: {default}": "по умолчанию: {default}",
    "env var: {var}": "переменная окружения: {var}",
    "required": "обязательно",
    "deprecated": "устарело",
    "(dynamic)": "(вычисляется)",
    "unknown error": "неизвестная ошибка",
}
# (singular, plural) -> (one, few, many), agreed by core.documents.words.plural.
PLURALS = {
    ("Got unexpected extra argument ({args})", "Got unexpected extra arguments ({args})"): (
        "Лишний аргумент ({args})", "Лишние аргументы ({args})", "Лишние аргументы ({args})"),
    ("Did you mean {possibility}?", "(Did you mean one of: {possibilities}?)"): (
        "Может быть, {possibility}?", "(Может быть, одно из: {possibilities}?)",
        "(Может быть, одно из: {possibilities}?)"),
    ("Option {name!r} requires an argument.", "Option {name!r} requires {nargs} arguments."): (
        "Параметру {name!r} нужно значение.", "Параметру {name!r} нужно {nargs} значения.",
        "Параметру {name!r} нужно {nargs} значений."),
    ("{value!r} is not {choice}.", "{value!r} is not one of {choices}."): (
        "{value!r} — не {choice}.", "{value!r} — не одно из: {choices}.",
        "{value!r} — не одно из: {choices}."),
    ("{value!r} does not match the format {format}.", "{value!r} does not match the formats {formats}."): (
        "{value!r} не в формате {format}.", "{value!r} не в форматах {formats}.",
        "{value!r} не в форматах {formats}."),
    ("Takes {nargs} values but 1 was given.", "Takes {nargs} values but {len} were given."): (
        "Нужно {nargs} значения, дано одно.", "Нужно {nargs} значения, дано {len}.",
        "Нужно {nargs} значения, дано {len}."),
    ("{len_type} values are required, but {len_value} was given.",
     "{len_type} values are required, but {len_value} were given."): (
        "Нужно значений: {len_type}, дано {len_value}.", "Нужно значений: {len_type}, дано {len_value}.",
        "Нужно значений: {len_type}, дано {len_value}."),
}  # fmt: skip
# Type names shown as metavars («--config ФАЙЛ») and in errors («"x" — не целое число»).
TYPE_NAMES = {
    click.types.StringParamType: "текст", click.types.IntParamType: "число",
    click.types.FloatParamType: "число", click.types.BoolParamType: "да/нет",
    click.types.Path: "путь", click.types.File: "файл", click.types.UUIDParameterType: "uuid",
    click.types.DateTime: "дата", click.types.IntRange: "число",
    click.types.FloatRange: "число",
}  # fmt: skip
MODULES = ("core", "decorators", "exceptions", "formatting", "parser", "termui", "types", "utils")


def _gettext(message: str) -> str:
    return PHRASES.get(message, message)


def _ngettext(singular: str, plural: str, n: int) -> str:
    from core.documents.words import plural as agree

    forms = PLURALS.get((singular, plural))
    if forms is None:
        return singular if n == 1 else plural
    return agree(n, *forms)


class RuCommand(click.Command):
    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("options_metavar", "[ПАРАМЕТРЫ]")
        super().__init__(*args, **kwargs)


class RuGroup(click.Group):
    command_class = RuCommand

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("options_metavar", "[ПАРАМЕТРЫ]")
        kwargs.setdefault("subcommand_metavar", "КОМАНДА [АРГУМЕНТЫ]...")
        super().__init__(*args, **kwargs)


RuGroup.group_class = RuGroup


def install() -> None:
    """Put the catalogue into Click's modules (idempotent)."""
    for name in MODULES:
        module = importlib.import_module(f"click.{name}")
        if hasattr(module, "_"):
            module._ = _gettext
        if hasattr(module, "ngettext"):
            module.ngettext = _ngettext
    for kind, name in TYPE_NAMES.items():
        kind.name = name
