"""Realistic Russian demo data for both presets, fast enough for a million orders.

Rows go in through bulk inserts in large transactions; the denormalized figures (client
totals and debt, stage counters, the order sequence) are computed here so the result is
exactly what the use cases would have produced one order at a time.

Parts: texts.py (jobs, the firm, questions), people.py (staff), clients.py, orders.py,
cash_rows.py (the rows of each part), bulk.py (fast inserts), make.py (generate: all together)."""

from cli.demo.make import DemoReport, generate
from cli.demo.texts import DEMO_COMPANY

__all__ = ["DEMO_COMPANY", "DemoReport", "generate"]
