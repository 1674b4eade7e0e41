"""A fake of DaData's suggestions API (findById/party) on 127.0.0.1.

As DaData documents it: POST <base>/findById/party with {"query": ИНН, "count": n} and the
header "Authorization: Token <key>"; the answer {"suggestions": [{"value", "unrestricted_value",
"data": {...}}]}, empty for an unknown ИНН; 401 for a missing or wrong key, 403 when the key's
daily limit is spent. `firms` maps an ИНН to its record (add your own)."""

from __future__ import annotations

from tests.fakes.http import FakeHTTPServer, Reply, Request

PATH = "/suggestions/api/4_1/rs/findById/party"

LEGAL = {
    "value": "ООО «РЕКЛАМНАЯ МАСТЕРСКАЯ»",
    "unrestricted_value": "ОБЩЕСТВО С ОГРАНИЧЕННОЙ ОТВЕТСТВЕННОСТЬЮ «РЕКЛАМНАЯ МАСТЕРСКАЯ»",
    "data": {
        "type": "LEGAL", "inn": "7707083893", "kpp": "773601001", "ogrn": "1027700132195",
        "name": {"full_with_opf": "ОБЩЕСТВО С ОГРАНИЧЕННОЙ ОТВЕТСТВЕННОСТЬЮ «РЕКЛАМНАЯ МАСТЕРСКАЯ»",
                 "short_with_opf": "ООО «РЕКЛАМНАЯ МАСТЕРСКАЯ»"},
        "management": {"name": "Петров Сергей Иванович", "post": "ГЕНЕРАЛЬНЫЙ ДИРЕКТОР"},
        "address": {"value": "г Москва, ул Вавилова, д 19",
                    "unrestricted_value": "117312, г Москва, ул Вавилова, д 19"},
        "state": {"status": "ACTIVE"},
    },
}  # fmt: skip
PERSON = {
    "value": "ИП Иванов Иван Иванович",
    "unrestricted_value": "ИП Иванов Иван Иванович",
    "data": {
        "type": "INDIVIDUAL", "inn": "500100732259", "kpp": None, "ogrn": "304500116000157",
        "name": {"full_with_opf": "Индивидуальный предприниматель Иванов Иван Иванович",
                 "short_with_opf": "ИП Иванов Иван Иванович"},
        "fio": {"surname": "Иванов", "name": "Иван", "patronymic": "Иванович"},
        "management": None,
        "address": {"value": "г Подольск", "unrestricted_value": "142100, Московская обл, г Подольск"},
        "state": {"status": "ACTIVE"},
    },
}  # fmt: skip


class FakeDadata(FakeHTTPServer):
    def __init__(self, key: str = "GOOD-KEY"):
        self.key = key
        self.firms = {LEGAL["data"]["inn"]: LEGAL, PERSON["data"]["inn"]: PERSON}
        self.spent = False  # True: the daily limit is over (403)
        super().__init__(self._handle)

    @property
    def base(self) -> str:
        return f"{self.url}/suggestions/api/4_1/rs/"

    def _handle(self, request: Request) -> Reply:
        if request.method != "POST" or request.path != PATH:
            return Reply(404, {"message": "Not found"})
        if request.headers.get("Authorization") != f"Token {self.key}":
            return Reply(401, {"family": "CLIENT_ERROR", "reason": "Unauthorized",
                               "message": "Incorrect API key"})  # fmt: skip
        if self.spent:
            return Reply(403, {"family": "CLIENT_ERROR", "reason": "Forbidden",
                               "message": "Daily request limit exceeded"})  # fmt: skip
        query = str(request.json().get("query", ""))
        found = self.firms.get(query)
        return Reply(200, {"suggestions": [found] if found else []})
