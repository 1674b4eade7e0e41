"""The mailing page and the order list's "Написать клиентам" go through core.conversations.bulk; the
template editor warns about placeholders that may leave a gap."""

from __future__ import annotations

import pytest

from core.clients.models import Client
from core.conversations.models import Message, Notification, Template
from tests.admin.test_browser import page, screens, server  # noqa: F401 - shared fixtures
from tests.fakes.channels import firm_sends_sms_and_mail


@pytest.fixture(autouse=True)
def _firm_sends_sms_and_mail(db):
    firm_sends_sms_and_mail()


def test_the_order_list_action_is_a_mailing_that_respects_opt_out(as_role, world):
    s = as_role("manager")
    Client.update(opt_out=True).where(Client.id == world["c2"].id).execute()
    Notification.delete().execute()
    picked = [world["own"].id, world["mine"].id, world["sub"].id]  # c1 twice, c2 (opted out)
    resp = s.post(
        "/admin/order/action/",
        {"action": "message", "rowid": picked, "bulk_text": "{ФИО}, скидка 10% в декабре"},
        follow_redirects=True,
    )
    html = resp.get_data(as_text=True)
    assert "поставлено в отправку 1" in html and "отказались от рассылок 1" in html
    (note,) = Notification.select()
    assert note.client_id == world["c1"].id and note.kind == "mailing" and note.order_id is None
    assert note.text == "Иванов Иван Петрович, скидка 10% в декабре"
    assert "Вопрос по заказу" not in note.subject and "Заказ №" not in note.subject
    assert not Message.select().where(Message.text.contains("скидка 10%")).exists()


def test_the_mailing_page_checks_then_sends_to_debtors_and_shows_progress(as_role, world):
    s = as_role("manager")
    Notification.delete().execute()
    form = {"debtors": "1", "subject": "Напоминание об оплате",
            "text": "{ФИО}, ваш долг {остаток оплаты}.[ Телефон: {телефон фирмы}]"}  # fmt: skip
    html = s.post("/admin/mailing/", {**form, "send": "0"}).get_data(as_text=True)
    assert "Подходит клиентов: <b>2</b>; получат: <b>2</b>" in html
    assert Notification.select().count() == 0  # a check writes nothing
    assert 'id="mailing-warnings"' not in html  # the phone sits in a conditional part
    gap = s.post("/admin/mailing/", {**form, "text": "Звоните {телефон фирмы}", "send": "0"})
    assert "{телефон фирмы} вне квадратных скобок" in gap.get_data(as_text=True)
    resp = s.post("/admin/mailing/", {**form, "send": "1"}, follow_redirects=True)
    html = resp.get_data(as_text=True)
    assert "поставлено в отправку 2" in html and "Напоминание об оплате" in html
    texts = {n.text for n in Notification.select().where(Notification.kind == "mailing")}
    assert texts == {
        "Иванов Иван Петрович, ваш долг 11 000,00 ₽.",
        "ООО Ромашка, ваш долг 21 500,00 ₽.",
    }
    bad = s.post("/admin/mailing/", {"text": "Привет", "send": "1"}).get_data(as_text=True)
    assert "Выберите, кому писать" in bad
    assert as_role("executor").get("/admin/mailing/").status_code == 403
    assert 'href="/admin/mailing/"' in s.get("/admin/order/").get_data(as_text=True)


def test_the_template_editor_warns_about_a_placeholder_that_may_be_empty(as_role, world):
    s = as_role("director")
    tpl = Template.get((Template.code == "printing.done") & (Template.channel == "any"))
    html = s.get(f"/admin/template/edit/?id={tpl.id}").get_data(as_text=True)
    assert 'id="template-warnings"' not in html  # the preset has its conditional parts
    form = {"name": tpl.name, "code": tpl.code, "channel": "any", "subject": tpl.subject,
            "body": "Готово. Звоните по телефону {телефон фирмы}. {фирма}"}  # fmt: skip
    resp = s.post(f"/admin/template/edit/?id={tpl.id}", form, follow_redirects=True)
    assert "сохранён, но: {телефон фирмы} вне квадратных скобок" in resp.get_data(as_text=True)
    html = s.get(f"/admin/template/edit/?id={tpl.id}").get_data(as_text=True)
    assert (
        'id="template-warnings"' in html and "Звоните по телефону . " in html
    )  # preview shows the gap


@pytest.mark.e2e
def test_the_mailing_page_in_a_browser(page, server, world, screens):  # noqa: F811 - fixtures
    page.goto(f"{server}/admin/")
    page.fill("#login", "maria")
    page.fill("#password", "manager-pass-1")
    page.click("button[type=submit]")
    page.wait_for_url("**/admin/")
    page.click("text=Рассылка")
    page.wait_for_url("**/admin/mailing/")
    page.check("#debtors")
    page.fill("#subject", "Напоминание об оплате")
    page.fill("#text", "{ФИО}, ваш долг {остаток оплаты}.[ Телефон: {телефон фирмы}]")
    page.click("button[name=send][value='0']")
    assert "получат: 2" in page.inner_text("#mailing-check")
    page.screenshot(path=str(screens / "mailing-check-1366.png"), full_page=True)
    page.click("button[name=send][value='1']")
    page.wait_for_selector("#mailings")
    assert "Напоминание об оплате" in page.inner_text("#mailings")
    page.screenshot(path=str(screens / "mailing-sent-1366.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=str(screens / "mailing-sent-390.png"), full_page=True)


@pytest.mark.e2e
def test_the_template_warning_in_a_browser(page, server, world, screens):  # noqa: F811 - fixtures
    tpl = Template.get((Template.code == "installation.ready") & (Template.channel == "any"))
    Template.update(body="Документы готовы, звоните по телефону {телефон фирмы}. {фирма}").where(
        Template.id == tpl.id
    ).execute()
    page.goto(f"{server}/admin/")
    page.fill("#login", "director")
    page.fill("#password", "director-pass-1")
    page.click("button[type=submit]")
    page.wait_for_url("**/admin/")
    page.goto(f"{server}/admin/template/edit/?id={tpl.id}")
    assert "{телефон фирмы} вне квадратных скобок" in page.inner_text("#template-warnings")
    assert "по телефону . " in page.inner_text("#template-preview")
    page.screenshot(path=str(screens / "template-warning-1366.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=str(screens / "template-warning-390.png"), full_page=True)
