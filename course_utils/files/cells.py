"""What the course's notebook cells are: one shared definition for the release tool, the
nbgrader metadata, the tests and the tools that read notebooks.

- a **solution cell** holds nbgrader's ``### BEGIN SOLUTION`` / ``### END SOLUTION`` markers;
- a **check cell** calls ``check("NN.name", ...)`` (not ``run_check``);
- an **output marker** is a line that is exactly ``# NBVAL_CHECK_OUTPUT`` (nbval compares
  that cell's stored output in the solution notebook; students never see it).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

BEGIN_SOLUTION = "### BEGIN SOLUTION"
END_SOLUTION = "### END SOLUTION"
BEGIN_HIDDEN = "### BEGIN HIDDEN TESTS"
END_HIDDEN = "### END HIDDEN TESTS"
OUTPUT_MARKER = "# NBVAL_CHECK_OUTPUT"

# check("NN.name", ...) or course_utils.check(...), but not run_check(...) and the like
CHECK_CALL = re.compile(r"""(?<![\w.])(?:course_utils\.)?check\(\s*["'](\d\d\.[A-Za-z_]\w*)["']""")
DEF = re.compile(r"^def (\w+)\(", re.M)
ASSIGN = re.compile(r"^([A-Za-z_]\w*)\s*=", re.M)


def check_ids(source: str) -> list[str]:
    """The exercise ids a code cell's ``check("NN.name", ...)`` calls name, in order."""
    return CHECK_CALL.findall(source)


def is_solution_cell(source: str) -> bool:
    """True when the cell holds a solution region."""
    return BEGIN_SOLUTION in source


def nbgrader_metadata(source: str, points_of: Callable[[str], float]) -> dict[str, Any] | None:
    """The nbgrader cell metadata (schema 3) a code cell should carry, or None.

    A solution cell is ``solution: true`` (grade false: its check cell grades it), with a
    grade id from its first function (or variable) name; a check cell is a locked grade
    cell worth the exercise's points (``points_of(id)``)."""
    if is_solution_cell(source):
        names = DEF.findall(source) or ASSIGN.findall(source)
        return {"grade": False, "grade_id": f"{names[0] if names else 'solution'}_solution",
                "locked": False, "schema_version": 3, "solution": True, "task": False}
    ids = check_ids(source)
    if ids:
        return {"grade": True, "grade_id": "check_" + ids[0].replace(".", "_"), "locked": True,
                "points": points_of(ids[0]), "schema_version": 3, "solution": False, "task": False}
    return None
