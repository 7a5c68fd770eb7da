"""A class gradebook written by hand (CSV + state file, as ``course-utils grade`` writes
them) and an HTML reader, shared by the report tests and the browser tests.

The class: 6 students x 3 exercises, with hostile text in ids, messages and notes.
``EXPECTED`` holds what the report must say, counted by hand from ``CLASS``.
"""

import csv
import html.parser
import io
import json
import re

EXERCISES = (("01.sigmoid", 1.0), ("01.sigmoid_prime", 1.0), ("03.grad_w", 2.0))
# student -> per exercise (passed, diagnosis, message); notes
CLASS = {
    "alice": ([(True, "", "correct on 4 random inputs"), (True, "", "correct"), (True, "", "correct")], []),
    "bob": ([(True, "", "correct"), (False, "wrong_value", "You wrote u * (1 - u)."),
             (False, "transpose", "Your answer is the transpose of the right one.")], []),
    "carol": ([(True, "", "correct"), (True, "", "correct"),
               (False, "transpose", "Your answer is the transpose of the right one.")],
              ["your notebook printed 3,000,000 characters; only the first 100,000 were kept"]),
    "dave": ([(False, "timeout", "Your function took too long (stopped after 1 s)."),
              (False, "not_implemented", "Could not grade: grading stopped: your submission used up its 40 s."),
              (False, "transpose", "Your answer is the transpose of the right one.")],
             ["cell 3 was stopped after 2 s"]),
    '<img src="http://evil.example/x.png">': (
        [(False, "exception", '<script>fetch("https://evil.example")</script> MemoryError'),
         (True, "", "correct"), (True, "", "correct")],
        ['<a href="https://evil.example">click</a>']),
    "erin+x@uni.edu": ([(False, "not_implemented", "No function named `sigmoid` was defined."),
                        (False, "not_implemented", "No function named `sigmoid_prime` was defined."),
                        (False, "not_implemented", "No function named `grad_w` was defined.")],
                       ["code cell 2, line 1: `%matplotlib inline` is IPython-only and was skipped"]),
}
EXPECTED = {
    "totals": {"alice": 4, "bob": 1, "carol": 2, "dave": 0, '<img src="http://evil.example/x.png">': 3,
               "erin+x@uni.edu": 0},
    "passed": {"01.sigmoid": 3, "01.sigmoid_prime": 3, "03.grad_w": 2},
    "top": "3 students: transpose in 03.grad_w",
    "limits": {("carol", "output limit"), ("dave", "time limit of a call"),
               ("dave", "time limit of the submission"), ("dave", "time limit of a cell"),
               ('<img src="http://evil.example/x.png">', "memory limit")},
}


def write_class(folder, meta=None):
    """Write gradebook.csv and its state file into ``folder``; returns the gradebook path."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["student", "exercise", "passed", "diagnosis", "points", "max_points", "seconds"])
    students = {}
    for student, (results, notes) in CLASS.items():
        rows = []
        for (exercise, best), (passed, diagnosis, message) in zip(EXERCISES, results, strict=True):
            points = best if passed else 0.0
            w.writerow([student, exercise, int(passed), diagnosis, f"{points:g}", f"{best:g}", "0.05"])
            rows.append({"student": student, "exercise": exercise, "passed": passed, "diagnosis": diagnosis,
                         "points": points, "max_points": best, "seconds": 0.05, "message": message})
        students[student] = {"hash": "0" * 64, "rows": rows, "notes": notes, "seconds": 0.2}
    path = folder / "gradebook.csv"
    path.write_text(buf.getvalue())
    state = dict(meta or {}, version=1, students=students)
    (folder / "gradebook.csv.state.json").write_text(json.dumps(state))
    return str(path)


class Page(html.parser.HTMLParser):
    """Everything the tests look at in an HTML page: headings (level, text), tables (caption,
    header cells with scope, rows of cell texts), images (src, alt), every URL-bearing
    attribute, the text, and the tags seen."""

    URL_ATTRS = {"src", "href", "action", "formaction", "poster", "data", "srcset", "background", "xlink:href"}

    def __init__(self, text):
        super().__init__(convert_charrefs=True)
        self.headings, self.tables, self.images, self.urls, self.tags = [], [], [], [], []
        self.lang = None
        self.text_parts = []
        self._heading = None
        self._table = None
        self._cell = None
        self._row = None
        self._caption = None
        self.style = ""
        self._in_style = False
        self.feed(text)
        self.close()
        self.text = " ".join(" ".join(self.text_parts).split())

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags.append(tag)
        for name, value in attrs:
            if name in self.URL_ATTRS and value is not None:
                self.urls.append(value)
            if name == "style" and value and "url(" in value:
                self.urls.append(value)
        if tag == "html":
            self.lang = a.get("lang")
        if re.fullmatch(r"h[1-6]", tag):
            self._heading = [int(tag[1]), ""]
        if tag == "table":
            self._table = {"caption": "", "headers": [], "rows": []}
        if tag == "caption":
            self._caption = ""
        if tag == "tr" and self._table is not None:
            self._row = []
        if tag in ("td", "th") and self._table is not None:
            self._cell = ""
            if tag == "th":
                self._table["headers"].append(a.get("scope"))
        if tag == "img":
            self.images.append((a.get("src", ""), a.get("alt")))
        if tag == "style":
            self._in_style = True

    def handle_endtag(self, tag):
        if re.fullmatch(r"h[1-6]", tag) and self._heading:
            self.headings.append((self._heading[0], " ".join(self._heading[1].split())))
            self._heading = None
        if tag == "caption" and self._table is not None:
            self._table["caption"] = " ".join((self._caption or "").split())
            self._caption = None
        if tag in ("td", "th") and self._row is not None:
            self._row.append(" ".join((self._cell or "").split()))
            self._cell = None
        if tag == "tr" and self._table is not None and self._row is not None:
            self._table["rows"].append(self._row)
            self._row = None
        if tag == "table" and self._table is not None:
            self.tables.append(self._table)
            self._table = None
        if tag == "style":
            self._in_style = False

    def handle_data(self, data):
        if self._in_style:
            self.style += data
            return
        self.text_parts.append(data)
        if self._heading is not None:
            self._heading[1] += data
        if self._cell is not None:
            self._cell += data
        if self._caption is not None:
            self._caption += data

    def table(self, caption):
        """The table whose caption starts with ``caption`` (a dict)."""
        return next(t for t in self.tables if t["caption"].startswith(caption))


def external_urls(page):
    """URLs in the page that would load or lead to anything outside the file (list)."""
    found = [u for u in page.urls if not (u.startswith(("data:", "#")) or re.fullmatch(r"[\w./+@~%-]+\.html", u))]
    found += re.findall(r"url\(|@import", page.style)
    return found
