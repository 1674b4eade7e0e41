"""One-click unsubscribe from mailings (RFC 8058): the link in a mailing's e-mail and SMS.
GET shows a button (link scanners open links; they must not unsubscribe anyone); POST, as a
mail service sends it with «List-Unsubscribe=One-Click», unsubscribes at once. No sign-in and
no CSRF token: the token in the address is keyed with the install's secret
(core.clients.clients.unsubscribe_token)."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for

from core.clients.clients import set_mailings, unsubscribe_by_token
from portal.auth import signed_in
from portal.blueprint import bp

__all__ = ["mailings", "one_click"]

DONE = ("Вы отписаны от рассылок — акций и новостей больше не будет. Сообщения о ваших заказах "
        "(готовность, оплата) будут приходить, как прежде.")  # fmt: skip


@bp.route("/u/<token>", methods=["GET", "POST"])
def one_click(token: str):
    if len(token) > 40:
        return _wrong()
    if request.method == "GET":
        return render_template("portal/unsubscribe.html", token=token)
    one_click_post = request.form.get("List-Unsubscribe") == "One-Click"
    client = unsubscribe_by_token(token, "email" if one_click_post else "link")
    if client is None:
        return _wrong()
    return render_template("portal/message.html", title="Вы отписаны", text=DONE)


def _wrong():
    return render_template("portal/message.html", title="Ссылка не подходит",
                           text="Ссылка для отписки неверна. Напишите нам «стоп» в любом "
                           "мессенджере — и рассылок не будет."), 404  # fmt: skip


@bp.route("/mailings", methods=["POST"])
@signed_in
def mailings(actor):
    """The portal's switch: the client turns mailings off or on."""
    wanted = request.form.get("wanted") == "1"
    set_mailings(actor, actor.client_id, wanted, "portal")
    flash("Рассылки включены." if wanted else DONE, "info")
    return redirect(url_for("portal.orders"))
