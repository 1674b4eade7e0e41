"""Booking settings (director) and the coming visits by day and crew. The checks are
core.selfservice.booking.save_settings; this page only turns the form into its dict."""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta

from flask import flash, redirect, request, url_for
from flask_admin import expose

from admin.auth import current_actor
from admin.base import BrigadirView, fail
from core.base.clock import from_local, local_today
from core.base.errors import BrigadirError
from core.clients.models import Client
from core.orders.models import Order, Pipeline
from core.people.models import Crew
from core.selfservice import booking
from core.selfservice.models import Visit

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
        today = local_today()
        begin = from_local(datetime.combine(today, time()))
        visits = (
            Visit.select(Visit, Order, Client, Crew)
            .join(Order).switch(Visit).join(Client).switch(Visit).join(Crew)
            .where((Visit.starts_at >= begin) & (Visit.starts_at < begin + timedelta(days=14)))
            .order_by(Visit.starts_at, Crew.name)
            .limit(500)
        )  # fmt: skip
        return self.render(
            "brigadir/booking.html", conf=conf, weekdays=WEEKDAYS,
            numbers=NUMBERS, crews=list(Crew.select().where(Crew.active).order_by(Crew.name)),
            pipelines=list(Pipeline.select().order_by(Pipeline.name)), visits=list(visits),
            label=booking.slot_label,
        )  # fmt: skip
