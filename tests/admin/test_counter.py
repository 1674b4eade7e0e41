"""Issue 12, the counter: one page from a walk-in client to a printed order form, counted in
a person's actions; files on the card; bad input leaves no row and no file."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from cli.demo import DEMO_COMPANY
from core.base import settings
from core.base.money import rubles
from core.clients.models import Client
from core.documents.models import Document
from core.files.models import Attachment
from core.orders.models import Order
from tests.admin.test_browser import page, screens, server  # noqa: F401 - fixtures


def _png(colour=(200, 30, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (240, 160), colour).save(out, "PNG")
    return out.getvalue()


class Actions:
    """A person's actions on a page: a click, a typed field, a key press, a drop — one each."""

    def __init__(self, on):
        self.page, self.count = on, 0

    def fill(self, selector, text):
        self.count += 1
        self.page.fill(selector, text)

    def press(self, selector, key):
        self.count += 1
        self.page.press(selector, key)

    def click(self, selector):
        self.count += 1
        self.page.click(selector)

    def drop(self, selector, files):
        self.count += 1
        self.page.set_input_files(selector, files)


def _stored_files(store) -> list:
    return [p for p in store.root.rglob("*") if p.is_file()]


@pytest.mark.e2e
def test_counter_in_few_actions(page, server, world, staff, store, screens):  # noqa: F811
    settings.put("company", DEMO_COMPANY)
    page.goto(f"{server}/login")
    page.fill("#login", "maria")
    page.fill("#password", "manager-pass-1")
    page.click("button[type=submit]")
    page.wait_for_url("**/admin/")

    # A new client walks in with a layout and a photo: the photo goes on the form.
    page.goto(f"{server}/admin/order/new/")
    for width in (1366, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(screens / f"counter-empty-{width}.png"), full_page=True)
    page.set_viewport_size({"width": 1366, "height": 900})
    act = Actions(page)
    act.fill("#client-search", "Смирнова Ольга")
    act.fill("#new_client_phone", "8 (916) 555-44-33")
    act.fill("#description", "Баннер 2×1 м, люверсы")
    act.fill("#cost", "12 500")
    act.drop(
        "#files",
        [
            {"name": "макет.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4 layout"},
            {"name": "фото.png", "mimeType": "image/png", "buffer": _png()},
        ],
    )
    page.screenshot(path=str(screens / "counter-filled-1366.png"), full_page=True)
    with page.expect_navigation():
        act.click("#save-print")
    new_client_actions = act.count
    assert new_client_actions <= 8
    order = Order.select().order_by(Order.id.desc()).get()
    client = Client.get(Client.phone == "+79165554433")
    assert order.client_id == client.id and client.name == "Смирнова Ольга"
    assert order.cost == rubles(12500) and order.description == "Баннер 2×1 м, люверсы"
    names = {a.original_name for a in Attachment.select().where(Attachment.order == order.id)}
    assert names == {"макет.pdf", "фото.png"}
    assert order.preview.endswith("фото.png")  # the picture chosen for the form
    form = Document.get((Document.order == order.id) & (Document.kind == "order_form"))
    assert "print=" in page.url and page.locator("#print-frame").count() == 1
    frame_src = page.get_attribute("#print-frame", "src")
    pdf = page.request.get(server + frame_src)
    assert pdf.headers["content-type"] == "application/pdf"
    assert "attachment" not in pdf.headers.get("content-disposition", "")
    assert pdf.headers["x-frame-options"] == "SAMEORIGIN"  # it may sit in the card's frame
    assert pdf.body() == store.read(form.storage_key)
    assert len(pdf.body()) > 20_000  # the picture is in it (a bare form is smaller)
    assert f"Заказ №{order.number} принят." in page.inner_text(".alert-success")
    for width in (1366, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(screens / f"counter-printed-{width}.png"), full_page=True)

    # The same client comes back: first letters, Enter, what and how much, save.
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(f"{server}/admin/order/new/")
    act = Actions(page)
    act.fill("#client-search", "смирн")
    act.press("#client-search", "Enter")
    act.fill("#description", "Визитки 200 шт")
    act.fill("#cost", "1 500")
    with page.expect_navigation():
        act.click("#save-print")
    repeat_actions = act.count
    assert repeat_actions <= 5
    again = Order.select().order_by(Order.id.desc()).get()
    assert again.id != order.id and again.client_id == client.id
    assert Client.select().where(Client.name == "Смирнова Ольга").count() == 1
    assert Document.select().where(Document.order == again.id).count() == 1
    assert page.locator("#print-frame").count() == 1
    print(f"\nactions: new client {new_client_actions}, repeat client {repeat_actions}")

    # Keyboard alone: the due date's quick choice, "ещё", and Ctrl+Enter to save and print.
    page.goto(f"{server}/admin/order/new/")
    page.keyboard.type("смирн")
    page.keyboard.press("Enter")
    page.wait_for_selector("#client-chosen", state="visible")  # a person sees the pick
    page.keyboard.type("Листовки А5")
    page.keyboard.press("Tab")
    page.keyboard.type("900")
    page.focus("text=завтра")
    page.keyboard.press("Enter")
    with page.expect_navigation():
        page.keyboard.press("Control+Enter")
    third = Order.select().order_by(Order.id.desc()).get()
    assert third.description == "Листовки А5" and third.cost == rubles(900)
    assert third.due_date is not None and third.client.name == "Смирнова Ольга"


@pytest.mark.e2e
def test_counter_offers_the_client_with_that_phone(page, server, world, staff):  # noqa: F811
    page.goto(f"{server}/login")
    page.fill("#login", "maria")
    page.fill("#password", "manager-pass-1")
    page.click("button[type=submit]")
    page.wait_for_url("**/admin/")
    page.goto(f"{server}/admin/order/new/")
    page.fill("#client-search", "Иванова Мария")
    page.fill("#new_client_phone", "+7 912 345-67-89")  # Иванов Иван Петрович's phone
    page.press("#new_client_phone", "Tab")
    page.wait_for_selector("#twin-live")
    assert "Иванов Иван Петрович" in page.inner_text("#twin-live")
    page.click("#twin-live button")
    page.fill("#description", "Флаеры")
    with page.expect_navigation():
        page.click("#save")
    order = Order.select().order_by(Order.id.desc()).get()
    assert order.client_id == world["c1"].id
    assert Client.select().where(Client.name == "Иванова Мария").count() == 0


def _post_counter(session, **data):
    files = data.pop("files", [])
    data.setdefault("source", "")
    data.setdefault("advance_method", "cash")
    data["files"] = [(io.BytesIO(body), name) for name, body in files]
    return session.post(
        "/admin/order/new/", data=data, content_type="multipart/form-data", follow_redirects=True
    )


def test_duplicate_phone_writes_nothing_and_offers_the_client(as_role, world, store):
    before = (Order.select().count(), Client.select().count(), len(_stored_files(store)))
    html = _post_counter(
        as_role("manager"),
        new_client_name="Иванова Мария",
        new_client_phone="8 912 345 67 89",
        description="Баннер",
        cost="1000",
        files=[("макет.pdf", b"%PDF-1.4")],
    ).get_data(as_text=True)
    assert "уже есть: Иванов Иван Петрович" in html
    assert f'data-id="{world["c1"].id}"' in html and "Взять «Иванов Иван Петрович»" in html
    assert (Order.select().count(), Client.select().count(), len(_stored_files(store))) == before


@pytest.mark.parametrize(
    "bad",
    [
        {"description": ""},  # no description
        {"advance": "5000"},  # advance over the cost
        {"files": [("пусто.pdf", b"")]},  # an empty file
        {"preview": "чужое.png"},  # a preview that was not uploaded
    ],
)
def test_bad_counter_input_writes_nothing(as_role, world, store, bad):
    before = (Order.select().count(), Client.select().count(), len(_stored_files(store)))
    data = {"new_client_name": "Петрова Анна", "new_client_phone": "+7 903 111-22-33",
            "description": "Кружки", "cost": "1000", "files": [("фото.png", _png())],
            "preview": "фото.png", **bad}  # fmt: skip
    resp = _post_counter(as_role("manager"), **data)
    html = resp.get_data(as_text=True)
    assert "alert-danger" in html or "alert-error" in html
    assert (Order.select().count(), Client.select().count(), len(_stored_files(store))) == before


def test_card_files_upload_preview_delete(as_role, world, store):
    order = world["own"]
    manager, director = as_role("manager"), as_role("director")
    resp = manager.post(
        "/admin/order/files/",
        data={
            "id": order.id,
            "files": [(io.BytesIO(_png()), "a.png"), (io.BytesIO(b"x"), "b.txt")],
        },
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert "Загружено файлов: 2." in resp.get_data(as_text=True)
    png = Attachment.get((Attachment.order == order.id) & (Attachment.original_name == "a.png"))
    txt = Attachment.get((Attachment.order == order.id) & (Attachment.original_name == "b.txt"))
    html = manager.get(f"/admin/order/card/?id={order.id}").get_data(as_text=True)
    assert "thumb=1" in html and ">на бланк<" in html and ">удалить<" not in html
    resp = manager.post("/admin/order/file/", data={"id": order.id, "file": txt.id, "do": "preview"},
                        follow_redirects=True)  # fmt: skip
    assert "Превью может быть только картинкой" in resp.get_data(as_text=True)
    manager.post("/admin/order/file/", data={"id": order.id, "file": png.id, "do": "preview"})
    assert Order.get_by_id(order.id).preview == png.storage_key
    resp = manager.post("/admin/order/file/", data={"id": order.id, "file": png.id, "do": "delete"},
                        follow_redirects=True)  # fmt: skip
    assert "Недостаточно прав" in resp.get_data(as_text=True)
    assert store.exists(png.storage_key)
    director.post("/admin/order/file/", data={"id": order.id, "file": png.id, "do": "delete"})
    assert not store.exists(png.storage_key)
    assert Attachment.get_or_none(Attachment.id == png.id) is None
    assert Order.get_by_id(order.id).preview == ""
