"""The course's plotting palette: colours that colour-blind readers tell apart, and line
styles so that lines differ by more than colour.

``use()`` sets matplotlib's default colour cycle to the Okabe-Ito palette (Okabe & Ito,
"Color Universal Design", 2008: distinguishable with the common red-green and blue-yellow
colour-vision deficiencies) paired with a cycle of line styles (solid, dashed, dash-dot,
dotted, ...), and the default colour map to viridis (perceptually uniform, readable in
grey). The course's explorers and graph pictures call it when imported, so every plot of
a notebook that uses them gets it; a learner's own ``plt.rcParams`` changes still win
afterwards.
"""

from __future__ import annotations

__all__ = ["OKABE_ITO", "LINE_STYLES", "use", "color", "line_style"]

# Okabe-Ito, in the order the course uses them: blue, vermillion, bluish green, orange,
# reddish purple, sky blue, yellow, black.
OKABE_ITO = ("#0072B2", "#D55E00", "#009E73", "#E69F00", "#CC79A7", "#56B4E9", "#F0E442", "#000000")
LineStyle = str | tuple[int, tuple[int, ...]]
LINE_STYLES: tuple[LineStyle, ...] = (
    "-", "--", "-.", ":", (0, (5, 1, 1, 1, 1, 1)), (0, (1, 3)), (0, (8, 2)), (0, (3, 1, 1, 1)))


def color(i: int) -> str:
    """Return the i-th colour of the palette (cycling), a "#rrggbb" string."""
    return OKABE_ITO[i % len(OKABE_ITO)]


def line_style(i: int) -> LineStyle:
    """Return the i-th line style (cycling), as matplotlib's ``linestyle`` accepts it."""
    return LINE_STYLES[i % len(LINE_STYLES)]


def use() -> None:
    """Make the palette matplotlib's default (colour + line-style cycle, viridis); returns None.

    Does nothing when matplotlib is not installed.
    """
    try:
        import matplotlib as mpl
        from cycler import cycler
    except ImportError:
        return
    mpl.rcParams["axes.prop_cycle"] = cycler(color=list(OKABE_ITO)) + cycler(linestyle=list(LINE_STYLES))
    mpl.rcParams["image.cmap"] = "viridis"
