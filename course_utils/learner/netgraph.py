"""Computation-graph pictures of the two-layer sigmoid nets of notebooks 05-07.

``two_layer_values(x, y, W1, w2)`` runs the forward and backward pass of one example
(``W1`` (d,) with a number ``w2`` for one hidden unit, or ``W1`` (d, H) with ``w2`` (H,))
and returns every intermediate. ``two_layer_graph(...)`` draws the graph with matplotlib:
operation nodes, arrows, the forward value written above each edge (blue) and the
gradient dL/d(that value) below it (red). ``batch_product_picture(...)`` draws a
gradient of a batch as a product of coloured matrices with their shapes.
All drawing functions return a matplotlib Figure (they never call plt.show).

Colour is never the only cue: forward values sit above an edge and are written
``name=value``, gradients sit below it and are written ``dL/d...``, ``d...`` or ``δ...``;
blue and red stay apart for the common colour-vision deficiencies, and both have a
contrast above 4.5:1 on the white background.
"""

import numpy as np

from ..portable.functions import sigmoid
from . import palette

palette.use()

__all__ = ["two_layer_values", "fmt", "two_layer_graph", "batch_product_picture", "show"]

FWD = "#1f5fbf"
BWD = "#c0392b"


def two_layer_values(x, y, W1, w2):
    """Forward and backward pass of one example through the two-layer net (no biases).

    Returns a dict with x, y, W1 (d, H), w2 (H,), z1, h, sp1 (H,), z2, yhat, L, sp2,
    delta2, dw2 (H,), dh (H,), delta1 (H,), dW1 (d, H), dx (d,). ``single`` tells whether
    the net has one hidden unit given as W1 (d,) and a number w2.
    """
    x = np.asarray(x, dtype=np.float64)
    W1 = np.asarray(W1, dtype=np.float64)
    single = W1.ndim == 1
    if single:
        W1 = W1[:, None]
    w2 = np.atleast_1d(np.asarray(w2, dtype=np.float64))
    z1 = x @ W1
    h = sigmoid(z1)
    z2 = float(h @ w2)
    yhat = float(sigmoid(z2))
    sp1 = h * (1 - h)
    sp2 = yhat * (1 - yhat)
    delta2 = (yhat - y) * sp2
    dh = delta2 * w2
    delta1 = dh * sp1
    return dict(x=x, y=float(y), W1=W1, w2=w2, z1=z1, h=h, sp1=sp1, z2=z2, yhat=yhat,
                L=0.5 * (yhat - y) ** 2, sp2=sp2, delta2=delta2, dw2=delta2 * h, dh=dh,
                delta1=delta1, dW1=np.outer(x, delta1), dx=W1 @ delta1, single=single)


def fmt(v, digits=2):
    """A number or a short vector as compact text: 0.42 or [0.42, -1.30]."""
    v = np.asarray(v, dtype=np.float64)
    if v.ndim == 0:
        return f"{float(v):.{digits}f}"
    return "[" + ", ".join(f"{float(a):.{digits}f}" for a in v.ravel()) + "]"


def _node(ax, xy, label, kind, fontsize=11):
    styles = {
        "op": dict(boxstyle="circle,pad=0.35", fc="#fff4d6", ec="#b8860b"),
        "op2": dict(boxstyle="round,pad=0.4", fc="#fff4d6", ec="#b8860b"),
        "leaf": dict(boxstyle="round,pad=0.35", fc="#e8f0fe", ec="#1f5fbf"),
        "loss": dict(boxstyle="round,pad=0.35", fc="#fde2e1", ec="#c0392b"),
    }
    ax.text(*xy, label, ha="center", va="center", fontsize=fontsize, bbox=styles[kind], zorder=3)


def _edge(ax, a, b, fwd, bwd, label_at=0.5, fontsize=8.5, side=-1):
    """An arrow from a to b; ``fwd`` text on the upper side, ``bwd`` on the lower side
    (or, with only ``bwd`` given, on the side ``side``: -1 lower, +1 upper)."""
    ax.annotate("", xy=b, xytext=a,
                arrowprops=dict(arrowstyle="-|>", color="#555", lw=1.3, shrinkA=22, shrinkB=16), zorder=1)
    (x0, y0), (x1, y1) = a, b
    mx, my = x0 + label_at * (x1 - x0), y0 + label_at * (y1 - y0)
    angle = np.degrees(np.arctan2(y1 - y0, x1 - x0))
    if angle > 90 or angle < -90:
        angle += 180
    length = np.hypot(x1 - x0, y1 - y0) or 1.0
    nx, ny = -(y1 - y0) / length, (x1 - x0) / length  # unit normal (left of the arrow)
    if ny < 0:
        nx, ny = -nx, -ny
    off = 0.17
    if fwd:
        ax.text(mx + off * nx, my + off * ny, fwd, color=FWD, fontsize=fontsize, ha="center", va="center",
                rotation=angle, rotation_mode="anchor", zorder=4,
                bbox=dict(fc="white", ec="none", alpha=0.8, pad=0.5))
    if bwd:
        sgn = -1 if fwd or side < 0 else 1
        o = off if fwd else 1.6 * off
        ax.text(mx + sgn * o * nx, my + sgn * o * ny, bwd, color=BWD, fontsize=fontsize, ha="center", va="center",
                rotation=angle, rotation_mode="anchor", zorder=4,
                bbox=dict(fc="white", ec="none", alpha=0.8, pad=0.5))


def two_layer_graph(x, y, W1, w2, backward=True, title=None, ax=None, input_grad=False):
    """Draw the computation graph of one example through the two-layer net.

    Leaves (x, the weights, y) show their values inside; each edge out of an operation
    carries its forward value in blue above and the gradient dL/d(that value) in red
    below; an edge out of a weight carries dL/d(weight) (``backward=False`` leaves all
    gradients out). ``input_grad=True`` also writes dL/dx next to the input (notebook 05
    shows it once its exercise is done). One hidden unit when W1 is (d,) and w2 a number;
    H units when W1 is (d, H). Returns the Figure.
    """
    import matplotlib.pyplot as plt

    v = two_layer_values(x, y, W1, w2)
    H = v["W1"].shape[1]
    single = v["single"]
    gap = 2.6
    ys = [((H - 1) / 2 - j) * gap for j in range(H)]
    if ax is None:
        fig, ax = plt.subplots(figsize=(13.5, 3.6 + 2.0 * max(H - 1, 0)))
    else:
        fig = ax.figure
    top = max(ys) + 1.5
    bottom = min(ys) - 1.7
    X0, XG, XS, XM, XO, XL, XE = 0.0, 3.6, 5.6, 8.0, 9.9, 12.2, 13.9
    g = (lambda s: s) if backward else (lambda s: None)
    x_pos = (X0 - 0.8, 0.0 if H % 2 == 0 else gap / 2) if H > 1 else (X0, 0.9)
    _node(ax, x_pos, f"x\n{fmt(v['x'])}", "leaf", fontsize=9)
    if backward and input_grad:  # beside the leaf, above it: the edges from x carry no room for text
        ax.text(x_pos[0], x_pos[1] + 0.6, f"dL/dx={fmt(v['dx'], 3)}", color=BWD, fontsize=8.5,
                ha="center", va="bottom", zorder=4)
    for j, yj in enumerate(ys):
        wname = "w1" if single else f"W1[:,{j}]"
        zname = "z1" if single else f"z1[{j}]"
        hname = "h" if single else f"h[{j}]"
        outward = 1.0 if yj > 0 or (yj == 0 and j == 0) else -1.0
        w_pos = (X0, -0.9) if H == 1 else (X0 - 0.8, yj + 1.0 * outward)
        _node(ax, w_pos, f"{wname}\n{fmt(v['W1'][:, j])}", "leaf", fontsize=9)
        _node(ax, (XG, yj), "@", "op")
        _node(ax, (XS, yj), "σ", "op")
        _edge(ax, x_pos, (XG, yj), None, None)
        _edge(ax, w_pos, (XG, yj), None, g(f"d{wname}={fmt(v['dW1'][:, j], 3)}"),
              label_at=0.6, fontsize=8,
              side=int(outward) if H > 1 else -1)
        _edge(ax, (XG, yj), (XS, yj), f"{zname}={fmt(v['z1'][j])}", g(f"δ1={fmt(v['delta1'][j], 3)}"))
        _edge(ax, (XS, yj), (XM, 0.0), f"{hname}={fmt(v['h'][j])}", g(f"dL/d{hname}={fmt(v['dh'][j], 3)}"))
    _node(ax, (XM, 0.0), "×" if single else "@", "op")
    w2_pos = (XM - (2.2 if H > 1 else 1.2), bottom + 0.5)
    _node(ax, w2_pos, f"w2\n{fmt(v['w2'][0] if single else v['w2'])}", "leaf", fontsize=9)
    _edge(ax, w2_pos, (XM, 0.0), None, None)
    if backward:  # beside the leaf, horizontally: the edge from w2 is too steep to write along
        ax.text(w2_pos[0] + (0.7 if single else 1.1), w2_pos[1],
                f"dw2={fmt(v['dw2'][0] if single else v['dw2'], 3)}", color=BWD, fontsize=8.5,
                ha="left", va="center", zorder=4)
    _node(ax, (XO, 0.0), "σ", "op")
    _edge(ax, (XM, 0.0), (XO, 0.0), f"z2={fmt(v['z2'])}", g(f"δ2={fmt(v['delta2'], 3)}"))
    _node(ax, (XL, 0.0), "½(ŷ-y)²", "op2")
    _edge(ax, (XO, 0.0), (XL, 0.0), f"ŷ={fmt(v['yhat'])}", g(f"ŷ-y={fmt(v['yhat'] - v['y'], 3)}"), label_at=0.4)
    y_pos = (XL, bottom + 0.5)
    _node(ax, y_pos, f"y\n{fmt(v['y'])}", "leaf", fontsize=9)
    _edge(ax, y_pos, (XL, 0.0), None, None)
    _node(ax, (XE, 0.0), "L", "loss")
    _edge(ax, (XL, 0.0), (XE, 0.0), f"{fmt(v['L'], 3)}", g("1"))
    ax.set_xlim(-2.0 if H > 1 else -0.9, XE + 0.6)
    ax.set_ylim(bottom - 0.4, top + 0.3)
    ax.set_aspect("equal")
    ax.axis("off")
    legend = "above each edge (blue): the forward value"
    if backward:
        legend += ";  below it (red): dL/d(that value), the gradient flowing back (dL/dL = 1 at the end)"
    ax.text(-0.8, bottom - 0.3, legend, fontsize=9, color="#333", va="bottom")
    if title:
        ax.set_title(title)
    return fig


def _matrix(ax, M, x0, y0, cell, title, cmap, vmax, digits=2):
    rows, cols = M.shape
    ax.imshow(M, cmap=cmap, vmin=-vmax, vmax=vmax, extent=(x0, x0 + cols * cell, y0, y0 + rows * cell),
              interpolation="nearest")
    ax.add_patch(__import__("matplotlib").patches.Rectangle((x0, y0), cols * cell, rows * cell, fill=False,
                                                            ec="#333", lw=1))
    ax.text(x0 + cols * cell / 2, y0 + rows * cell + 0.15, title, ha="center", va="bottom", fontsize=10)
    if rows * cols <= 60:
        for r in range(rows):
            for c in range(cols):
                ax.text(x0 + (c + 0.5) * cell, y0 + (rows - r - 0.5) * cell, f"{M[r, c]:.{digits}f}",
                        ha="center", va="center", fontsize=7 if digits <= 2 else 6)


def _slot(item, cell):
    """Width taken by a labelled matrix: its columns, or its label if that is wider."""
    label, m = item
    cols = np.shape(m)[1] if np.ndim(m) == 2 else 1
    return max(cols * cell, 0.16 * max(len(line) for line in label.split("\n")))


def batch_product_picture(pairs, title=None, digits=2):
    """Draw products like dW1 = X.T @ Delta1 as coloured grids with their shapes.

    ``pairs`` is a list of rows, each a list of (label, matrix) items and operator
    strings ("@", "="), e.g. [[("X.T (d, N)", X.T), "@", ("Delta1 (N, H)", D1), "=",
    ("dW1 (d, H)", dW1)]]. 1-D arrays are drawn as columns; small matrices show their
    entries with ``digits`` decimals. Returns the Figure.
    """
    import matplotlib.pyplot as plt

    cell = 0.75
    row_heights = []
    for row in pairs:
        row_heights.append(max(np.atleast_2d(m).shape[0] if np.ndim(m) == 2 else np.size(m)
                               for item in row if not isinstance(item, str) for _, m in [item]) * cell)
    total_h = sum(row_heights) + 1.0 * len(pairs)
    width = 0.0
    for row in pairs:
        w = 0.0
        for item in row:
            if isinstance(item, str):
                w += 0.7
            else:
                w += _slot(item, cell) + 0.25
        width = max(width, w)
    fig, ax = plt.subplots(figsize=(max(5.0, 0.62 * width + 0.5), 0.62 * total_h + 0.6))
    y_cursor = total_h
    for row, rh in zip(pairs, row_heights, strict=True):
        y_cursor -= rh + 0.7
        x = 0.0
        for item in row:
            if isinstance(item, str):
                ax.text(x + 0.35, y_cursor + rh / 2, item, fontsize=16, ha="center", va="center")
                x += 0.7
                continue
            label, m = item
            M = np.asarray(m, dtype=float)
            M = M[:, None] if M.ndim == 1 else M
            vmax = float(np.max(np.abs(M))) or 1.0
            top = y_cursor + rh - M.shape[0] * cell
            slot = _slot(item, cell)
            _matrix(ax, M, x + (slot - M.shape[1] * cell) / 2, top, cell, label, "coolwarm", vmax, digits)
            x += slot + 0.25
        y_cursor -= 0.3
    ax.set_xlim(-0.3, width + 0.3)
    ax.set_ylim(-0.3, total_h + 0.6)
    ax.set_aspect("equal")
    ax.axis("off")
    if title:
        ax.set_title(title)
    return fig


def show(fig, dpi=80):
    """Display a Figure as a PNG image in the notebook and close it.

    Works the same with any matplotlib backend (inline in JupyterLab, Agg in the tests),
    so the picture is stored in the notebook exactly once.
    """
    import base64

    import matplotlib.pyplot as plt
    from IPython.display import Image, display

    from .explorer import figure_png

    display(Image(data=base64.b64decode(figure_png(fig, dpi=dpi)), format="png"))
    plt.close(fig)
