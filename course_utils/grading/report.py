"""HTML a person would rather look at than read: one feedback page per student and a
class report, each one self-contained file.

Self-contained: the CSS is inline and every plot is a PNG in a ``data:`` URI, so a page
can be mailed, uploaded to an LMS or opened offline; nothing points outside the file.
Readable with a screen reader: ``lang``, a title, one ``h1`` and headings in order,
tables with captions and header cells (``scope``), every plot with a text alternative
and the same numbers in a table, and results written in words ("passed", "not yet:
transpose"), never shown by colour alone. Everything that came from a submission
(ids, messages, notes) is HTML-escaped.

- ``feedback_page(student, marks, notes)``: score, a table of results, then one section
  per exercise with the verdict, the grader's message and which hint to ask for, then
  the notes on running the notebook.
- ``class_report(results)``: score distribution, pass rate per exercise, the most
  frequent diagnoses per exercise with counts ("14 students: transpose in 03.grad_w"),
  submissions that hit a limit, every student's results, and the course version.
"""

from __future__ import annotations

import base64
import html
import io
import re
import statistics
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # matplotlib is imported only when a plot is drawn: feedback pages need none
    from matplotlib.figure import Figure

from ..checking import diagnosis as D
from .results import ClassResults, Mark, file_stem, format_points

CSS = """
:root { color-scheme: light; }
body { font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1a1a1a;
       background: #fff; margin: 0 auto; max-width: 62rem; padding: 1rem 1.5rem 3rem; }
h1 { font-size: 1.8rem; margin: .5rem 0 .25rem; } h2 { font-size: 1.35rem; margin-top: 2rem;
  border-bottom: 2px solid #d0d7de; padding-bottom: .2rem; } h3 { font-size: 1.1rem; margin-top: 1.4rem; }
table { border-collapse: collapse; margin: .5rem 0 1rem; } caption { text-align: left; font-weight: 600;
  padding: .25rem 0; } th, td { border: 1px solid #8c959f; padding: .3rem .6rem; text-align: left;
  vertical-align: top; } th { background: #f0f3f6; } td.num { text-align: right; font-variant-numeric: tabular-nums; }
.passed { color: #0b5d1e; font-weight: 600; } .notyet { color: #8a1c1c; font-weight: 600; }
.verdict { display: inline-block; padding: .05rem .5rem; border-radius: .3rem; border: 1px solid currentColor; }
.meta { color: #444; } figure { margin: 1rem 0; } figure img { max-width: 100%; height: auto;
  border: 1px solid #d0d7de; } figcaption { color: #333; font-size: .95rem; }
code { background: #f0f3f6; padding: 0 .25rem; border-radius: .2rem; font-size: .95em; }
.message { white-space: pre-wrap; overflow-wrap: anywhere; }
a { color: #0645ad; } a:focus, a:hover { outline: 2px solid #0645ad; }
.skip { position: absolute; left: -999px; } .skip:focus { left: 1rem; top: 1rem; background: #fff; }
"""

MEANINGS: dict[str, str] = {str(k): v for k, v in D.DEFAULT_MESSAGES.items()}   # code -> its sentence

# Diagnoses that say the code did not run or answer as asked: the first hint (a nudge) helps;
# the others are a wrong formula: the last hint (the formula itself) does.
_START_OVER = {D.NOT_IMPLEMENTED, D.EXCEPTION, D.TIMEOUT, D.WRONG_TYPE, D.SHAPE, D.NAN, D.MUTATES_INPUT}

# What a limit looks like in a message or note: (pattern, the limit's name).
LIMIT_PATTERNS = (
    (re.compile(r"used up its|submission's time|grading stopped", re.I), "time limit of the submission"),
    (re.compile(r"(cell \d+ was stopped after|did not finish in time)", re.I), "time limit of a cell"),
    (re.compile(r"stopped after [\d.]+ ?s|took too long", re.I), "time limit of a call"),
    (re.compile(r"MemoryError|out of memory|memory limit", re.I), "memory limit"),
    (re.compile(r"CPU-time limit|SIGXCPU", re.I), "CPU-time limit"),
    (re.compile(r"file-size limit|SIGXFSZ", re.I), "file-size limit"),
    (re.compile(r"printed [\d,]+ characters|only the first [\d,]+ were kept", re.I), "output limit"),
    (re.compile(r"MB, more than the|too large|bytes allowed", re.I), "notebook size limit"),
    (re.compile(r"kept crashing", re.I), "restart limit (kept crashing)"),
    (re.compile(r"process limit|Resource temporarily unavailable|BlockingIOError", re.I), "process-count limit"),
)


def esc(value: object) -> str:
    """``value`` as text safe inside HTML element content and quoted attributes (str)."""
    return html.escape(str(value), quote=True)


def page(title: str, body: str, *, lang: str = "en") -> str:
    """A complete HTML document (str): doctype, ``lang``, charset, viewport, ``title``,
    the inline CSS, a skip link and ``body`` inside ``<main id="main">``."""
    return (f'<!DOCTYPE html>\n<html lang="{esc(lang)}">\n<head>\n<meta charset="utf-8">\n'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{esc(title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n"
            f'<a class="skip" href="#main">Skip to the content</a>\n<main id="main">\n{body}\n</main>\n'
            f"</body>\n</html>\n")


def verdict_html(mark: Mark) -> str:
    """The verdict in words with a symbol, coloured as well but never by colour alone (str)."""
    if mark.passed:
        return '<span class="verdict passed">&#10003; passed</span>'
    return f'<span class="verdict notyet">&#10007; not yet: {esc(mark.diagnosis or "no answer")}</span>'


def hint_advice(mark: Mark, levels: int) -> str:
    """Which hint to ask for, as a sentence with the call to type (str; "" when passed)."""
    if mark.passed:
        return ""
    ex = esc(repr(mark.exercise))
    if mark.diagnosis in _START_OVER or levels < 2:
        return (f"Ask for the first hint, a nudge: <code>hint({ex})</code>"
                + (f"; if still stuck, <code>hint({ex}, 2)</code>." if levels >= 2 else "."))
    return (f"Your code runs, but the formula is off: after the first hint <code>hint({ex})</code>, "
            f"ask for <code>hint({ex}, {levels})</code>, which gives the formula.")


def _hint_levels(exercise_id: str) -> int:
    from ..checking import registry

    lookup: Callable[[str], Any] = registry.get
    try:
        exercise = lookup(exercise_id)
    except KeyError:
        return 1
    return max(1, len(exercise.hints))


def _points(marks: Sequence[Mark]) -> tuple[float, float]:
    return sum(m.points for m in marks), sum(m.max_points for m in marks)


def _anchor(exercise_id: str) -> str:
    return "ex-" + re.sub(r"[^A-Za-z0-9_-]", "-", exercise_id)


def _version_line(meta: dict[str, Any]) -> str:
    version = meta.get("course_version")
    if not version:
        return "Course version: not recorded (graded before course versions were kept)."
    return f"Graded with course version <code>{esc(version)}</code>."


def feedback_page(student: str, marks: Sequence[Mark], notes: Sequence[str] = (),
                  meta: dict[str, Any] | None = None, sources: dict[str, str] | None = None) -> str:
    """One student's feedback as a self-contained HTML page (str): the score, a table of
    results, the file graded for each notebook (``sources``), one section per exercise
    (verdict, message, which hint to ask for), notes."""
    meta = meta or {}
    total, best = _points(marks)
    passed = sum(m.passed for m in marks)
    parts = [f"<h1>Feedback for {esc(student)}</h1>",
             f'<p class="meta"><strong>Score: {format_points(total)} / {format_points(best)}</strong> '
             f"({passed} of {len(marks)} exercises passed). {_version_line(meta)}</p>"]
    parts.append('<table>\n<caption>Results per exercise</caption>\n<thead><tr><th scope="col">Exercise</th>'
                  '<th scope="col">Result</th><th scope="col">Points</th></tr></thead>\n<tbody>')
    for m in marks:
        parts.append(f'<tr><th scope="row"><a href="#{_anchor(m.exercise)}">{esc(m.exercise)}</a></th>'
                     f'<td>{verdict_html(m)}</td><td class="num">{format_points(m.points)} / '
                     f"{format_points(m.max_points)}</td></tr>")
    parts.append("</tbody>\n</table>")
    if sources:
        parts.append("<p>Graded from: " + ", ".join(f"notebook {esc(n)}: <code>{esc(name)}</code>"
                                                   for n, name in sorted(sources.items())) + ".</p>")
    parts.append("<h2>Each exercise</h2>")
    for m in marks:
        advice = hint_advice(m, _hint_levels(m.exercise))
        message = m.message or ("Correct." if m.passed else MEANINGS.get(m.diagnosis, "Not yet right."))
        message = message[:1].upper() + message[1:]
        parts.append(f'<section aria-labelledby="{_anchor(m.exercise)}">\n'
                     f'<h3 id="{_anchor(m.exercise)}">{esc(m.exercise)}: {"passed" if m.passed else "not yet"}</h3>\n'
                     f"<p>{verdict_html(m)} {format_points(m.points)} of {format_points(m.max_points)} "
                     f"point{'s' if m.max_points != 1 else ''}.</p>\n"
                     f'<p class="message">{esc(message)}</p>' + (f"\n<p>{advice}</p>" if advice else "")
                     + "\n</section>")
    if notes:
        parts.append("<h2>Notes on running your notebook</h2>\n<ul>")
        parts += [f"<li>{esc(n)}</li>" for n in list(notes)[:50]]
        if len(notes) > 50:
            parts.append(f"<li>... and {len(notes) - 50} more</li>")
        parts.append("</ul>")
    return page(f"Feedback for {student}", "\n".join(parts))


def feedback_page_for_graded(graded: Any, meta: dict[str, Any] | None = None) -> str:
    """``feedback_page`` for a grader's in-memory result (an object with ``student``,
    ``rows`` of gradebook rows and ``notes``), as ``course-utils grade`` holds it (str)."""
    marks = [Mark(str(r.student), str(r.exercise), bool(r.passed), str(r.diagnosis or ""), float(r.points),
                  float(r.max_points), float(r.seconds), str(getattr(r, "message", "") or ""))
             for r in graded.rows]
    sources = getattr(graded, "sources", None) or {}
    return feedback_page(str(graded.student), marks, [str(n) for n in graded.notes], meta,
                         {str(k): str(v) for k, v in sources.items()})


# --------------------------------------------------------------------------- class report

@dataclass(frozen=True)
class LimitHit:
    """One submission that hit a limit: who, which limit, and the text that said so."""

    student: str
    limit: str
    where: str
    text: str


def limits_hit(results: ClassResults) -> list[LimitHit]:
    """Every (student, limit) the messages, notes and diagnoses show was hit (list of
    LimitHit, in student order, one per student and limit)."""
    found: list[LimitHit] = []
    for student in results.students:
        seen: set[str] = set()
        texts: list[tuple[str, str]] = [("note", n) for n in results.notes.get(student, [])]
        for m in results.marks_of(student):
            if m.diagnosis == D.TIMEOUT and not m.message:
                texts.append((m.exercise, "stopped after its time limit"))
            if not m.passed:
                texts.append((m.exercise, m.message))
        for where, text in texts:
            limit = next((name for pattern, name in LIMIT_PATTERNS if pattern.search(text)), None)
            if limit is not None and limit not in seen:
                seen.add(limit)
                found.append(LimitHit(student, limit, where, text))
    return found


def diagnosis_counts(results: ClassResults) -> dict[str, Counter[str]]:
    """{exercise: Counter of diagnosis codes among students who did not pass} (dict)."""
    counts: dict[str, Counter[str]] = {e: Counter() for e in results.exercises}
    for m in results.marks:
        if not m.passed:
            counts[m.exercise][m.diagnosis or "no answer"] += 1
    return counts


def _png(fig: Figure) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100, bbox_inches="tight")
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def score_histogram(totals: Sequence[float], best: float) -> str:
    """The score distribution as a PNG data URI (str): one bar per point of total score."""
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    fig = Figure(figsize=(7, 3.2))
    ax = fig.add_subplot()
    top = max(1, int(best + 0.5))
    counts = Counter(int(t + 0.5) for t in totals)
    xs = list(range(0, top + 1))
    ax.bar(xs, [counts.get(x, 0) for x in xs], color="#3b6ea8", edgecolor="#1a1a1a", width=0.8)
    ax.set_xlabel(f"total score (of {format_points(best)})")
    ax.set_ylabel("students")
    ax.set_xticks(xs if len(xs) <= 25 else xs[:: max(1, len(xs) // 20)])
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_title("Score distribution")
    return _png(fig)


def pass_rate_chart(exercises: Sequence[str], rates: Sequence[float]) -> str:
    """Pass rate per exercise as horizontal bars, labelled in percent (PNG data URI, str)."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(7, 0.45 * len(exercises) + 1.2))
    ax = fig.add_subplot()
    ys = list(range(len(exercises)))
    ax.barh(ys, [100 * r for r in rates], color="#3b6ea8", edgecolor="#1a1a1a")
    ax.set_yticks(ys, labels=list(exercises))
    ax.invert_yaxis()
    ax.set_xlim(0, 100)
    ax.set_xlabel("students who passed (%)")
    for y, r in zip(ys, rates, strict=True):
        ax.text(min(100 * r + 1, 88), y, f"{100 * r:.0f}%", va="center")
    ax.set_title("Pass rate per exercise")
    return _png(fig)


def _table(caption: str, headers: Sequence[str], rows: Iterable[Sequence[str]], *, row_header: bool = True,
           numeric: Sequence[int] = ()) -> str:
    """An accessible table (str): a caption, column headers with scope, and the first cell of
    each row a row header. Cells are given as HTML (escape text before)."""
    out = [f"<table>\n<caption>{caption}</caption>\n<thead><tr>"
           + "".join(f'<th scope="col">{h}</th>' for h in headers) + "</tr></thead>\n<tbody>"]
    for row in rows:
        cells = []
        for i, cell in enumerate(row):
            if i == 0 and row_header:
                cells.append(f'<th scope="row">{cell}</th>')
            else:
                cls = ' class="num"' if i in numeric else ""
                cells.append(f"<td{cls}>{cell}</td>")
        out.append("<tr>" + "".join(cells) + "</tr>")
    out.append("</tbody>\n</table>")
    return "\n".join(out)


def class_report(results: ClassResults, *, title: str = "Class report", feedback_links: str | None = None,
                 generated: datetime | None = None) -> str:
    """The class report as a self-contained HTML page (str). ``feedback_links`` is the folder
    (relative to the report) holding ``<student>.html`` feedback pages, to link each student."""
    n = len(results.students)
    best = results.best
    totals = [results.total(s) for s in results.students]
    table = results.table()
    when = (generated or datetime.now(timezone.utc)).strftime("%Y-%m-%d %H:%M UTC")
    parts = [f"<h1>{esc(title)}</h1>",
             f'<p class="meta">{n} student{"s" if n != 1 else ""}, {len(results.exercises)} exercises, '
             f"{format_points(best)} points in all. {_version_line(results.meta)} "
             f"Gradebook: <code>{esc(results.path)}</code>; report written {esc(when)}.</p>"]
    # summary
    if totals:
        mean = statistics.fmean(totals)
        median = statistics.median(totals)
        full = sum(abs(t - best) < 1e-9 for t in totals)
        zero = sum(t == 0 for t in totals)
        parts.append(f"<p>Median score {format_points(median)} / {format_points(best)}, mean "
                     f"{format_points(mean)}; {full} with full marks, {zero} with no points.</p>")
    # score distribution
    parts.append('<h2 id="scores">Score distribution</h2>')
    counts = Counter(format_points(t) for t in totals)
    ordered = sorted(counts, key=float)
    describe = ", ".join(f"{counts[k]} scored {k}" for k in ordered) or "no students"
    parts.append(f'<figure><img src="{score_histogram(totals, best)}" alt="Bar chart of total scores: '
                 f'{esc(describe)}."><figcaption>How many students reached each total score '
                 f"(the table below gives the same numbers).</figcaption></figure>")
    parts.append(_table("Students per total score", ["Total score", "Students"],
                        ([k, str(counts[k])] for k in ordered), numeric=(1,)))
    # pass rate per exercise
    parts.append('<h2 id="pass-rate">Pass rate per exercise</h2>')
    passed_counts = [sum(1 for s in results.students if table[s].get(e) and table[s][e].passed)
                     for e in results.exercises]
    rates = [p / n if n else 0.0 for p in passed_counts]
    alt = "; ".join(f"{e}: {100 * r:.0f}%" for e, r in zip(results.exercises, rates, strict=True))
    parts.append(f'<figure><img src="{pass_rate_chart(results.exercises, rates)}" alt="Bar chart of the pass '
                 f'rate per exercise: {esc(alt)}."><figcaption>The share of students who passed each exercise.'
                 f"</figcaption></figure>")
    parts.append(_table("Pass rate per exercise", ["Exercise", "Passed", "Pass rate", "Points"],
                        ([esc(e), f"{p} of {n}", f"{100 * r:.0f}%", format_points(results.max_points[e])]
                         for e, p, r in zip(results.exercises, passed_counts, rates, strict=True)), numeric=(1, 2, 3)))
    # diagnoses
    parts.append('<h2 id="diagnoses">Most frequent diagnoses</h2>')
    diag = diagnosis_counts(results)
    flat = sorted(((c, code, e) for e, counter in diag.items() for code, c in counter.items()),
                  key=lambda t: (-t[0], results.exercises.index(t[2]), t[1]))
    if flat:
        parts.append("<p>What went wrong most often, over the whole class:</p>\n<ol>")
        parts += [f"<li>{c} student{'s' if c != 1 else ''}: <strong>{esc(code)}</strong> in "
                  f"{esc(e)}</li>" for c, code, e in flat[:10]]
        parts.append("</ol>")
        rows = []
        for e in results.exercises:
            top = diag[e].most_common(3)
            if top:
                text = "; ".join(f"{c} student{'s' if c != 1 else ''}: {esc(code)}" for code, c in top)
                rows.append([esc(e), str(sum(diag[e].values())), text])
        parts.append(_table("Diagnoses per exercise (up to three most frequent)",
                            ["Exercise", "Not passed", "Most frequent diagnoses"], rows, numeric=(1,)))
        codes_seen = sorted({code for _, code, _ in flat if code in MEANINGS})
        if codes_seen:
            parts.append(_table("What each diagnosis means", ["Diagnosis", "Meaning"],
                                ([esc(c), esc(MEANINGS[c])] for c in codes_seen)))
    else:
        parts.append("<p>Every student passed every exercise.</p>")
    # limits
    parts.append('<h2 id="limits">Submissions that hit a limit</h2>')
    hits = limits_hit(results)
    if hits:
        parts.append(_table(f"{len({h.student for h in hits})} submissions hit a limit",
                            ["Student", "Limit", "Where", "What the grader said"],
                            ([esc(h.student), esc(h.limit), esc(h.where), esc(_clip(h.text))] for h in hits)))
    else:
        parts.append("<p>No submission hit a time, memory, output or size limit.</p>")
    # every student
    parts.append('<h2 id="students">Every student</h2>')
    headers = ["Student", "Total", *[esc(e) for e in results.exercises]]
    rows = []
    for s in results.students:
        name = esc(s)
        if feedback_links is not None:
            name = f'<a href="{esc(feedback_links.rstrip("/") + "/" + file_stem(s) + ".html")}">{name}</a>'
        cells = [name, f"{format_points(results.total(s))} / {format_points(best)}"]
        for e in results.exercises:
            m = table[s].get(e)
            cells.append(verdict_html(m) if m else "not graded")
        rows.append(cells)
    parts.append(_table("Each student's result per exercise", headers, rows, numeric=(1,)))
    return page(title, "\n".join(parts))


def _clip(text: str, limit: int = 240) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[:limit] + "..."
