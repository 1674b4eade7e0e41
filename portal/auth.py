"""Who is signed in to the portal: the session cookie carries only a token; core.selfservice.portal
looks it up in the database on each request (so revocation works across workers)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import g, redirect, request, session, url_for

from core.access import Actor, actor_for_client
from core.base import runtime
from core.base.security import client_address
from core.selfservice import portal

__all__ = ["SESSION_KEY", "client_ip", "current_client", "sign_in", "sign_out", "signed_in"]

SESSION_KEY = "portal_token"


def client_ip() -> str:
    return client_address(request.environ, runtime.config().trusted_proxies)


def current_client() -> Actor | None:
    if "portal_actor" not in g:
        client = portal.client_of_session(session.get(SESSION_KEY))
        g.portal_actor = actor_for_client(client.id, client.name) if client else None
    return g.portal_actor


def sign_in(client: Any) -> None:
    portal.close_session(session.get(SESSION_KEY))
    session[SESSION_KEY] = portal.open_session(client, client_ip())
    session.permanent = True
    g.pop("portal_actor", None)


def sign_out() -> None:
    portal.close_session(session.pop(SESSION_KEY, None))
    g.pop("portal_actor", None)


def signed_in(view: Callable[..., Any]) -> Callable[..., Any]:
    """The view runs with `actor` for the signed-in client; else to the sign-in page."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        actor = current_client()
        if actor is None:
            return redirect(url_for("portal.login", next=request.full_path.rstrip("?")))
        return view(actor, *args, **kwargs)

    return wrapper
