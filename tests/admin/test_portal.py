"""The client portal /my/: sign-in by a one-time code through the client's own channel (the
outbox) or a password; CSRF, rate limits in the database, server-side revocation; a client
sees only their own (every URL × own/foreign record); a new order with files; the thread;
papers as PDFs; booking."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest

from core.access import SYSTEM
from core.base import settings
from core.base.clock import from_local, local_today, to_local
from core.base.models import RateCount
from core.conversations.models import Message, Notification
from core.documents.issue import issue_document
from core.files.attachments import attach_to_order
from core.files.models import Attachment
from core.orders.models import Order
from core.selfservice import booking
from core.selfservice.models import PortalSession, Visit
from tests.admin.conftest import csrf_of

PHONE = "+7 912 345-67-89"  # world["c1"], Иванов


def ask_code(client, contact=PHONE):
    page = client.get("/my/login")
    token = csrf_of(page.get_data(as_text=True))
    resp = client.post(
        "/my/login", data={"contact": contact, "action": "send", "csrf_token": token}
    )
    return resp, token


def last_code(client_id: int) -> str:
    note = (
        Notification.select()
        .where((Notification.client == client_id) & Notification.text.contains("Код для входа"))
        .order_by(Notification.id.desc())
        .first()
    )
    assert note is not None, "no code in the outbox"
    return re.search(r"\b(\d{6})\b", note.text)[1]


class Portal:
    def __init__(self, client, token):
        self.client, self.token = client, token

    def get(self, url, **kw):
        return self.client.get(url, **kw)

    def post(self, url, data=None, **kw):
        data = dict(data or {})
        data.setdefault("csrf_token", self.token)
        return self.client.post(url, data=data, **kw)


def sign_in(app, client_row, contact=PHONE) -> Portal:
    http = app.test_client()
    resp, token = ask_code(http, contact)
    assert resp.status_code == 200
    code = last_code(client_row.id)
    resp = http.post(
        "/my/login", data={"contact": contact, "code": code, "action": "code", "csrf_token": token}
    )
    assert resp.status_code == 302, resp.get_data(as_text=True)[:400]
    page = http.get("/my/")
    assert page.status_code == 200
    return Portal(http, csrf_of(page.get_data(as_text=True)))


@pytest.fixture
def ivanov(app, world):
    return sign_in(app, world["c1"])


def test_code_goes_through_the_outbox_and_signs_in(app, world):
    portal = sign_in(app, world["c1"])
    page = portal.get("/my/").get_data(as_text=True)
    assert f"Заказ №{world['own'].number}" in page and f"Заказ №{world['mine'].number}" in page
    assert f"Заказ №{world['foreign'].number}" not in page  # Ромашка's
    note = Notification.get(Notification.text.contains("Код для входа"))
    assert note.audience == "client" and note.channel is None  # the client's own channels


def test_unknown_contact_gets_the_same_answer_and_no_message(app, world):
    http = app.test_client()
    known, _ = ask_code(http)
    unknown, _ = ask_code(app.test_client(), "+7 999 111-22-33")
    assert unknown.status_code == known.status_code == 200
    assert "Если вы наш клиент" in unknown.get_data(as_text=True)
    assert Notification.select().where(Notification.text.contains("Код для входа")).count() == 1


def test_e_mail_signs_in_too(app, world):
    world["c1"].email = "ivanov@example.ru"
    world["c1"].save()
    sign_in(app, world["c1"], contact="IVANOV@example.ru")


def test_wrong_codes_are_limited_in_the_database(app, world):
    http = app.test_client()
    _, token = ask_code(http)
    good = last_code(world["c1"].id)
    statuses = []
    for _ in range(6):
        resp = http.post(
            "/my/login",
            data={"contact": PHONE, "code": "000000" if good != "000000" else "111111",
                  "action": "code", "csrf_token": token},
        )  # fmt: skip
        statuses.append(resp.status_code)
    assert statuses[:5] == [401] * 5 and statuses[5] == 429
    # the tries are counted in the database (every worker shares them), the refused one too
    assert RateCount.get(RateCount.key.startswith("portal-login:")).count == 6
    # even the right code is refused while blocked
    resp = http.post(
        "/my/login", data={"contact": PHONE, "code": good, "action": "code", "csrf_token": token}
    )
    assert resp.status_code == 429 and PortalSession.select().count() == 0


def test_a_code_works_once(app, world):
    http = app.test_client()
    _, token = ask_code(http)
    code = last_code(world["c1"].id)
    data = {"contact": PHONE, "code": code, "action": "code", "csrf_token": token}
    assert http.post("/my/login", data=data).status_code == 302
    other = app.test_client()
    token2 = csrf_of(other.get("/my/login").get_data(as_text=True))
    assert other.post("/my/login", data={**data, "csrf_token": token2}).status_code == 401


def test_codes_per_client_are_limited(app, world):
    http = app.test_client()
    statuses = [ask_code(http)[0].status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    assert Notification.select().where(Notification.text.contains("Код для входа")).count() == 3


def test_post_without_csrf_is_refused_and_writes_nothing(ivanov, world):
    resp = ivanov.client.post(
        f"/my/orders/{world['own'].id}/message", data={"text": "Здравствуйте"}
    )
    assert resp.status_code == 400
    assert Message.select().count() == 0


def test_sign_out_revokes_the_session_on_the_server(app, world):
    portal = sign_in(app, world["c1"])
    cookie = portal.client.get_cookie("brigadir_session").value
    assert portal.post("/my/logout").status_code == 302
    replay = app.test_client()
    replay.set_cookie("brigadir_session", cookie)
    assert replay.get("/my/").status_code == 302  # the stolen cookie opens nothing
    assert PortalSession.get().revoked_at is not None


def test_password_sign_in_and_new_password_ends_other_sessions(app, world):
    first = sign_in(app, world["c1"])
    second = sign_in(app, world["c1"])
    resp = second.post(
        "/my/password", data={"password": "кабинет-2026", "password2": "кабинет-2026"}
    )
    assert resp.status_code == 302
    assert first.get("/my/").status_code == 302  # ended
    assert second.get("/my/").status_code == 200  # kept
    http = app.test_client()
    token = csrf_of(http.get("/my/login?with=password").get_data(as_text=True))
    bad = http.post("/my/login", data={"contact": PHONE, "password": "не тот", "action": "password",
                                       "csrf_token": token})  # fmt: skip
    assert bad.status_code == 401
    ok = http.post("/my/login", data={"contact": PHONE, "password": "кабинет-2026",
                                      "action": "password", "csrf_token": token})  # fmt: skip
    assert ok.status_code == 302 and http.get("/my/").status_code == 200


def test_idle_session_ends(app, world):
    portal = sign_in(app, world["c1"])
    PortalSession.update(seen_at=datetime(2020, 1, 1)).execute()
    assert portal.get("/my/").status_code == 302


def _own_and_foreign(world, store, actors):
    """Records of Иванов (own) and of Ромашка (foreign): orders, papers, files, visits."""
    from tests.documents.test_issue import COMPANY

    settings.put("company", COMPANY)
    director = world["director_actor"]
    made = {}
    for side, order in (("own", world["own"]), ("foreign", world["foreign"])):
        doc = issue_document(director, "order_form", order.id, store)
        item = attach_to_order(director, store, order.id, "макет.pdf", b"%PDF-1.4 test", "application/pdf",
                               kind="file")  # fmt: skip
        made[side] = {"order": order.id, "doc": doc.id, "file": item.id}
    receipt = attach_to_order(director, store, world["own"].id, "чек.jpg", b"\xff\xd8x", "image/jpeg",
                              kind="receipt")  # fmt: skip
    made["own_receipt"] = receipt.id
    return made


URLS = [
    ("GET", "/my/orders/{order}"),
    ("POST", "/my/orders/{order}/message"),
    ("GET", "/my/papers/{doc}"),
    ("GET", "/my/files/{file}"),
]


@pytest.mark.parametrize("method,url", URLS)
def test_matrix_own_is_served_foreign_is_404(ivanov, world, store, actors, method, url):
    made = _own_and_foreign(world, store, actors)
    for side, expected in (("own", (200, 302)), ("foreign", (404,))):
        target = url.format(**made[side])
        resp = (
            ivanov.get(target) if method == "GET" else ivanov.post(target, data={"text": "Вопрос"})
        )
        assert resp.status_code in expected, (side, target, resp.status_code)
    assert Message.select().where(Message.order == world["foreign"].id).count() == 0


def test_matrix_staff_receipts_and_missing_ids_are_404(ivanov, world, store, actors):
    made = _own_and_foreign(world, store, actors)
    assert ivanov.get(f"/my/files/{made['own_receipt']}").status_code == 404
    for url in ("/my/orders/999999", "/my/papers/999999", "/my/files/999999"):
        assert ivanov.get(url).status_code == 404


def test_anonymous_is_sent_to_sign_in(app, world):
    for url in ("/my/", f"/my/orders/{world['own'].id}", "/my/new", "/my/book", "/my/password"):
        resp = app.test_client().get(url)
        assert resp.status_code == 302 and "/my/login" in resp.headers["Location"]


def test_order_page_shows_history_money_papers_and_files(ivanov, world, store, actors):
    from core.money.payments import add_payment

    add_payment(actors["manager"], world["own"].id, 100_000, method="cash")
    made = _own_and_foreign(world, store, actors)
    page = ivanov.get(f"/my/orders/{world['own'].id}").get_data(as_text=True)
    assert "Принят" in page or "принят" in page.lower()
    assert "3 000,00 ₽" in page and "1 000,00 ₽" in page and "2 000,00 ₽" in page
    assert "Бланк заказа №" in page and "макет.pdf" in page and "чек.jpg" not in page
    pdf = ivanov.get(f"/my/papers/{made['own']['doc']}")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    assert "attachment" in pdf.headers["Content-Disposition"]


def test_new_order_with_a_file_reaches_the_office(ivanov, world, store, staff):
    from io import BytesIO

    resp = ivanov.post(
        "/my/new",
        data={"description": "Визитки 500 шт., двусторонние",
              "files": (BytesIO(b"%PDF-1.4 layout"), "макет визитки.pdf")},
        content_type="multipart/form-data",
    )  # fmt: skip
    assert resp.status_code == 302
    order = Order.select().order_by(Order.id.desc()).get()
    assert order.client_id == world["c1"].id and order.source == "portal" and order.unread == 1
    item = Attachment.get(Attachment.order == order.id)
    assert item.original_name == "макет визитки.pdf" and store.read(item.storage_key).startswith(
        b"%PDF"
    )
    told = Notification.select().where(
        (Notification.audience == "staff")
        & Notification.text.contains("Новый заказ из личного кабинета")
    )
    assert {n.employee_id for n in told} >= {staff["manager"].id, staff["director"].id}
    assert ivanov.get(f"/my/files/{item.id}").status_code == 200


def test_new_order_without_description_writes_nothing(ivanov, world, store, tmp_path):
    from io import BytesIO

    before = Order.select().count()
    resp = ivanov.post(
        "/my/new", data={"description": "  ", "files": (BytesIO(b"data"), "a.pdf")},
        content_type="multipart/form-data",
    )  # fmt: skip
    assert resp.status_code == 400 and "Опишите заказ" in resp.get_data(as_text=True)
    assert Order.select().count() == before and Attachment.select().count() == 0
    assert not [p for p in (tmp_path / "files").rglob("*") if p.is_file()]


def test_message_lands_in_the_thread_and_the_manager_is_told(ivanov, world, staff):
    resp = ivanov.post(
        f"/my/orders/{world['own'].id}/message", data={"text": "Когда будет готово?"}
    )
    assert resp.status_code == 302
    message = Message.get(Message.order == world["own"].id)
    assert message.direction == "in" and not message.is_read
    assert Order.get_by_id(world["own"].id).unread == 1
    note = Notification.get(Notification.text.contains("Когда будет готово?"))
    assert note.employee_id == staff["manager"].id
    assert "Когда будет готово?" in ivanov.get(f"/my/orders/{world['own'].id}").get_data(
        as_text=True
    )


def _open_day():
    booking.save_settings(SYSTEM, {"weekdays": [1, 2, 3, 4, 5, 6, 7], "min_hours_before": 0})
    day = local_today() + timedelta(days=2)
    return day, from_local(datetime(day.year, day.month, day.day, 11, 0))


def test_book_a_slot_move_it_and_cancel(ivanov, world, staff):
    day, slot = _open_day()
    page = ivanov.get(f"/my/book?day={day.isoformat()}").get_data(as_text=True)
    assert "11:00–13:00" in page
    resp = ivanov.post("/my/book", data={"slot": slot.isoformat(), "address": "ул. Ленина, 5",
                                          "description": "Подключение"})  # fmt: skip
    assert resp.status_code == 302
    visit = Visit.get()
    assert visit.client_id == world["c1"].id and visit.crew_id == staff["crew"].id
    order_page = ivanov.get(f"/my/orders/{visit.order_id}").get_data(as_text=True)
    assert "ул. Ленина, 5" in order_page and "Перенести" in order_page
    later = slot + timedelta(hours=2)
    assert (
        ivanov.post(f"/my/visits/{visit.id}/move", data={"slot": later.isoformat()}).status_code
        == 302
    )
    assert Visit.get_by_id(visit.id).starts_at == later
    assert ivanov.post(f"/my/visits/{visit.id}/cancel").status_code == 302
    assert Visit.select().count() == 0


def test_taken_slot_offers_the_nearest(app, ivanov, world):
    day, slot = _open_day()
    from core.access import actor_for_client

    other = world["c2"]
    booking.book_visit(actor_for_client(other.id), other.id, slot, "ул. Мира, 1")
    resp = ivanov.post("/my/book", data={"slot": slot.isoformat(), "address": "ул. Ленина, 5"})
    assert resp.status_code == 409
    page = resp.get_data(as_text=True)
    assert "только что заняли" in page and "Свободно рядом" in page
    assert f"{to_local(slot + timedelta(hours=2)):%d.%m.%Y %H:%M}" in page


def test_foreign_visit_is_404(ivanov, world):
    _, slot = _open_day()
    from core.access import actor_for_client

    other = world["c2"]
    visit = booking.book_visit(actor_for_client(other.id), other.id, slot, "ул. Мира, 1")
    assert ivanov.get(f"/my/visits/{visit.id}/move").status_code == 404
    assert ivanov.post(f"/my/visits/{visit.id}/cancel").status_code == 404
    assert Visit.select().count() == 1


def test_pages_use_only_local_assets_and_russian(ivanov, world):
    for url in ("/my/", f"/my/orders/{world['own'].id}", "/my/new", "/my/book", "/my/password"):
        html = ivanov.get(url).get_data(as_text=True)
        head = html.split("<body", 1)[0]
        assert "cdn" not in html.lower() and "http" not in head, url
        assert '<html lang="ru">' in html and "/my/static/portal.css" in head
    login_page = ivanov.client.application.test_client().get("/my/login").get_data(as_text=True)
    assert "Вход в личный кабинет" in login_page
