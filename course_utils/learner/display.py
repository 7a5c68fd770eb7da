"""How a check's verdict, a hint, a solution and the progress view look in a notebook.

Every box is readable in JupyterLab's light and dark themes: its text and background
are JupyterLab's own theme colours (``--jp-content-font-color1`` on
``--jp-layout-color2``), with light-theme fallbacks where those variables do not exist
(an HTML export, another front end), so the text always keeps the theme's contrast. A
verdict never relies on colour alone: it says PASSED or NOT YET, with a tick or a cross,
in a badge whose white text sits on a dark green or red of its own (contrast above
4.5:1 in any theme); the coloured stripe on the left only repeats what the text says.

``show(text, html)`` displays the HTML in IPython and prints the text elsewhere.
"""

from __future__ import annotations

import html
from typing import Any

__all__ = ["verdict_html", "hint_html", "solution_html", "progress_html", "show", "in_ipython"]

TEXT = "var(--jp-content-font-color1, #1f1f1f)"
BACKGROUND = "var(--jp-layout-color2, #f0f0f0)"
CODE_BACKGROUND = "var(--jp-layout-color1, #ffffff)"
MONO = "var(--jp-code-font-family, monospace)"

# Badge colours: white text on them has a contrast of 5.1 (green), 6.6 (red), 6.6 (blue) and
# 6.7 (grey), above WCAG's 4.5:1, whatever the page's theme.
PASSED_COLOUR = "#1a7f37"
FAILED_COLOUR = "#b42318"
HINT_COLOUR = "#0b5cad"
NEUTRAL_COLOUR = "#5b5b5b"

TICK = "&#10004;"   # ✔
CROSS = "&#10008;"  # ✘


def _box(stripe: str, badge: str, title: str, body: str, kind: str) -> str:
    """A themed box: a coloured stripe, a badge (symbol + word), a title and a body."""
    return (
        f'<div class="course-box course-{kind}" style="border-left:6px solid {stripe};padding:6px 10px;'
        f'margin:4px 0;background:{BACKGROUND};color:{TEXT};line-height:1.5">'
        f'<span style="background:{stripe};color:#ffffff;font-weight:bold;border-radius:3px;'
        f'padding:0 6px;margin-right:6px">{badge}</span>'
        f'<b style="color:{TEXT}">{title}</b>{body}</div>'
    )


def _code(text: str) -> str:
    return (f'<code style="color:{TEXT};background:{CODE_BACKGROUND};font-family:{MONO};'
            f'padding:0 3px;border-radius:2px">{html.escape(text)}</code>')


def _pre(text: str) -> str:
    return (f'<pre style="color:{TEXT};background:{CODE_BACKGROUND};font-family:{MONO};padding:6px 8px;'
            f'margin:6px 0 0 0;white-space:pre-wrap;border-radius:2px">{html.escape(text)}</pre>')


def verdict_html(result: Any) -> str:
    """Return the HTML box of a check's verdict.

    ``result`` has ``passed`` (bool), ``exercise_id``, ``diagnosis`` and ``message``
    (a ``CheckResult``). The box says PASSED with a tick, or NOT YET with a cross and the
    diagnosis code, then the message; all text is escaped.
    """
    if result.passed:
        badge, stripe, code = f"{TICK} PASSED", PASSED_COLOUR, ""
    else:
        badge, stripe, code = f"{CROSS} NOT YET", FAILED_COLOUR, " " + _code(str(result.diagnosis))
    body = f"{code}<br>{html.escape(str(result.message))}"
    return _box(stripe, badge, html.escape(str(result.exercise_id)), body, "verdict")


def hint_html(text: str) -> str:
    """Return the HTML box of a hint (``text`` as ``hint_text`` gives it: lines kept)."""
    first, _, rest = str(text).partition("\n")
    body = "<br>" + "<br>".join(html.escape(line) for line in rest.splitlines()) if rest else ""
    return _box(HINT_COLOUR, "? HINT", html.escape(first), body, "hint")


def solution_html(text: str) -> str:
    """Return the HTML box of a worked solution (``text`` is Python source, shown verbatim)."""
    return _box(NEUTRAL_COLOUR, "&#9998; SOLUTION", "A worked answer", _pre(text), "solution")


def progress_html(text: str) -> str:
    """Return the HTML box of the progress view (``text`` as ``progress.summary_text`` gives it)."""
    return _box(NEUTRAL_COLOUR, "&#9776; PROGRESS", "Your exercises", _pre(text), "progress")


def in_ipython() -> bool:
    """Return True when running inside an IPython kernel or shell."""
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    return get_ipython() is not None


class _Both:
    """An object that shows as HTML in a notebook and as text everywhere else."""

    def __init__(self, text: str, html_text: str) -> None:
        self.text, self.html_text = text, html_text

    def __repr__(self) -> str:
        return self.text

    def _repr_html_(self) -> str:
        return self.html_text


def show(text: str, html_text: str | None = None) -> None:
    """Display ``html_text`` in IPython (``text`` as its plain version), else print ``text``; returns None."""
    if in_ipython() and html_text is not None:
        from IPython.display import display

        display(_Both(text, html_text))
    else:
        print(text)
