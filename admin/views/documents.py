"""The documents register (director and managers): every issued paper with filters by type,
period and client, a PDF link each, and XLSX/CSV export. Rules and columns: core."""

from __future__ import annotations

from datetime import date

from flask import Response, request
from flask_admin import expose

from admin.auth import current_actor
from admin.base import BrigadirView, fail
from core.base.errors import BrigadirError
from core.base.money import format_money
from core.documents import register as papers
from core.documents.issue import KINDS

__all__ = ["DocumentRegisterView"]

_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}


def _day(name: str) -> date | None:
    try:
        return date.fromisoformat(request.args.get(name, ""))
    except ValueError:
        return None


SCREEN = 100  # papers on the page; a register of years is read by filter or in Excel


class DocumentRegisterView(BrigadirView):
    roles = ("manager",)

    @expose("/")
    def index(self):
        actor = current_actor()
        start, end = _day("start"), _day("end")
        if start and end and start > end:
            start, end = end, start
        kind = request.args.get("kind", "")
        client_id = request.args.get("client_id", "")
        who: str | int | None = (
            int(client_id) if client_id.isdigit() else request.args.get("client", "")
        )
        rows: list[papers.RegisterRow] = []
        fmt = request.args.get("export", "")
        try:
            # The screen shows the newest SCREEN papers (one more tells whether there are
            # others); the file carries up to papers.LIMIT.
            limit = papers.LIMIT if fmt in _TYPES else SCREEN + 1
            rows = papers.register(
                actor, kind=kind or None, start=start, end=end, client=who, limit=limit
            )
            if fmt in _TYPES:
                stamp = date.today().strftime("%Y-%m-%d")
                return Response(
                    papers.export_register(actor, rows, fmt),
                    mimetype=_TYPES[fmt],
                    headers={"Content-Disposition": f"attachment;filename=documents-{stamp}.{fmt}"},
                )
        except BrigadirError as exc:
            fail(exc)
        args = {k: v for k, v in request.args.items() if k != "export" and v}
        return self.render(
            "brigadir/documents.html", rows=rows[:SCREEN], more=len(rows) > SCREEN, columns=papers.columns_for(actor),
            kinds=KINDS, kind=kind, start=start, end=end, client=request.args.get("client", ""),
            client_id=client_id, args=args, money=format_money, limit=papers.LIMIT,
        )  # fmt: skip
