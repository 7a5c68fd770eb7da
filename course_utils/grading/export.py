"""The gradebook in the format an LMS imports: Canvas, Moodle, or a plain wide CSV.

Formats, as their importers read them:

- **Canvas** (Grades > Import): the CSV the Gradebook exports (Grades > Export), with
  the score filled in. Its header starts with ``Student, ID`` and holds student columns
  up to ``Section`` (``SIS User ID``, ``SIS Login ID``, ``Integration ID``, ``Root
  Account`` when present), then one column per assignment titled ``Name (assignment
  id)``, then read-only totals. A row starting ``Points Possible`` gives each
  assignment's points; a row of ``Manual Posting`` / ``Muted`` cells may precede it.
  Canvas finds each student by the ``ID`` column, then SIS User ID, then SIS Login ID;
  a blank or ``-`` score changes nothing; ``;`` separated files are accepted. We fill
  the assignment column of the roster the instructor exported, keeping every student
  column as Canvas wrote it, and drop the other assignments and the totals (Canvas
  then leaves them alone).
- **Moodle** (Grades > Import > CSV file): any CSV with a header row; the teacher maps
  one column to the user field that identifies a user (email address, username, ID
  number or user id) and each other column to a grade item, to "new grade item" or
  to feedback. A blank or ``-`` grade is no grade; one identifier that matches no user
  fails the whole import, so only students found in the roster are written. The
  roster is the file of Moodle's own export (Grades > Export > Plain text file), whose
  columns are ``First name, Last name, ID number, Institution, Department, Email
  address``..., or any CSV with the identifier column.
- **csv**: one row per student, one column per exercise (points), then total and
  the maximum.

Students in the gradebook but not in the roster, and the reverse, are always listed
(``Matching.problems``); nothing is dropped silently.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from .results import ClassResults, GradebookError, format_points, read_text, student_id

# --------------------------------------------------------------------------- CSV text


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def guard_formula(cell: str) -> str:
    """``cell`` with a leading ``'`` when a spreadsheet would run it as a formula
    (OWASP's rule for CSV files opened in Excel or LibreOffice); other text unchanged."""
    return "'" + cell if cell.startswith(_FORMULA_START) else cell


def sniff_delimiter(text: str, candidates: str = ",;") -> str:
    """The field separator of a CSV given as text: among ``candidates``, the one that splits
    the first three non-empty lines into the same, largest number of fields (Canvas's own
    rule for "," versus ";"); "," when none does."""
    lines = [ln for ln in text.splitlines() if ln.strip()][:3]
    best, best_count = ",", 0
    for sep in candidates:
        try:
            counts = {len(row) for row in csv.reader(lines, delimiter=sep)}
        except csv.Error:
            continue
        if len(counts) == 1:
            count = counts.pop()
            if count > best_count:
                best, best_count = sep, count
    return best


def _rows(text: str, path: str, delimiter: str) -> list[list[str]]:
    try:
        return [row for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)]
    except csv.Error as exc:
        raise GradebookError(f"{path}: not a readable CSV file ({exc})") from exc


def _write(rows: Sequence[Sequence[str]], delimiter: str = ",") -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=delimiter, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerows(rows)
    return buf.getvalue()


# --------------------------------------------------------------------------- matching

@dataclass
class Matching:
    """How gradebook students were matched to roster rows.

    ``rows``: roster row index -> student; ``unmatched_students``: in the gradebook, not
    in the roster; ``no_submission``: roster keys with no student; ``ambiguous``: what
    could not be decided (two rows with one key, two students for one row);
    ``normalised``: students matched only after odd characters were replaced."""

    rows: dict[int, str] = field(default_factory=dict)
    unmatched_students: list[str] = field(default_factory=list)
    no_submission: list[str] = field(default_factory=list)
    ambiguous: list[str] = field(default_factory=list)
    normalised: list[str] = field(default_factory=list)

    def problems(self) -> list[str]:
        """One sentence per student who could not be placed or had no submission (list of str)."""
        out = [f"in the gradebook but not in the roster (not exported): {s}" for s in self.unmatched_students]
        out += [f"in the roster but not in the gradebook (no submission): {k}" for k in self.no_submission]
        out += [f"ambiguous, left out: {a}" for a in self.ambiguous]
        return out

    def notes(self) -> list[str]:
        """Sentences about matches made after normalising odd characters (list of str)."""
        return [f"matched through the grader's id rule (odd characters written %XX): {n}" for n in self.normalised]


def read_mapping(path: str) -> dict[str, str]:
    """A mapping file: CSV, first column the gradebook's student id, second the roster value
    to match (an optional header row whose first cell is ``student`` is skipped). Returns
    {student: roster value}; GradebookError on a malformed file or a student listed twice."""
    text = read_text(path, "mapping file", limit=50 * 2 ** 20)
    mapping: dict[str, str] = {}
    for number, row in enumerate(_rows(text, path, sniff_delimiter(text)), start=1):
        if not any(c.strip() for c in row):
            continue
        if number == 1 and row[0].strip().lower() in ("student", "student id", "student_id"):
            continue
        if len(row) < 2 or not row[0].strip() or not row[1].strip():
            raise GradebookError(f"{path}, line {number}: expected two columns: student id, roster value")
        student = row[0].strip()
        if student in mapping:
            raise GradebookError(f"{path}, line {number}: student {student} is mapped twice")
        mapping[student] = row[1].strip()
    return mapping


def match_students(students: Sequence[str], keys: dict[int, str], *, mapping: dict[str, str] | None = None,
                   fold_case: bool = False, labels: dict[int, str] | None = None) -> Matching:
    """Match gradebook ``students`` to roster rows given as {row index: key value}.

    A student's key is the mapping file's value when ``mapping`` is given, else the
    student id itself. A key matches a roster value exactly (case-insensitively when
    ``fold_case``, e.g. e-mail addresses); a student left over then matches a roster
    value that the grader would have turned into this id (``student_id``: bytes other
    than letters, digits and ._@+- written %XX), if exactly one does. ``labels`` names roster rows
    in messages (default: their key). Returns a Matching."""
    def norm(value: str) -> str:
        value = value.strip()
        return value.casefold() if fold_case else value

    labels = labels or {}
    by_key: dict[str, list[int]] = {}
    for index, value in keys.items():
        if value.strip():
            by_key.setdefault(norm(value), []).append(index)
    result = Matching()
    claimed: dict[int, list[str]] = {}
    contested_keys: set[str] = set()
    pending: list[str] = []
    for student in students:
        key = mapping.get(student) if mapping is not None else student
        if key is None:
            result.unmatched_students.append(f"{student} (not in the mapping file)")
            continue
        found = by_key.get(norm(key), [])
        if len(found) > 1:
            result.ambiguous.append(f"{student}: {len(found)} roster rows have {key.strip()!r}")
            contested_keys.add(norm(key))
        elif found:
            claimed.setdefault(found[0], []).append(student)
        else:
            pending.append(student)
    if mapping is None and pending:
        by_safe: dict[str, list[int]] = {}
        for index, value in keys.items():
            if value.strip() and index not in claimed:
                by_safe.setdefault(student_id(value.strip()), []).append(index)
        for student in pending:
            found = by_safe.get(student, [])
            if len(found) == 1:
                claimed.setdefault(found[0], []).append(student)
                result.normalised.append(f"{student} = {keys[found[0]].strip()!r}")
            elif found:
                result.ambiguous.append(f"{student}: {len(found)} roster rows would become this id")
                contested_keys.update(norm(keys[i]) for i in found)
            else:
                result.unmatched_students.append(student)
    else:
        result.unmatched_students.extend(pending)
    for index, who in claimed.items():
        if len(who) > 1:
            result.ambiguous.append(f"roster row {labels.get(index, keys[index].strip())!r} "
                                    f"claimed by {', '.join(who)}")
        else:
            result.rows[index] = who[0]
    for index, value in keys.items():
        if index in result.rows or index in claimed or norm(value) in contested_keys:
            continue
        label = labels.get(index, value.strip())
        result.no_submission.append(label if value.strip() else f"{label or '(unnamed row)'} (no key value)")
    return result


# --------------------------------------------------------------------------- results

@dataclass
class Export:
    """An export's file text plus what the instructor must be told about it."""

    text: str
    matching: Matching | None = None
    warnings: list[str] = field(default_factory=list)
    written: int = 0


def _score(results: ClassResults, student: str, scale: float) -> str:
    return format_points(results.total(student) * scale)


def wide_csv(results: ClassResults) -> Export:
    """One row per student: student, each exercise's points, total, max (Export; the
    student cell is guarded against spreadsheet formulas)."""
    table = results.table()
    rows = [["student", *results.exercises, "total", "max_points"]]
    for student in results.students:
        marks = table[student]
        rows.append([guard_formula(student),
                     *[format_points(marks[e].points) if e in marks else "" for e in results.exercises],
                     format_points(results.total(student)), format_points(results.best)])
    return Export(_write(rows), written=len(results.students))


# --------------------------------------------------------------------------- Canvas

CANVAS_MATCH = {"login": "SIS Login ID", "email": "SIS Login ID", "sis": "SIS User ID", "canvas": "ID",
                "name": "Student"}
_CANVAS_TOTALS = re.compile(r"(Current|Final|Unposted|Override) (Score|Points|Grade|Status)")
_TITLE_WITH_ID = re.compile(r"^(.*) \((\d+)\)$")


@dataclass
class CanvasRoster:
    """A Canvas gradebook export: ``header``, the index of ``Section`` (the last student
    column), its ``points_row`` (or None), and the student ``rows`` as (line, cells)."""

    header: list[str]
    section: int
    points_row: list[str] | None
    rows: list[tuple[int, list[str]]]
    delimiter: str


def parse_canvas_roster(text: str, path: str = "roster.csv") -> CanvasRoster:
    """Read a Canvas gradebook export (Grades > Export) given as text; GradebookError when
    it does not have Canvas's header (``Student``, ``ID``, ..., ``Section``)."""
    delimiter = sniff_delimiter(text)
    rows = [r for r in _rows(text, path, delimiter) if any(c.strip() for c in r)]
    if not rows:
        raise GradebookError(f"{path}: empty file, not a Canvas gradebook export")
    header = [c.strip() for c in rows[0]]
    first_last = len(header) > 4 and header[0] == "LastName" and header[1] == "FirstName"
    if not first_last and not (len(header) > 3 and "Student" in header[0] and "ID" in header[1]):
        raise GradebookError(f"{path}: not a Canvas gradebook export: its header starts "
                             f"{', '.join(header[:3])[:120]!r}, Canvas's starts 'Student, ID, ...' "
                             f"(in Canvas: Grades > Export > Export Entire Gradebook)")
    if "Section" not in header:
        raise GradebookError(f"{path}: not a Canvas gradebook export: no 'Section' column")
    section = header.index("Section")
    points_row: list[str] | None = None
    students: list[tuple[int, list[str]]] = []
    for number, row in enumerate(rows[1:], start=2):
        row = row + [""] * (len(header) - len(row))
        if "Points Possible" in row[0]:
            points_row = row
        elif all(re.fullmatch(r"\s*(Muted|Manual Posting.*)?\s*", c, re.I) for c in row):
            continue
        else:
            students.append((number, row))
    return CanvasRoster(header, section, points_row, students, delimiter)


def _assignment_column(roster: CanvasRoster, assignment: str, path: str) -> int | None:
    """Index of the roster column for ``assignment`` (exact header, or title without the
    ``(id)``); None when the roster has no such column (a new assignment)."""
    columns = roster.header[roster.section + 1:]
    exact = [i for i, h in enumerate(columns) if h == assignment]
    if not exact:
        exact = [i for i, h in enumerate(columns) if (m := _TITLE_WITH_ID.match(h)) and m.group(1) == assignment]
    if len(exact) > 1:
        choices = "; ".join(columns[i] for i in exact)
        raise GradebookError(f"{path}: several assignments are titled {assignment!r} ({choices}); "
                             f"give the one you mean with its id, e.g. --assignment {columns[exact[0]]!r}")
    if exact and _CANVAS_TOTALS.search(columns[exact[0]]):
        raise GradebookError(f"{path}: {columns[exact[0]]!r} is a read-only total, not an assignment")
    return roster.section + 1 + exact[0] if exact else None


def canvas_number(text: str) -> float | None:
    """A number as Canvas's importer reads it ("21.00", "21,00", "1.234,5"): the last "." or
    "," is the decimal point, the others are dropped; None when it is not a number."""
    text = text.strip()
    if not re.fullmatch(r"-?[0-9.,]+", text):
        return None
    parts = re.split(r"[.,]", text)
    joined = "".join(parts[:-1]) + "." + parts[-1] if len(parts) > 1 else parts[0]
    try:
        return float(joined)
    except ValueError:
        return None


def canvas_assignments(roster: CanvasRoster) -> list[str]:
    """The assignment columns of a Canvas export (their headers, totals left out)."""
    return [h for h in roster.header[roster.section + 1:] if h and not _CANVAS_TOTALS.search(h)]


def canvas_csv(results: ClassResults, roster_text: str, *, assignment: str, match: str = "login",
               mapping: dict[str, str] | None = None, missing: str = "blank", scale: bool = False,
               roster_path: str = "roster.csv") -> Export:
    """The Canvas import file: the roster's student columns (as Canvas wrote them) and the
    ``assignment`` column holding each matched student's total. ``match`` picks the roster
    column the student ids (or the ``mapping`` values) are looked up in: login (SIS Login
    ID), email (SIS Login ID, ignoring case), sis (SIS User ID), canvas (ID), name
    (Student). Roster students without a submission get a blank (no change in Canvas) or
    0 (``missing="zero"``). ``scale`` rescales totals to the assignment's Points Possible.
    Returns an Export whose ``matching`` lists who was not matched."""
    if match not in CANVAS_MATCH:
        raise GradebookError(f"--match {match}: Canvas students are matched on one of {', '.join(CANVAS_MATCH)}")
    roster = parse_canvas_roster(roster_text, roster_path)
    column_name = CANVAS_MATCH[match]
    if column_name not in roster.header[:roster.section + 1]:
        present = ", ".join(roster.header[:roster.section + 1])
        raise GradebookError(f"{roster_path}: no {column_name!r} column to match on (it has {present}); "
                             f"choose another --match, or export with SIS ids shown")
    key_column = roster.header.index(column_name)
    warnings: list[str] = []
    column = _assignment_column(roster, assignment, roster_path)
    if column is None:
        known = "; ".join(canvas_assignments(roster)) or "none"
        warnings.append(f"the roster has no assignment {assignment!r} (it has: {known[:300]}); Canvas will "
                        f"create a new assignment with that name when you import")
        title = assignment
        possible: float | None = None
    else:
        title = roster.header[column]
        possible = None
        if roster.points_row is not None:
            possible = canvas_number(roster.points_row[column])
    factor = 1.0
    if possible is not None and abs(possible - results.best) > 1e-9:
        if scale and results.best > 0:
            factor = possible / results.best
            warnings.append(f"scores scaled from {format_points(results.best)} to the assignment's "
                            f"{format_points(possible)} points")
        else:
            warnings.append(f"the assignment {title!r} is worth {format_points(possible)} points in Canvas but the "
                            f"gradebook's maximum is {format_points(results.best)}; add --scale to rescale")
    keys = {i: row[key_column] for i, (_, row) in enumerate(roster.rows)}
    matching = match_students(results.students, keys, mapping=mapping, fold_case=match == "email")
    student_columns = roster.header[:roster.section + 1]
    out = [[*student_columns, title]]
    points = format_points(possible if possible is not None else results.best * factor)
    out.append(["    Points Possible", *[""] * (len(student_columns) - 1), points])
    written = 0
    for index, (_, row) in enumerate(roster.rows):
        student = matching.rows.get(index)
        if student is not None:
            value = _score(results, student, factor)
            written += 1
        else:
            value = "0" if missing == "zero" else ""
        out.append([*row[:roster.section + 1], value])
    return Export(_write(out, roster.delimiter), matching, warnings, written)


# --------------------------------------------------------------------------- Moodle

MOODLE_MATCH = {"email": ("Email address", "email"), "username": ("Username", "username"),
                "idnumber": ("ID number", "idnumber"), "userid": ("User ID", "id")}


def _moodle_key_column(header: list[str], match: str, path: str) -> int:
    label, field_name = MOODLE_MATCH[match]
    wanted = {label.casefold(), field_name.casefold(), label.replace(" ", "").casefold()}
    if match == "email":
        wanted |= {"email", "e-mail", "e-mail address"}
    for i, h in enumerate(header):
        if h.strip().casefold() in wanted:
            return i
    raise GradebookError(f"{path}: no {label!r} column to match on (columns: {', '.join(header)[:300]}); "
                         f"choose another --match")


def moodle_csv(results: ClassResults, *, match: str = "email", roster_text: str | None = None,
               mapping: dict[str, str] | None = None, item: str = "Gradients assignment",
               per_exercise: bool = False, feedback: bool = False, missing: str = "blank",
               roster_path: str = "roster.csv") -> Export:
    """The Moodle import file: an identifier column (``match``: email, username, idnumber or
    userid, headed as in Moodle) and the grade item ``item`` (each student's total), plus one
    column per exercise (``per_exercise``) and a feedback column (``feedback``).

    With a roster (Moodle's own export, or any CSV with the identifier column), only
    students found in it are written, with the roster's spelling of the identifier, and
    roster students without a submission get a blank (no grade) or 0; without a roster,
    each student id (or its ``mapping`` value) is the identifier. Returns an Export."""
    if match not in MOODLE_MATCH:
        raise GradebookError(f"--match {match}: Moodle users are identified by one of {', '.join(MOODLE_MATCH)}")
    label = MOODLE_MATCH[match][0]
    header = [label, item]
    if per_exercise:
        header += [f"{item}: {e}" for e in results.exercises]
    if feedback:
        header.append(f"{item} (feedback)")
    table = results.table()

    def cells(student: str) -> list[str]:
        row = [format_points(results.total(student))]
        if per_exercise:
            row += [format_points(table[student][e].points) if e in table[student] else ""
                    for e in results.exercises]
        if feedback:
            row.append(_feedback_line(results, student))
        return row

    empty = ["0" if missing == "zero" else ""] * (len(header) - 1 - int(feedback)) + ([""] if feedback else [])
    out = [header]
    warnings: list[str] = []
    if roster_text is None:
        matching = None
        for student in results.students:
            key = mapping.get(student) if mapping is not None else student
            if key is None:
                warnings.append(f"{student}: not in the mapping file, not exported")
                continue
            out.append([key, *cells(student)])
        warnings.append("no roster given: Moodle rejects the whole file if one identifier matches no user; "
                        "pass --roster (Moodle's grade export) to check first")
        written = len(out) - 1
    else:
        delimiter = sniff_delimiter(roster_text, ",;\t:")
        rows = [r for r in _rows(roster_text, roster_path, delimiter) if any(c.strip() for c in r)]
        if not rows:
            raise GradebookError(f"{roster_path}: empty file, not a roster")
        key_column = _moodle_key_column([c.strip() for c in rows[0]], match, roster_path)
        body = [r + [""] * (key_column + 1 - len(r)) for r in rows[1:]]
        keys = {i: r[key_column] for i, r in enumerate(body)}
        matching = match_students(results.students, keys, mapping=mapping,
                                  fold_case=match in ("email", "username"))
        written = 0
        for index, r in enumerate(body):
            key = r[key_column].strip()
            if not key:
                continue
            found = matching.rows.get(index)
            if found is not None:
                out.append([key, *cells(found)])
                written += 1
            else:
                out.append([key, *empty])
    return Export(_write(out), matching, warnings, written)


def _feedback_line(results: ClassResults, student: str) -> str:
    marks = results.marks_of(student)
    passed = sum(m.passed for m in marks)
    text = f"{format_points(results.total(student))} / {format_points(results.best)} points; " \
           f"{passed} of {len(marks)} exercises passed"
    wrong = [f"{m.exercise} ({m.diagnosis})" for m in marks if not m.passed]
    if wrong:
        text += "; not yet: " + ", ".join(wrong)
    return text
