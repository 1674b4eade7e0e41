"""Import page: upload an .xlsx/.xls/.csv, check the column mapping and every row (dry run),
map the table's own status words and crew names once, then write all rows or none through
core.orders.imports."""

from __future__ import annotations

import re
import secrets
from pathlib import Path

from flask import abort, current_app, flash, request
from flask_admin import expose

from admin.auth import current_actor
from admin.base import BrigadirView, fail
from core.base import runtime, settings
from core.base.errors import BrigadirError
from core.orders import imports, pipelines
from core.orders.models import Pipeline
from core.people.models import Crew

__all__ = ["ImportView"]

_TOKEN = re.compile(r"^[0-9a-f]{32}$")


def _folder() -> Path:
    folder = current_app.config["BRIGADIR_CONFIG"].data_dir / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


class ImportView(BrigadirView):
    roles = ("director",)

    @staticmethod
    def _flows() -> dict:
        flows = list(Pipeline.select().order_by(Pipeline.id))
        code = request.form.get("pipeline") or runtime.config().app.pipeline
        return {"flows": flows, "flow": next((f for f in flows if f.code == code), None)}

    def _page(self, report=None, **more):
        return self.render("brigadir/import.html", report=report, **self._flows(), **more)

    @staticmethod
    def _table(token: str) -> tuple[list[list[str]], str, bool]:
        """The rows of the file just uploaded (kept under a new token for the next steps) or
        of the one uploaded before; and whether it is a fresh upload."""
        upload = request.files.get("file")
        if upload is not None and upload.filename:
            data = upload.read()
            rows = imports.read_table(data, upload.filename)
            token = secrets.token_hex(16)
            suffix = "." + upload.filename.lower().rpartition(".")[2]
            (_folder() / f"{token}{suffix}").write_bytes(data)
            return rows, token, True
        path = next(iter(_folder().glob(f"{token}.*")), None) if _TOKEN.match(token) else None
        if path is None:
            raise FileNotFoundError
        return imports.read_table(path.read_bytes(), path.name), token, False

    @staticmethod
    def _mapping(headers: list[str], kind: str, fresh: bool) -> dict[str, int]:
        """Columns by their headers for a fresh file; else as the person set them."""
        if fresh:
            return imports.guess_mapping(headers, kind)
        fields = imports.CLIENT_FIELDS if kind == "clients" else imports.ORDER_FIELDS
        raw = {key: request.form.get(f"map_{key}", "") for key in fields}
        return {k: int(v) for k, v in raw.items() if v.isdigit() and int(v) < len(headers)}

    @staticmethod
    def _words() -> dict[str, dict[str, str]]:
        """The person's choices for the table's own words: parallel lists word -> target."""
        return {
            what: dict(zip(request.form.getlist(f"{what}_word"),
                           request.form.getlist(f"{what}_to"), strict=False))
            for what in imports.KINDS
        }  # fmt: skip

    @expose("/", methods=["GET", "POST"])
    def index(self):
        if request.method == "GET":
            return self._page()
        kind = request.form.get("kind", "clients")
        if kind not in ("clients", "orders"):
            abort(400)
        try:
            rows, token, fresh = self._table(request.form.get("token", ""))
        except FileNotFoundError:
            had = request.form.get("token") or request.files.get("file")
            flash("Загруженный файл не найден: загрузите его ещё раз." if had
                  else "Выберите файл Excel (.xlsx, .xls) или .csv.", "error")  # fmt: skip
            return self._page()
        except BrigadirError as exc:
            fail(exc)
            return self._page()
        mapping = self._mapping(rows[0], kind, fresh)
        write = request.form.get("write") == "1"
        flows = self._flows()
        flow = flows["flow"] or flows["flows"][0]
        try:
            report = imports.run_import(current_actor(), rows, kind, mapping, dry_run=not write,
                                        words=self._words(), pipeline=flow.code)  # fmt: skip
        except BrigadirError as exc:
            fail(exc)
            report = None
        self._tell(report, write, token)
        return self.render(
            "brigadir/import.html", report=report, headers=rows[0], mapping=mapping, kind=kind,
            fields=imports.CLIENT_FIELDS if kind == "clients" else imports.ORDER_FIELDS, token=token,
            new_crew=imports.NEW_CREW, as_typed=imports.AS_TYPED, crews=list(Crew.select().order_by(Crew.name)),
            stages=pipelines.stages_of(flow), flows=flows["flows"], flow=flow,
            object_types=settings.get("object_types") or [],
        )  # fmt: skip

    @staticmethod
    def _tell(report, write: bool, token: str) -> None:
        if report is not None and report.written:
            flash(f"Записано строк: {report.ok}.", "success")
            for path in _folder().glob(f"{token}.*"):
                path.unlink(missing_ok=True)
        elif report is not None and write:
            flash(
                f"Ничего не записано: ошибки в {len(report.failed)} строках. Исправьте файл и загрузите снова.",
                "error",
            )
