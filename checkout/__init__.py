"""Online payment adapters: YooKassa through its official SDK, and the web endpoint its
notifications arrive at. The rules (what is believed, what is recorded) are core.money.online_payments."""

from checkout.web import init_app

__all__ = ["init_app"]
