"""Issue 12, Russian everywhere a person looks: every admin page each role can reach, walked
from the menu breadth-first, speaks Russian — no English words, no stock Flask-Admin phrases,
no ISO dates or times with microseconds. Every stock edit form is saved back once and every
stock create form sent empty, so the flash messages and the form errors are read too."""

from __future__ import annotations

import json
import re
from collections import Counter, deque
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

import pytest

from core.base.money import rubles
from core.conversations.models import Message
from core.people.models import Employee
from tests.admin.conftest import LOGINS
from tests.admin.test_browser_pages import filled  # noqa: F401 - fixture
from tests.admin.visible_text import ALLOWED, STOCK, foreign_words, problems, visible_text

ROLES = ("director", "manager", "executor")
PER_ENDPOINT = 3  # pages of one endpoint with different ids or filters: the template is the same
SKIP = ("/admin/team/counters", "export", ".xlsx", ".csv", "/files/", "/f/")


@pytest.fixture
def demo_firm(db):
    """The demo's firm (a few dozen clients and orders with payments, threads, cash) under the
    test staff; the demo's own managers step aside so the test logins stay theirs."""
    from cli.demo import generate

    generate(25, 60, seed=5)
    Employee.update(login=None, password_hash=None).where(Employee.login.is_null(False)).execute()


@pytest.fixture
def firm(demo_firm, filled, actors, staff, store):  # noqa: F811
    """Besides the demo: letters in the inbox, tasks, a bonus and a fine, papers issued."""
    from cli.demo_inbox import fill_inbox
    from core.people.staff import add_bonus
    from core.tasks.tasks import create_task

    fill_inbox(store)
    create_task(actors["manager"], "Позвонить клиенту про макет", order_id=filled["own"].id)
    create_task(actors["executor"], "Купить кабель", assignee_id=staff["executor"].id)
    add_bonus(
        actors["director"],
        staff["executor"].id,
        "bonus",
        rubles(2000),
        "За срочный монтаж",
        "2026-11",
    )
    add_bonus(
        actors["director"], staff["executor2"].id, "fine", rubles(500), "Опоздание", "2026-11"
    )
    return filled


class Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.hrefs: list[str] = []
        self.forms: list[dict] = []  # {action, method, fields: [(name, value)]}
        self._form: dict | None = None
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self._filters = a.get("id") == "filter-groups-data"
        if tag == "a" and a.get("href"):
            self.hrefs.append(a["href"])
        elif tag == "form":
            self._form = {
                "action": a.get("action") or "",
                "method": (a.get("method") or "get").lower(),
                "fields": [],
            }
            self.forms.append(self._form)
        elif self._form is None:
            return
        elif tag == "input" and a.get("name"):
            kind = (a.get("type") or "text").lower()
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            if kind not in ("submit", "button", "file"):
                self._form["fields"].append((a["name"], a.get("value") or ""))
        elif tag == "select" and a.get("name"):
            self._select, self._options = a["name"], []
        elif tag == "option" and self._select:
            self._options.append((a.get("value") or "", "selected" in a))
        elif tag == "textarea" and a.get("name"):
            self._textarea = a["name"]
            self._form["fields"].append((a["name"], ""))

    def handle_data(self, data):
        if getattr(self, "_filters", False) and data.strip():
            self.hrefs += _filter_links(json.loads(data))
        if self._textarea and self._form:
            name, value = self._form["fields"].pop()
            self._form["fields"].append((name, value + data))

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select" and self._select and self._form is not None:
            chosen = [v for v, on in self._options if on] or [v for v, _ in self._options[:1]]
            self._form["fields"] += [(self._select, v) for v in chosen]
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def _filter_links(groups: dict) -> list[str]:
    """One link per filter of a list page, as the filter form would send it: the first
    choice, a period, a number or a few letters."""
    links = []
    for filters in groups.values():
        for f in filters:
            if f.get("options"):
                value = str(f["options"][0][0])
            elif "date" in (f.get("type") or ""):
                value = "01.11.2026 — 30.11.2026" if "range" in f["type"] else "27.11.2026"
            else:
                value = "1" if f.get("type") == "int" else "а"
            links.append("?" + urlencode({f"flt0_{f['arg']}": value}))
    return links


def _links(html: str) -> Links:
    parser = Links()
    parser.feed(html)
    return parser


def _endpoint(url: str) -> str:
    """The page a URL shows, ids and filter values aside: the path and the names of its
    query arguments."""
    parts = urlsplit(url)
    return (
        re.sub(r"/\d+", "/<id>", parts.path)
        + "?"
        + ",".join(sorted({k for k, _ in parse_qsl(parts.query)}))
    )


def _own_words() -> set[str]:
    """Latin-letter data the firm typed itself: logins and e-mail addresses."""
    own = set(LOGINS.values())
    for e in Employee.select(Employee.login):
        if e.login:
            own.add(e.login)
    return own


START = ("/admin/", "/admin/order/?search=Иван", "/admin/client/?search=ООО", "/admin/order/?search=zzzz",
         "/admin/?start=2026-11-01&end=2026-11-27", "/admin/documents/?search=1")  # fmt: skip


def crawl(session, start: tuple[str, ...] = START) -> dict[str, str]:
    """Every same-site page under /admin reachable from `start` by links, breadth-first,
    at most PER_ENDPOINT of one endpoint: {url: html}."""
    seen, pages, per = set(start), {}, Counter()
    queue = deque(start)
    while queue:
        url = queue.popleft()
        resp = session.get(url)
        if 300 <= resp.status_code < 400:
            continue
        if resp.mimetype != "text/html":
            continue
        html = resp.get_data(as_text=True)
        pages[url] = html
        for href in _links(html).hrefs:
            target = urljoin(url, href.split("#")[0])
            parts = urlsplit(target)
            if parts.netloc not in ("", "localhost") or not parts.path.startswith("/admin"):
                continue
            target = parts.path + ("?" + parts.query if parts.query else "")
            if target in seen or any(s in target for s in SKIP):
                continue
            seen.add(target)
            key = _endpoint(target)
            if per[key] >= PER_ENDPOINT:
                continue
            per[key] += 1
            queue.append(target)
    return pages


def _report(found: dict[str, list[str]]) -> str:
    return "\n".join(f"{url}: {'; '.join(lines)}" for url, lines in sorted(found.items()))


@pytest.mark.parametrize("role", ROLES)
def test_every_page_speaks_russian(firm, as_role, role):
    session = as_role(role)
    letter = Message.select().where(Message.channel == "email", Message.direction == "in").first()
    pages = crawl(session, START + (f"/admin/inbox/letter/{letter.id}/order/",))
    own = _own_words()
    found = {url: p for url, html in pages.items() if (p := problems(html, own))}
    assert not found, f"{len(found)} of {len(pages)} pages:\n" + _report(found)
    endpoints = {_endpoint(u).split("?")[0] for u in pages}
    assert len(pages) > (150 if role == "director" else 25)
    expected = {"/admin/", "/admin/order/", "/admin/order/card/"}
    if role != "executor":
        expected |= {"/admin/client/", "/admin/client/card/", "/admin/inbox/", "/admin/inbox/<id>/",
                     "/admin/inbox/letter/<id>/order/"}  # fmt: skip
    if role == "director":
        expected |= {"/admin/settings/", "/admin/cash/", "/admin/import/", "/admin/mailing/",
                     "/admin/booking/", "/admin/template/", "/admin/employee/", "/admin/documents/",
                     "/admin/order/new/", "/admin/order/edit/", "/admin/employee/edit/"}  # fmt: skip
    assert expected <= endpoints, expected - endpoints


@pytest.mark.parametrize("role", ("director", "manager"))
def test_forms_and_their_messages_speak_russian(firm, as_role, role):
    """Each stock edit form saved back as it stands, each stock create form sent empty: the
    flash message and the form's errors are read like any page."""
    session = as_role(role)
    pages = crawl(session)
    own = _own_words()
    found, sent, flashes = {}, 0, set()
    done = set()
    for url, html in pages.items():
        path = urlsplit(url).path
        if not (path.endswith("/edit/") or path.endswith("/new/")) or path in done:
            continue
        done.add(path)
        for form in _links(html).forms:
            if form["method"] != "post" or "logout" in form["action"]:
                continue
            fields = form["fields"] if path.endswith("/edit/") else [("csrf_token", session.token)]
            data: dict[str, list[str]] = {}
            for k, v in fields:
                data.setdefault(k, []).append(v)
            resp = session.client.post(
                urljoin(url, form["action"] or url), data=data, follow_redirects=True
            )
            sent += 1
            html = resp.get_data(as_text=True)
            flashes |= {said for said in ("Сохранено.", "Добавлено.", "Сохранить") if said in html}
            if resp.mimetype == "text/html" and (p := problems(html, own)):
                found[f"POST {url}"] = p
            break
    assert sent >= (6 if role == "director" else 2)
    assert "Сохранено." in flashes  # an edit form saved back: its flash was read
    assert not found, _report(found)


def test_date_filters_read_dates_as_the_firm_writes_them(as_role, world):
    """The date picker of a list filter writes dd.mm.yyyy — the list understands it."""
    from core.base.clock import local_today

    today = local_today()
    session = as_role("director")
    html = session.get("/admin/order/").get_data(as_text=True)
    arg = next(f["arg"] for f in json.loads(re.search(r'id="filter-groups-data"[^>]*>([^<]*)<', html)
                                              .group(1))["Дата приёма"])  # fmt: skip
    for value, shown in ((f"{today:%d.%m.%Y} — {today:%d.%m.%Y}", True), ("01.01.2020 — 31.01.2020", False),
                         (f"{today:%Y-%m-%d} to {today:%Y-%m-%d}", True)):  # fmt: skip
        page = session.get("/admin/order/?" + urlencode({f"flt0_{arg}": value})).get_data(
            as_text=True
        )
        assert "не понял" not in page, value
        assert ("Визитки 1000 шт" in page) is shown, value


def test_login_and_error_pages_speak_russian(app, as_role):
    client = app.test_client()
    for url in ("/login", "/admin/", "/admin/no-such-page/"):
        html = client.get(url, follow_redirects=True).get_data(as_text=True)
        assert not problems(html), (url, problems(html))
    for url in ("/admin/no-such-page/", "/admin/order/card/?id=999999", "/admin/settings/"):
        resp = as_role("executor" if "settings" in url else "manager").get(url)
        assert resp.status_code in (403, 404)
        assert not problems(resp.get_data(as_text=True)), (
            url,
            problems(resp.get_data(as_text=True)),
        )


def test_the_checker_catches_what_it_is_for():
    """A planted English word, a stock phrase, an ISO date and microseconds are all caught;
    the allowed names, URLs, e-mails and the firm's own logins are not; scripts are not read."""
    page = (
        "<html><body><h1>Заказ №12</h1><p>Telegram, Viber, VK, MAX, SMS, PDF, Excel</p>"
        '<a href="https://example.com/x">https://example.com/x</a> mail@firm.ru'
        "<script>var hidden = 'English in code';</script><style>.a{color:red}</style>"
        '<input type="text" value="typed by a user"><p>Вход: maria</p></body></html>'
    )
    assert problems(page, {"maria"}) == []
    for planted, expect in (
        ("<p>Save changes</p>", "English: Save, changes"),
        ('<input placeholder="Search">', "English: Search"),
        ('<a title="Edit record">✎</a>', "English: Edit, record"),
        ('<button aria-label="Close">×</button>', "English: Close"),
        ('<input type="submit" value="Submit">', "English: Submit"),
        ("<select><option>Yes</option></select>", "English: Yes"),
        (
            '<div class="alert">Failed to update record.</div>',
            "English: Failed, record, to, update",
        ),
        ("<p>Экспортировать</p>", "stock phrase: «Экспортировать»"),
        ("<td>2026-11-27</td>", "ISO date: 2026-11-27"),
        ("<td>27.11.2026 10:00:00.123456</td>", "microseconds: 10:00:00.123456"),
    ):
        found = problems(page.replace("</body>", planted + "</body>"))
        assert any(line.startswith(expect) for line in found), (planted, found)
    assert "Telegram" not in visible_text("<script>Telegram</script>")
    assert ALLOWED and len(ALLOWED) < 40 and all(" " not in w for w in ALLOWED)
    assert foreign_words("Бригада Петрова, адрес: ул. Ленина, /admin/order/") == []
    assert foreign_words("Сохранить/Save") == ["Save"]
    assert all(p for p in STOCK)


def test_our_words_replace_flask_admins_own_phrases(app):
    """Every phrase laid over names a message Flask-Admin really has (an upgrade that renames
    one would silently bring the stock wording back), and is what Flask-Admin now says."""
    import os

    from babel.messages.pofile import read_po
    from flask_admin import translations
    from flask_admin.babel import gettext, ngettext

    from admin.wording import PHRASES, PLURALS

    with open(os.path.join(translations.__path__[0], "ru/LC_MESSAGES/admin.po"), "rb") as f:
        stock = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(f)}
    assert set(PHRASES) | set(PLURALS) <= stock
    with app.test_request_context("/admin/"):
        assert gettext("Save and Add Another") == "Сохранить и добавить ещё"
        assert gettext("With selected") == "С отмеченными"
        assert gettext("Record was successfully saved.") == "Сохранено."
        assert gettext("Please select model") == "Выберите…"
        deleted = "Record was successfully deleted."
        many = "%(count)s records were successfully deleted."
        assert [ngettext(deleted, many, n, count=n) for n in (1, 3, 5, 21)] == [
            "Удалена 1 запись.", "Удалено 3 записи.", "Удалено 5 записей.", "Удалена 21 запись."
        ]  # fmt: skip


def test_the_crawler_catches_english_planted_in_the_app(app, as_role, world):
    """A menu item renamed to English and a stock phrase put back are found on real pages."""
    admin = app.extensions["admin"][0]
    cash = next(v for v in admin._views if v.endpoint == "cash")
    cash.name = "Cash desk"
    pages = crawl(as_role("director"), ("/admin/", "/admin/order/"))
    found = [line for html in pages.values() for line in problems(html, _own_words())]
    assert any(line.startswith("English: Cash, desk") for line in found)
    cash.name = "Касса"
    page = as_role("director").get("/admin/order/").get_data(as_text=True)
    assert not problems(page, _own_words())
    planted = page.replace("С отмеченными", "С выбранным")
    assert "stock phrase: «С выбранным»" in problems(planted, _own_words())
