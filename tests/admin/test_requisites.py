"""Requisites by ИНН: the checksum refuses a wrong ИНН in Russian before anything is asked;
DaData's API (the `dadata` package) against a fake that answers as DaData documents; the
forms' address /admin/requisites/."""

from __future__ import annotations

import pytest

from admin.requisites import DadataLookup
from core.base import settings
from core.base.errors import ValidationError
from core.clients.requisites import LookupFailed, check_inn, find, inn_problem
from tests.fakes.dadata import FakeDadata


@pytest.mark.parametrize("inn", ["7707083893", "500100732259", "7736050003", " 7707 083893 "])
def test_a_right_inn_passes(inn):
    assert check_inn(inn) == "".join(inn.split())


@pytest.mark.parametrize(
    ("inn", "says"),
    [
        ("7707083894", "контрольная цифра"),  # last digit changed
        ("500100732258", "контрольная цифра"),  # twelfth digit changed
        ("500100732269", "контрольная цифра"),  # eleventh digit changed
        ("770708389", "10 цифр у организации или 12 у ИП"),
        ("77070838931", "10 цифр у организации или 12 у ИП"),
        ("77070838a3", "10 цифр у организации или 12 у ИП"),
        ("", "10 цифр у организации или 12 у ИП"),
    ],
)
def test_a_wrong_inn_is_refused_in_russian(inn, says):
    assert says in inn_problem(inn.strip())
    with pytest.raises(ValidationError, match=says):
        check_inn(inn)


@pytest.fixture
def dadata():
    with FakeDadata(key="GOOD-KEY") as fake:
        yield fake


def test_dadata_fills_a_firm_and_an_individual_entrepreneur(dadata):
    lookup = DadataLookup(dadata.base, "GOOD-KEY")
    firm = find(lookup, "7707083893")
    assert (firm.name, firm.kpp, firm.ogrn) == (
        "ООО «РЕКЛАМНАЯ МАСТЕРСКАЯ»",
        "773601001",
        "1027700132195",
    )
    assert (
        firm.address == "г Москва, ул Вавилова, д 19" and firm.director == "Петров Сергей Иванович"
    )
    assert firm.director_post == "Генеральный директор" and firm.active
    person = find(lookup, "500100732259")
    assert person.name == "ИП Иванов Иван Иванович" and person.kpp == ""
    assert person.director == "Иванов Иван Иванович"
    sent = dadata.requests[0]
    assert sent.path.endswith("/findById/party") and sent.json()["query"] == "7707083893"
    assert sent.headers["Authorization"] == "Token GOOD-KEY"


def test_an_unknown_inn_a_wrong_key_a_spent_limit_and_a_dead_server_say_so(dadata):
    with pytest.raises(ValidationError, match="ничего не найдено"):
        find(DadataLookup(dadata.base, "GOOD-KEY"), "7736050003")
    with pytest.raises(LookupFailed, match="не принимает ключ"):
        find(DadataLookup(dadata.base, "WRONG"), "7707083893")
    dadata.spent = True
    with pytest.raises(LookupFailed, match="лимит"):
        find(DadataLookup(dadata.base, "GOOD-KEY"), "7707083893")
    with pytest.raises(LookupFailed, match="не отвечает"):
        find(DadataLookup("http://127.0.0.1:9/", "GOOD-KEY", timeout=1), "7707083893")


def test_a_wrong_inn_is_not_sent_to_dadata(dadata):
    with pytest.raises(ValidationError, match="контрольная цифра"):
        find(DadataLookup(dadata.base, "GOOD-KEY"), "7707083894")
    assert dadata.requests == []


def test_the_forms_ask_by_address_with_the_key_entered_in_the_web(as_role, dadata):
    s = as_role("manager")
    resp = s.get("/admin/requisites/?inn=7707083893")
    assert resp.status_code == 400 and "Поиск по ИНН не настроен" in resp.get_json()["error"]
    settings.save({"requisites.token": "GOOD-KEY", "requisites.url": dadata.base})
    body = s.get("/admin/requisites/?inn=7707083893").get_json()
    assert body["ok"] and body["requisites"]["kpp"] == "773601001"
    bad = s.get("/admin/requisites/?inn=7707083894")
    assert bad.status_code == 400 and "контрольная цифра" in bad.get_json()["error"]
    assert len(dadata.requests) == 1
    dadata.key = "ROTATED"
    down = s.get("/admin/requisites/?inn=7707083893")
    assert down.status_code == 502 and "не принимает ключ" in down.get_json()["error"]
