"""New people: a lead is welcomed, asked for a name and a phone (the platform's contact
button where there is one), and everything they write or send is kept in their
conversation for the manager (core.clients.leads decides who they are)."""

from __future__ import annotations

from bots.flows.context import Ctx
from bots.flows.files import as_file, is_picture
from bots.flows.types import Reply
from core.base.errors import BrigadirError
from core.clients import leads
from core.clients.identity import SharedContact
from core.conversations import threads
from core.documents.words import quoted
from core.files import attachments

__all__ = ["ASK_NAME", "route"]

ASK_NAME = (
    "Здравствуйте! Спасибо, что написали в {firm}. Ваше сообщение уже у менеджера.\n"
    "Как к вам обращаться?"
)
ASK_PHONE = "Приятно познакомиться, {name}! Оставьте, пожалуйста, телефон для связи — {how}."
# Where the platform has a "share my phone" button (Incoming.contact), offer it.
CONTACT_BUTTON = {"telegram", "viber"}
THANKS = "Спасибо! Менеджер свяжется с вами в ближайшее время и ответит здесь же."
KEPT = "Спасибо! Сообщение передано менеджеру, ответим здесь же."
FILE_KEPT = "Спасибо! Файл получен и передан менеджеру."


def welcome(ctx: Ctx) -> list[Reply]:
    """A stranger's first contact: ask for the name next."""
    ctx.goto("lead", "name")
    return [Reply(ASK_NAME.format(firm=quoted(ctx.deps.config.app.name)))]


def _key(ctx: Ctx) -> str | None:
    incoming = ctx.incoming
    return f"{incoming.channel}:{incoming.update_key}" if incoming.update_key else None


def _keep(ctx: Ctx) -> None:
    """Nothing a new person sends is dropped: text and files go into their conversation."""
    incoming, lead = ctx.incoming, ctx.client
    if incoming.file is not None:
        name, data, mime = as_file(incoming.file)
        attachments.receive_client_file(
            lead.id, ctx.deps.store, name, data, mime, channel=incoming.channel,
            kind="photo" if is_picture(incoming.file) else "file", caption=ctx.text,
            external_id=_key(ctx),
        )  # fmt: skip
    elif (ctx.text or incoming.note) and incoming.command != "start":
        threads.record_incoming(lead.id, ctx.text or incoming.note, channel=incoming.channel,
                                external_id=_key(ctx))  # fmt: skip


def _how(ctx: Ctx) -> str:
    if ctx.incoming.channel in CONTACT_BUTTON:
        return "нажмите «Поделиться номером» или напишите его"
    return "напишите номер"


def _ask_phone(ctx: Ctx) -> list[Reply]:
    ctx.goto("lead", "phone")
    return [Reply(ASK_PHONE.format(name=ctx.client.name, how=_how(ctx)), ask_contact=True)]


def route(ctx: Ctx, *, first: bool = False) -> list[Reply]:
    incoming = ctx.incoming
    if incoming.contact is not None:  # core.clients.identity decides what it proves
        try:
            client = leads.phone_given(ctx.client, incoming.contact)
        except BrigadirError:
            return [Reply("Не похоже на номер телефона. Напишите, например: +7 912 345-67-89.",
                          ask_contact=True)]  # fmt: skip
        ctx.reset()
        if not client.is_lead:
            return [Reply(f"Здравствуйте, {client.name}! Мы нашли вашу карточку — "
                          "пишите, ответим здесь же.")]  # fmt: skip
        return [Reply(THANKS)]
    _keep(ctx)
    if first:
        return welcome(ctx)
    step = ctx.step
    text = ctx.text if incoming.file is None and incoming.command is None else ""
    if step == "lead.name" and text:
        try:
            leads.set_name(ctx.client, text)
        except BrigadirError as exc:
            return [Reply(str(exc))]
        return _ask_phone(ctx)
    if step == "lead.phone" and text:
        try:
            leads.phone_given(
                ctx.client, SharedContact.typed(incoming.channel, incoming.external_id, text)
            )
        except BrigadirError:
            return [Reply("Не похоже на номер телефона. Напишите, например: +7 912 345-67-89.",
                          ask_contact=True)]  # fmt: skip
        ctx.reset()
        return [Reply(THANKS)]
    kept = FILE_KEPT if incoming.file is not None else KEPT
    if step == "lead.name":
        return [Reply(kept + " Как к вам обращаться?")]
    if step == "lead.phone":
        return [Reply(kept + " Оставьте, пожалуйста, телефон для связи.", ask_contact=True)]
    return [Reply(FILE_KEPT if incoming.file is not None else KEPT)]
