"""Importing the firms' existing tables: the installer's Excel list of orders and a print
shop's client list (XLSX or CSV).

Columns are matched by their headers (Russian words people use), the director can change
the mapping, and every run first goes through the real use cases inside one transaction:
a dry run rolls it back and reports each row's errors; a real run commits only when no
row failed — all or nothing. Imported history is quiet: no client or staff messages."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from core import clients, orders, pipelines, runtime, search
from core.access import Actor, require_role
from core.db import database
from core.errors import BrigadirError, ValidationError
from core.models import Client, Crew, Notification, Pipeline
from core.money import parse_money
from core.phones import normalize_phone

__all__ = [
    "CLIENT_FIELDS",
    "ORDER_FIELDS",
    "ImportReport",
    "guess_mapping",
    "read_table",
    "run_import",
]

MAX_ROWS = 20_000
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
    "created_at": ("Дата заказа", ["дата", "дата заказа", "дата приема", "дата выезда"]),
    "client": ("ФИО клиента", ["фио", "клиент", "заказчик", "имя"]),
    "phone": ("Телефон", ["телефон", "тел"]),
    "object_address": ("Адрес объекта", ["адрес объекта", "адрес"]),
    "object_type": ("Тип объекта", ["тип объекта", "тип"]),
    "description": ("Описание", ["описание", "работы", "что делаем", "заказ"]),
    "cost": ("Общая стоимость", ["стоимость", "общая стоимость", "сумма", "цена", "итого"]),
    "advance": ("Аванс", ["аванс", "предоплата", "аванс получен"]),
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
    "crew": ("Бригада", ["бригада", "какая бригада", "исполнитель"]),
    "stage": ("Статус", ["статус", "этап", "статус заказа"]),
    "object_note": ("Примечание", ["примечание", "особенности", "комментарий"]),
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


def read_table(data: bytes, filename: str) -> list[list[str]]:
    """Rows of cell texts from an .xlsx or .csv file (header row first)."""
    if len(data) > MAX_BYTES:
        raise ValidationError("Файл больше 10 МБ: разбейте таблицу на части.")
    name = filename.lower()
    if name.endswith(".xlsx"):
        from openpyxl import load_workbook

        try:
            book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception as exc:  # noqa: BLE001 - any parse problem is the same for the user
            raise ValidationError(
                "Не получилось открыть файл Excel (.xlsx). Сохраните его заново."
            ) from exc
        sheet = book.worksheets[0]
        rows = [[_cell(v) for v in row] for row in sheet.iter_rows(values_only=True)]
        book.close()
    elif name.endswith(".csv"):
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
        rows = [[c.strip() for c in row] for row in csv.reader(io.StringIO(text), dialect)]
    else:
        raise ValidationError("Нужен файл .xlsx или .csv.")
    rows = [r for r in rows if any(c for c in r)]
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


def _date(text: str, what: str) -> date | None:
    text = text.strip()
    if not text:
        return None
    for fmt in ("%d.%m.%Y", "%d.%m.%y", "%Y-%m-%d", "%d.%m.%Y %H:%M", "%d/%m/%Y"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValidationError(f"{what}: не понимаю дату «{text}» (нужно 31.12.2025).")


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


def _import_order(actor: Actor, values: dict[str, str], pipeline: Pipeline) -> None:
    name = values.get("client", "")
    if not name:
        raise ValidationError("Нет ФИО клиента.")
    client = _client_for(actor, name, values.get("phone", ""))
    created = _date(values.get("created_at", ""), "Дата заказа")
    install = _date(values.get("install_date", ""), "Дата монтажа")
    cost = parse_money(values["cost"], allow_zero=True) if values.get("cost") else 0
    advance = parse_money(values["advance"], allow_zero=True) if values.get("advance") else 0
    crew = None
    if values.get("crew"):
        crew = Crew.get_or_none(Crew.name == values["crew"].strip())
        if crew is None:
            crew = Crew.create(name=values["crew"].strip()[:100])
    stage = None
    if values.get("stage"):
        wanted = search.fold(values["stage"].strip())
        stage = next(
            (s for s in pipelines.stages_of(pipeline) if search.fold(s.name) == wanted), None
        )
        if stage is None:
            names = ", ".join(s.name for s in pipelines.stages_of(pipeline))
            raise ValidationError(f"Статус «{values['stage']}» не найден. Есть: {names}.")
    description = values.get("description") or values.get("object_type") or "Заказ из таблицы"
    order = orders.create_order(
        actor, client.id, description, cost, pipeline=pipeline.code, crew_id=crew.id if crew else None,
        advance=advance, advance_method=_method(values.get("advance_method", "")),
        created_at=datetime.combine(created, datetime.min.time()) if created else None,
        install_date=install, object_address=values.get("object_address", ""),
        object_type=values.get("object_type", ""), object_note=values.get("object_note", ""),
        documents_received=_yes(values.get("documents_received", "")), source="import",
    )  # fmt: skip
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
) -> ImportReport:
    """Check (dry_run) or write every row; a real run writes all rows or none."""
    require_role(actor, "director")
    if kind not in ("clients", "orders"):
        raise ValidationError("Импорт: клиенты или заказы.")
    headers, body = rows[0], rows[1:]
    mapping = mapping if mapping is not None else guess_mapping(headers, kind)
    required = "name" if kind == "clients" else "client"
    if required not in mapping:
        raise ValidationError("Не найдена колонка с именем клиента: укажите её в сопоставлении.")
    flow = None
    if kind == "orders":
        flow = Pipeline.get_or_none(Pipeline.code == (pipeline or runtime.config().app.pipeline))
        if flow is None:
            raise ValidationError("Процесс для заказов не найден.")
    results = []
    with database.atomic() as transaction:
        for offset, row in enumerate(body, start=2):
            values = {key: (row[i] if i < len(row) else "").strip() for key, i in mapping.items()}
            result = RowResult(line=offset, values=values)
            try:
                with database.atomic():
                    if kind == "clients":
                        _import_client(actor, values)
                    else:
                        _import_order(actor, values, flow)  # type: ignore[arg-type]
            except BrigadirError as exc:
                result.errors.append(str(exc))
            results.append(result)
        report = ImportReport(kind=kind, rows=results)
        if kind == "orders" and "advance" in mapping and "advance_method" not in mapping:
            report.notes.append(
                "Нет колонки «Как получен аванс»: авансы записаны как полученные переводом и "
                "не попадут в кассу. Добавьте колонку (наличные / карта / перевод), если нужно иначе."
            )
        if dry_run or report.failed:
            transaction.rollback()
        else:
            report.written = True
    return report
