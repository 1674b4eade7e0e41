"""Issue 29, item 11: one rule for the client's address on every door that counts or checks it
(the site widget, the portal, staff sign-in, YooKassa's notifications): X-Forwarded-For is
believed only when the TCP peer is one of [web] trusted_proxies. Behind the firm's nginx
every visitor counts apart; a visitor who sends the header himself changes nothing."""

from __future__ import annotations

import ast
import dataclasses
from pathlib import Path

import pytest

from cli.serve import build_web_app
from core.base.config import Config, ConfigError, load_config
from core.base.models import RateCount
from core.base.security import client_address
from tests.fakes.memory_store import MemoryStore

ROOT = Path(__file__).resolve().parent.parent
SITE = "http://firm-site.test"
PROXY = "10.0.0.5"
VISITOR = "203.0.113.7"


def test_the_rule():
    env = {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": f"1.2.3.4, {VISITOR}"}
    assert client_address(env, ()) == PROXY  # nobody trusted: the peer
    assert client_address(env, (PROXY,)) == VISITOR  # the nearest hop the proxy saw
    assert client_address(env, ("10.0.0.0/8",)) == VISITOR  # networks too
    chain = {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": f"{VISITOR}, 10.0.0.9"}
    assert client_address(chain, ("10.0.0.0/8",)) == VISITOR  # two proxies of ours
    forged = {"REMOTE_ADDR": VISITOR, "HTTP_X_FORWARDED_FOR": "1.2.3.4"}
    assert client_address(forged, (PROXY,)) == VISITOR  # a stranger's header is ignored
    assert client_address({"REMOTE_ADDR": PROXY}, (PROXY,)) == PROXY


def test_a_wrong_proxy_entry_stops_start_up_in_russian(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text('[web]\ntrusted_proxies = ["nginx"]\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="trusted_proxies.*не адрес и не сеть"):
        load_config(path)


@pytest.fixture
def app(db, staff, tmp_path):
    def make(trusted: tuple[str, ...]):
        config = Config()
        config = dataclasses.replace(
            config,
            app=dataclasses.replace(config.app, data_dir=str(tmp_path), secret_key="k" * 32),
            web=dataclasses.replace(config.web, trusted_proxies=trusted),
            widget=dataclasses.replace(config.widget, allowed_origins=(SITE,)),
        )
        flask_app = build_web_app(config, MemoryStore())
        flask_app.config["WTF_CSRF_ENABLED"] = False
        return flask_app

    return make


def _widget(http, env):
    http.post("/widget/api/send", json={"text": "Здравствуйте"}, headers={"Origin": SITE},
              environ_base=env)  # fmt: skip


def _portal(http, env):
    http.post("/my/login", data={"contact": "+7 999 111-22-33", "action": "send"},
              environ_base=env)  # fmt: skip


def _login(http, env):
    http.post("/login", data={"login": "maria", "password": "nope-nope-1"}, environ_base=env)


SURFACES = {"widget": (_widget, "widget:ip:"), "portal": (_portal, "portal-send-ip:"),
            "login": (_login, "ip:")}  # fmt: skip


@pytest.mark.parametrize("surface", sorted(SURFACES))
@pytest.mark.parametrize("behind_proxy", [True, False])
def test_every_door_counts_the_same_address(app, surface, behind_proxy):
    flask_app = app((PROXY,) if behind_proxy else ())
    send, prefix = SURFACES[surface]
    env = {"REMOTE_ADDR": PROXY if behind_proxy else VISITOR}
    headers_env = {**env, "HTTP_X_FORWARDED_FOR": "1.2.3.4" if not behind_proxy else VISITOR}
    send(flask_app.test_client(), headers_env)
    keys = {r.key for r in RateCount.select() if r.key.startswith(prefix)}
    # behind the proxy: the visitor's own address; straight in: the peer, never the header
    assert keys and all(VISITOR in k for k in keys), keys
    assert not any("1.2.3.4" in k or PROXY in k for k in keys), keys


def test_yookassa_believes_the_same_proxies(db, staff, tmp_path):
    """[web] trusted_proxies is enough for YooKassa's notifications too (no second list)."""
    from admin.app import create_app
    from core.base.config import YookassaSection
    from tests.fakes.yookassa import YOOKASSA_IP, FakeYooKassa

    with FakeYooKassa() as fake:
        config = Config()
        config = dataclasses.replace(
            config,
            app=dataclasses.replace(config.app, data_dir=str(tmp_path), secret_key="k" * 32),
            web=dataclasses.replace(config.web, trusted_proxies=("127.0.0.1",)),
            yookassa=YookassaSection(
                shop_id=fake.shop_id, shop_secret=fake.secret, api_url=fake.api_url
            ),  # fmt: skip
        )
        flask_app = create_app(config, file_store=MemoryStore(), testing=True)
        http = flask_app.test_client()

        def notify(peer: str, forwarded: str) -> int:
            body = {"type": "notification", "event": "payment.succeeded",
                    "object": {"id": "nope", "status": "succeeded"}}  # fmt: skip
            return http.post("/yookassa/notify", json=body,
                             headers={"X-Forwarded-For": forwarded},
                             environ_base={"REMOTE_ADDR": peer}).status_code  # fmt: skip

        assert notify("127.0.0.1", YOOKASSA_IP) != 403  # from YooKassa through our proxy
        assert notify("10.1.2.3", YOOKASSA_IP) == 403  # someone claiming to be YooKassa


WEB_LAYERS = ("admin", "bots", "portal", "checkout")
FORBIDDEN = {"remote_addr", "access_route", "X-Forwarded-For", "HTTP_X_FORWARDED_FOR"}


def test_no_door_reads_the_address_around_the_rule():
    """The address comes only from core.base.security.client_address: a new door that reads
    request.remote_addr or X-Forwarded-For itself fails here."""
    found = []
    for layer in WEB_LAYERS:
        for path in sorted((ROOT / layer).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                name = (node.attr if isinstance(node, ast.Attribute)
                        else node.value if isinstance(node, ast.Constant) else None)  # fmt: skip
                if isinstance(name, str) and name in FORBIDDEN:
                    found.append(f"{path.relative_to(ROOT)}:{node.lineno} {name}")
    assert found == []
