"""Booking settings (director) and the coming visits by day and crew. The checks are
core.selfservice.booking.save_settings; this page only turns the form into its dict."""

from __future__ import annotations

import re

from flask import flash, redirect, request, url_for
from flask_admin import expose

from admin.auth import current_actor
from admin.base import BrigadirView, fail
from core.base.errors import BrigadirError
from core.orders.models import Pipeline
from core.people.models import Crew
from core.selfservice import booking

__all__ = ["BookingView"]

WEEKDAYS = {n + 1: name for n, name in enumerate(booking.WEEKDAYS)}  # ISO numbers
NUMBERS = {
    "slot_minutes": "Длительность выезда, минут",
    "visits_per_slot": "Выездов на бригаду в одно время",
    "days_ahead": "Запись вперёд, дней",
    "min_hours_before": "Записаться можно не позже чем за, часов",
    "change_hours_before": "Отменить или перенести клиент может не позже чем за, часов",
    "travel_minutes": "Время в пути для «Выехали», минут",
}


class BookingView(BrigadirView):
    roles = ("director",)

    @expose("/", methods=["GET", "POST"])
    def index(self):
        conf = booking.booking_settings()
        if request.method == "POST":
            form = request.form
            data = {
                "weekdays": [int(d) for d in form.getlist("weekdays") if d.isdigit()],
                "day_start": form.get("day_start", ""),
                "day_end": form.get("day_end", ""),
                "crews": [int(c) for c in form.getlist("crews") if c.isdigit()],
                "days_off": [d for d in re.split(r"[\s,;]+", form.get("days_off", "")) if d],
                "pipeline": form.get("pipeline", ""),
                **{key: form.get(key, "") for key in NUMBERS},
            }
            try:
                booking.save_settings(current_actor(), data)
            except BrigadirError as exc:
                fail(exc)
                conf.update(data)  # show what was typed, not what is stored
            else:
                flash("Настройки записи сохранены.", "success")
                return redirect(url_for(".index"))
        visits = booking.upcoming_visits(current_actor(), days=14)
        return self.render(
            "brigadir/booking.html", conf=conf, weekdays=WEEKDAYS,
            numbers=NUMBERS, crews=list(Crew.select().where(Crew.active).order_by(Crew.name)),
            pipelines=list(Pipeline.select().order_by(Pipeline.name)), visits=list(visits),
            label=booking.slot_label,
        )  # fmt: skip
