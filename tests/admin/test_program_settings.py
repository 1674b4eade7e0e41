"""Настройки → Фирма и каналы: a page a group; a wrong value is named beside its field and
nothing is saved; a file value is read-only; a token is never shown back; director only."""

from __future__ import annotations

from werkzeug.datastructures import MultiDict

from core.base import runtime, settings
from core.base.models import Setting


def _form(values: dict[str, str]) -> MultiDict:
    form = MultiDict([("on_page", k) for k in values])
    for key, value in values.items():
        form.add(f"set:{key}", value)
    return form


def _post(session, url: str, values: dict[str, str], **kw):
    form = _form(values)
    form.add("csrf_token", session.token)
    return session.client.post(url, data=form, **kw)


def test_every_group_page_opens_for_the_director_only(as_role):
    s = as_role("director")
    for group, title in settings.GROUPS.items():
        html = s.get(f"/admin/program/{group}/").get_data(as_text=True)
        assert title in html
    assert s.get("/admin/program/").status_code == 302
    assert s.get("/admin/program/nonsense/").status_code == 404
    assert as_role("manager").get("/admin/program/firm/").status_code == 403
    resp = _post(as_role("manager"), "/admin/program/firm/", ({"company.name": "Захват"}))
    assert (
        resp.status_code == 403
        and not Setting.select().where(Setting.key == "company.name").exists()
    )


def test_a_wrong_field_is_named_beside_it_and_nothing_is_saved(as_role):
    s = as_role("director")
    resp = _post(s, "/admin/program/firm/", ({"company.name": "ООО «Печатник»",
                                                 "company.inn": "7707083894"}))  # fmt: skip
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "Не сохранено" in html
    assert 'role="alert">ИНН: ИНН с ошибкой: не сходится контрольная цифра' in html
    assert 'value="ООО «Печатник»"' in html or "ООО «Печатник»" in html  # what was typed stays
    assert not Setting.select().where(Setting.key.startswith("company.")).exists()
    resp = _post(s, "/admin/program/firm/", ({"company.name": "ООО «Печатник»",
                                                 "company.inn": "7707083893"}), follow_redirects=True)  # fmt: skip
    assert "Настройки сохранены" in resp.get_data(as_text=True)
    assert runtime.company()["name"] == "ООО «Печатник»"


def test_a_restart_setting_says_so_and_a_token_is_never_shown(as_role):
    s = as_role("director")
    form = {
        "telegram.token": "123456:SECRET-TOKEN",
        "telegram.mode": "polling",
        "telegram.api_base": "http://127.0.0.1:9",
    }  # the live check asks nobody outside
    html = _post(s, "/admin/program/telegram/", form, follow_redirects=True).get_data(as_text=True)
    assert "после перезапуска" in html and "Токен бота" in html
    assert "SECRET-TOKEN" not in html and "сохранено — оставьте пустым" in html
    assert runtime.config().telegram.token == "123456:SECRET-TOKEN"


def test_a_value_from_the_file_is_read_only(as_role, app):
    import dataclasses

    file = runtime.file_config()
    runtime.init(dataclasses.replace(
        file, web=dataclasses.replace(file.web, port=8123), pinned=frozenset({"web.port"})
    ))  # fmt: skip
    s = as_role("director")
    html = s.get("/admin/program/work/").get_data(as_text=True)
    assert 'value="8123" readonly' in html and "задано в файле" in html
    resp = _post(s, "/admin/program/work/", ({"web.port": "9000"}))
    assert "задано в файле настроек" in resp.get_data(as_text=True)
    assert runtime.config().web.port == 8123


def test_saving_a_channel_checks_it_at_once(as_role):
    """Issue 24: a wrong token says so in Russian the moment it is saved (Telegram's getMe
    through the real adapter, against the fake Bot API)."""
    from tests.fakes.telegram import FakeTelegram

    telegram = FakeTelegram().start_in_thread()
    try:
        s = as_role("director")
        form = {"telegram.token": "123456:WRONG", "telegram.api_base": telegram.base}
        telegram.fail_next("getMe", 401, "Unauthorized")
        html = _post(s, "/admin/program/telegram/", form, follow_redirects=True).get_data(
            as_text=True
        )
        assert "Проверка не прошла. Telegram: неверный токен или ключ доступа" in html
        assert "Настройки сохранены" in html  # saved all the same: the director may fix it later
        form["telegram.token"] = "123456:RIGHT"
        html = _post(s, "/admin/program/telegram/", form, follow_redirects=True).get_data(
            as_text=True
        )
        assert "Проверка: Telegram отвечает, настройки верны." in html
        assert [m for m, _ in telegram.calls].count("getMe") == 2
        # the address refused: said as it is, in Russian
        form["telegram.api_base"] = "http://127.0.0.1:9"
        html = _post(s, "/admin/program/telegram/", form, follow_redirects=True).get_data(
            as_text=True
        )
        assert "Проверка не прошла. Telegram" in html and "не принимает соединения" in html
    finally:
        telegram.stop_thread()
