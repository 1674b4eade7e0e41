"""A paper prints the order's money: whoever may not see it may not issue, send or open the
paper on any surface (the card's list of papers and its PDF links, the issue form, the file
URL, the register, the client card, the bot, core). A receipt follows the payments (paid),
every other paper the order's cost. The people allowed do all of it on the same surfaces,
so the matrix can fail."""

from __future__ import annotations

import pytest

from core.access import actor_for_employee
from core.base import settings
from core.base.errors import AccessDenied
from core.base.money import rubles
from core.clients.models import Client
from core.documents.issue import issue_document, kinds_for, send_document
from core.documents.models import Document
from core.money.payments import add_payment
from core.orders.models import Order
from tests.admin.hidden_world import secret_order

# hidden field -> the papers it closes
CLOSES = {
    "cost": {"order_form", "invoice", "act", "upd", "waybill", "contract"},
    "paid": {"receipt"},
}


@pytest.fixture
def papers(world, actors, staff, store):
    """The secret order with every kind of paper issued by the director."""
    order, client = secret_order(actors, staff, store)
    Client.update(inn="500100732259", address="г. Москва, ул. Тверская, д. 1").where(
        Client.id == client.id
    ).execute()
    add_payment(actors["director"], order.id, rubles(1000), method="cash")
    docs = {
        kind: issue_document(actors["director"], kind, order.id, store)
        for kind in kinds_for(Order.get_by_id(order.id))
        if kind != "order_form"
    }
    docs["order_form"] = Document.get(
        (Document.order == order.id) & (Document.kind == "order_form")
    )
    return order, client, docs


def _link(doc) -> str:
    """A paper's file URL as a page carries it."""
    return f"/files/d/{doc.id}"


def _files(store) -> set[str]:
    return {str(p.relative_to(store.root)) for p in store.root.rglob("*") if p.is_file()}


def _hide(field: str | None) -> None:
    settings.put("hidden_fields", {"manager": [field] if field else [], "executor": ["cost"]})


@pytest.mark.parametrize("field", [None, "cost", "paid"])
def test_papers_follow_the_money_on_every_admin_surface(as_role, papers, store, field):
    order, client, docs = papers
    _hide(field)
    closed = CLOSES.get(field, set())
    s = as_role("manager2")
    card = s.get(f"/admin/order/card/?id={order.id}").get_data(as_text=True)
    client_card = s.get(f"/admin/client/card/?id={client.id}").get_data(as_text=True)
    register = s.get("/admin/documents/").get_data(as_text=True)
    for kind, doc in docs.items():
        shown = kind not in closed
        key_url = _link(doc)
        assert (f'<option value="{kind}">' in card) == shown, (field, kind)
        for page, name in ((card, "card"), (client_card, "client card"), (register, "register")):
            assert (_link(doc) in page) == shown, (field, kind, name)
        resp = s.get(key_url, query_string={"download": 1})
        assert resp.status_code == (200 if shown else 404), (field, kind)
    # issuing a closed paper by a crafted POST is refused and writes nothing
    for kind in sorted(closed & set(docs)):
        before = (Document.select().count(), _files(store))
        resp = s.post("/admin/order/document/", data={"id": order.id, "kind": kind})
        assert resp.status_code == 302
        assert (Document.select().count(), _files(store)) == before, kind


@pytest.mark.parametrize("field", ["cost", "paid"])
def test_core_refuses_papers_whose_sums_are_hidden(actors, staff, store, world, papers, field):
    order, _client, docs = papers
    _hide(field)
    manager = actor_for_employee(staff["manager2"])
    allowed = set(kinds_for(order, manager))
    assert allowed == set(kinds_for(order)) - CLOSES[field]
    for kind in CLOSES[field] & set(docs):
        with pytest.raises(AccessDenied, match="скрыты"):
            issue_document(manager, kind, order.id, store)
        with pytest.raises(AccessDenied):
            send_document(manager, docs[kind].id)
    for kind in allowed:
        send_document(manager, docs[kind].id)  # the others still go out
