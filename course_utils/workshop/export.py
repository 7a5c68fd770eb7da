"""CSV exports of a workshop: one row per (participant, exercise), or one row per event.

Cells that a spreadsheet would read as a formula (starting with ``=``, ``+``, ``-``,
``@``, tab or carriage return) are prefixed with ``'`` so a participant's name can
never run as a formula in the instructor's spreadsheet.
"""

from __future__ import annotations

import csv
import io
import time
from typing import Any

from .dashboard import exercise_columns
from .storage import WorkshopStore

SUMMARY_HEADER = ["participant", "exercise", "status", "attempts", "last_diagnosis", "hint_level",
                  "hints", "solutions", "first_check", "passed_at"]
EVENTS_HEADER = ["participant", "event_id", "kind", "exercise", "passed", "diagnosis", "attempt",
                 "level", "time", "received"]
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> str:
    """Return ``value`` as CSV cell text that no spreadsheet evaluates as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def iso(t: float | None) -> str:
    """Return a UTC ISO-8601 time (seconds) for an epoch time, '' for None."""
    return "" if t is None else time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))


def summary_csv(store: WorkshopStore) -> str:
    """Return the summary CSV: every participant x every exercise, with ``status`` one of
    ``not started``, ``hinted``, ``trying``, ``passed``."""
    cells = store.cells()
    by_key = {(c["participant"], c["exercise"]): c for c in cells}
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(SUMMARY_HEADER)
    for pid, name, _, _ in store.participants():
        for ex in exercise_columns(cells):
            c = by_key.get((pid, ex))
            if c is None:
                writer.writerow([safe_cell(name), ex, "not started", 0, "", 0, 0, 0, "", ""])
                continue
            status = "passed" if c["passed"] else ("trying" if c["attempts"] else "hinted")
            writer.writerow([safe_cell(name), ex, status, c["attempts"], c["diagnosis"] or "", c["hint_level"],
                             c["hints"], c["solutions"], iso(c["first_check"]), iso(c["passed_at"])])
    return out.getvalue()


def events_csv(store: WorkshopStore) -> str:
    """Return every stored event as CSV, in time order."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(EVENTS_HEADER)
    for _pid, name, event_id, kind, ex, passed, diagnosis, attempt, level, at, received in store.events():
        writer.writerow([safe_cell(name), event_id, kind, ex, "" if passed is None else int(passed),
                         diagnosis or "", "" if attempt is None else attempt, "" if level is None else level,
                         iso(at), iso(received)])
    return out.getvalue()
