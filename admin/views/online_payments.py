"""Online payments (YooKassa): the list with statuses, and refunds. Directors and managers;
the rules (who, how much, once) are core.money.online_payments.refund."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, request, url_for
from flask_admin import expose

from admin.auth import current_actor
from admin.base import AdminForm, BrigadirView, fail
from admin.forms import MoneyField
from core.base.errors import BrigadirError
from core.base.money import format_money
from core.money import online_payments
from core.money.models import OnlinePayment

__all__ = ["OnlinePaymentView"]

STATUS = {"creating": "создаётся", "pending": "ждёт оплаты", "succeeded": "оплачен",
          "canceled": "отменён", "failed": "не создан"}  # fmt: skip


class RefundForm(AdminForm):
    amount = MoneyField("Сумма возврата, ₽", allow_zero=False)


class OnlinePaymentView(BrigadirView):
    roles = ("manager",)

    def is_visible(self) -> bool:  # in the menu only when online payment is on
        return (
            super().is_visible() and current_app.config.get("BRIGADIR_PAYMENT_GATEWAY") is not None
        )

    @expose("/")
    def index(self):
        order_id = request.args.get("order", type=int)
        rows = online_payments.online_payments_page(current_actor(), order_id)
        return self.render(
            "brigadir/online_payments.html", rows=rows, status=STATUS, money=format_money,
            form=RefundForm(formdata=None),
        )  # fmt: skip

    @expose("/refund/<int:row_id>", methods=["POST"])
    def refund(self, row_id: int):
        gateway = current_app.config.get("BRIGADIR_PAYMENT_GATEWAY")
        if gateway is None:
            abort(404)
        form = RefundForm()
        row = OnlinePayment.get_or_none(OnlinePayment.id == row_id)
        back = url_for(".index", order=row.order_id if row else None)
        if not form.validate():
            for errors in form.errors.values():
                flash(" ".join(errors), "error")
            return redirect(back)
        try:
            online_payments.refund(current_actor(), gateway, row_id, form.amount.data)
        except BrigadirError as exc:
            fail(exc)
        else:
            flash(f"Возврат {format_money(form.amount.data)} отправлен в ЮKassa.", "success")
        return redirect(back)
