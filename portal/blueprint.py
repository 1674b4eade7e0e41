"""The portal's blueprint and what every portal page shares: the firm's name, the signed-in
client, no caching of personal pages, a Russian 404. The pages join it from views, pay and
visits; portal/__init__ imports them all."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, render_template, request

from core.base import runtime
from portal.auth import current_client

__all__ = ["bp"]

bp = Blueprint(
    "portal",
    __name__,
    url_prefix="/my",
    template_folder="templates",
    static_folder="static",
    static_url_path="/static",
)


@bp.context_processor
def _globals() -> dict:
    return {
        "firm": runtime.company().get("name") or runtime.config().app.name,
        "me": current_client(),
        "online_pay": current_app.config.get("BRIGADIR_PAYMENT_GATEWAY") is not None,
    }


@bp.after_request
def _no_store(response: Response) -> Response:
    if not request.path.startswith("/my/static"):
        response.headers["Cache-Control"] = "no-store"
    return response


@bp.errorhandler(404)
def _not_found(error):
    return render_template("portal/message.html", title="Не найдено",
                           text="Такой страницы нет или она вам недоступна."), 404  # fmt: skip
