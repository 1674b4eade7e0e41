"""Flask-Admin's stock phrases in the firm's words.

Flask-Admin's own Russian catalogue is literal ("Сохранить и добавить новый объект",
"Запись была сохранена", "Пожалуйста, выберите модель", "Вы уверены что хотите удалить ?").
`install()` lays these phrases over it: Flask-Admin asks its gettext domain for its
translations on every call, and the domain caches one merged catalogue per locale, so the
phrases below are written into that catalogue once, where every template and flash of
Flask-Admin reads them. Keys are Flask-Admin's English msgids.
"""

from __future__ import annotations

PHRASES: dict[str, str] = {
    # buttons and tabs of the stock list and forms
    "List": "Все",
    "Create": "Добавить",
    "Create New Record": "Добавить",
    "Edit": "Изменить",
    "Edit Record": "Изменить",
    "View Record": "Открыть",
    "Details": "Подробно",
    "Delete": "Удалить",
    "Delete Record": "Удалить",
    "Delete?": "Удалить?",
    "Save": "Сохранить",
    "Save and Add Another": "Сохранить и добавить ещё",
    "Save and Continue Editing": "Сохранить и остаться",
    "Cancel": "Отмена",
    "Export": "Выгрузить",
    "With selected": "С отмеченными",
    "Select all records": "Отметить все",
    "Select record": "Отметить",
    "Please select at least one record.": "Отметьте хотя бы одну строку.",
    "Search": "Поиск",
    "items": "строк",
    "Sort by %(name)s": "Упорядочить по «%(name)s»",
    "There are no items in the table.": "Ничего не найдено.",
    # filters
    "Filter": "Фильтр",
    "Add Filter": "Фильтр",
    "Apply": "Применить",
    "Reset Filters": "Сбросить фильтры",
    "Invalid Filter Value: %(value)s": "Фильтр не понял значение «%(value)s».",
    "equals": "равно",
    "not equal": "не равно",
    "contains": "содержит",
    "not contains": "не содержит",
    "greater than": "больше",
    "smaller than": "меньше",
    "empty": "пусто",
    "in list": "одно из",
    "not in list": "ни одно из",
    "between": "между",
    "not between": "не между",
    "Yes": "Да",
    "No": "Нет",
    # messages after saving
    "Record was successfully created.": "Добавлено.",
    "Record was successfully saved.": "Сохранено.",
    "Record does not exist.": "Такой записи нет — возможно, её удалили.",
    "Failed to create record.": "Не удалось добавить — проверьте поля формы.",
    "Failed to save record.": "Не удалось сохранить — проверьте поля формы.",
    "Failed to create record. %(error)s": "Не удалось добавить: %(error)s",
    "Failed to update record. %(error)s": "Не удалось сохранить: %(error)s",
    "Failed to delete record. %(error)s": "Не удалось удалить: %(error)s",
    "Failed to delete records. %(error)s": "Не удалось удалить: %(error)s",
    "Are you sure you want to delete this record?": "Удалить эту запись?",
    "Are you sure you want to delete selected records?": "Удалить отмеченные записи?",
    'Export type "%(type)s" is not supported.': "Выгрузка в %(type)s не поддерживается.",
    # form widgets
    "Please select model": "Выберите…",
    "Invalid time format": "Время не понятно: напишите, например, 14:30.",
    "Invalid Choice: could not coerce": "Такого варианта нет в списке.",
    "This field requires at least one item.": "Выберите хотя бы один вариант.",
}
# ngettext entries: the three Russian plural forms (1, 2-4, 5+).
PLURALS: dict[str, tuple[str, str, str]] = {
    "Record was successfully deleted.": (
        "Удалена %(count)s запись.",
        "Удалено %(count)s записи.",
        "Удалено %(count)s записей.",
    ),
}


def _overlay(translations) -> None:
    catalog = getattr(translations, "_catalog", None)
    if catalog is None or catalog.get("\0brigadir"):
        return
    catalog.update(PHRASES)
    for msgid, forms in PLURALS.items():
        for index, text in enumerate(forms):
            catalog[(msgid, index)] = text
    catalog["\0brigadir"] = "1"  # laid over once per cached catalogue


def install() -> None:
    """Lay PHRASES over Flask-Admin's catalogue (idempotent; any number of apps)."""
    from flask_admin import babel

    domain = getattr(babel, "domain", None)
    if domain is None or getattr(domain, "_brigadir_wording", False):
        return
    stock = domain.get_translations

    def get_translations():
        translations = stock()
        _overlay(translations)
        return translations

    domain.get_translations = get_translations
    domain._brigadir_wording = True
