"""core.clients.links, core.files.attachments, core.orders.proof: the use cases the bots needed."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core.access import SYSTEM
from core.base.clock import to_local, utcnow
from core.base.errors import NotFound, ValidationError
from core.base.money import rubles
from core.clients import links
from core.clients.clients import create_client
from core.clients.identity import SharedContact
from core.clients.models import Invite, MessengerLink
from core.files.attachments import attach_to_order, save_receipt
from core.files.models import Attachment
from core.orders.models import Order
from core.orders.orders import create_order
from core.orders.proof import complete_with_proof
from core.people.staff import create_invite, deactivate_employee
from storage.local import LocalStore
from tests.fakes.memory_store import MemoryStore


def test_accept_invite_binds_once(staff):
    invite = create_invite(SYSTEM, employee_id=staff["executor"].id)
    link = links.accept_invite("telegram", "1", invite.code, "Ваня")
    assert link.employee_id == staff["executor"].id and link.display_name == "Ваня"
    with pytest.raises(ValidationError, match="уже использовано"):
        links.accept_invite("telegram", "2", invite.code)
    assert links.find_link("telegram", "1").id == link.id
    assert links.find_link("telegram", "2") is None


def test_expired_unknown_and_deactivated(staff):
    invite = create_invite(SYSTEM, employee_id=staff["executor"].id)
    Invite.update(expires_at=utcnow() - timedelta(seconds=1)).execute()
    with pytest.raises(ValidationError, match="истёк"):
        links.accept_invite("telegram", "1", invite.code)
    with pytest.raises(NotFound):
        links.accept_invite("telegram", "1", "nope-nope-nope")
    fresh = create_invite(SYSTEM, employee_id=staff["executor2"].id)
    deactivate_employee(SYSTEM, staff["executor2"].id)
    with pytest.raises(ValidationError, match="отключена"):
        links.accept_invite("telegram", "1", fresh.code)
    assert MessengerLink.select().count() == 0


def test_client_by_phone_and_blocking(staff, actors):
    client = create_client(actors["manager"], "Орлова", "+79120000004", phone2="+79120000009")
    own = SharedContact("telegram", "t1", "8 (912) 000-00-09", owner_id="t1")
    assert links.link_client_by_phone(own).client_id == client.id
    assert links.mark_blocked("telegram", "t1") == 1
    assert MessengerLink.get().blocked
    with pytest.raises(NotFound):
        links.link_client_by_phone(SharedContact("telegram", "t2", "+79990000000", "t2"))
    with pytest.raises(NotFound):  # Viber never says whose a card is: it never links
        links.link_client_by_phone(SharedContact("viber", "v2", "+79120000004"))
    assert MessengerLink.select().count() == 1


def test_attachments_need_access_and_land_in_the_order_folder(staff, actors, tmp_path):
    store = LocalStore(tmp_path)
    client = create_client(actors["manager"], "Орлова", "+79120000004")
    order = create_order(actors["manager"], client.id, "Баннер", rubles(100),
                         executor_id=staff["executor"].id)  # fmt: skip
    att = attach_to_order(actors["executor"], store, order.id, "a.jpg", b"x", "image/jpeg")
    folder = (
        f"Клиенты/Орлова/{to_local(order.created_at).date().isoformat()} №{order.number} Баннер"
    )
    assert att.storage_key == f"{folder}/a.jpg"
    assert Order.get_by_id(order.id).folder == folder
    with pytest.raises(NotFound):
        attach_to_order(actors["executor2"], store, order.id, "b.jpg", b"y", "image/jpeg")
    with pytest.raises(ValidationError):
        attach_to_order(actors["executor"], store, order.id, "c.jpg", b"", "image/jpeg")
    assert [p.name for p in tmp_path.rglob("*") if p.is_file()] == ["a.jpg"]
    receipt = save_receipt(actors["executor"], store, "r.jpg", b"z")
    assert receipt.kind == "receipt" and receipt.storage_key.startswith("Чеки/Иван Монтажников/")


def test_proof_walks_the_order_to_the_configured_stage(staff, actors):
    store = MemoryStore()
    client = create_client(actors["manager"], "Орлова", "+79120000004")
    order = create_order(actors["manager"], client.id, "Баннер", rubles(100),
                         executor_id=staff["executor"].id)  # fmt: skip
    result = complete_with_proof(actors["executor"], store, order.id, "f.jpg", b"img")
    assert result.moved and result.order.stage.code == "done"
    assert Attachment.get().kind == "proof"
    again = complete_with_proof(actors["executor"], store, order.id, "g.jpg", b"img")
    assert not again.moved and again.order.stage.code == "done"


def test_the_follow_link_joins_the_client_and_is_reused_until_then(actors):
    client = create_client(actors["manager"], "Клиентова Анна", "+79120000501")
    link = links.follow_link(client)
    assert link.startswith("http://127.0.0.1:8000/chat/?start=")
    assert links.follow_link(client) == link  # every form and message carries the same link
    code = link.rsplit("=", 1)[1]
    bound = links.accept_invite("web", "browser-1", code, "Анна")
    assert bound.client_id == client.id
    assert links.follow_link(client) != link  # the used code is spent; a new one is made
