"""One order whose money and details are distinctive, for the hidden-fields matrix: a value
found in a response can only have come from this order (or its client's totals)."""

from __future__ import annotations

from datetime import date, datetime

from core.base import settings
from core.base.money import format_money, rubles
from core.clients.clients import create_client
from core.conversations.threads import ask_client
from core.documents.issue import issue_document
from core.files.attachments import attach_to_order
from core.orders.orders import create_order

COST, ADVANCE = rubles(7_654_321), rubles(1_234_567)
MONEY = {"cost": format_money(COST, currency=False), "paid": format_money(ADVANCE, currency=False),
         "debt": format_money(COST - ADVANCE, currency=False)}  # fmt: skip
# A hideable detail -> (its value in the order, how it is printed on a page)
DETAILS = {
    "object_address": "ул. Потаённая, д. 77", "object_type": "Бункер-холодильник",
    "object_note": "Ключ у соседки Агафьи", "due_date": "13.03.2031", "install_date": "14.03.2031",
    "visit_at": "15.03.2031 11:45", "folder": "Клиенты/Сидоров/Тайная папка",
    "custom_material": "Уран-238",
}  # fmt: skip
COMPANY = {"name": "ООО «Печатный двор»", "inn": "7701234567", "kpp": "770101001",
           "address": "г. Москва", "bank": "ПАО «Сбербанк»", "bik": "044525225",
           "account": "40702810938000012345", "corr_account": "30101810400000000225"}  # fmt: skip


def secret_order(actors, staff, store):
    """Taken by Oleg (manager2) for a new client, carried out by Ivan (executor), with an
    advance, a paper and a message that mention the sums."""
    settings.put("company", COMPANY)
    settings.put("custom_fields", [{"key": "material", "label": "Материал", "type": "text"}])
    client = create_client(actors["manager2"], "Сидоров Сидор Сидорович", "+7 913 000-11-22")
    order = create_order(
        actors["manager2"], client.id, "Щит учёта", COST, advance=ADVANCE,
        executor_id=staff["executor"].id, object_address=DETAILS["object_address"],
        object_type=DETAILS["object_type"], object_note=DETAILS["object_note"],
        due_date=date(2031, 3, 13), install_date=date(2031, 3, 14),
        visit_at=datetime(2031, 3, 15, 8, 45), folder=DETAILS["folder"],
        custom={"material": DETAILS["custom_material"]},
    )  # fmt: skip
    issue_document(actors["manager2"], "order_form", order.id, store)
    # a photo in the order's folder: its link must not spell the folder out either
    attach_to_order(actors["manager2"], store, order.id, "щит.jpg", b"\xff\xd8jpeg", "image/jpeg")
    ask_client(actors["manager2"], order.id, f"Остаток к оплате {format_money(COST - ADVANCE)}.")
    return order, client
