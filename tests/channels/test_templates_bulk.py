from __future__ import annotations

import pytest

from core import bulk, clients, orders, payments, templates
from core.config import Config, NotifySection
from core.errors import AccessDenied, ValidationError
from core.models import Client, MessengerLink, Notification
from core.money import rubles
from scheduler.deliverer import Deliverer
from tests.fakes.channels import FakeSender


def test_an_unknown_placeholder_is_refused_on_save_naming_it(db):
    with pytest.raises(ValidationError, match=r"\{остаток\}"):
        templates.save_template("printing.done", "Заказ №{номер заказа}, долг {остаток}")
    with pytest.raises(ValidationError, match="непарные"):
        templates.save_template("printing.done", "Заказ №{номер заказа")
    assert "{остаток}" not in templates.template_for("printing.done").body


def test_preview_renders_the_installers_readiness_preset_with_a_real_order(actors):
    client = clients.create_client(actors["manager"], "Сидоров Пётр", "+79120000002")
    order = orders.create_order(actors["manager"], client.id, "Подключение дома", rubles(30_000),
                                pipeline="installation", object_address="СНТ Ромашка, 5")  # fmt: skip
    payments.add_payment(actors["manager"], order.id, rubles(12_500))
    subject, text = templates.preview(actors["manager"], order.id, code="installation.ready")
    assert f"Уважаемый(ая) Сидоров Пётр, ваши документы по заказу №{order.number} готовы" in text
    assert "17 500,00 ₽" in text and str(order.number) in subject
    _, sms = templates.preview(
        actors["manager"], order.id, code="installation.ready", channel="sms"
    )
    assert len(sms) < len(text) and "17 500,00 ₽" in sms
    _, draft = templates.preview(actors["manager"], order.id, body="{ФИО}: {адрес}")
    assert draft == "Сидоров Пётр: СНТ Ромашка, 5"
    with pytest.raises(ValidationError, match=r"\{дата\}"):
        templates.preview(actors["manager"], order.id, body="{дата}")


def test_the_sms_variant_is_used_when_delivery_falls_to_sms(actors):
    client = clients.create_client(actors["manager"], "Смс Клиент", "+79120000003")
    order = orders.create_order(actors["manager"], client.id, "Визитки", rubles(1_000))
    Notification.delete().execute()
    orders.move_order(actors["manager"], order.id, "done")
    sms = FakeSender("sms")
    Deliverer({"sms": sms}, Config(notify=NotifySection()), sleep=lambda s: None).run_once()
    (sent,) = sms.sent
    assert sent.text.startswith(f"Заказ №{order.number} готов. К оплате 1 000,00 ₽")


def test_bulk_follow_up_to_debtors_respects_opt_out_and_reports(actors):
    m = actors["manager"]
    debtor = clients.create_client(m, "Должник Один", "+79120000011")
    orders.create_order(m, debtor.id, "Баннер", rubles(5_000))
    quiet = clients.create_client(m, "Не Беспокоить", "+79120000012")
    orders.create_order(m, quiet.id, "Баннер", rubles(5_000))
    Client.update(opt_out=True).where(Client.id == quiet.id).execute()
    lost = clients.create_client(m, "Без Связи", "+79120000013")
    orders.create_order(m, lost.id, "Баннер", rubles(5_000))
    Client.update(phone=None).where(Client.id == lost.id).execute()
    paid = clients.create_client(m, "Всё Оплатил", "+79120000014")
    MessengerLink.create(channel="telegram", external_id="42", client=paid)
    Notification.delete().execute()

    report = bulk.bulk_message(m, "{ФИО}, напоминаем об оплате: {остаток оплаты}", with_debt=True)
    assert (report.matched, report.queued, report.skipped_opt_out, report.no_channel) == (
        3,
        1,
        1,
        1,
    )
    again = bulk.bulk_message(m, "{ФИО}, напоминаем", with_debt=True, batch=report.batch)
    assert again.queued == 0
    note = Notification.get(Notification.idempotency_key.startswith("bulk:"))
    assert note.text == "Должник Один, напоминаем об оплате: 5 000,00 ₽"

    sms = FakeSender("sms")
    Deliverer({"sms": sms}, Config(), sleep=lambda s: None).run_once()
    assert bulk.bulk_progress(report.batch)["sent"] == 1


def test_bulk_by_stage_and_bad_input(actors):
    m = actors["manager"]
    client = clients.create_client(m, "Монтаж Клиент", "+79120000021")
    order = orders.create_order(
        m, client.id, "Подключение", rubles(10_000), pipeline="installation"
    )
    orders.move_order(m, order.id, "awaiting_payment")
    Notification.delete().execute()
    report = bulk.bulk_message(
        m, "Заказ №{номер заказа}: ждём оплату {остаток оплаты}", stage="ждёт оплаты"
    )
    assert report.queued == 1
    assert Notification.get().text == f"Заказ №{order.number}: ждём оплату 10 000,00 ₽"
    with pytest.raises(ValidationError, match=r"\{сумма долга\}"):
        bulk.bulk_message(m, "{сумма долга}", with_debt=True)
    with pytest.raises(ValidationError, match="Нет этапа"):
        bulk.bulk_message(m, "Привет", stage="на луне")
    with pytest.raises(AccessDenied):
        bulk.bulk_message(actors["executor"], "Привет", with_debt=True)
