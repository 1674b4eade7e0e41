"""A Content-Security-Policy without inline scripts (issue 24): `script-src 'self'`.

Our pages keep their scripts in admin/static (page.js: confirmations, forms that send
themselves, the order list's stage box, printing a paper). Flask-Admin's own templates carry
a few inline bits — `javascript:void(0)` links, `onclick="return false;"`, the bulk actions'
and the delete button's onclick — rewritten here as the templates are loaded, into what
page.js understands (`href="#"`, `data-action`, `data-confirm`). tests/admin/
test_no_inline_scripts.py walks every page and fails on any inline script left."""

from __future__ import annotations

import os
from typing import Any

import flask_admin
from jinja2 import BaseLoader, ChoiceLoader, Environment, FileSystemLoader

__all__ = ["POLICY", "policy", "template_loader"]

POLICY = "script-src 'self'; object-src 'none'; base-uri 'self'"

REWRITES = (
    ('href="javascript:void(0)"', 'href="#"'),
    (' onclick="return false;"', ""),
    ("onclick=\"return modelActions.execute('{{ p[0] }}');\"", 'data-action="{{ p[0] }}"'),
    (
        "onclick=\"return faHelpers.safeConfirm('{{ _gettext('Are you sure you want to delete "
        "this record?') }}');\"",
        "data-confirm=\"{{ _gettext('Are you sure you want to delete this record?') }}\"",
    ),
)


def policy(frame_ancestors: str) -> str:
    return f"{POLICY}; frame-ancestors {frame_ancestors}"


class _Rewritten(FileSystemLoader):
    """Flask-Admin's templates as they stand but for the inline bits above."""

    def get_source(self, environment: Environment, template: str) -> tuple[str, Any, Any]:
        source, path, uptodate = super().get_source(environment, template)
        for old, new in REWRITES:
            source = source.replace(old, new)
        return source, path, uptodate


def template_loader(own_folder: str, theme: str = "bootstrap4") -> BaseLoader:
    """Our templates first, then Flask-Admin's (rewritten): set as the app's jinja_loader."""
    stock = os.path.join(os.path.dirname(flask_admin.__file__), "templates", theme)
    return ChoiceLoader([FileSystemLoader(own_folder), _Rewritten(stock)])
