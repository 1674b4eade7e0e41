"""What a person reads on a page, and the words on it that are not Russian.

Visible text is every text node outside <script>, <style> and <template>, plus the
attributes a person reads: placeholder, title, aria-label, alt, the value of a submit
input, and the texts Flask-Admin keeps as JSON in hidden `…-data` divs and shows later (filter
operations and choices, action confirmations). <option> texts and flash messages are text
nodes and come with the rest. <code> and <kbd> hold literal text a person types or presses
as it stands (a folder path, a config file's section, Ctrl+Enter): read, but not as words.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

# Brand, protocol and format names a Russian user reads as they are. Kept short on purpose:
# each entry is a name written in Latin letters on Russian sites too.
ALLOWED = {
    # the channels the firm talks through, named as their apps name themselves
    "telegram", "viber", "vk", "max", "e-mail", "sms",
    # file formats a person picks or downloads
    "pdf", "excel", "csv", "xlsx", "xls",
    # services the firm connects: Yandex Disk, YooKassa («ЮKassa» reads as Ю + Kassa)
    "yandex", "yookassa", "kassa",
    # the receipt's QR code, printed so on every Russian till slip
    "qr",
}  # fmt: skip
HIDDEN_TAGS = {"script", "style", "template", "noscript"}
LITERAL_TAGS = {"code", "kbd"}
READ_ATTRS = ("placeholder", "title", "aria-label", "alt", "data-original-title")
# web addresses, e-mail addresses and site paths (a path starts a word: "и/или" is not one)
URL = re.compile(r"(?:https?://|www\.)\S+|\S+@\S+\.\w+|(?:^|(?<=\s))/[\w/.\-?=&%]+", re.M)
WORD = re.compile(r"[A-Za-z][A-Za-z\-']*")
ISO_DATE = re.compile(r"\b(?:19|20)\d{2}-(?:0[1-9]|1[0-2])(?:-\d{2})?\b")  # a day or a month
MICROSECONDS = re.compile(r"\d{2}:\d{2}:\d{2}\.\d+")

# Flask-Admin's stock phrases (Russian, but a stock widget's voice) that must never show.
STOCK = (
    "Экспортировать",
    "С выбранным",
    "Сохранить и добавить новый объект",
    "Сохранить и продолжить редактирование",
    "Пожалуйста, выберите модель",
    "Запись была",
    "Запись успешно",
    "Записей не найдено",
    "Вы уверены",
    "Failed to",
    "Ошибка при",
    "Список (",
    "Создать новую запись",
    "Редактировать запись",
    "Просмотр записи",
    "Удалить запись",
    "Добавить Фильтр",
    "Сброс Фильтров",
    "Выберите по крайней мере",
    "Сортировать по",
    "элементы",
)


class VisibleText(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._hidden = 0
        self._data: str | None = None  # id of a Flask-Admin JSON data div being read

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag in HIDDEN_TAGS or tag in LITERAL_TAGS:
            self._hidden += 1
            return
        if tag == "div" and (a.get("id") or "").endswith("-data"):
            self._data = a["id"]
            return
        for name in READ_ATTRS:
            if a.get(name):
                self.parts.append(a[name])
        kind = (a.get("type") or "").lower()
        if tag == "input" and kind in ("submit", "button", "reset") and a.get("value"):
            self.parts.append(a["value"])

    def handle_endtag(self, tag):
        if (tag in HIDDEN_TAGS or tag in LITERAL_TAGS) and self._hidden:
            self._hidden -= 1
        elif tag == "div":
            self._data = None

    def handle_data(self, data):
        if self._hidden or not data.strip():
            return
        if self._data:
            self.parts.extend(_shown_json(self._data, json.loads(data)))
        else:
            self.parts.append(data.strip())


def _shown_json(kind: str, data) -> list[str]:
    """The strings of a Flask-Admin data div that reach the screen."""
    if kind == "filter-groups-data":  # {group: [{operation, options: [[value, label]]}]}
        shown = list(data)
        for filters in data.values():
            for f in filters:
                shown.append(f.get("operation") or "")
                shown += [str(label) for _value, label in f.get("options") or []]
        return shown
    if kind == "actions-confirmation-data":  # {action: confirmation}
        return [str(v) for v in data.values()]
    if kind == "message-data":
        return [str(data)]
    return []  # active filters: the person's own values


def visible_text(html: str) -> str:
    parser = VisibleText()
    parser.feed(html)
    parser.close()
    return "\n".join(parser.parts)


def foreign_words(text: str, own: set[str] = frozenset()) -> list[str]:
    """Latin-letter words outside the allow-list and the firm's own data (`own`: logins,
    e-mail names, anything the firm typed in Latin letters)."""
    text = URL.sub(" ", text)
    allowed = ALLOWED | {w.lower() for w in own}
    return sorted(
        {w for w in WORD.findall(text) if w.lower().strip("-'") not in allowed and len(w) > 1}
    )


def problems(html: str, own: set[str] = frozenset()) -> list[str]:
    """Everything wrong with a page's wording, as readable lines."""
    text = visible_text(html)
    found = []
    for line in text.splitlines():
        if words := foreign_words(line, own):
            found.append(f"English: {', '.join(words)} in «{line[:80]}»")
    found += [f"stock phrase: «{p}»" for p in STOCK if p in text]
    for line in text.splitlines():
        found += [f"ISO date: {m} in «{line[:80]}»" for m in ISO_DATE.findall(line)]
        found += [f"microseconds: {m} in «{line[:80]}»" for m in MICROSECONDS.findall(line)]
    return found
