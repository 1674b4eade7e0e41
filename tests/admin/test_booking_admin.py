"""The director's booking settings page and the coming visits list."""

from __future__ import annotations

from datetime import datetime, timedelta

from core.access import actor_for_client
from core.base.clock import from_local, local_today
from core.selfservice import booking


def test_director_sets_booking_rules(as_role, world, staff):
    director = as_role("director")
    page = director.get("/admin/booking/")
    assert page.status_code == 200 and "Рабочие дни" in page.get_data(as_text=True)
    resp = director.post(
        "/admin/booking/",
        data={"weekdays": ["1", "3", "5"], "day_start": "10:00", "day_end": "18:00",
              "slot_minutes": "120", "visits_per_slot": "2", "days_ahead": "21",
              "min_hours_before": "3", "change_hours_before": "12", "travel_minutes": "30",
              "crews": [str(staff["crew"].id)], "days_off": "2026-12-31 2027-01-01", "pipeline": ""},
    )  # fmt: skip
    assert resp.status_code == 302
    conf = booking.booking_settings()
    assert conf["weekdays"] == [1, 3, 5] and conf["visits_per_slot"] == 2
    assert conf["days_off"] == ["2026-12-31", "2027-01-01"] and conf["crews"] == [staff["crew"].id]


def test_bad_settings_are_refused_and_nothing_changes(as_role, world):
    before = booking.booking_settings()
    resp = as_role("director").post(
        "/admin/booking/", data={"weekdays": ["1"], "day_start": "25:00", "day_end": "18:00",
                                 "slot_minutes": "120"},
    )  # fmt: skip
    assert resp.status_code == 200 and "ЧЧ:ММ" in resp.get_data(as_text=True)
    assert booking.booking_settings() == before


def test_only_the_director(as_role, world):
    for who in ("manager", "executor"):
        assert as_role(who).get("/admin/booking/").status_code == 403
        assert as_role(who).post("/admin/booking/", data={"weekdays": ["7"]}).status_code == 403


def test_coming_visits_are_listed(as_role, world, staff):
    booking.save_settings(
        world["director_actor"], {"weekdays": [1, 2, 3, 4, 5, 6, 7], "min_hours_before": 0}
    )
    day = local_today() + timedelta(days=1)
    slot = from_local(datetime(day.year, day.month, day.day, 13, 0))
    c1 = world["c1"]
    booking.book_visit(actor_for_client(c1.id), c1.id, slot, "ул. Садовая, 3")
    page = as_role("director").get("/admin/booking/").get_data(as_text=True)
    assert "ул. Садовая, 3" in page and "13:00–15:00" in page and staff["crew"].name in page
