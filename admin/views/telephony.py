"""Настройки → Телефония (director): which cloud PBX, its keys with a live check, the
addresses to give it, who sits at which extension, who takes new numbers, «Мы перезвоним»."""

from __future__ import annotations

from flask import current_app, flash, redirect, request, url_for
from flask_admin import expose

from admin.auth import current_actor
from admin.base import BrigadirView, fail
from bots.phone.webhook import MANGO, NOVOFON
from core.base.errors import BrigadirError
from core.calls import options
from core.calls.pbx import PbxError
from core.people.models import ROLE_NAMES, Employee

__all__ = ["TelephonyView"]

TEXT_FIELDS = ("novofon_key", "novofon_secret", "novofon_url", "mango_key", "mango_salt",
               "mango_url", "callback_minutes", "promise_text")  # fmt: skip


class TelephonyView(BrigadirView):
    roles = ("director",)

    def _render(self, values: dict, errors: str = ""):
        config = current_app.config["BRIGADIR_CONFIG"]
        base = config.app.base_url.rstrip("/")
        people = list(
            Employee.select().where(Employee.active & ~Employee.is_external).order_by(Employee.name)
        )
        by_person = {int(p): ext for ext, p in values["extensions"].items()}
        saved = options.telephony()
        has_secret = {k: bool(saved[k]) for k in options.SECRETS}  # never shown back, only said
        return self.render("brigadir/telephony.html", values=values, providers=options.PROVIDERS,
                           has_secret=has_secret,
                           people=people, by_person=by_person, roles=ROLE_NAMES, errors=errors,
                           novofon_url=base + NOVOFON, mango_url=base + MANGO)  # fmt: skip

    @expose("/", methods=("GET", "POST"))
    def index(self):
        if request.method == "GET":
            return self._render(options.telephony())
        changes = {k: request.form.get(k, "") for k in TEXT_FIELDS}
        changes["provider"] = request.form.get("provider", "")
        changes["promise"] = bool(request.form.get("promise"))
        changes["on_duty"] = request.form.get("on_duty") or None
        changes["extensions"] = {
            request.form.get(f"ext-{e.id}", "").strip(): e.id
            for e in Employee.select().where(Employee.active)
            if request.form.get(f"ext-{e.id}", "").strip()
        }
        doubled = [
            v for v in (request.form.get(f"ext-{e.id}", "").strip() for e in Employee.select()) if v
        ]
        try:
            if len(doubled) != len(set(doubled)):
                raise BrigadirError("Один внутренний номер указан у двух сотрудников.")
            options.save(current_actor(), changes)
        except BrigadirError as exc:
            fail(exc)
            values = {**options.telephony(), **changes}
            return self._render(values, errors=str(exc))
        flash("Телефония сохранена.", "success")
        return redirect(url_for("telephony.index"))

    @expose("/check/", methods=["POST"])
    def check_view(self):
        """«Проверить связь»: the chosen provider's API with the saved keys, at once."""
        from bots.phone import pbx

        provider = pbx()
        if provider is None:
            flash("Сначала выберите телефонию и сохраните ключи.", "error")
        else:
            try:
                flash(provider.check(), "success")
            except PbxError as exc:
                flash(str(exc), "error")
        return redirect(url_for("telephony.index"))
