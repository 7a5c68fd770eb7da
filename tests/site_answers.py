"""Finding an exercise's answer in a page's text (used by ``test_site.py``).

An answer is the reference solution's code: the logical lines of its body (comments,
the ``def`` line and the docstring left out), with all white space removed, so that
highlighting, line breaks and spacing on a page do not hide a copy. A line shorter than
``MIN_CHARS`` non-space characters (``return g``, ``s = x``, ``else:``) is too common to
count. A page *shows the answer* of an exercise when it contains every counted line of
the reference code; it *overlaps* when it contains at least half of them (reported, not
failed: a worked example may legitimately share a step with a later exercise).
"""

from __future__ import annotations

import io
import re
import tokenize

MIN_CHARS = 12


def answer_lines(source: str) -> list[str]:
    """Return the counted logical lines of a function's source, white space removed."""
    lines, current = [], []
    try:
        for tok in tokenize.generate_tokens(io.StringIO(source).readline):
            if tok.type in (tokenize.COMMENT, tokenize.NL, tokenize.INDENT, tokenize.DEDENT, tokenize.ENDMARKER):
                continue
            if tok.type == tokenize.NEWLINE:
                if current:
                    lines.append(current)
                current = []
                continue
            current.append(tok)
    except (tokenize.TokenError, IndentationError):
        pass
    if current:
        lines.append(current)
    counted = []
    for toks in lines:
        if toks[0].string in ("def", "@", "class"):
            continue
        if len(toks) == 1 and toks[0].type == tokenize.STRING:  # a docstring
            continue
        text = squash("".join(t.string for t in toks))
        if len(text) >= MIN_CHARS:
            counted.append(text)
    return counted


def squash(text: str) -> str:
    """Return ``text`` without any white space (so formatting cannot hide a match)."""
    return re.sub(r"\s+", "", text)


def found_lines(page_text: str, lines: list[str]) -> list[str]:
    """Return the lines of ``lines`` that occur in ``page_text`` (squashed first)."""
    text = squash(page_text)
    return [line for line in lines if line in text]


def shows_answer(page_text: str, lines: list[str]) -> bool:
    """True when the page contains every counted line of an answer (and there is one)."""
    return bool(lines) and len(found_lines(page_text, lines)) == len(lines)


def solution_regions(source: str) -> list[str]:
    """Return the bodies of the ``### BEGIN SOLUTION`` ... ``### END SOLUTION`` regions of a cell."""
    bodies, inside, current = [], False, []
    for line in source.splitlines():
        marker = line.strip()
        if marker.startswith("### BEGIN SOLUTION"):
            inside, current = True, []
        elif marker.startswith("### END SOLUTION"):
            inside = False
            bodies.append("\n".join(current))
        elif inside:
            current.append(line)
    return bodies


def region_lines(body: str) -> list[str]:
    """Return the counted lines of a solution region (indented code, no ``def``)."""
    import textwrap

    return answer_lines(textwrap.dedent(body))
