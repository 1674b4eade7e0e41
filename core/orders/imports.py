"""Importing the firms' existing tables: the installer's Excel list of orders and a print
shop's client list (XLSX or CSV).

Columns are matched by their headers (Russian words people use), the director can change
the mapping. The table's own words — a status "монтируется", a crew "Петров" — are mapped
once to the firm's stages and crews (or "create a new crew"); nothing is guessed silently,
and the mapping is remembered for the next import. Every run first goes through the real
use cases inside one transaction:
a dry run rolls it back and reports each row's errors; a real run commits only when no
row failed — all or nothing. Imported history is quiet: no client or staff messages."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from core.access import Actor, require_role
from core.base import runtime, settings
from core.base.clock import from_local
from core.base.db import database
from core.base.errors import BrigadirError, ValidationError
from core.base.money import parse_money
from core.base.phones import normalize_phone
from core.clients import clients, search
from core.clients.models import Client
from core.conversations.models import Notification
from core.orders import orders, pipelines
from core.orders.models import Order, Pipeline, Stage
from core.people.models import Crew, Employee

__all__ = [
    "CLIENT_FIELDS",
    "ORDER_FIELDS",
    "ImportReport",
    "AS_TYPED",
    "NEW_CREW",
    "WordChoices",
    "guess_mapping",
    "read_table",
    "run_import",
]

MAX_ROWS = 20_000
NEW_CREW = "new"  # the choice "create a new crew with this name"
# {"stage": {pipeline: {word: stage code}}, "crew": {word: id}, "object_type": {word: type}}
WORDS_SETTING = "import_words"
AS_TYPED = "="  # the choice "keep the table's object type word as it is"
MAX_BYTES = 10 * 1024 * 1024

CLIENT_FIELDS = {
    "name": (
        "Имя / название",
        ["фио", "клиент", "имя", "название", "наименование", "заказчик", "контрагент"],
    ),
    "phone": ("Телефон", ["телефон", "тел", "мобильный", "phone"]),
    "phone2": ("Второй телефон", ["телефон 2", "доп телефон", "второй телефон"]),
    "email": ("E-mail", ["email", "e-mail", "почта", "эл почта", "электронная почта"]),
    "address": ("Адрес", ["адрес"]),
    "inn": ("ИНН", ["инн"]),
    "notes": ("Заметки", ["примечание", "заметки", "комментарий"]),
}
ORDER_FIELDS = {
    # The product's own export headers too ("Принят", "Оплачено", "Этап"): a file exported
    # here comes back as the same orders.
    "created_at": ("Дата заказа", ["дата", "дата заказа", "дата приема", "дата выезда", "принят"]),
    "client": ("ФИО клиента", ["фио", "клиент", "заказчик", "имя"]),
    "phone": ("Телефон", ["телефон", "тел"]),
    "object_address": ("Адрес объекта", ["адрес объекта", "адрес"]),
    "object_type": ("Тип объекта", ["тип объекта", "тип"]),
    "description": ("Описание", ["описание", "работы", "что делаем", "заказ"]),
    "cost": ("Общая стоимость", ["стоимость", "общая стоимость", "сумма", "цена", "итого"]),
    "advance": ("Аванс", ["аванс", "предоплата", "аванс получен", "оплачено"]),
    "advance_method": (
        "Как получен аванс",
        [
            "способ оплаты",
            "как оплачен",
            "оплата аванса",
            "способ оплаты аванса",
            "как получен аванс",
        ],
    ),
    "documents_received": (
        "Документы получены",
        ["документы", "документы получены", "все документы получены"],
    ),
    "install_date": ("Дата монтажа", ["дата монтажа", "монтаж", "дата выполнения монтажа"]),
    "crew": ("Бригада", ["бригада", "какая бригада"]),
    "stage": ("Статус", ["статус", "этап", "статус заказа"]),
    "object_note": (
        "Примечание / особенности",
        ["примечание", "особенности", "комментарий", "особенности объекта"],
    ),
    "due_date": ("Срок", ["срок", "срок готовности"]),
    "executor": ("Исполнитель", ["исполнитель"]),
    "subcontractor": ("Подрядчик", ["подрядчик", "перезаказ"]),
    "manager": ("Менеджер", ["менеджер", "принял"]),
}


@dataclass
class RowResult:
    line: int  # the spreadsheet's row number (header is 1)
    values: dict[str, str]
    errors: list[str] = field(default_factory=list)


@dataclass
class ImportReport:
    kind: str
    rows: list[RowResult]
    written: bool = False
    notes: list[str] = field(default_factory=list)  # what the person should know besides errors
    # The table's own words that are not a stage's or a crew's name, each with what it is
    # mapped to now (a stage code, a crew id as text, NEW_CREW) or None while unmapped.
    words: dict[str, dict[str, str | None]] = field(
        default_factory=lambda: {"stage": {}, "crew": {}, "object_type": {}}
    )
    # Object type words with a likely firm's type ("Дача" -> "Дача / садовый участок"),
    # offered first in the choice; nothing is taken without the person choosing it.
    suggested: dict[str, str] = field(default_factory=dict)

    @property
    def unmapped(self) -> dict[str, list[str]]:
        """Words still to map: stages and crews fail their rows until mapped; an object type
        is kept as typed meanwhile."""
        return {k: [w for w, to in v.items() if to is None] for k, v in self.words.items()}

    @property
    def ok(self) -> int:
        return sum(1 for r in self.rows if not r.errors)

    @property
    def failed(self) -> list[RowResult]:
        return [r for r in self.rows if r.errors]


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return (
            value.strftime("%d.%m.%Y")
            if value.time() == datetime.min.time()
            else value.strftime("%d.%m.%Y %H:%M")
        )
    if isinstance(value, date):
        return value.strftime("%d.%m.%Y")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _xlsx_rows(data: bytes) -> list[list[str]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - any parse problem is the same for the user
        raise ValidationError(
            "Не получилось открыть файл Excel (.xlsx). Сохраните его заново."
        ) from exc
    rows = [[_cell(v) for v in row] for row in book.worksheets[0].iter_rows(values_only=True)]
    book.close()
    return rows


def _xls_rows(data: bytes) -> list[list[str]]:
    """Excel 97–2003 (.xls), read by xlrd; its dates are numbers with the book's date mode."""
    import xlrd

    try:
        book = xlrd.open_workbook(file_contents=data, on_demand=True)
        sheet = book.sheet_by_index(0)
    except Exception as exc:  # noqa: BLE001 - any parse problem is the same for the user
        raise ValidationError(
            "Не получилось открыть файл Excel (.xls). Сохраните его заново."
        ) from exc

    def value(cell: Any) -> Any:
        if cell.ctype == xlrd.XL_CELL_DATE:
            return xlrd.xldate.xldate_as_datetime(cell.value, book.datemode)
        return cell.value

    rows = [[_cell(value(c)) for c in sheet.row(r)] for r in range(sheet.nrows)]
    book.release_resources()
    return rows


def _csv_rows(data: bytes) -> list[list[str]]:
    for encoding in ("utf-8-sig", "cp1251"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ValidationError("Не понимаю кодировку CSV: сохраните как UTF-8.")
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=";,\t")
    except csv.Error:
        dialect = csv.excel
    return [[c.strip() for c in row] for row in csv.reader(io.StringIO(text), dialect)]


READERS = {".xlsx": _xlsx_rows, ".xls": _xls_rows, ".csv": _csv_rows}


def read_table(data: bytes, filename: str) -> list[list[str]]:
    """Rows of cell texts from an .xlsx, .xls or .csv file (header row first)."""
    if len(data) > MAX_BYTES:
        raise ValidationError("Файл больше 10 МБ: разбейте таблицу на части.")
    reader = READERS.get("." + filename.lower().rpartition(".")[2])
    if reader is None:
        raise ValidationError("Нужен файл Excel (.xlsx или .xls) или .csv.")
    rows = [r for r in reader(data) if any(c for c in r)]
    if len(rows) < 2:
        raise ValidationError("В таблице нет строк с данными (первая строка — заголовки).")
    if len(rows) > MAX_ROWS + 1:
        raise ValidationError(f"Слишком много строк: больше {MAX_ROWS}.")
    return rows


def guess_mapping(headers: list[str], kind: str) -> dict[str, int]:
    """Field -> column index, by header words; the longest matching synonym wins."""
    fields = CLIENT_FIELDS if kind == "clients" else ORDER_FIELDS
    folded = [" ".join(search.words(h)) for h in headers]
    mapping: dict[str, int] = {}
    taken: set[int] = set()
    candidates = []
    for key, (_label, synonyms) in fields.items():
        for syn in synonyms:
            syn_f = " ".join(search.words(syn))
            for index, head in enumerate(folded):
                if head == syn_f:
                    candidates.append((2, len(syn_f), key, index))
                elif syn_f and head.startswith(syn_f):
                    candidates.append((1, len(syn_f), key, index))
    for _exact, _length, key, index in sorted(candidates, reverse=True):
        if key not in mapping and index not in taken:
            mapping[key] = index
            taken.add(index)
    return mapping


_WITH_TIME = ("%d.%m.%Y %H:%M", "%d.%m.%Y %H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M")
_DATES = ("%d.%m.%Y", "%d.%m.%y", "%Y-%m-%d", "%d/%m/%Y")


def _moment(text: str, what: str) -> datetime | None:
    """A table's date, with its time of day when it has one, as the firm's wall clock."""
    text = text.strip()
    if not text:
        return None
    for fmt in _WITH_TIME + _DATES:
        try:
            return datetime.strptime(text, fmt)
        except ValueError:
            continue
    raise ValidationError(f"{what}: не понимаю дату «{text}» (нужно 31.12.2025).")


def _date(text: str, what: str) -> date | None:
    moment = _moment(text, what)
    return moment.date() if moment else None


def _received_at(text: str) -> datetime | None:
    """When the order was taken, stored in UTC: a date alone is the firm's local midnight, which
    every screen shows as the date without a time (not "03:00")."""
    moment = _moment(text, "Дата заказа")
    return from_local(moment) if moment else None


# The words a table uses for how an advance was paid. Without the column an advance counts
# as received by transfer: old cash was spent or handed over long ago and must not appear
# on today's main desk (the dry run says so).
_METHOD_WORDS = {  # in this order: "безнал" holds "нал", "перевод на карту" holds "карт"
    "transfer": ("безнал", "перевод", "сбп", "счет", "р/с", "банк"),
    "card": ("карт", "терминал", "эквайринг"),
    "cash": ("нал", "кэш", "cash", "касс"),
}


def _method(text: str) -> str:
    folded = search.fold(text.strip())
    if not folded:
        return "transfer"
    for method, words in _METHOD_WORDS.items():
        if any(folded.startswith(w) or w in folded for w in words):
            return method
    raise ValidationError(
        f"Способ оплаты «{text}» не понятен: напишите «наличные», «карта» или «перевод»."
    )


def _yes(text: str) -> bool:
    return search.fold(text.strip()) in (
        "да",
        "+",
        "1",
        "есть",
        "получены",
        "yes",
        "true",
        "v",
        "✓",
    )


def _key(word: str) -> str:
    return " ".join(search.fold(word).split())


KINDS = ("stage", "crew", "object_type")


class WordChoices:
    """Turns the table's status words and crew names into the firm's stages and crews:
    an exact name first, then what the person chose in this run, then what was chosen in
    earlier imports. An unmapped word fails its row and is listed for the person to map."""

    def __init__(self, pipeline: Pipeline, chosen: dict[str, dict[str, str]] | None) -> None:
        self.pipeline = pipeline
        self.flow = pipelines.stages_of(pipeline)
        self.crews = {_key(c.name): c for c in Crew.select()}
        self.people = {_key(e.name): e for e in Employee.select()}
        self.types = {_key(t): t for t in settings.get("object_types") or []}
        saved = settings.get(WORDS_SETTING) or {}
        self.saved_types: dict[str, str] = saved.get("object_type") or {}
        self.saved_stages: dict[str, str] = (saved.get("stage") or {}).get(pipeline.code, {})
        self.saved_crews: dict[str, int] = saved.get("crew") or {}
        chosen = chosen or {}
        self.chosen = {
            kind: {_key(w): str(to) for w, to in (chosen.get(kind) or {}).items() if str(to or "")}
            for kind in KINDS
        }
        self.fresh: set[str] = set()  # crews created in this run
        self.seen: dict[str, dict[str, str | None]] = {kind: {} for kind in KINDS}
        self.spelled: dict[str, str] = {}  # folded word -> its first spelling in the table
        self.used: dict[str, dict[str, object]] = {kind: {} for kind in KINDS}
        self.suggested: dict[str, str] = {}

    def _see(self, what: str, word: str, target: str | None) -> None:
        """One entry per word however it is spelled ("Петров", "петров")."""
        spelled = self.spelled.setdefault(f"{what}:{_key(word)}", word)
        self.seen[what].setdefault(spelled, target)

    def _stage_by(self, value: str) -> Stage | None:
        return next(
            (s for s in self.flow if value in (s.code, str(s.id)) or _key(s.name) == _key(value)),
            None,
        )

    def stage(self, word: str) -> Stage:
        word, key = word.strip(), _key(word)
        exact = next((s for s in self.flow if _key(s.name) == key), None)
        if exact is not None:
            return exact
        for source in (self.chosen["stage"].get(key), self.saved_stages.get(key)):
            found = self._stage_by(source) if source else None
            if found is not None:
                self._see("stage", word, found.code)
                self.used["stage"][key] = found.code
                return found
        self._see("stage", word, None)
        raise ValidationError(f"Статус «{word}» не сопоставлен ни с одним этапом: выберите этап.")

    def crew(self, name: str) -> Crew:
        name, key = name.strip(), _key(name)
        if key in self.fresh and not Crew.select().where(Crew.id == self.crews[key].id).exists():
            del self.crews[key]  # made for a row that failed afterwards: rolled back with it
        if key in self.crews:
            return self.crews[key]
        for source in (self.chosen["crew"].get(key), self.saved_crews.get(key)):
            if not source:
                continue
            if str(source) == NEW_CREW:
                crew = Crew.create(name=name[:100])
                self.crews[key] = crew
                self.fresh.add(key)
                self._see("crew", name, NEW_CREW)
                self.used["crew"][key] = crew.id
                return crew
            found = next(
                (c for c in self.crews.values() if str(source) in (str(c.id), c.name)), None
            )
            if found is not None:
                self._see("crew", name, str(found.id))
                self.used["crew"][key] = found.id
                return found
        self._see("crew", name, None)
        raise ValidationError(
            f"Бригада «{name}» не найдена: выберите бригаду или «создать новую бригаду»."
        )

    def object_type(self, word: str) -> str:
        """The firm's object type for the table's word: its exact name, else what was chosen
        (now or in an earlier import), else the word as typed, listed for the person to map
        ("Дача" offered as "Дача / садовый участок")."""
        word, key = word.strip(), _key(word)
        if not key or key in self.types:
            return self.types.get(key, word)
        for source in (self.chosen["object_type"].get(key), self.saved_types.get(key)):
            if source == AS_TYPED or (source and _key(source) in self.types):
                chosen = word if source == AS_TYPED else self.types[_key(source)]
                self._see("object_type", word, source if source == AS_TYPED else chosen)
                self.used["object_type"][key] = source if source == AS_TYPED else chosen
                return chosen
        self._see("object_type", word, None)
        hint = next((t for k, t in self.types.items() if k.split()[:1] == key.split()[:1]), None)
        if hint:
            self.suggested[self.spelled[f"object_type:{key}"]] = hint
        return word

    def person(self, name: str, what: str) -> Employee:
        """A staff member or a subcontractor firm by the name the program knows them by."""
        found = self.people.get(_key(name))
        if found is None:
            raise ValidationError(
                f"{what} «{name.strip()}» не найден среди сотрудников и подрядчиков."
            )
        return found

    def remember(self) -> None:
        """Keep this run's mapping for the next import (called when the rows are written)."""
        saved = settings.get(WORDS_SETTING) or {}
        stages = saved.setdefault("stage", {}).setdefault(self.pipeline.code, {})
        stages.update(self.used["stage"])
        saved.setdefault("crew", {}).update(self.used["crew"])
        saved.setdefault("object_type", {}).update(self.used["object_type"])
        settings.put(WORDS_SETTING, saved)


def _client_for(actor: Actor, name: str, phone: str) -> Client:
    normalized = normalize_phone(phone) if phone.strip() else None
    if normalized:
        found = Client.get_or_none(Client.phone == normalized)
        if found is not None:
            return found
    elif name:
        found = Client.get_or_none(Client.name == re.sub(r"\s+", " ", name.strip()))
        if found is not None:
            return found
    return clients.create_client(actor, name, normalized or "")


def _import_client(actor: Actor, values: dict[str, str]) -> None:
    data = {k: v for k, v in values.items() if k in CLIENT_FIELDS and v}
    name, phone = data.pop("name", ""), data.pop("phone", "")
    clients.create_client(actor, name, phone, **data)


def _sum(values: dict[str, str], key: str) -> int:
    return parse_money(values[key], allow_zero=True) if values.get(key) else 0


def _looked_up(values: dict[str, str], words: WordChoices) -> tuple[dict[str, int], Stage | None]:
    """The row's people, crew and stage by the table's words. Every word is looked at before
    failing: the dry run lists each unknown one at once."""
    lookups = (
        ("crew_id", "crew", lambda v: words.crew(v).id),
        ("executor_id", "executor", lambda v: words.person(v, "Исполнитель").id),
        ("subcontractor_id", "subcontractor", lambda v: words.person(v, "Подрядчик").id),
        ("manager_id", "manager", lambda v: words.person(v, "Менеджер").id),
        ("stage", "stage", words.stage),
    )
    found: dict[str, Any] = {}
    problems = []
    for key, column, look in lookups:
        try:
            if values.get(column):
                found[key] = look(values[column])
        except ValidationError as exc:
            problems.append(str(exc))
    if problems:
        raise ValidationError(" ".join(problems))
    return found, found.pop("stage", None)


def _import_order(
    actor: Actor, values: dict[str, str], pipeline: Pipeline, words: WordChoices
) -> None:
    name = values.get("client", "")
    if not name:
        raise ValidationError("Нет ФИО клиента.")
    client = _client_for(actor, name, values.get("phone", ""))
    people, stage = _looked_up(values, words)
    manager = people.pop("manager_id", None)
    object_type = words.object_type(values.get("object_type", ""))
    description = values.get("description") or object_type or "Заказ из таблицы"
    order = orders.create_order(
        actor, client.id, description, _sum(values, "cost"), pipeline=pipeline.code,
        advance=_sum(values, "advance"), advance_method=_method(values.get("advance_method", "")),
        created_at=_received_at(values.get("created_at", "")),
        install_date=_date(values.get("install_date", ""), "Дата монтажа"),
        due_date=_date(values.get("due_date", ""), "Срок"), object_type=object_type,
        object_address=values.get("object_address", ""), object_note=values.get("object_note", ""),
        documents_received=_yes(values.get("documents_received", "")), source="import", **people,
    )  # fmt: skip
    if manager is not None:  # who took it then, not who imports it now
        Order.update(manager=manager).where(Order.id == order.id).execute()
    if stage is not None and stage.id != order.stage_id:
        orders.move_order(actor, order.id, stage.id, "Импорт из таблицы")
    # History is quiet: nobody gets messages about orders taken long ago.
    Notification.delete().where(Notification.order == order.id).execute()


def run_import(
    actor: Actor,
    rows: list[list[str]],
    kind: str,
    mapping: dict[str, int] | None = None,
    *,
    dry_run: bool = True,
    pipeline: str | None = None,
    words: dict[str, dict[str, str]] | None = None,
) -> ImportReport:
    """Check (dry_run) or write every row; a real run writes all rows or none.
    `words` maps the table's own words: {"stage": {word: stage code or name},
    "crew": {name: crew id or name, or NEW_CREW}}."""
    require_role(actor, "director")
    if kind not in ("clients", "orders"):
        raise ValidationError("Импорт: клиенты или заказы.")
    headers, body = rows[0], rows[1:]
    mapping = mapping if mapping is not None else guess_mapping(headers, kind)
    required = "name" if kind == "clients" else "client"
    if required not in mapping:
        raise ValidationError("Не найдена колонка с именем клиента: укажите её в сопоставлении.")
    flow = choices = None
    if kind == "orders":
        flow = Pipeline.get_or_none(Pipeline.code == (pipeline or runtime.config().app.pipeline))
        if flow is None:
            raise ValidationError("Процесс для заказов не найден.")
    results = []
    with database.atomic() as transaction:
        if flow is not None:
            choices = WordChoices(flow, words)
        for offset, row in enumerate(body, start=2):
            values = {key: (row[i] if i < len(row) else "").strip() for key, i in mapping.items()}
            result = RowResult(line=offset, values=values)
            try:
                with database.atomic():
                    if kind == "clients":
                        _import_client(actor, values)
                    else:
                        _import_order(actor, values, flow, choices)  # type: ignore[arg-type]
            except BrigadirError as exc:
                result.errors.append(str(exc))
            results.append(result)
        report = ImportReport(kind=kind, rows=results)
        if choices is not None:
            report.words, report.suggested = choices.seen, choices.suggested
        if kind == "orders" and "advance" in mapping and "advance_method" not in mapping:
            report.notes.append(
                "Нет колонки «Как получен аванс»: авансы записаны как полученные переводом и "
                "не попадут в кассу. Добавьте колонку (наличные / карта / перевод), если нужно иначе."
            )
        if dry_run or report.failed:
            transaction.rollback()
        else:
            if choices is not None:
                choices.remember()
            report.written = True
    return report
