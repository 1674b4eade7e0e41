from __future__ import annotations

from datetime import datetime, timedelta

from core.base.clock import from_local, local_today, utcnow
from core.base.config import Config
from core.base.money import rubles
from core.clients import clients
from core.conversations import reminders, threads
from core.conversations.models import Notification
from core.orders import orders
from core.orders.models import Order
from core.tasks.models import Task
from scheduler.app import build_scheduler


def _staff_texts(employee):
    return [
        n.text
        for n in Notification.select().where(
            (Notification.audience == "staff") & (Notification.employee == employee.id)
        )
    ]


def _clear():
    Notification.delete().execute()


def test_subcontract_reminder_goes_to_director_and_manager_daily_until_received(actors, staff):
    client = clients.create_client(actors["manager"], "Кружкин", "+7 912 111-22-33")
    order = orders.create_order(
        actors["manager"],
        client.id,
        "Кружки 100 шт",
        rubles(20_000),
        subcontractor_id=staff["sub"].id,
    )
    Order.update(due_date=local_today() + timedelta(days=1)).where(Order.id == order.id).execute()
    _clear()

    assert reminders.remind_subcontracts(days_ahead=1) == 2
    assert reminders.remind_subcontracts(days_ahead=1) == 0  # same day: nothing new
    assert any("Сувенир-Принт" in t for t in _staff_texts(staff["director"]))
    assert any("спросите подрядчика" in t for t in _staff_texts(staff["manager"]))
    assert reminders.remind_subcontracts(local_today() + timedelta(days=1)) == 2  # next day again

    Order.update(subcontract_received=True).where(Order.id == order.id).execute()
    assert reminders.remind_subcontracts(local_today() + timedelta(days=2)) == 0


def test_due_date_reminder_reaches_the_executor_the_day_before(actors, staff):
    client = clients.create_client(actors["manager"], "Срочный", "+7 912 111-22-34")
    order = orders.create_order(
        actors["manager"], client.id, "Монтаж щита", rubles(5_000), executor_id=staff["executor"].id
    )
    Order.update(due_date=local_today() + timedelta(days=1)).where(Order.id == order.id).execute()
    _clear()
    assert reminders.remind_due_dates() == 1
    assert [t for t in _staff_texts(staff["executor"]) if "Завтра срок" in t]


def test_morning_digest_lists_todays_jobs_once(actors, staff):
    client = clients.create_client(
        actors["manager"], "Дачник", "+7 912 111-22-35", address="СНТ Берёзка, уч. 5"
    )
    a = orders.create_order(
        actors["manager"], client.id, "Осмотр", rubles(0), executor_id=staff["executor"].id
    )
    b = orders.create_order(
        actors["manager"], client.id, "Щит", rubles(0), executor_id=staff["executor"].id
    )
    orders.create_order(
        actors["manager"], client.id, "Чужое", rubles(0), executor_id=staff["executor2"].id
    )
    visit = from_local(datetime.combine(local_today(), datetime.min.time()).replace(hour=11))
    Order.update(visit_at=visit).where(Order.id == a.id).execute()
    Order.update(due_date=local_today()).where(Order.id == b.id).execute()
    _clear()

    assert reminders.morning_digest() == 1
    assert reminders.morning_digest() == 0
    (text,) = _staff_texts(staff["executor"])
    assert f"№{a.number} в 11:00" in text and f"№{b.number}" in text and "Берёзка" in text
    assert _staff_texts(staff["executor2"]) == []


def _sent_readiness(actors, phone, code="printing.done", order=None, key="ready"):
    if order is None:
        client = clients.create_client(actors["manager"], "Молчун", phone)
        order = orders.create_order(actors["manager"], client.id, "Документы", rubles(1_000))
    client = order.client
    note = Notification.create(
        audience="client", client=client, order=order, template_code=code,
        text="Готово", idempotency_key=f"{key}:{order.id}", status="sent",
        sent_at=utcnow() - timedelta(hours=25),
    )  # fmt: skip
    return client, order, note


def test_unanswered_readiness_message_makes_a_call_task_for_the_manager(actors, staff):
    client, order, note = _sent_readiness(actors, "+7 912 111-22-36")

    assert reminders.escalate_unanswered(24) == 1
    assert reminders.escalate_unanswered(24) == 0
    task = Task.get(Task.kind == "call_client")
    assert task.assignee_id == staff["manager"].id and task.title.startswith("Позвонить клиенту")
    assert any("Позвоните клиенту" in t for t in _staff_texts(staff["manager"]))


def test_only_messages_that_ask_the_client_to_act_are_escalated(actors, staff):
    # "заявка принята" (a pipeline's first stage) asks nothing of the client
    _sent_readiness(actors, "+7 912 111-22-40", code="installation.accepted")
    _sent_readiness(actors, "+7 912 111-22-41", code="printing.accepted")
    assert reminders.escalate_unanswered(24) == 0
    # "документы готовы" (the installer's readiness) does
    _, order, _ = _sent_readiness(actors, "+7 912 111-22-42", code="installation.ready")
    assert reminders.escalate_unanswered(24) == 1
    assert Task.get(Task.kind == "call_client").order_id == order.id
    assert reminders.codes_expecting_action() == {"printing.done", "installation.ready"}


def test_one_open_call_task_per_order_however_many_messages_went_unanswered(actors, staff):
    _, order, _ = _sent_readiness(actors, "+7 912 111-22-43")
    _sent_readiness(actors, None, code="installation.ready", order=order, key="docs")
    assert reminders.escalate_unanswered(24) == 1
    tasks = Task.select().where((Task.kind == "call_client") & (Task.order == order.id))
    assert tasks.count() == 1
    # once that call is made (the task done), a new unanswered message may raise a new one
    Task.update(done_at=utcnow()).where(Task.order == order.id).execute()
    _sent_readiness(actors, None, order=order, key="again")
    assert reminders.escalate_unanswered(24) == 1


def test_a_reply_or_a_seen_receipt_prevents_escalation(actors):
    client, order, note = _sent_readiness(actors, "+7 912 111-22-37")
    threads.record_incoming(client.id, "Спасибо, заеду", channel="viber", order_id=order.id)
    client2, order2, note2 = _sent_readiness(actors, "+7 912 111-22-38")
    Notification.update(seen_at=utcnow()).where(Notification.id == note2.id).execute()

    assert reminders.escalate_unanswered(24) == 0
    assert reminders.escalate_unanswered(30) == 0  # not yet due anyway


def test_scheduler_has_its_jobs_and_one_delivery_loop(db):
    scheduler = build_scheduler(Config(), {})
    scheduler.start(paused=True)  # defaults are applied when jobs reach the job store
    jobs = {job.id: job for job in scheduler.get_jobs()}
    scheduler.shutdown()
    assert {"escalate", "daily"} <= set(jobs)
    assert "deliver" not in jobs  # the outbox has a loop of its own, not an interval job
    assert jobs["daily"].misfire_grace_time >= 300 and jobs["daily"].coalesce


def test_waiting_receipt_photos_are_swept_when_there_is_a_store(db):
    from tests.fakes.memory_store import MemoryStore

    for store, expected in ((None, False), (MemoryStore(), True)):
        scheduler = build_scheduler(Config(), {}, store=store)
        scheduler.start(paused=True)
        has = any(job.id == "receipts" for job in scheduler.get_jobs())
        scheduler.shutdown(wait=False)
        assert has is expected
