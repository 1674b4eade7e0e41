"""Forms and flows through the test client: orders, payments, threads, bad input, conflicts."""

from __future__ import annotations

import io

from openpyxl import Workbook, load_workbook

from core.base import settings
from core.base.money import rubles
from core.clients.models import Client
from core.conversations.models import Message, Notification, Template
from core.conversations.threads import record_incoming
from core.documents.models import Document
from core.files.models import Attachment
from core.money.models import Payment
from core.money.payments import add_payment
from core.orders.models import Order, StageMove
from tests.fakes.channels import firm_sends_sms_and_mail


def _order_form(client_id, **over):
    data = {"client": str(client_id), "description": "Листовки А5, 500 шт", "cost": "12 500", "advance": "2 500",
            "advance_method": "cash", "executor": "", "crew": "", "due_date": "", "visit_at": "", "install_date": "",
            "object_address": "", "object_type": "", "object_note": "", "source": "counter", "folder": ""}  # fmt: skip
    data.update(over)
    return data


def test_manager_creates_an_order_with_advance(as_role, world):
    s = as_role("manager")
    resp = s.post("/admin/order/new/", _order_form(world["c1"].id))
    assert resp.status_code == 302, resp.get_data(as_text=True)[-2000:]
    order = Order.select().order_by(Order.id.desc()).get()
    assert (order.cost, order.paid, order.debt) == (rubles(12500), rubles(2500), rubles(10000))
    assert "/admin/order/card/" in resp.headers["Location"]
    html = s.get(resp.headers["Location"]).get_data(as_text=True)
    assert "10 000,00 ₽" in html and "Листовки" in html


def test_bad_sum_date_and_client_are_refused(as_role, world):
    s = as_role("manager")
    before = Order.select().count()
    for bad, message in (
        ({"cost": "12,5,0"}, "Не понимаю сумму"),
        ({"cost": "-100"}, "не может быть отрицательной"),
        ({"cost": "1000", "advance": "5000"}, "Аванс больше стоимости"),
        ({"due_date": "31.02.2026"}, "Дата указана неверно"),
        ({"client": "999999"}, "Выберите клиента"),
        ({"description": ""}, "Опишите заказ"),
    ):
        resp = s.post("/admin/order/new/", _order_form(world["c1"].id, **bad))
        assert resp.status_code == 200, bad
        assert message in resp.get_data(as_text=True), bad
    assert Order.select().count() == before


def test_bad_phone_is_refused_for_a_client(as_role, world):
    s = as_role("manager")
    before = Client.select().count()
    resp = s.post("/admin/client/new/", {"name": "Пётр", "kind": "person", "phone": "123"})
    assert resp.status_code == 200 and "Неверный номер телефона" in resp.get_data(as_text=True)
    resp = s.post(
        "/admin/client/new/", {"name": "Пётр", "kind": "person", "phone": "+7 912 345-67-89"}
    )
    assert "уже есть" in resp.get_data(as_text=True)  # the same phone belongs to Иванов
    assert Client.select().count() == before
    resp = s.post(
        "/admin/client/new/",
        {"name": "Пётр Сидоров", "kind": "person", "phone": "8 (913) 111-22-33"},
    )
    assert resp.status_code == 302
    assert Client.get(Client.name == "Пётр Сидоров").phone == "+79131112233"


def _edit_form(order, **over):
    data = {"description": order.description, "cost": str(order.cost // 100), "executor": "", "crew": "",
            "due_date": "", "visit_at": "", "install_date": "", "object_address": "", "object_type": "",
            "object_note": "", "source": "", "folder": "", "version": str(order.version)}  # fmt: skip
    data.update(over)
    return data


def test_two_people_editing_the_same_order(as_role, world):
    order = world["own"]
    first, second = as_role("manager"), as_role("director")
    form_a = _edit_form(order, description="Визитки 2000 шт")
    form_b = _edit_form(order, description="Визитки 500 шт")  # opened at the same version
    assert first.post(f"/admin/order/edit/?id={order.id}", form_a).status_code == 302
    resp = second.post(f"/admin/order/edit/?id={order.id}", form_b)
    assert resp.status_code == 200
    assert "уже изменил другой сотрудник" in resp.get_data(as_text=True)
    assert Order.get_by_id(order.id).description == "Визитки 2000 шт"


def test_editing_a_record_deleted_meanwhile(as_role, world, actors):
    from core.clients.clients import create_client

    lonely = create_client(actors["manager"], "Удаляемый Клиент", "+7 900 000-00-01")
    s = as_role("manager")
    assert s.get(f"/admin/client/edit/?id={lonely.id}").status_code == 200
    Client.delete().where(Client.id == lonely.id).execute()
    resp = s.post(
        f"/admin/client/edit/?id={lonely.id}", {"name": "Воскрес", "kind": "person", "phone": ""}
    )
    assert resp.status_code == 404 and "Не найдено" in resp.get_data(as_text=True)
    assert Client.get_or_none(Client.name == "Воскрес") is None


def test_stale_version_field_is_refused(as_role, world):
    order = world["own"]
    resp = as_role("manager").post(
        f"/admin/order/edit/?id={order.id}", _edit_form(order, version="abc")
    )
    assert "Форма устарела" in resp.get_data(as_text=True)


def test_inline_move_writes_history_and_outbox(as_role, world):
    s = as_role("manager")
    order = world["own"]
    stages = {m.code: m for m in order.pipeline.stages}
    resp = s.post(
        "/admin/order/move/",
        {"id": order.id, "stage": stages["in_work"].id, "next": "/admin/order/"},
    )
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/admin/order/")
    resp = s.post("/admin/order/move/", {"id": order.id, "stage": stages["done"].id})
    moved = (
        StageMove.select().where(StageMove.order == order.id).order_by(StageMove.id.desc()).first()
    )
    assert moved.to_stage_id == stages["done"].id
    note = (
        Notification.select()
        .where((Notification.order == order.id) & (Notification.template_code == "printing.done"))
        .get()
    )
    assert "готов" in note.text
    html = s.get(f"/admin/order/card/?id={order.id}").get_data(as_text=True)
    assert "В работе → Выполнен" in html and "в очереди" in html


def test_payment_drops_the_debt_and_overpay_is_refused(as_role, world):
    s = as_role("manager")
    order = world["foreign"]
    resp = s.post("/admin/order/pay/", {"id": order.id, "amount": "2 500,50", "kind": "advance", "method": "card"},
                  follow_redirects=True)  # fmt: skip
    assert "Остаток: 9 999,50 ₽" in resp.get_data(as_text=True)
    resp = s.post("/admin/order/pay/", {"id": order.id, "amount": "20000", "kind": "final", "method": "cash"},
                  follow_redirects=True)  # fmt: skip
    assert "больше остатка" in resp.get_data(as_text=True)
    resp = s.post("/admin/order/pay/", {"id": order.id, "amount": "abc", "kind": "final", "method": "cash"},
                  follow_redirects=True)  # fmt: skip
    assert "Не понимаю сумму" in resp.get_data(as_text=True)
    assert Payment.select().where(Payment.order == order.id).count() == 1
    assert Order.get_by_id(order.id).debt == rubles(12500) - 250050


def test_thread_unread_mark_and_reply(as_role, world):
    order = world["own"]
    record_incoming(
        order.client_id, "А можно на плотной бумаге?", channel="telegram", order_id=order.id
    )
    s = as_role("manager")
    assert 'class="unread-mark"' in s.get("/admin/order/").get_data(as_text=True)
    html = s.get(f"/admin/order/card/?id={order.id}").get_data(as_text=True)
    assert "плотной бумаге" in html and "новое" in html
    s.post("/admin/order/reply/", {"id": order.id, "text": "Да, 300 г/м²"})
    out = Message.select().where((Message.order == order.id) & (Message.direction == "out")).get()
    assert out.notification.status == "pending" and out.notification.text == "Да, 300 г/м²"
    assert Order.get_by_id(order.id).unread == 0
    resp = s.post("/admin/order/reply/", {"id": order.id, "text": "   "}, follow_redirects=True)
    assert "Напишите сообщение" in resp.get_data(as_text=True)


def test_bulk_move_assign_and_message(as_role, world, staff):
    firm_sends_sms_and_mail()  # a mailing goes only where the firm can send
    s = as_role("director")
    order_ids = [world["own"].id, world["mine"].id]
    in_work = next(st for st in world["own"].pipeline.stages if st.code == "in_work")
    resp = s.post("/admin/order/action/", {"action": "move", "rowid": order_ids, "bulk_stage": in_work.id},
                  follow_redirects=True)  # fmt: skip
    assert "Переведено заказов: 2" in resp.get_data(as_text=True)
    s.post(
        "/admin/order/action/",
        {"action": "assign", "rowid": order_ids, "bulk_executor": staff["executor2"].id},
    )
    assert {Order.get_by_id(i).executor_id for i in order_ids} == {staff["executor2"].id}
    s.post(
        "/admin/order/action/",
        {"action": "message", "rowid": order_ids, "bulk_text": "Скидка 10% в декабре"},
    )
    # a mailing (core.conversations.bulk): the one client of both orders gets it once, not filed in an order
    (note,) = Notification.select().where(Notification.text == "Скидка 10% в декабре")
    assert (note.kind, note.order_id) == ("mailing", None)
    assert not Message.select().where(Message.text == "Скидка 10% в декабре").exists()
    resp = s.post(
        "/admin/order/action/", {"action": "move", "rowid": order_ids}, follow_redirects=True
    )
    assert "Выберите этап" in resp.get_data(as_text=True)


def test_search_by_letters_phone_and_number(as_role, world):
    s = as_role("manager")
    own, foreign = f"№{world['own'].number}<", f"№{world['foreign'].number}<"
    html = s.get("/admin/order/?search=ива").get_data(as_text=True)
    assert own in html and foreign not in html
    html = s.get("/admin/order/?search=ромаш").get_data(as_text=True)
    assert foreign in html and own not in html
    html = s.get("/admin/order/?search=8 495 123").get_data(as_text=True)
    assert foreign in html and own not in html
    html = s.get(f"/admin/order/?search={world['foreign'].number}").get_data(as_text=True)
    assert foreign in html
    html = s.get("/admin/client/?search=Ивано").get_data(as_text=True)
    assert "Иванов Иван" in html and "Ромашка" not in html
    lookup = s.get("/admin/order/ajax/lookup/?name=client&query=ром").get_json()
    assert lookup and "Ромашка" in lookup[0][1]
    assert s.get("/admin/order/?search=%25_%25").status_code == 200


def test_filters_and_tabs(as_role, world, staff):
    s = as_role("director")
    debt_idx = "5"
    html = s.get(f"/admin/order/?flt0_{debt_idx}=1").get_data(as_text=True)
    assert f"№{world['own'].number}<" in html
    html = s.get(f"/admin/order/?flt0_1={staff['manager2'].id}").get_data(as_text=True)
    assert f"№{world['foreign'].number}<" in html and f"№{world['own'].number}<" not in html
    html = s.get("/admin/order/?tab=sub").get_data(as_text=True)
    assert f"№{world['sub'].number}<" in html and f"№{world['own'].number}<" not in html
    html = s.get("/admin/order/?flt0_4=2000-01-01+to+2000-01-31").get_data(as_text=True)
    assert f"№{world['own'].number}<" not in html
    from core.base.clock import local_today

    today = local_today().isoformat()
    html = s.get(f"/admin/order/?flt0_4={today}+to+{today}").get_data(as_text=True)
    assert html.index(f"№{world['sub'].number}<") < html.index(
        f"№{world['own'].number}<"
    )  # newest first


def test_exports(as_role, world):
    s = as_role("director")
    resp = s.get("/admin/order/export/xlsx/?tab=all")
    assert resp.status_code == 200
    sheet = load_workbook(io.BytesIO(resp.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "№" and len(rows) == 5
    assert 12500 in [r[5] for r in rows]
    csv_text = s.get("/admin/client/export/csv/").get_data(as_text=True)
    assert "ООО Ромашка" in csv_text


def test_client_card_and_merge(as_role, world, actors):
    from core.clients.clients import create_client

    twin = create_client(actors["manager"], "Иванов И.П.", "+7 912 000-00-00")
    add_payment(actors["manager"], world["own"].id, rubles(1000))
    s = as_role("manager")
    html = s.get(f"/admin/client/card/?id={world['c1'].id}").get_data(as_text=True)
    assert "Визитки" in html and "1 000,00 ₽" in html
    resp = s.post("/admin/client/merge/", {"keep": world["c1"].id, "remove": twin.id})
    assert resp.status_code == 302
    assert Client.get_or_none(Client.id == twin.id) is None
    assert Client.get_by_id(world["c1"].id).phone2 == "+79120000000"
    resp = s.post(
        "/admin/client/merge/",
        {"keep": world["c1"].id, "remove": world["c1"].id},
        follow_redirects=True,
    )
    assert "самим собой" in resp.get_data(as_text=True)


def test_cash_desk_movements(as_role, world, staff):
    s = as_role("director")
    s.post(
        "/admin/cash/add/",
        {
            "operation": "advance",
            "amount": "10 000",
            "employee": staff["executor"].id,
            "note": "на материалы",
        },
    )
    ex = as_role("executor")
    ex.post(
        "/admin/cash/add/",
        {
            "operation": "expense",
            "amount": "1000",
            "employee": staff["executor"].id,
            "category": "Бензин",
            "note": "заправка",
        },
    )
    ex.post(
        "/admin/cash/add/",
        {
            "operation": "expense",
            "amount": "5000",
            "employee": staff["executor"].id,
            "category": "Материалы",
        },
    )
    html = ex.get("/admin/cash/").get_data(as_text=True)
    assert "на руках: 4 000,00 ₽" in html and "Бензин: 1 000,00 ₽" in html
    resp = ex.post("/admin/cash/add/", {"operation": "expense", "amount": "0", "employee": staff["executor"].id, "category": "Бензин"},
                   follow_redirects=True)  # fmt: skip
    assert "больше нуля" in resp.get_data(as_text=True)


def test_receipt_thumbnail_and_file_access(as_role, world, staff, store, actors):
    from core.money.cash import log_expense

    store.write("receipts/1.jpg", b"\xff\xd8jpeg")
    store.write("orders/1/layout.pdf", b"%PDF-1.4")
    receipt = Attachment.create(kind="receipt", storage_key="receipts/1.jpg", content_type="image/jpeg",
                                original_name="чек.jpg", uploaded_by=staff["executor"].id)  # fmt: skip
    log_expense(actors["executor"], rubles(700), "Бензин", "АЗС", receipt=receipt)
    Attachment.create(kind="file", storage_key="orders/1/layout.pdf", content_type="application/pdf",
                      original_name="макет.pdf", order=world["own"].id)  # fmt: skip
    ex = as_role("executor")
    assert ex.get("/files/receipts/1.jpg").data == b"\xff\xd8jpeg"
    assert ex.get("/files/orders/1/layout.pdf").status_code == 404  # not the executor's order
    assert as_role("manager").get("/files/receipts/1.jpg").status_code == 404  # someone else's desk
    resp = as_role("manager").get("/files/orders/1/layout.pdf")
    assert resp.status_code == 200 and "attachment" in resp.headers["Content-Disposition"]
    assert as_role("director").get("/files/nothing/here.txt").status_code == 404
    html = as_role("manager").get(f"/admin/order/card/?id={world['own'].id}").get_data(as_text=True)
    assert "макет.pdf" in html


def test_template_validation_and_preview(as_role, world):
    s = as_role("director")
    tpl = Template.get(Template.code == "printing.done")
    form = {"name": tpl.name, "code": tpl.code, "channel": "any", "subject": tpl.subject,
            "body": "Здравствуйте, {ФИО}! Остаток {долг}"}  # fmt: skip
    resp = s.post(f"/admin/template/edit/?id={tpl.id}", form)
    assert "Неизвестная подстановка {долг}" in resp.get_data(as_text=True)
    assert "{долг}" not in Template.get_by_id(tpl.id).body
    form["body"] = "Здравствуйте, {ФИО}! Остаток {остаток оплаты}"
    assert s.post(f"/admin/template/edit/?id={tpl.id}", form).status_code == 302
    html = s.get(f"/admin/template/edit/?id={tpl.id}").get_data(as_text=True)
    assert "Здравствуйте, ООО Ромашка! Остаток 9 000,00 ₽" in html


def test_settings_and_hidden_fields(as_role, world):
    s = as_role("director")
    resp = s.post("/admin/settings/", {"company_name": "ООО Печатник", "object_types": "Дом\nГараж",
                                       "custom_fields": "material: Материал", "hide_manager_cost": "1"})  # fmt: skip
    assert resp.status_code == 302
    html = as_role("manager").get("/admin/order/new/").get_data(as_text=True)
    assert "Материал" in html and 'name="cost"' not in html
    resp = s.post(
        "/admin/settings/",
        {"object_types": "\n".join(f"т{i}" for i in range(11))},
        follow_redirects=True,
    )
    assert "не больше 10" in resp.get_data(as_text=True)
    resp = s.post(
        "/admin/settings/", {"custom_fields": "Материал\nматериал"}, follow_redirects=True
    )
    assert "повторяется" in resp.get_data(as_text=True)


def test_employee_invite_link(as_role, world, staff, app):
    resp = as_role("director").post(
        "/admin/employee/invite/", {"id": staff["executor"].id}, follow_redirects=True
    )
    assert "Ссылка для бота" in resp.get_data(as_text=True)


def test_import_clients_dry_run_then_all_or_nothing(as_role, world):
    s = as_role("director")
    book = Workbook()
    sheet = book.active
    sheet.append(["ФИО", "Телефон", "E-mail"])
    sheet.append(["Сидоров Пётр", "8 913 222-33-44", "petr@example.ru"])
    sheet.append(["", "8 913 222-33-55", ""])
    sheet.append(["Кузнецова Анна", "12", ""])
    buf = io.BytesIO()
    book.save(buf)
    before = Client.select().count()
    resp = s.post("/admin/import/", {"kind": "clients", "file": (io.BytesIO(buf.getvalue()), "clients.xlsx")},
                  content_type="multipart/form-data")  # fmt: skip
    html = resp.get_data(as_text=True)
    assert (
        "без ошибок: <b>1</b>" in html
        and "Укажите имя клиента" in html
        and "телефон" in html.lower()
    )
    assert Client.select().count() == before
    csv_bytes = (
        "ФИО;Телефон\nСидоров Пётр;8 913 222-33-44\nКузнецова Анна;+7 913 222-33-66\n".encode(
            "cp1251"
        )
    )
    resp = s.post("/admin/import/", {"kind": "clients", "file": (io.BytesIO(csv_bytes), "clients.csv")},
                  content_type="multipart/form-data")  # fmt: skip
    html = resp.get_data(as_text=True)
    assert 'с ошибками: <b class="">0</b>' in html
    import re

    token = re.search(r'name="token" value="([0-9a-f]+)"', html).group(1)
    resp = s.post(
        "/admin/import/",
        {"kind": "clients", "token": token, "map_name": "0", "map_phone": "1", "write": "1"},
    )
    assert "Записано строк: 2" in resp.get_data(as_text=True)
    assert Client.select().count() == before + 2


def test_crews_and_thumbnails(as_role, world, store):
    import io as _io

    from PIL import Image

    s = as_role("director")
    assert s.post("/admin/crew/new/", {"name": "Бригада 2"}).status_code == 302
    resp = s.post("/admin/crew/new/", {"name": "Бригада 2"})
    assert "уже есть" in resp.get_data(as_text=True)
    buf = _io.BytesIO()
    Image.new("RGB", (1200, 900), "red").save(buf, "JPEG")
    store.write("orders/1/photo.jpg", buf.getvalue())
    Attachment.create(kind="photo", storage_key="orders/1/photo.jpg", content_type="image/jpeg",
                      original_name="фото.jpg", order=world["own"].id)  # fmt: skip
    thumb = s.get("/files/orders/1/photo.jpg?thumb=1")
    assert thumb.status_code == 200 and max(Image.open(_io.BytesIO(thumb.data)).size) <= 192
    assert "thumb=1" in s.get(f"/admin/order/card/?id={world['own'].id}").get_data(as_text=True)


def test_long_lists_are_bounded(as_role, world, actors, monkeypatch):
    import admin.base

    for i in range(6):
        from core.orders.orders import create_order

        create_order(actors["manager"], world["c1"].id, f"Тираж {i}", rubles(100))
    monkeypatch.setattr(admin.base, "MAX_PAGES", 2)
    from admin.views.orders import OrderView

    monkeypatch.setattr(OrderView, "page_size", 3)
    s = as_role("director")
    html = s.get("/admin/order/?tab=all").get_data(as_text=True)
    assert "Показаны первые 6 записей из 10" in html  # a maintained counter knows the total
    html = s.get("/admin/order/?tab=all&search=иванов").get_data(as_text=True)
    assert "Показаны первые 6 записей." in html  # a capped COUNT: no total
    deep = s.get("/admin/order/?tab=all&page=50").get_data(as_text=True)
    assert "Тираж 1" in deep and "Тираж 4" not in deep  # clamped to the last allowed page


def test_papers_from_the_order_card_and_to_the_client(as_role, world, store):
    settings.put("company", {
        "name": "ООО «Печатный двор»", "inn": "7701234567", "kpp": "770101001", "address": "г. Москва",
        "bank": "ПАО «Сбербанк»", "bik": "044525225", "account": "40702810938000012345",
        "corr_account": "30101810400000000225",
    })  # fmt: skip
    order = world["own"]
    s = as_role("manager")
    html = s.get(f"/admin/order/card/?id={order.id}").get_data(as_text=True)
    assert "Выписать" in html and "Бланк заказа" in html and "Договор-расписка" not in html

    Order.update(number=1501).where(Order.id == order.id).execute()
    resp = s.post(
        "/admin/order/document/", {"id": order.id, "kind": "order_form"}, follow_redirects=True
    )
    html = resp.get_data(as_text=True)
    # One number for one paper: the flash, the card's list, the file name and the PDF agree.
    assert "Бланк заказа № 1501 выписан" in html and "Бланк заказа №1501 от" in html
    document = Document.get(Document.order == order.id)
    assert document.number == 1501 and "Бланк заказа № 1501 от" in document.storage_key
    assert store.read(document.storage_key).startswith(b"%PDF")
    # An invoice for a private person needs no ИНН (issue 25); a firm without one is refused.
    resp = s.post(
        "/admin/order/document/", {"id": order.id, "kind": "invoice"}, follow_redirects=True
    )
    assert "Счёт № 1 выписан" in resp.get_data(as_text=True)
    Document.delete().where(Document.kind == "invoice").execute()
    firm = world["foreign"]  # ООО Ромашка, no ИНН on its card
    resp = as_role("director").post(
        "/admin/order/document/", {"id": firm.id, "kind": "invoice"}, follow_redirects=True
    )
    assert "ИНН" in resp.get_data(as_text=True) and Document.select().count() == 1

    resp = s.post(
        "/admin/order/document/send/",
        {"id": order.id, "document": document.id},
        follow_redirects=True,
    )
    assert "в очередь на отправку" in resp.get_data(as_text=True)
    note = (
        Notification.select()
        .where(Notification.order == order.id)
        .order_by(Notification.id.desc())
        .get()
    )
    assert note.attachments == [document.storage_key]
    # A document of another order cannot be sent from this card; an executor cannot issue.
    assert (
        s.post(
            "/admin/order/document/send/", {"id": world["foreign"].id, "document": document.id}
        ).status_code
        == 404
    )
    crew = as_role("executor")
    crew.post("/admin/order/document/", {"id": world["mine"].id, "kind": "order_form"})
    assert Document.select().count() == 1
