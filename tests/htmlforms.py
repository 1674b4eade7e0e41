"""Read a form off a page the way a browser would submit it: every named input, textarea and
select with its current value, so a test can save a form exactly as a person would."""

from __future__ import annotations

from html.parser import HTMLParser

__all__ = ["form_values", "form_with"]


class _Forms(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[tuple[dict[str, str], list[tuple[str, str]]]] = []  # (attrs, fields)
        self._fields: list[tuple[str, str]] | None = None
        self._textarea: str | None = None
        self._text: list[str] = []
        self._select: str | None = None
        self._first_option: str | None = None
        self._chosen = False
        self._option: dict[str, str | None] | None = None
        self._option_text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: (v if v is not None else "") for k, v in attrs}
        if tag == "form":
            self._fields = []
            self.forms.append((a, self._fields))
        if self._fields is None:
            return
        name = a.get("name")
        if tag == "input" and name and not a.get("disabled"):
            kind = a.get("type", "text").lower()
            if kind in ("submit", "button", "image", "file", "reset"):
                return
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            self._fields.append((name, a.get("value", "on" if kind == "checkbox" else "")))
        elif tag == "textarea" and name:
            self._textarea, self._text = name, []
        elif tag == "select" and name:
            self._select, self._first_option, self._chosen = name, None, False
        elif tag == "option" and self._select is not None:
            self._option, self._option_text = a, []

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._text.append(data)
        if self._option is not None:
            self._option_text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea" and self._textarea is not None and self._fields is not None:
            # A browser drops the one newline that follows <textarea>.
            self._fields.append((self._textarea, "".join(self._text).removeprefix("\n")))
            self._textarea = None
        elif tag == "option" and self._option is not None:
            value = self._option.get("value")
            value = "".join(self._option_text).strip() if value is None else value
            if self._first_option is None:
                self._first_option = value
            if "selected" in self._option and not self._chosen and self._fields is not None:
                self._fields.append((self._select or "", value))
                self._chosen = True
            self._option = None
        elif tag == "select" and self._select is not None:
            if not self._chosen and self._first_option is not None and self._fields is not None:
                self._fields.append((self._select, self._first_option))
            self._select = None
        elif tag == "form":
            self._fields = None


def form_values(html: str, *, css_class: str | None = None, index: int = 0) -> dict[str, str]:
    """The fields of the index-th form (of those with the class css_class, if given)."""
    parser = _Forms()
    parser.feed(html)
    forms = [f for f in parser.forms if css_class in (None, *f[0].get("class", "").split())]
    if len(forms) <= index:
        raise AssertionError(f"no form of class {css_class!r} on the page")
    return dict(forms[index][1])


def form_with(html: str, field: str) -> dict[str, str]:
    """The fields of the first form that has this field."""
    parser = _Forms()
    parser.feed(html)
    for _attrs, fields in parser.forms:
        if any(name == field for name, _ in fields):
            return dict(fields)
    raise AssertionError(f"no form with the field {field!r} on the page")
