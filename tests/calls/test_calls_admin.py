"""The calls in the web admin: the caller's card the page asks for every second (who is
calling, open orders with stage and debt, the last words — as each role may see them),
«Сделать лидом» and «Заказ за стойкой» for a new number, «Обзвон» with one-click call
back through the PBX's callback API, Настройки → Телефония with its live check, and the
recordings fetched into the order's files and played on the card."""

from __future__ import annotations

import pytest

from bots.phone.webhook import NOVOFON
from core.base import settings
from core.base.models import Setting
from core.base.money import rubles
from core.calls import recordings
from core.calls.models import Call
from core.calls.options import telephony as telephony_now
from core.clients.clients import create_client
from core.clients.models import Client
from core.conversations.threads import record_incoming
from core.files.models import Attachment
from core.orders.orders import create_order
from core.tasks.models import Task
from tests.admin.conftest import login
from tests.calls.conftest import telephony

CALLER = "79123456789"


@pytest.fixture
def pbx_app(app, on_novofon):
    """The admin with the PBX webhook (as `brigadir web` builds it)."""
    from bots.phone.webhook import make_blueprint

    hook = make_blueprint()
    app.extensions["csrf"].exempt(hook)
    app.register_blueprint(hook)
    return app


def ring(client, novofon, call_id="c1", *, rings=("101",), end=False, **kw):
    notes = novofon.incoming(call_id, CALLER, "2026-12-07 10:00:00", rings=rings, **kw)
    for form, headers in notes if end else notes[: 1 + len(rings)]:
        assert client.post(NOVOFON, data=form, headers=headers).status_code == 200


@pytest.fixture
def ivanov(actors, staff):
    person = create_client(actors["manager"], "Иванов Иван", "+7 912 345-67-89")
    order = create_order(actors["manager"], person.id, "Монтаж щитка", rubles(8000),
                         executor_id=staff["executor"].id)  # fmt: skip
    record_incoming(person.id, "Когда приедете?", channel="telegram", order_id=order.id)
    return person, order


def live(session):
    resp = session.get("/admin/calls/live")
    assert resp.status_code == 200 and resp.is_json
    return resp.get_json()["calls"]


def test_the_managers_page_shows_who_is_calling(pbx_app, novofon, ivanov):
    person, order = ivanov
    hook, manager = pbx_app.test_client(), login(pbx_app, "manager")
    assert live(manager) == []
    ring(hook, novofon)
    [card] = live(manager)
    assert (
        card["state"] == "ringing"
        and card["client_name"] == "Иванов Иван"
        and card["time"] == "10:00"
    )
    assert card["phone"] == "+7 912 345-67-89" and not card["new_number"]
    assert card["orders"] == [{"id": order.id, "number": order.number, "description": "Монтаж щитка",
                               "stage": order.stage.name, "debt": "8 000,00 ₽", "url": f"/admin/order/card/?id={order.id}"}]  # fmt: skip
    assert card["last"][0]["text"] == "Когда приедете?"
    assert card["links"]["client"] == f"/admin/client/card/?id={person.id}"
    # answered: the card says who talks; over: it leaves the list
    form, headers = novofon.notification("NOTIFY_ANSWER", pbx_call_id="c1", caller_id=CALLER,
                                         destination="101", call_start="2026-12-07 10:00:00", internal="101")  # fmt: skip
    hook.post(NOVOFON, data=form, headers=headers)
    [card] = live(manager)
    assert card["state"] == "talking" and card["answered_by"] == "Мария Менеджерова"
    ring(hook, novofon, answered_by="101", duration=30, end=True)
    assert live(manager) == []


def test_the_card_obeys_roles_and_hidden_fields(pbx_app, novofon, ivanov, staff, actors):
    person, order = ivanov
    other = create_client(actors["manager"], "Петров Пётр", "+7 903 111-22-33")
    create_order(actors["manager"], other.id, "Визитки", rubles(3000))
    hook = pbx_app.test_client()
    ring(hook, novofon)  # Иванов: the executor's own order
    for form, headers in novofon.incoming("c2", "79031112233", "2026-12-07 10:01:00")[:2]:
        hook.post(NOVOFON, data=form, headers=headers)
    settings.put("hidden_fields", {"executor": ["cost", "paid", "debt", "client_phone"],
                                   "manager": ["debt"]})  # fmt: skip
    names = {who: sorted(c["client_name"] for c in live(login(pbx_app, who)))
             for who in ("director", "manager", "executor", "executor2")}  # fmt: skip
    assert names == {"director": ["Иванов Иван", "Петров Пётр"], "manager": ["Иванов Иван", "Петров Пётр"],
                     "executor": ["Иванов Иван"], "executor2": []}  # fmt: skip
    [mine] = live(login(pbx_app, "executor"))
    assert mine["phone"] == "" and all(o["debt"] == "" for o in mine["orders"])
    manager_card = next(
        c for c in live(login(pbx_app, "manager")) if c["client_name"] == "Иванов Иван"
    )
    assert manager_card["phone"] and manager_card["orders"][0]["debt"] == ""


def test_a_new_number_becomes_a_lead_or_an_order_at_the_counter(pbx_app, novofon):
    hook, manager = pbx_app.test_client(), login(pbx_app, "manager")
    ring(hook, novofon)
    [card] = live(manager)
    assert card["new_number"] and card["client_name"] == ""
    counter = manager.get(card["links"]["counter"])
    assert counter.status_code == 200 and 'value="+7 912 345-67-89"' in counter.get_data(
        as_text=True
    )
    resp = manager.post("/admin/calls/lead/", {"call": card["call_id"]})
    lead = Client.get(Client.phone == "+79123456789")
    assert lead.is_lead and resp.headers["Location"].endswith(f"/admin/client/card/?id={lead.id}")
    assert Call.get().client_id == lead.id
    assert live(manager)[0]["client_name"] == lead.name


def test_call_list_calls_back_through_the_pbx(pbx_app, novofon, staff):
    hook, manager = pbx_app.test_client(), login(pbx_app, "manager")
    ring(hook, novofon, end=True)  # missed: a task for the manager on duty
    task = Task.get()
    page = manager.get("/admin/calls/?tab=list").get_data(as_text=True)
    assert "Новый номер +7 912 345-67-89" in page and "Позвонить" in page
    resp = manager.post("/admin/calls/call-back/", {"task": task.id})
    assert resp.status_code == 302
    assert novofon.callbacks == [{"from": "101", "to": CALLER, "format": "json"}]
    # another manager cannot call back someone else's task; the PBX refusing says so
    assert (
        login(pbx_app, "manager2").post("/admin/calls/call-back/", {"task": task.id}).status_code
        == 404
    )
    novofon.refuse_callbacks = "Not enough money"
    page = manager.post(
        "/admin/calls/call-back/", {"task": task.id}, follow_redirects=True
    ).get_data(as_text=True)
    assert "Новофон отказал: Not enough money" in page
    assert len(novofon.callbacks) == 1


def test_a_person_without_an_extension_is_told(pbx_app, novofon, staff):
    hook = pbx_app.test_client()
    ring(hook, novofon, end=True)
    page = login(pbx_app, "director").post("/admin/calls/call-back/", {"task": Task.get().id},
                                           follow_redirects=True).get_data(as_text=True)  # fmt: skip
    assert "нет внутреннего номера" in page and novofon.callbacks == []


def test_recordings_are_kept_with_the_orders_files_and_played(
    pbx_app, novofon, ivanov, store, staff
):
    person, order = ivanov
    hook = pbx_app.test_client()
    novofon.recordings["rec-1"] = b"ID3" + b"\x00" * 2000
    ring(hook, novofon, answered_by="101", duration=64, record="rec-1", end=True)
    call = Call.get()
    assert call.recording_ref == "rec-1" and call.recording_due is not None
    from bots.phone import pbx

    assert recordings.fetch_due(pbx(), store) == 0  # not yet: Novofon saves it for a while
    assert recordings.fetch_due(pbx(), store, now=call.recording_due) == 1
    file = Attachment.get_by_id(Call.get().recording_id)
    assert file.order_id == order.id and file.kind == "call" and file.content_type == "audio/mpeg"
    assert (
        file.storage_key.startswith(order.folder or "Клиенты/")
        and store.read(file.storage_key) == novofon.recordings["rec-1"]
    )
    card = login(pbx_app, "manager").get(f"/admin/order/card/?id={order.id}").get_data(as_text=True)
    assert f'<audio class="d-block mt-1" controls preload="none" src="/files/a/{file.id}">' in card
    assert login(pbx_app, "executor").get(f"/files/a/{file.id}").data == novofon.recordings["rec-1"]
    assert login(pbx_app, "executor2").get(f"/files/a/{file.id}").status_code == 404


def test_a_recording_the_pbx_cannot_give_is_asked_for_later(pbx_app, novofon, store):
    hook = pbx_app.test_client()
    ring(hook, novofon, answered_by="101", duration=5, record="rec-9", end=True)
    from bots.phone import pbx

    due = Call.get().recording_due
    assert recordings.fetch_due(pbx(), store, now=due) == 0
    call = Call.get()
    assert call.recording_tries == 1 and call.recording_due > due and call.recording_id is None
    for _ in range(recordings.MAX_TRIES):
        recordings.fetch_due(pbx(), store, now=Call.get().recording_due or due)
    assert Call.get().recording_due is None and Call.get().recording_tries == recordings.MAX_TRIES


def test_telephony_settings_with_a_live_check(app, novofon, staff):
    director = login(app, "director")
    page = director.get("/admin/telephony/").get_data(as_text=True)
    assert "/pbx/novofon" in page and "Проверить связь" in page
    form = {"provider": "novofon", "novofon_key": novofon.key, "novofon_secret": "wrong",
            "novofon_url": novofon.url, "mango_url": "https://app.mango-office.ru/vpbx",
            "callback_minutes": "15", f"ext-{staff['manager'].id}": "101", "promise_text": "Перезвоним!"}  # fmt: skip
    assert director.post("/admin/telephony/", form).status_code == 302
    saved = telephony_now()
    assert saved["extensions"] == {"101": staff["manager"].id} and saved["callback_minutes"] == 15
    assert settings.value("calls.callback_minutes") == 15  # the registry keeps the provider's part
    stored = Setting.get(Setting.key == "calls.novofon_secret").value
    assert "wrong" not in str(stored)  # sealed with the install's key, never kept in the clear
    page = director.get("/admin/telephony/").get_data(as_text=True)
    assert "wrong" not in page  # a secret is never shown back
    page = director.post("/admin/telephony/check/", {}, follow_redirects=True).get_data(
        as_text=True
    )
    assert "Новофон не принял ключи" in page
    director.post("/admin/telephony/", {**form, "novofon_secret": novofon.secret})
    page = director.post("/admin/telephony/check/", {}, follow_redirects=True).get_data(
        as_text=True
    )
    assert "Новофон на связи: баланс 512.5 RUB" in page
    # a wrong field: said in Russian, the other edits stay on the page, nothing is written
    bad = {**form, "callback_minutes": "полчаса", f"ext-{staff['manager2'].id}": "102"}
    page = director.post("/admin/telephony/", bad).get_data(as_text=True)
    assert "нужно целое число" in page and 'value="102"' in page
    assert telephony_now()["extensions"] == {"101": staff["manager"].id}
    assert telephony_now()["callback_minutes"] == 15
    twice = {**form, f"ext-{staff['manager2'].id}": "101"}
    assert "указан у двух сотрудников" in director.post("/admin/telephony/", twice).get_data(
        as_text=True
    )
    assert login(app, "manager").get("/admin/telephony/").status_code == 403


def test_the_call_log_and_statistics(pbx_app, novofon, staff):
    hook, manager = pbx_app.test_client(), login(pbx_app, "manager")
    ring(hook, novofon, "m1", end=True)
    for form, headers in novofon.outgoing(
        "o1", "102", CALLER, "2026-12-07 10:10:00", answered=True, duration=75
    ):
        hook.post(NOVOFON, data=form, headers=headers)
    log = manager.get("/admin/calls/").get_data(as_text=True)
    assert "пропущен" in log and "1 мин 15 с" in log
    inbox = manager.get("/admin/inbox/?channel=phone").get_data(as_text=True)  # the timeline
    assert "Новый номер +7 912 345-67-89" in inbox and "Исходящий звонок" in inbox
    stats = manager.get("/admin/calls/?tab=stats&start=2026-12-01&end=2026-12-31").get_data(
        as_text=True
    )
    assert (
        "пропущено: <strong>1</strong>" in stats
        and "перезвонили в течение 30 мин: <strong>1</strong>" in stats
    )
    assert "Олег Продажин" in stats
    telephony(staff, provider="novofon", novofon_key=novofon.key, novofon_secret=novofon.secret,
              novofon_url=novofon.url, callback_minutes=5)  # fmt: skip
    stats = manager.get("/admin/calls/?tab=stats&start=2026-12-01&end=2026-12-31").get_data(
        as_text=True
    )
    assert "перезвонили в течение 5 мин: <strong>0</strong>" in stats
    assert (
        login(pbx_app, "executor").get("/admin/calls/?tab=stats").status_code == 200
    )  # the log, not stats


def test_call_backs_sent_at_once_pass_the_limit_only_so_many_times(pbx_app, novofon, staff):
    """Ten «Позвонить» clicks at once (a double-clicking manager in ten tabs): the limit
    counts first, so exactly CALLBACKS_PER_MINUTE reach the PBX."""
    import threading

    from core.calls.actions import CALLBACKS_PER_MINUTE

    hook = pbx_app.test_client()
    ring(hook, novofon, end=True)
    task = Task.get()
    tabs = [login(pbx_app, "manager") for _ in range(10)]
    import time

    if time.time() % 60 > 50:  # the limit counts per minute: all ten within one minute
        time.sleep(61 - time.time() % 60)
    start = threading.Barrier(len(tabs))
    codes = []

    def click(tab):
        start.wait()
        codes.append(tab.post("/admin/calls/call-back/", {"task": task.id}).status_code)

    threads = [threading.Thread(target=click, args=(t,)) for t in tabs]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert codes == [302] * len(tabs)
    assert len(novofon.callbacks) == CALLBACKS_PER_MINUTE


def test_the_nightly_backup_carries_the_recordings(
    pbx_app, novofon, ivanov, store, tmp_path, database_url
):
    import tarfile

    from cli.backup import take_backup
    from core.base.config import AppSection, Config, DatabaseSection

    novofon.recordings["rec-b"] = b"ID3" + b"\x01" * 999
    ring(pbx_app.test_client(), novofon, answered_by="101", duration=9, record="rec-b", end=True)
    from bots.phone import pbx

    assert recordings.fetch_due(pbx(), store, now=Call.get().recording_due) == 1
    config = Config(
        app=AppSection(data_dir=str(tmp_path), secret_key="k"),
        database=DatabaseSection(url=database_url),
    )
    assert config.storage_root == (tmp_path / "files").resolve()
    take_backup(config, tmp_path / "copy.tar")
    key = Attachment.get_by_id(Call.get().recording_id).storage_key
    with tarfile.open(tmp_path / "copy.tar") as tar:
        member = next(n for n in tar.getnames() if n.endswith(key))
        assert tar.extractfile(member).read() == novofon.recordings["rec-b"]


def test_mango_callback_recording_and_check_through_its_api(db, staff, mango):
    from bots.phone.mango import MangoPbx
    from core.calls.pbx import PbxError

    api = MangoPbx(mango.key, mango.salt, mango.api_url)
    assert api.check() == "Манго на связи: сотрудников в ВАТС — 1."
    assert api.extensions() == {"101": "Мария Менеджерова"}
    api.callback("101", "+79123456789")
    [command] = mango.callbacks
    assert command["from"] == {"extension": "101"} and command["to_number"] == "79123456789"
    mango.recordings["MToxMDA1"] = b"ID3mango"
    assert api.recording("MToxMDA1") == (b"ID3mango", "audio/mpeg")  # through the 302 link
    with pytest.raises(PbxError, match="не отдал запись"):
        api.recording("missing")
    with pytest.raises(PbxError, match="не принял ключи"):
        MangoPbx(mango.key, "wrong-salt", mango.api_url).check()
    with pytest.raises(PbxError, match="не отвечает"):
        MangoPbx(mango.key, mango.salt, "http://127.0.0.1:9").check()


def test_the_pbx_is_one_of_the_firms_channels_in_the_settings_registry(app, novofon, staff):
    """Настройки → Фирма и каналы → Телефония: the same values the Телефония page edits,
    checked by the registry, the secret sealed and never shown; the webhook takes them at once."""
    director = login(app, "director")
    page = director.get("/admin/program/calls/").get_data(as_text=True)
    assert "Облачная АТС" in page and "Новофон: секрет" in page
    sent = {"calls.provider": "novofon", "calls.novofon_key": novofon.key,
            "calls.novofon_secret": novofon.secret, "calls.novofon_url": novofon.url,
            "calls.mango_key": "", "calls.mango_url": "https://app.mango-office.ru/vpbx",
            "calls.promise_text": "Перезвоним!", "calls.callback_minutes": "20"}  # fmt: skip

    def form(values):  # as the page sends it: each field named set:<key>, listed in on_page
        return {"on_page": list(values), **{f"set:{k}": v for k, v in values.items()}}

    assert director.post("/admin/program/calls/", form(sent)).status_code == 302
    now = telephony_now()
    assert (now["provider"], now["novofon_secret"], now["callback_minutes"]) == (
        "novofon",
        novofon.secret,
        20,
    )
    assert novofon.secret not in director.get("/admin/program/calls/").get_data(as_text=True)
    bad = director.post("/admin/program/calls/", form({**sent, "calls.novofon_url": "не адрес"}))
    assert "нужен адрес вида https://" in bad.get_data(as_text=True)
    assert telephony_now()["novofon_url"] == novofon.url


def test_a_pbx_that_is_down_shows_on_the_health_board_and_nothing_else_stops(
    pbx_app, novofon, staff, store
):
    """The recordings' fetch finds the PBX unreachable: the board says «Телефония: не
    работает» and the director is told once; calls keep coming in through the webhook; the
    light check finds it back and says so."""
    from bots.phone import pbx
    from core.channels import health
    from core.channels.models import ChannelState
    from core.conversations.models import Notification
    from scheduler.app import check_pbx
    from scheduler.health import report

    hook = pbx_app.test_client()
    ring(hook, novofon, "c1", answered_by="101", duration=5, record="r-down", end=True)
    telephony(
        staff,
        provider="novofon",
        novofon_key=novofon.key,
        novofon_secret=novofon.secret,
        novofon_url="http://127.0.0.1:9",
    )  # fmt: skip - nothing listens there
    assert recordings.fetch_due(pbx(), store, now=Call.get().recording_due) == 0
    assert ChannelState.get(ChannelState.channel == "pbx").state == "failing"
    from core.base.config import Config

    line = next(h for h in health.board(health.configured_channels(Config())) if h.channel == "pbx")
    assert (line.name, line.state_name) == (
        "Телефония",
        "не работает",
    ) and "не отвечает" in line.last_error
    told = Notification.select().where(Notification.idempotency_key.startswith("channel:pbx:down"))
    assert [n.employee_id for n in told] == [staff["director"].id]
    ring(hook, novofon, "c2", answered_by="101", duration=7, end=True)  # calls still come in
    assert Call.select().count() == 2
    assert report("pbx", check_pbx) is False
    telephony(staff, provider="novofon", novofon_key=novofon.key, novofon_secret=novofon.secret,
              novofon_url=novofon.url)  # fmt: skip
    assert report("pbx", check_pbx) is True
    assert ChannelState.get(ChannelState.channel == "pbx").state == "ok"
