"""Requisites by ИНН from DaData's public suggestions API (the `dadata` package), and the
page address the forms ask: /admin/requisites/?inn=… → JSON.

The adapter is built per question from the settings in force ([requisites] in config.toml
or Настройки → Фирма), so a key entered in the web works at once. core.clients.requisites
checks the ИНН first: a wrong one is refused in Russian and DaData is not asked."""

from __future__ import annotations

import logging

import httpx
from dadata.sync import ClientBase, SuggestClient
from flask import Blueprint, jsonify, request
from flask_login import login_required

from core.base import runtime
from core.base.errors import ValidationError
from core.clients.requisites import LookupFailed, Requisites, find

__all__ = ["DadataLookup", "blueprint", "lookup", "requisites_json"]

log = logging.getLogger(__name__)


class _Suggest(SuggestClient):
    """The package's client with the base address from the settings (tests: a fake)."""

    def __init__(self, base_url: str, token: str, timeout: float):
        ClientBase.__init__(self, base_url=base_url, token=token, timeout=timeout)  # type: ignore[arg-type]


class DadataLookup:
    def __init__(self, url: str, token: str, timeout: float = 5.0):
        self.url = url if url.endswith("/") else url + "/"
        self.token = token
        self.timeout = timeout

    def find_by_inn(self, inn: str) -> Requisites | None:
        try:
            with _Suggest(self.url, self.token, self.timeout) as client:
                found = client.find_by_id("party", inn, count=1)
        except httpx.HTTPStatusError as exc:
            code = exc.response.status_code
            log.warning("dadata: findById/party answered %s", code)
            if code == 401:
                raise LookupFailed(
                    "DaData не принимает ключ API — проверьте его в Настройках."
                ) from None
            if code in (403, 429):
                raise LookupFailed(
                    "DaData: дневной лимит запросов исчерпан — заполните вручную."
                ) from None
            raise LookupFailed(f"DaData ответила ошибкой {code} — заполните вручную.") from None
        except (httpx.HTTPError, ValueError) as exc:
            log.warning("dadata: %s", exc)
            raise LookupFailed(
                "DaData не отвечает — заполните реквизиты вручную или попробуйте позже."
            ) from None
        return _requisites(found[0]) if found else None


def _requisites(item: dict) -> Requisites:
    data = item.get("data") or {}
    names = data.get("name") or {}
    boss = data.get("management") or {}
    fio = data.get("fio") or {}
    person = " ".join(p for p in (fio.get("surname"), fio.get("name"), fio.get("patronymic")) if p)
    return Requisites(
        inn=str(data.get("inn") or ""),
        name=str(names.get("short_with_opf") or item.get("value") or ""),
        full_name=str(names.get("full_with_opf") or item.get("unrestricted_value") or ""),
        kpp=str(data.get("kpp") or ""),
        ogrn=str(data.get("ogrn") or ""),
        address=str((data.get("address") or {}).get("value") or ""),
        director=str(boss.get("name") or person),
        director_post=str(boss.get("post") or ("Индивидуальный предприниматель" if person else "")).capitalize(),
        active=((data.get("state") or {}).get("status") or "ACTIVE") == "ACTIVE",
    )  # fmt: skip


def lookup() -> DadataLookup | None:
    """The directory the settings in force name, or None when it is off or has no key."""
    conf = runtime.config().requisites
    if conf.provider != "dadata" or not conf.token:
        return None
    return DadataLookup(conf.url, conf.token, conf.timeout)


def requisites_json(inn: str) -> tuple[dict, int]:
    """{"ok": true, "requisites": {...}} or {"ok": false, "error": "<Russian>"} with a status."""
    try:
        found = find(lookup(), inn)
    except ValidationError as exc:
        return {"ok": False, "error": str(exc)}, 400
    except LookupFailed as exc:
        return {"ok": False, "error": str(exc)}, 502
    warning = "" if found.active else "Организация ликвидирована или ликвидируется."
    return {"ok": True, "requisites": found.as_dict(), "warning": warning}, 200


blueprint = Blueprint("requisites", __name__)


@blueprint.get("/admin/requisites/")
@login_required
def by_inn():
    body, status = requisites_json(request.args.get("inn", ""))
    return jsonify(body), status
