"""Issue 12, the counter: one page from a walk-in client to a printed order form, counted in
a person's actions; files on the card; bad input leaves no row and no file."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from admin.views.orders.counter import quick_dates
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
    """The one counting rule (issue 28). Each of these is one action:
    - a click: on a button, a link, a list item, or into a box to type there;
    - typing into the box that has the focus, however many characters;
    - a key: Tab, Enter, Ctrl+Enter;
    - a file drop.
    Focus that the page moves by itself costs nothing; a box reached by a click costs that
    click, one reached by Tab costs the Tab."""

    def __init__(self, on):
        self.page, self.count = on, 0

    def type(self, text):
        self.count += 1
        self.page.keyboard.insert_text(text)

    def fill(self, selector, text):
        """Typing into a box: a click first unless the box already has the focus."""
        if not self.page.eval_on_selector(selector, "el => el === document.activeElement"):
            self.click(selector)
        self.type(text)

    def key(self, key):
        self.count += 1
        self.page.keyboard.press(key)

    def sees_focus_on(self, selector):
        """Not an action: the person waits until the page has moved the focus."""
        self.page.wait_for_function(
            "s => document.activeElement === document.querySelector(s)", arg=selector
        )

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
    # The common order: what, how much, the advance, by when, and a file; Tab and Enter move
    # the focus, the rest goes into one line the page reads as the chat does.
    act = Actions(page)
    act.fill("#client-search", "Смирнова Ольга")  # the search has the focus: typing only
    act.key("Enter")  # nobody like that: a new client, the focus on the phone
    act.sees_focus_on("#new_client_phone")
    act.type("8 (916) 555-44-33")
    act.key("Enter")  # on to the description
    act.sees_focus_on("#description")
    act.type("Баннер 2×1 м, люверсы, 12 500, аванс 5 000, пятница")
    page.wait_for_function("() => document.getElementById('cost').value === '12 500,00'")
    assert page.input_value("#advance") == "5 000,00"
    friday = quick_dates()[2][1]
    assert page.input_value("#due_date") == friday
    assert "Понято" in page.inner_text("#line-hint")
    act.drop(
        "#files",
        [
            {"name": "макет.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4 layout"},
            {"name": "фото.png", "mimeType": "image/png", "buffer": _png()},
        ],
    )
    page.screenshot(path=str(screens / "counter-filled-1366.png"), full_page=True)
    with page.expect_navigation():
        act.key("Control+Enter")  # save and print
    new_client_actions = act.count
    assert new_client_actions <= 8
    order = Order.select().order_by(Order.id.desc()).get()
    client = Client.get(Client.phone == "+79165554433")
    assert order.client_id == client.id and client.name == "Смирнова Ольга"
    assert order.cost == rubles(12500) and order.description == "Баннер 2×1 м, люверсы"
    assert order.paid == rubles(5000) and f"{order.due_date:%d.%m.%Y}" == friday
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
    act.key("Enter")  # the client picked, the focus on the description
    act.sees_focus_on("#description")
    act.type("Визитки 200 шт, 1 500, аванс 1 500, завтра")
    act.drop(
        "#files", [{"name": "визитка.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4 v"}]
    )
    with page.expect_navigation():
        act.key("Control+Enter")
    repeat_actions = act.count
    assert repeat_actions <= 5
    again = Order.select().order_by(Order.id.desc()).get()
    assert again.id != order.id and again.client_id == client.id
    assert Client.select().where(Client.name == "Смирнова Ольга").count() == 1
    assert Document.select().where(Document.order == again.id).count() == 1
    assert (again.description, again.cost, again.paid) == (
        "Визитки 200 шт",
        rubles(1500),
        rubles(1500),
    )
    assert f"{again.due_date:%d.%m.%Y}" == quick_dates()[1][1] and again.debt == 0
    assert [a.original_name for a in Attachment.select().where(Attachment.order == again.id)] == [
        "визитка.pdf"
    ]
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


def test_one_line_goes_to_the_fields_unless_they_say_otherwise(as_role, world):
    s = as_role("manager")
    _post_counter(
        s, client=str(world["c1"].id), description="Кружки 50 шт, 3 000, аванс 1 000, завтра"
    )
    order = Order.select().order_by(Order.id.desc()).get()
    assert (order.description, order.cost, order.paid) == (
        "Кружки 50 шт",
        rubles(3000),
        rubles(1000),
    )
    assert f"{order.due_date:%d.%m.%Y}" == quick_dates()[1][1]
    # The cost box says another sum: the line stays the description as typed.
    _post_counter(s, client=str(world["c1"].id), description="Кружки 50 шт, 3 000", cost="2 500")
    order = Order.select().order_by(Order.id.desc()).get()
    assert (order.description, order.cost) == ("Кружки 50 шт, 3 000", rubles(2500))
    line = s.get("/admin/order/line/?text=" + "Визитки 200 шт, 1 500, пятница").get_json()
    assert line == {"description": "Визитки 200 шт", "cost": "1 500,00", "advance": "",
                    "due_date": quick_dates()[2][1]}  # fmt: skip
    assert s.get("/admin/order/line/?text=Баннер").get_json() == {}
