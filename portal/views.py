"""Portal pages: sign-in, the client's orders, one order, a new order, papers and files."""

from __future__ import annotations

from flask import (
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)

from core.base.errors import BrigadirError, NotFound
from core.base.ratelimit import TooManyAttempts
from core.clients.clients import get_client
from core.files.names import content_disposition
from core.selfservice import portal, selfservice
from portal.auth import SESSION_KEY, client_ip, sign_in, sign_out, signed_in
from portal.blueprint import bp


def _store():
    return current_app.config.get("BRIGADIR_FILE_STORE")


def _safe_next(target: str | None) -> str:
    if target and target.startswith("/my/") and not target.startswith("//"):
        return target
    return url_for("portal.orders")


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Step 1: phone or e-mail → a code. Step 2: the code (or the password) → signed in."""
    contact = (request.form.get("contact") or request.args.get("contact") or "").strip()
    step = "contact"
    status = 200
    if request.method == "POST":
        action = request.form.get("action", "code")
        try:
            if action == "send":
                portal.request_code(contact, client_ip())
                step = "code"
                flash("Если вы наш клиент, код придёт в мессенджер, SMS или на почту.", "info")
            elif action == "code":
                step = "code"
                client = portal.sign_in_with_code(
                    contact, request.form.get("code", ""), client_ip()
                )
                sign_in(client)
                return redirect(_safe_next(request.args.get("next")))
            elif action == "password":
                step = "password"
                client = portal.sign_in_with_password(
                    contact, request.form.get("password", ""), client_ip()
                )
                sign_in(client)
                return redirect(_safe_next(request.args.get("next")))
        except TooManyAttempts as exc:
            flash(exc.message, "error")
            status = 429
        except BrigadirError as exc:
            flash(exc.message, "error")
            status = 400 if action == "send" else 401
    elif request.args.get("with") == "password":
        step = "password"
    return render_template("portal/login.html", contact=contact, step=step), status


@bp.route("/logout", methods=["POST"])
def logout():
    sign_out()
    flash("Вы вышли из кабинета.", "info")
    return redirect(url_for("portal.login"))


@bp.route("/")
@signed_in
def orders(actor):
    me = get_client(actor, actor.client_id)
    return render_template(
        "portal/orders.html", orders=selfservice.my_orders(actor), opt_out=me.opt_out
    )


@bp.route("/orders/<int:order_id>")
@signed_in
def order(actor, order_id: int):
    try:
        page = selfservice.order_page(actor, order_id)
    except NotFound:
        abort(404)
    return render_template("portal/order.html", page=page, o=page.order)


@bp.route("/orders/<int:order_id>/message", methods=["POST"])
@signed_in
def message(actor, order_id: int):
    try:
        selfservice.write_to_order(actor, order_id, request.form.get("text", ""))
        flash("Сообщение отправлено.", "info")
    except NotFound:
        abort(404)
    except BrigadirError as exc:
        flash(exc.message, "error")
    return redirect(url_for("portal.order", order_id=order_id) + "#thread")


@bp.route("/new", methods=["GET", "POST"])
@signed_in
def new_order(actor):
    description = request.form.get("description", "")
    if request.method == "POST":
        files = [
            (f.filename or "", f.read(), f.mimetype or "application/octet-stream")
            for f in request.files.getlist("files")
            if f.filename
        ]
        try:
            made = selfservice.new_order(actor, _store(), description, files)
        except BrigadirError as exc:
            flash(exc.message, "error")
            return render_template("portal/new.html", description=description), 400
        flash(f"Заказ №{made.number} принят. Менеджер скоро свяжется с вами.", "info")
        return redirect(url_for("portal.order", order_id=made.id))
    return render_template("portal/new.html", description=description)


def _download(key: str, name: str, content_type: str) -> Response:
    store = _store()
    if store is None:
        abort(404)
    try:
        data = store.read(key)
    except (FileNotFoundError, KeyError, ValueError):
        abort(404)
    response = Response(data, mimetype=content_type or "application/octet-stream")
    response.headers["Content-Disposition"] = content_disposition(name)
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@bp.route("/papers/<int:document_id>")
@signed_in
def paper(actor, document_id: int):
    try:
        doc = selfservice.my_document(actor, document_id)
    except NotFound:
        abort(404)
    return _download(doc.storage_key, doc.storage_key.rsplit("/", 1)[-1], "application/pdf")


@bp.route("/files/<int:attachment_id>")
@signed_in
def file(actor, attachment_id: int):
    try:
        item = selfservice.my_file(actor, attachment_id)
    except NotFound:
        abort(404)
    return _download(item.storage_key, item.original_name, item.content_type)


@bp.route("/password", methods=["GET", "POST"])
@signed_in
def password(actor):
    if request.method == "POST":
        first, second = request.form.get("password", ""), request.form.get("password2", "")
        try:
            if first != second:
                raise BrigadirError("Пароли не совпадают.")
            portal.set_password(actor, first, keep_token=session.get(SESSION_KEY))
        except BrigadirError as exc:
            flash(exc.message, "error")
            return render_template("portal/password.html"), 400
        flash("Пароль сохранён. Другие входы в кабинет завершены.", "info")
        return redirect(url_for("portal.orders"))
    return render_template("portal/password.html")
