"""The order list's bulk actions: the toolbar's selects ride along with Flask-Admin's action form."""

from __future__ import annotations

from flask import flash, request
from flask_admin.actions import action

from admin.auth import current_actor
from admin.base import fail
from admin.views.orders.common import _crew_options, _employee_options, _stage_options
from core.base import settings
from core.base.db import database
from core.base.errors import BrigadirError
from core.conversations import bulk
from core.orders import orders as core_orders


class OrderBulkMixin:
    def _bulk(self, ids, apply, done: str):
        actor = current_actor()
        ok, errors = 0, []
        for raw in ids:
            try:
                with database.atomic():
                    apply(actor, int(raw))
                ok += 1
            except BrigadirError as exc:
                errors.append(str(exc))
            except (TypeError, ValueError):
                errors.append("Неверный номер записи.")
        if ok:
            flash(f"{done}: {ok}.", "success")
        for error in errors[:5]:
            flash(error, "error")

    def is_action_allowed(self, name):
        return current_actor().is_staff_office and super().is_action_allowed(name)

    @action("move", "Перевести на этап", "Перевести выбранные заказы на выбранный этап?")
    def action_move(self, ids):
        stage = request.form.get("bulk_stage", "")
        if not stage.isdigit():
            flash("Выберите этап в панели над списком.", "error")
            return
        self._bulk(
            ids,
            lambda actor, oid: core_orders.move_order(actor, oid, int(stage), "Массовый перевод"),
            "Переведено заказов",
        )

    @action("assign", "Назначить исполнителя", "Назначить выбранным заказам исполнителя?")
    def action_assign(self, ids):
        who = request.form.get("bulk_executor", "")
        crew = request.form.get("bulk_crew", "")
        if not who.isdigit() and not crew.isdigit():
            flash("Выберите исполнителя или бригаду в панели над списком.", "error")
            return
        self._bulk(
            ids,
            lambda actor, oid: core_orders.assign_order(
                actor,
                oid,
                executor_id=int(who) if who.isdigit() else None,
                crew_id=int(crew) if crew.isdigit() else None,
            ),  # fmt: skip
            "Назначено заказов",
        )

    @action("message", "Написать клиентам", "Отправить сообщение клиентам выбранных заказов?")
    def action_message(self, ids):
        """A mailing to the clients of the picked orders (core.conversations.bulk: opt-out respected,
        its own subject, not filed as a question on an order)."""
        text = (request.form.get("bulk_text") or "").strip()
        if not text:
            flash("Напишите текст сообщения в панели над списком.", "error")
            return
        try:
            picked = [int(raw) for raw in ids]
            report = bulk.bulk_message(current_actor(), text, order_ids=picked)
        except (TypeError, ValueError):
            flash("Неверный номер записи.", "error")
        except BrigadirError as exc:
            fail(exc)
        else:
            flash(report.summary(), "success" if report.queued else "warning")

    def bulk_choices(self) -> dict:
        return {
            "stages": _stage_options(),
            "executors": _employee_options()(),
            "crews": _crew_options(),
        }

    def object_types(self) -> list[str]:
        return settings.get("object_types") or []
