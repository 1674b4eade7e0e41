"""The client portal at /my/: a Flask blueprint registered by admin.app.create_app.

A package of its own rather than part of admin/: clients are not staff (no Flask-Login
user, no Flask-Admin layout), the pages are phone-first with their own small stylesheet,
and the admin's files stay untouched. The app-wide parts still apply: CSRF on every form,
the error pages, the secure cookie settings. Rules live in core (core.selfservice.portal, core.selfservice.selfservice,
core.selfservice.booking); these views only translate HTTP to those calls."""

from portal import pay, unsubscribe, views, visits  # noqa: F401 - their pages join the blueprint
from portal.blueprint import bp

__all__ = ["bp"]
