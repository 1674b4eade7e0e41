"""Configuration: every key documented, wrong keys named, secrets from the environment."""

from __future__ import annotations

import dataclasses
import re
import tomllib
from pathlib import Path

import pytest

from core.base.config import FILE_ONLY, Config, ConfigError, MailboxSection, load_config

EXAMPLE = Path(__file__).resolve().parents[2] / "config.example.toml"


def _uncommented(text: str) -> str:
    """The example with its hint lines ("#token = ...", "#[[mailboxes]]") made real."""
    return re.sub(r"(?m)^#(?=\[|[a-z_]+ = )", "", text)


def test_the_example_documents_every_key_the_code_reads():
    example = tomllib.loads(_uncommented(EXAMPLE.read_text(encoding="utf-8")))
    for section in dataclasses.fields(Config):
        if section.name in ("path", "mailboxes", "pinned"):
            continue
        keys = {f.name for f in dataclasses.fields(section.default_factory)}
        assert set(example.get(section.name, {})) == keys, section.name
        for key in keys:  # the hint shows the default the code has
            default = getattr(section.default_factory(), key)
            shown = example[section.name][key]
            assert (tuple(shown) if isinstance(shown, list) else shown) == default, key
    box_keys = {f.name for f in dataclasses.fields(MailboxSection)}
    assert [set(b) for b in example["mailboxes"]] == [box_keys]


def test_the_example_sets_only_what_the_web_cannot_and_speaks_russian():
    text = EXAMPLE.read_text(encoding="utf-8")
    active = tomllib.loads(text)
    assert {f"{s}.{k}" for s, keys in active.items() for k in keys} == set(FILE_ONLY)
    assert load_config(EXAMPLE).pinned <= FILE_ONLY  # nothing the web could set is pinned
    for line in text.splitlines():  # every explaining comment is Russian
        comment = line.split("  # ", 1)[1] if "  # " in line else ""
        if line.startswith("# ") and not re.search(r"[a-z_]+ = ", line):
            comment = line[2:]
        words = [w for w in re.findall(r"[A-Za-zА-Яа-яЁё]{4,}", comment) if not w.isupper()]
        assert len(words) < 2 or any(not w.isascii() for w in words), line


def test_the_file_and_the_environment_pin_their_keys(monkeypatch, tmp_path):
    path = tmp_path / "config.toml"
    path.write_text('[telegram]\ntoken = "1:a"\nbot_username = ""\n[web]\nport = 8000\n')
    monkeypatch.setenv("BRIGADIR_SMS_API_ID", "x")
    monkeypatch.setenv("BRIGADIR_SMS_LOGIN", "")
    config = load_config(path)
    assert config.pinned == {"telegram.token", "web.port", "sms.api_id"}


def test_the_example_loads_as_is():
    assert load_config(EXAMPLE).app.timezone == "Europe/Moscow"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[app]\ntimezon = "Europe/Moscow"\n', "неизвестный ключ [app] timezon в"),
        ('[web]\nport = "восемь"\n', "[web] port в"),
        ('[app]\ntimezone = "Mars/Olympus"\n', "неизвестный часовой пояс"),
        ('[database]\nurl = "mysql://x"\n', "[database] url"),
        ("[nonsense]\na = 1\n", "неизвестный раздел [nonsense]"),
        ('[storage]\nbackend = "yadisk"\n', "[storage] yadisk_token"),
        ("[app\n", "ошибка в"),
    ],
)
def test_a_wrong_value_stops_with_one_line_naming_key_and_file(tmp_path, text, message):
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_config(path)
    assert message in str(err.value) and "\n" not in str(err.value)


def test_secrets_come_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("BRIGADIR_TELEGRAM_TOKEN", "123:abc")
    monkeypatch.setenv("BRIGADIR_WEB_PORT", "9000")
    config = load_config(None)
    assert (config.telegram.token, config.web.port) == ("123:abc", 9000)


def test_several_mailboxes_are_read_and_a_bad_code_is_named(tmp_path):
    path = tmp_path / "c.toml"
    path.write_text(
        '[[mailboxes]]\ncode = "sales"\nimap_host = "imap.test"\nimap_port = "143"\n'
        '[[mailboxes]]\ncode = "design"\nname = "Дизайн"\n',
        encoding="utf-8",
    )
    config = load_config(path)
    assert [b.code for b in config.mailboxes] == ["sales", "design"]
    assert config.mailboxes[0].imap_port == 143
    path.write_text('[[mailboxes]]\ncode = "main"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="mailboxes"):
        load_config(path)
    path.write_text('[[mailboxes]]\ncode = "x"\nimap_hots = "a"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="imap_hots"):
        load_config(path)
