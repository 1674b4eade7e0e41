from __future__ import annotations

import email
import re
from datetime import date, datetime
from email import policy

import pytest

from bots.email.transport import SmtpSender
from core.base import settings
from core.base.config import Config, NotifySection
from core.base.errors import AccessDenied, ValidationError
from core.base.interfaces import DeliveryError
from core.base.money import rubles
from core.clients import clients
from core.clients.models import Client, MessengerLink
from core.conversations import bulk, templates
from core.conversations.models import Message, Notification, Template
from core.money import payments
from core.orders import orders
from core.orders.models import Order
from core.tasks.models import Task
from scheduler.deliverer import Deliverer
from tests.fakes.channels import FakeSender, firm_sends_sms_and_mail
from tests.fakes.mail import SmtpSink


@pytest.fixture(autouse=True)
def _firm_sends_sms_and_mail(db):
    firm_sends_sms_and_mail()


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


GAPS = (" .", " ,", ": .", "  ", "по телефону .", "Тел. ", "адресу  ")
ZERO_SUM = re.compile(r"(?<!\d)(?<!\d\s)0,00")  # "0,00 ₽", not the tail of "2 000,00 ₽"


def _presets():
    for code, (_, subject, body) in templates.PRESET_TEMPLATES.items():
        yield code, "any", subject + "\n" + body
    for (code, channel), (_, body) in templates.PRESET_CHANNEL_TEMPLATES.items():
        yield code, channel, body


def test_no_preset_leaves_a_gap_for_an_unset_firm_phone_or_a_paid_order(actors):
    m = actors["manager"]
    settings.put("company", {"name": "Печатник", "phone": ""})
    client = clients.create_client(m, "Оплатил Всё", "+79120000031")
    paid = orders.create_order(m, client.id, "Баннер", rubles(2_000))
    payments.add_payment(m, paid.id, rubles(2_000))
    Notification.delete().execute()
    orders.move_order(m, paid.id, "done")  # the real path: a stage move writes the outbox
    (note,) = Notification.select()
    assert not ZERO_SUM.search(note.text) and "К оплате" not in note.text
    assert note.text.endswith("можно забирать. Печатник")
    context = templates.context_for_order(Order.get_by_id(paid.id))
    for code, channel, text in _presets():
        assert templates.warnings(text) == [], (code, channel)
        rendered = templates.render(text, context)
        assert not [g for g in GAPS if g in rendered], (code, channel, rendered)
        if code != "printing.accepted":  # "оплачено 0,00 ₽" there is news, not a gap
            assert not ZERO_SUM.search(rendered), (code, channel, rendered)

    settings.put("company", {"name": "Печатник", "phone": "+7 912 000-00-00"})
    owes = orders.create_order(m, client.id, "Визитки", rubles(1_500))
    ready = templates.render(
        templates.template_for("installation.ready").body,
        templates.context_for_order(owes),
    )
    assert (
        "связавшись с нами по телефону +7 912 000-00-00. Ваш остаток оплаты: 1 500,00 ₽." in ready
    )


def test_conditional_parts_keep_plain_brackets_and_unknown_placeholder_errors(db):
    ctx = {"ФИО": "Ива{н}", "телефон фирмы": "", "остаток оплаты": "12,50 ₽"}
    assert (
        templates.render("[Акция] {ФИО}[, тел. {телефон фирмы}][, долг {остаток оплаты}]", ctx)
        == "[Акция] Ива{н}, долг 12,50 ₽"
    )  # a value's own braces are text, not a placeholder
    with pytest.raises(ValidationError, match=r"\{телефон\}"):
        templates.render("[тел. {телефон}]", ctx)
    with pytest.raises(ValidationError, match="квадратные скобки"):
        templates.save_template("printing.done", "Готово[, звоните {телефон фирмы}")
    with pytest.raises(ValidationError, match="вложенные"):
        templates.save_template("printing.done", "[a [{ФИО}]]")
    (warning,) = templates.warnings("Звоните по телефону {телефон фирмы}. [{адрес}]")
    assert "{телефон фирмы}" in warning and "скобки" in warning
    # with a real context, any placeholder empty right now is named too
    assert templates.warnings("{ФИО} {телефон фирмы}", {"ФИО": "", "телефон фирмы": "1"})[
        0
    ].startswith("{ФИО}")


def test_upgrade_gives_untouched_presets_their_conditional_parts_and_adds_the_kind(db):
    from playhouse.migrate import SchemaMigrator, migrate

    from core import migrations
    from core.base import db as dbmod

    old = migrations._V8_OLD_PRESETS[("printing.done", "any")]
    Template.update(body=old).where(
        (Template.code == "printing.done") & (Template.channel == "any")
    ).execute()
    Template.update(body="Своё: {телефон фирмы}").where(
        (Template.code == "installation.ready") & (Template.channel == "any")
    ).execute()
    migrate(SchemaMigrator.from_database(dbmod.database.obj).drop_column("notification", "kind"))
    migrations.SchemaVersion.update(version=7).execute()

    migrations.upgrade()
    assert "kind" in {c.name for c in dbmod.database.get_columns("notification")}
    assert (
        templates.template_for("printing.done").body
        == templates.PRESET_TEMPLATES["printing.done"][2]
    )
    assert templates.template_for("installation.ready").body == "Своё: {телефон фирмы}"


def test_a_mailing_skips_opt_outs_has_its_own_subject_and_is_no_question_on_an_order(actors):
    m = actors["manager"]
    keen = clients.create_client(m, "Рад Письмам", "+79120000041", email="keen@example.test")
    old_order = orders.create_order(m, keen.id, "Визитки", rubles(1_000))
    quiet = clients.create_client(m, "Не Пишите", "+79120000042", email="quiet@example.test")
    quiet_order = orders.create_order(m, quiet.id, "Баннер", rubles(2_000))
    Client.update(opt_out=True).where(Client.id == quiet.id).execute()
    Notification.delete().execute()

    report = bulk.bulk_message(
        m,
        "{ФИО}, у нас новые бумаги.[ Звоните: {телефон фирмы}]",
        order_ids=[old_order.id, quiet_order.id],
    )
    assert (report.matched, report.queued, report.skipped_opt_out, report.no_channel) == (
        2,
        1,
        1,
        0,
    )
    assert "отказались от рассылок 1" in report.summary()
    (note,) = Notification.select()
    assert (note.client_id, note.kind, note.order_id) == (keen.id, "mailing", None)
    assert note.subject == f"Сообщение от {templates.context_for_order(old_order)['фирма']}"

    with SmtpSink() as sink:
        smtp = SmtpSender("127.0.0.1", sink.port, sender="shop@example.test")
        config = Config(notify=NotifySection(fallback=("email",), email_per_second=1000))
        Deliverer({"email": smtp}, config, sleep=lambda s: None).run_once()
        ((_, rcpt, raw),) = sink.messages
    letter = email.message_from_bytes(raw, policy=policy.default)
    assert rcpt == ["keen@example.test"]
    assert letter["Subject"] == note.subject and "Заказ №" not in letter["Subject"]
    # not filed into the old order's thread
    assert not Message.select().where(Message.order == old_order.id).exists()


def test_a_mailing_by_period_and_an_undeliverable_one_makes_no_call_task(actors):
    m = actors["manager"]
    autumn = clients.create_client(m, "Осенний Клиент", "+79120000051")
    order = orders.create_order(m, autumn.id, "Календари", rubles(4_000))
    Order.update(created_at=datetime(2026, 10, 10, 9, 0)).where(Order.id == order.id).execute()
    recent = clients.create_client(m, "Свежий Клиент", "+79120000052")
    orders.create_order(m, recent.id, "Листовки", rubles(1_000))
    Notification.delete().execute()

    report = bulk.bulk_message(
        m, "Заказ №{номер заказа}: скидка на повтор", subject="Повторите заказ",
        since=date(2026, 10, 1), until=date(2026, 10, 31),
    )  # fmt: skip
    assert report.queued == 1
    (note,) = Notification.select()
    assert note.client_id == autumn.id and note.text == f"Заказ №{order.number}: скидка на повтор"
    with pytest.raises(ValidationError, match=r"\{номер заказа\}.*из заказа"):
        bulk.bulk_message(m, "Заказ №{номер заказа}", with_debt=True)

    refuses = FakeSender("sms", DeliveryError("номер не существует", permanent=True))
    Deliverer({"sms": refuses}, Config(), sleep=lambda s: None).run_once()
    assert Notification.get_by_id(note.id).status == "failed"
    assert Task.select().count() == 0  # the mailing's report counts it; nobody must call
    (row,) = bulk.recent_mailings(m)
    assert (row["subject"], row["sent"], row["failed"]) == ("Повторите заказ", 0, 1)


def test_the_preview_counts_what_the_firm_can_send_not_what_the_client_has(actors):
    """Issue 23: the preview said «нет способа связи: 0» and then 4 failed — it counted a phone
    as a way even where the firm has no SMS. Now it counts by the channels the deliverer will
    try (set up and in the firm's order), and the real run sends exactly what it counted."""
    from core.base import runtime
    from core.base.models import Setting

    Setting.delete().where(
        Setting.key.startswith("sms.") | Setting.key.startswith("smtp.")
    ).execute()
    runtime.refresh()  # this firm: a Telegram bot, no SMS gateway, no outgoing mail
    settings.put("telegram.token", "1:T")
    m = actors["manager"]
    by_phone = clients.create_client(m, "Только Телефон", "+79120000061", email="p@example.test")
    on_telegram = clients.create_client(m, "В Телеграме", "+79120000062")
    MessengerLink.create(channel="telegram", external_id="620", client=on_telegram)
    on_max = clients.create_client(m, "В МАКСе", "+79120000063")
    MessengerLink.create(channel="max", external_id="630", client=on_max)
    for client in (by_phone, on_telegram, on_max):
        orders.create_order(m, client.id, "Баннер", rubles(1_000))
    Notification.delete().execute()

    preview = bulk.bulk_message(m, "{ФИО}, напоминаем", with_debt=True, dry_run=True)
    assert (preview.matched, preview.queued, preview.no_channel) == (3, 1, 2)
    assert "нет способа связи 2" in preview.summary()
    report = bulk.bulk_message(m, "{ФИО}, напоминаем", with_debt=True)
    assert (report.queued, report.no_channel) == (1, 2)
    telegram = FakeSender("telegram")
    Deliverer({"telegram": telegram}, runtime.config(), sleep=lambda s: None).run_once()
    assert bulk.bulk_progress(report.batch) == {"pending": 0, "sending": 0, "sent": 1, "failed": 0}
    assert [msg.text.split("\n")[0] for msg in telegram.sent] == ["В Телеграме, напоминаем"]

    settings.put("sms.provider", "smsru")  # the firm sets SMS up: the phone counts again
    settings.put("sms.api_id", "KEY")
    again = bulk.bulk_message(m, "{ФИО}, напоминаем", with_debt=True, dry_run=True)
    assert (again.queued, again.no_channel) == (3, 0)
    settings.put("notify.fallback", ["telegram", "email"])  # …but leaves it out of its order
    assert bulk.bulk_message(m, "x", with_debt=True, dry_run=True).no_channel == 2
