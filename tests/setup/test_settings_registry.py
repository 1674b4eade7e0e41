"""The settings registry: every config.toml key but three is editable in the web, each checked
with a Russian message, nothing written when anything is wrong, the file's value wins, tokens
sealed in the database."""

from __future__ import annotations

import dataclasses

import pytest

from core.base import runtime, settings
from core.base.config import FILE_ONLY, Config, load_config
from core.base.models import Setting


def _config_keys() -> set[str]:
    return {
        f"{s.name}.{k.name}"
        for s in dataclasses.fields(Config)
        if s.name not in ("path", "mailboxes", "pinned")
        for k in dataclasses.fields(s.default_factory)
    }


def test_every_key_of_the_file_but_three_is_in_the_registry_with_russian_words():
    declared = settings.fields()
    assert _config_keys() - set(declared) == set(FILE_ONLY)
    assert not FILE_ONLY & set(declared)
    for key, item in declared.items():
        assert item.group in settings.GROUPS, key
        assert any("а" <= ch <= "я" for ch in item.label.lower()), key  # a Russian label


@pytest.mark.parametrize(
    ("key", "raw", "message"),
    [
        ("web.port", "восемь", "Веб-панель: порт: нужно целое число."),
        ("web.port", "70000", "не больше 65535"),
        ("company.inn", "7707083894", "контрольная цифра"),
        ("company.inn", "12345", "10 цифр у организации или 12 у ИП"),
        ("company.bik", "04452522", "БИК — 9 цифр"),
        ("company.email", "почта", "имя@домен.ru"),
        ("app.base_url", "crm.firm.ru", "https://"),
        ("app.timezone", "Mars/Olympus", "такого часового пояса нет"),
        ("telegram.mode", "carrier-pigeon", "выберите из списка"),
        ("telegram.token", "not a token", "@BotFather"),
        ("notify.fallback", "telegram\nголубь", "«голубь» — нет такого варианта"),
        ("widget.allowed_origins", "firm.ru", "https://"),
        ("backup.hour", "25", "не больше 23"),
    ],
)
def test_a_wrong_value_is_refused_in_russian_and_nothing_is_written(db, key, raw, message):
    good = {"company.name": "ООО «Печатник»", "web.session_idle_minutes": "45"}
    with pytest.raises(settings.SettingsInvalid) as err:
        settings.save({**good, key: raw})
    assert set(err.value.errors) == {key}
    assert message in err.value.errors[key]
    assert settings.fields()[key].label in err.value.errors[key]
    assert Setting.select().where(Setting.key.contains(".")).count() == 0


def test_a_good_value_is_stored_and_in_force_at_once(db):
    changed = settings.save({"company.inn": "7707083893", "web.port": "8100",
                             "notify.fallback": "max\ntelegram\nsms", "web.https": "1"})  # fmt: skip
    assert changed == {"company.inn": "7707083893", "web.port": 8100,
                       "notify.fallback": ["max", "telegram", "sms"], "web.https": True}  # fmt: skip
    config = runtime.config()
    assert config.company.inn == "7707083893" and config.web.port == 8100
    assert config.notify.fallback == ("max", "telegram", "sms") and config.web.https is True
    assert runtime.company()["inn"] == "7707083893"
    assert settings.save({"web.port": "8100"}) == {}  # the same again: nothing changed


def test_the_whole_configuration_is_checked_before_saving(db):
    with pytest.raises(settings.SettingsInvalid) as err:
        settings.save({"telegram.token": "123:abc", "telegram.mode": "webhook"})
    assert "обязателен в режиме webhook" in err.value.errors["telegram.webhook_secret"]
    assert not Setting.select().where(Setting.key.startswith("telegram.")).exists()
    settings.save({"telegram.token": "123:abc", "telegram.mode": "webhook",
                   "telegram.webhook_secret": "s3cret"})  # fmt: skip
    assert runtime.config().telegram.mode == "webhook"


def test_a_value_in_the_file_wins_and_cannot_be_changed_in_the_web(db, tmp_path, monkeypatch):
    path = tmp_path / "config.toml"
    path.write_text('[telegram]\ntoken = "1:file"\n[web]\nport = 8000\n', encoding="utf-8")
    monkeypatch.setenv("BRIGADIR_SMS_SENDER", "FIRM")
    settings.put("telegram.bot_username", "firm_bot")  # the web's, the file is silent
    settings.put("telegram.token", "2:web")  # stored earlier, before the file said it
    runtime.init(load_config(path))
    config = runtime.config()
    assert config.telegram.token == "1:file" and config.telegram.bot_username == "firm_bot"
    assert settings.value("telegram.token") == "1:file" and settings.value("sms.sender") == "FIRM"
    with pytest.raises(settings.SettingsInvalid) as err:
        settings.save({"web.port": "9000", "sms.sender": "OTHER"})
    assert "задано в файле настроек" in err.value.errors["web.port"]
    assert "задано в файле настроек" in err.value.errors["sms.sender"]


def test_tokens_are_sealed_in_the_database_and_an_empty_box_keeps_them(db):
    runtime.init(
        dataclasses.replace(Config(), app=dataclasses.replace(Config().app, secret_key="k1"))
    )
    settings.save({"telegram.token": "123456:SECRET-TOKEN", "smtp.password": "пароль"})
    raw = Setting.get_by_id("telegram.token").value
    assert "SECRET-TOKEN" not in str(raw) and set(raw) == {"sealed"}
    assert runtime.config().telegram.token == "123456:SECRET-TOKEN"
    settings.save({"telegram.token": "", "smtp.password": "  "})  # the boxes left empty
    assert runtime.refresh().smtp.password == "пароль"
    # A copy restored where another secret key lives cannot open them: empty, typed again.
    runtime.init(
        dataclasses.replace(Config(), app=dataclasses.replace(Config().app, secret_key="k2"))
    )
    assert runtime.config().telegram.token == "" and settings.value("smtp.password") == ""


def test_old_requisites_move_to_one_setting_a_field(db):
    from core.migrations import _v45_settings_per_key

    Setting.delete().where(Setting.key.startswith("company")).execute()
    Setting.create(key="company", value={"name": "ООО Старое", "inn": "7707083893", "kpp": ""})
    _v45_settings_per_key(None)
    keys = {row.key: row.value for row in Setting.select().where(Setting.key.startswith("company"))}
    assert keys == {"company.name": "ООО Старое", "company.inn": "7707083893"}
    assert runtime.refresh().company.name == "ООО Старое"
    assert settings.get("company")["inn"] == "7707083893"
    # A database that passed a later step number before step 45 existed: every start splits.
    from core.setup import prepare

    Setting.delete().where(Setting.key.startswith("company")).execute()
    Setting.create(key="company", value={"name": "ООО Позднее"})
    prepare()
    assert runtime.config().company.name == "ООО Позднее"
    assert not Setting.select().where(Setting.key == "company").exists()
