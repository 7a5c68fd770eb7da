"""What the instructor's page shows, computed from the stored events (a plain dict, sent
to the page as JSON; the page only draws it).

- ``grid``: one row per participant, one cell per exercise they touched: ``trying``
  (with the attempt count and the latest diagnosis) or ``passed``; untouched exercises
  are "not started" and absent;
- ``stuck``: per exercise, how many learners have tried and not passed, and their most
  frequent (latest) diagnoses, most frequent first;
- ``longest``: the learners stuck longest (oldest first failing check on an exercise
  they have not passed);
- ``hints``: per exercise, hints and solutions asked;
- ``passes``: the timeline of first passes, newest first.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

from ..checking.registry import exercise_ids
from .storage import WorkshopStore

LONGEST_SHOWN = 10
PASSES_SHOWN = 40


def exercise_columns(cells: list[dict[str, Any]]) -> list[str]:
    """Return the exercise columns: the course's ids in course order, then any id found
    in the database that the course no longer lists (an older course version)."""
    ids: list[str] = [str(i) for i in exercise_ids()]
    known = set(ids)
    extra = sorted({c["exercise"] for c in cells} - known)
    return ids + extra


def build(participants: list[tuple[int, str, float, float]], cells: list[dict[str, Any]],
          now: float) -> dict[str, Any]:
    """Return the page's state from ``participants`` (``(id, name, joined, last_seen)``)
    and ``cells`` (``WorkshopStore.cells()``) at time ``now``."""
    names = {pid: name for pid, name, _, _ in participants}
    columns = exercise_columns(cells)
    index = {ex: i for i, ex in enumerate(columns)}
    grid: dict[int, dict[str, Any]] = defaultdict(dict)
    stuck_diagnoses: dict[str, Counter[str]] = defaultdict(Counter)
    stuck_count: Counter[str] = Counter()
    hints: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])  # hints, solutions, learners who asked
    longest = []
    passes = []
    for c in cells:
        ex, pid = c["exercise"], c["participant"]
        if c["hints"] or c["solutions"]:
            h = hints[ex]
            h[0] += c["hints"]
            h[1] += c["solutions"]
            h[2] += 1
        if c["attempts"] == 0:
            status = "hinted"
        elif c["passed"]:
            status = "passed"
            passes.append({"at": c["passed_at"], "participant": pid, "name": names.get(pid, "?"), "exercise": ex})
        else:
            status = "trying"
            stuck_count[ex] += 1
            if c["diagnosis"]:
                stuck_diagnoses[ex][c["diagnosis"]] += 1
            longest.append({"participant": pid, "name": names.get(pid, "?"), "exercise": ex,
                            "since": c["first_check"], "minutes": max(0.0, (now - c["first_check"]) / 60),
                            "attempts": c["attempts"], "diagnosis": c["diagnosis"]})
        grid[pid][ex] = {"status": status, "attempts": c["attempts"], "diagnosis": c["diagnosis"],
                         "hint_level": c["hint_level"], "solution": c["solutions"] > 0}
    stuck = []
    for ex in sorted(stuck_count, key=lambda e: (-stuck_count[e], index[e])):
        top = sorted(stuck_diagnoses[ex].items(), key=lambda kv: (-kv[1], kv[0]))
        stuck.append({"exercise": ex, "learners": stuck_count[ex], "diagnoses": [list(kv) for kv in top]})
    longest.sort(key=lambda r: (r["since"], r["participant"], index[r["exercise"]]))
    passes.sort(key=lambda r: (-r["at"], r["participant"]))
    passed_total = sum(1 for row in grid.values() for cell in row.values() if cell["status"] == "passed")
    return {
        "now": now,
        "exercises": columns,
        "participants": [{"id": pid, "name": name, "joined": joined, "last_seen": seen}
                         for pid, name, joined, seen in participants],
        "grid": {str(pid): row for pid, row in grid.items()},
        "stuck": stuck,
        "longest": longest[:LONGEST_SHOWN],
        "hints": [{"exercise": ex, "hints": v[0], "solutions": v[1], "learners": v[2]}
                  for ex, v in sorted(hints.items(), key=lambda kv: index[kv[0]])],
        "passes": passes[:PASSES_SHOWN],
        "totals": {"participants": len(participants), "passed": passed_total,
                   "trying": sum(stuck_count.values())},
    }


def snapshot(store: WorkshopStore, now: float) -> dict[str, Any]:
    """Return ``build(...)`` for everything in ``store`` at time ``now``."""
    return build(store.participants(), store.cells(), now)
