"""Настройки → Налоги и документы: the firm's tax system and VAT rates (core.money.taxes reads
them), the words printed for a firm without VAT, whether ТОРГ-12 is kept beside the УПД, and
how many days an invoice gives to pay."""

from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_admin import expose

from admin.auth import current_actor
from admin.base import BrigadirView, fail
from core.access import require_role
from core.base import settings
from core.base.db import database
from core.base.errors import BrigadirError, ValidationError
from core.money import taxes

__all__ = ["TaxesView"]

RATE_CHOICES = [None, *taxes.KNOWN_RATES]


def _form_values() -> tuple[dict, dict]:
    rates = [taxes.parse_rate(code) for code in request.form.getlist("rates")]
    default = taxes.parse_rate(request.form.get("default", "none"))
    if not rates:
        raise ValidationError("Отметьте хотя бы одну ставку: «Без НДС» или ставки НДС.")
    if default not in rates:
        raise ValidationError("Ставка по умолчанию должна быть среди отмеченных.")
    system = request.form.get("tax_system", "")
    if system not in taxes.TAX_SYSTEMS:
        raise ValidationError("Выберите систему налогообложения из списка.")
    days = request.form.get("invoice_days", "5").strip()
    if not days.isdigit() or not 1 <= int(days) <= 90:
        raise ValidationError("Срок оплаты счёта — от 1 до 90 дней.")
    vat = {"tax_system": system, "rates": [taxes.rate_code(r) for r in rates],
           "default": taxes.rate_code(default),
           "no_vat_reason": request.form.get("no_vat_reason", "").strip()[:200]}  # fmt: skip
    papers = {"torg12": bool(request.form.get("torg12")), "invoice_days": int(days)}
    return vat, papers


class TaxesView(BrigadirView):
    roles = ("director",)

    @expose("/", methods=["GET", "POST"])
    def index(self):
        if request.method == "POST":
            try:
                require_role(current_actor(), "director")
                vat, papers = _form_values()
                with database.atomic():
                    settings.put("vat", vat)
                    settings.put("papers", papers)
                flash("Налоги и документы сохранены.", "success")
                return redirect(url_for(".index"))
            except BrigadirError as exc:
                fail(exc)
        regime = taxes.regime()
        return self.render(
            "brigadir/taxes.html", regime=regime, systems=taxes.TAX_SYSTEMS, choices=RATE_CHOICES,
            label=taxes.rate_label, code=taxes.rate_code, papers=settings.get("papers") or {},
            default_reason=taxes.DEFAULT_NO_VAT_REASON,
        )  # fmt: skip
