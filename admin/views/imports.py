"""Import page: upload an .xlsx/.csv, check the column mapping and every row (dry run),
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
from core.base import runtime
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

    @expose("/", methods=["GET", "POST"])
    def index(self):
        if request.method == "GET":
            return self.render("brigadir/import.html", report=None, **self._flows())
        kind = request.form.get("kind", "clients")
        if kind not in ("clients", "orders"):
            abort(400)
        token = request.form.get("token", "")
        try:
            upload = request.files.get("file")
            if upload is not None and upload.filename:
                suffix = ".xlsx" if upload.filename.lower().endswith(".xlsx") else ".csv"
                data = upload.read()
                rows = imports.read_table(data, upload.filename)
                token = secrets.token_hex(16)
                (_folder() / f"{token}{suffix}").write_bytes(data)
            elif _TOKEN.match(token):
                path = next(iter(_folder().glob(f"{token}.*")), None)
                if path is None:
                    raise FileNotFoundError
                rows = imports.read_table(path.read_bytes(), path.name)
            else:
                flash("Выберите файл .xlsx или .csv.", "error")
                return self.render("brigadir/import.html", report=None, **self._flows())
        except FileNotFoundError:
            flash("Загруженный файл не найден: загрузите его ещё раз.", "error")
            return self.render("brigadir/import.html", report=None, **self._flows())
        except BrigadirError as exc:
            fail(exc)
            return self.render("brigadir/import.html", report=None, **self._flows())
        headers = rows[0]
        fields = imports.CLIENT_FIELDS if kind == "clients" else imports.ORDER_FIELDS
        if upload is not None and upload.filename:
            mapping = imports.guess_mapping(headers, kind)
        else:
            mapping = {}
            for key in fields:
                raw = request.form.get(f"map_{key}", "")
                if raw.isdigit() and int(raw) < len(headers):
                    mapping[key] = int(raw)
        write = request.form.get("write") == "1"
        # The person's choices for the table's own words: parallel lists word -> target.
        words = {
            what: dict(
                zip(
                    request.form.getlist(f"{what}_word"),
                    request.form.getlist(f"{what}_to"),
                    strict=False,
                )
            )
            for what in ("stage", "crew")
        }
        flows = self._flows()
        flow = flows["flow"] or flows["flows"][0]
        try:
            report = imports.run_import(
                current_actor(), rows, kind, mapping, dry_run=not write, words=words,
                pipeline=flow.code,
            )  # fmt: skip
        except BrigadirError as exc:
            fail(exc)
            report = None
        if report is not None and report.written:
            flash(f"Записано строк: {report.ok}.", "success")
            for path in _folder().glob(f"{token}.*"):
                path.unlink(missing_ok=True)
        elif report is not None and write:
            flash(
                f"Ничего не записано: ошибки в {len(report.failed)} строках. Исправьте файл и загрузите снова.",
                "error",
            )
        return self.render(
            "brigadir/import.html", report=report, headers=headers, mapping=mapping, fields=fields,
            kind=kind, token=token, new_crew=imports.NEW_CREW, crews=list(Crew.select().order_by(Crew.name)),
            stages=pipelines.stages_of(flow), flows=flows["flows"], flow=flow,
        )  # fmt: skip
