"""Orders in the admin, one module per page or part:

- common.py   labels and the small per-request caches every page shares
- listing.py  the order list: tabs by stage, search, filters, columns
- bulk.py     the list's bulk actions (move, assign, write to clients)
- forms.py    the stock create/edit form and the card's small forms
- card.py     the order card and its buttons (move, pay, reply, documents, share)
- card_files.py  the card's files: upload, the picture for the order form, delete
- counter.py  the new-order page built for the counter (replaces the stock create form)
- view.py     OrderView: the pieces put together, create and edit
"""

from admin.views.orders.common import FIELD_LABELS, SOURCES
from admin.views.orders.view import OrderView

__all__ = ["FIELD_LABELS", "SOURCES", "OrderView"]
