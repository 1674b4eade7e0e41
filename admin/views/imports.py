"""Import page: upload an .xlsx/.csv, check the column mapping and every row (dry run),
then write all rows or none through core.imports."""

from __future__ import annotations

import re
import secrets
from pathlib import Path

from flask import abort, current_app, flash, request
from flask_admin import expose

from admin.auth import current_actor
from admin.base import BrigadirView, fail
from core import imports
from core.errors import BrigadirError

__all__ = ["ImportView"]

_TOKEN = re.compile(r"^[0-9a-f]{32}$")


def _folder() -> Path:
    folder = current_app.config["BRIGADIR_CONFIG"].data_dir / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


class ImportView(BrigadirView):
    roles = ("director",)

    @expose("/", methods=["GET", "POST"])
    def index(self):
        if request.method == "GET":
            return self.render("brigadir/import.html", report=None)
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
                return self.render("brigadir/import.html", report=None)
        except FileNotFoundError:
            flash("Загруженный файл не найден: загрузите его ещё раз.", "error")
            return self.render("brigadir/import.html", report=None)
        except BrigadirError as exc:
            fail(exc)
            return self.render("brigadir/import.html", report=None)
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
        try:
            report = imports.run_import(current_actor(), rows, kind, mapping, dry_run=not write)
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
            kind=kind, token=token,
        )  # fmt: skip
