"""An admin page reads each setting from the database once (core.base.settings.remembered):
the order list asked for the hidden fields and the columns dozens of times per page."""

from __future__ import annotations

import logging

import pytest

from tests.core.test_settings_memo import _reading


@pytest.mark.parametrize("url", ["/admin/order/", "/admin/client/", "/admin/"])
def test_each_setting_is_read_once_per_page(as_role, url):
    browser = as_role("manager")
    handler, done = _reading()
    try:
        assert browser.get(url).status_code == 200
    finally:
        done()
    reads = [q for q in handler.sql if 'FROM "setting"' in q]
    assert reads and len(reads) == len(set(reads)), reads
    logging.getLogger("peewee").setLevel(logging.WARNING)
