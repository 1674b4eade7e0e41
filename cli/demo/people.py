"""The demo firm's staff and crews, each with a cash desk."""

from __future__ import annotations

from core.base.security import hash_password
from core.money import cash
from core.people.models import Crew, Employee


def _staff(password: str) -> dict[str, Employee]:
    crews = [Crew.get_or_create(name=n)[0] for n in ("Бригада Петрова", "Бригада Соколова")]
    specs = [
        ("manager", "Мария Котова", "manager", "менеджер", None, False, "maria"),
        ("manager2", "Олег Лебедев", "manager", "менеджер", None, False, "oleg"),
        ("printer", "Пётр Печатников", "executor", "печатник", None, False, None),
        ("designer", "Анна Дизайнова", "executor", "дизайнер", None, False, None),
        ("courier", "Дмитрий Быстров", "executor", "курьер", None, False, None),
        ("crew1a", "Иван Петров", "executor", "электромонтажник", crews[0], False, None),
        ("crew1b", "Алексей Смирнов", "executor", "электромонтажник", crews[0], False, None),
        ("crew2a", "Николай Соколов", "executor", "электромонтажник", crews[1], False, None),
        ("sub", "ООО «Сувенир-Принт»", "executor", "перезаказ: сувенирка", None, True, None),
    ]
    people: dict[str, Employee] = {}
    hashed = hash_password(password)
    for key, name, role, position, crew, external, login in specs:
        existing = Employee.get_or_none(Employee.name == name)
        people[key] = existing or Employee.create(
            name=name, role=role, position=position, crew=crew, is_external=external, login=login,
            password_hash=hashed if login else None,
            contacts="Менеджер Светлана, +7 495 123-45-67" if external else "",
        )  # fmt: skip
    for person in people.values():
        cash.account_of(person)
    people["crew_1"], people["crew_2"] = crews  # type: ignore[assignment]
    return people
