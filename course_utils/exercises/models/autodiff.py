"""Reverse-mode automatic differentiation on a recorded graph, written once for notebook 12.

A graph is plain data, the form ``course_utils.autodiff.graph`` gives a notebook and the
grader can send to a sandbox:

- ``ops``: list of str, one per node, from ``OPS`` ("input" for a leaf: data, a
  parameter or a constant);
- ``parents``: list of tuples of int, the nodes each node was computed from, in order;
- ``values``: list of float64 arrays, each node's value from the forward pass.

Node 0 is the output, a 0-d array; the nodes are listed in the order a breadth-first
walk back from the output finds them, so a node can be listed before some of the nodes
that use it (the sweep must find its own order). Broadcasting is NumPy's, restricted to
what the course needs: a (n,) bias or a () number combined with an (N, n) array.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Sequence

import numpy as np

from ...checking import diagnosis as D
from ...checking.exercise import Slip
from ...portable.functions import sigmoid

OPS: dict[str, int] = {"input": 0, "matmul": 2, "add": 2, "mul": 2, "sigmoid": 1, "tanh": 1, "log": 1, "sum": 1}

FORWARD: dict[str, Callable[..., np.ndarray]] = {
    "matmul": lambda a, b: a @ b,
    "add": lambda a, b: a + b,
    "mul": lambda a, b: a * b,
    "sigmoid": sigmoid,
    "tanh": np.tanh,
    "log": np.log,
    "sum": lambda a: np.sum(a),
}


def unbroadcast(G: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """``G`` summed over the axes broadcasting added or stretched to reach ``shape``: the
    gradient of an input that was broadcast (a bias added to every row gets the sum of
    the rows' gradients). Returns an array of ``shape``."""
    G = np.asarray(G, dtype=np.float64)
    while G.ndim > len(shape):
        G = G.sum(axis=0)
    for axis, size in enumerate(shape):
        if size == 1 and G.shape[axis] != 1:
            G = G.sum(axis=axis, keepdims=True)
    return G


def vjp(op, inputs, out, G, *, mul="other", sigmoid_rule="output", tanh_rule="right", chain=True):
    """The backward rule of one operation: given the gradient G = dL/d(out) (shaped like
    out), the tuple of dL/d(input) for its inputs, each shaped like that input.

    op one of OPS (not "input"); inputs the list of input values; out the op's value.
    Rules: matmul (G @ B.T, A.T @ G); add (G, G) un-broadcast; mul (G * B, G * A)
    un-broadcast; sigmoid G * s (1 - s) with s = out; tanh G * (1 - t^2) with t = out;
    log G / a; sum G * ones.

    Knobs: ``mul="self"`` gives each factor G times itself; ``sigmoid_rule`` "input"
    (a (1 - a) with a the input) or "none" (G passed on); ``tanh_rule`` "sigmoid" (t (1 - t))
    or "none"; ``chain=False`` returns the local derivative of an element-wise op or sum
    without the factor G."""
    xs = [np.asarray(x, dtype=np.float64) for x in inputs]
    G = np.asarray(G, dtype=np.float64)
    out = np.asarray(out, dtype=np.float64)
    g = G if chain else np.ones_like(G)
    if op == "matmul":
        A, B = xs
        return (G @ B.T, A.T @ G)
    if op == "add":
        A, B = xs
        return (unbroadcast(G, A.shape), unbroadcast(G, B.shape))
    if op == "mul":
        A, B = xs
        for_a, for_b = (B, A) if mul == "other" else (A, B)
        return (unbroadcast(G * for_a, A.shape), unbroadcast(G * for_b, B.shape))
    if op == "sigmoid":
        s = {"output": out, "input": xs[0]}.get(sigmoid_rule)
        return (g * s * (1 - s) if s is not None else G.copy(),)
    if op == "tanh":
        t = out
        local = {"right": 1 - t ** 2, "sigmoid": t * (1 - t), "none": None}[tanh_rule]
        return (g * local if local is not None else G.copy(),)
    if op == "log":
        return (g / xs[0],)
    if op == "sum":
        return (g * np.ones_like(xs[0]),)
    raise ValueError(f"unknown op {op!r}")


def topological_order(parents: Sequence[Sequence[int]], root: int = 0) -> list[int]:
    """The nodes reachable from ``root``, each listed after every node that uses it
    (consumers first): reversed depth-first post-order. Returns a list of indices."""
    done: set[int] = set()
    post: list[int] = []
    stack: list[tuple[int, int]] = [(root, 0)]
    while stack:                              # iterative, so a deep graph cannot hit the recursion limit
        node, i = stack.pop()
        if i == 0 and node in done:
            continue
        if i < len(parents[node]):
            stack.append((node, i + 1))
            parent = int(parents[node][i])
            if parent not in done:
                stack.append((parent, 0))
        elif node not in done:
            done.add(node)
            post.append(node)
    return post[::-1]


def backward(ops, parents, values, *, order="topological", accumulate=True, seed=True):
    """d values[0] / d values[i] for every node i of a graph (see the module docstring):
    a list of float64 arrays shaped like ``values``.

    The reverse sweep: dL/dL = 1 at the output, then each node, once every node that
    uses it has sent its share, sends G_node through its op's rule to its parents, where
    the shares ADD UP (a value used twice gets two). Knobs: ``order`` "listed" (the nodes
    in the order given) or "reversed" (last listed first); ``accumulate=False`` overwrites
    a parent's gradient with the latest share; ``seed=False`` never sets dL/dL = 1."""
    values = [np.asarray(v, dtype=np.float64) for v in values]
    grads = [np.zeros_like(v) for v in values]
    grads[0] = np.ones_like(values[0]) if seed else np.zeros_like(values[0])
    n = len(values)
    sweep = {"topological": topological_order(parents), "listed": list(range(n)),
             "reversed": list(range(n - 1, -1, -1))}[order]
    for node in sweep:
        if ops[node] == "input":
            continue
        shares = vjp(ops[node], [values[p] for p in parents[node]], values[node], grads[node])
        for parent, share in zip(parents[node], shares, strict=True):
            grads[parent] = grads[parent] + share if accumulate else share
    return grads


class Tape:
    """A graph under construction: ``tape.node(op, *parents)`` computes and records a
    node and returns its index; ``tape.listing(root)`` gives (ops, parents, values)
    listed breadth-first from ``root`` (see the module docstring)."""

    def __init__(self) -> None:
        self.ops: list[str] = []
        self.parents: list[tuple[int, ...]] = []
        self.values: list[np.ndarray] = []

    def input(self, value) -> int:
        """Record a leaf holding ``value``; returns its index."""
        self.ops.append("input")
        self.parents.append(())
        self.values.append(np.array(value, dtype=np.float64))
        return len(self.ops) - 1

    def node(self, op: str, *parents: int) -> int:
        """Record ``op`` applied to the nodes ``parents``; returns its index."""
        if OPS.get(op) != len(parents):
            raise ValueError(f"{op} takes {OPS.get(op)} inputs, not {len(parents)}")
        value = FORWARD[op](*(self.values[p] for p in parents))
        self.ops.append(op)
        self.parents.append(tuple(parents))
        self.values.append(np.array(value, dtype=np.float64))
        return len(self.ops) - 1

    def listing(self, root: int) -> tuple[list[str], list[tuple[int, ...]], list[np.ndarray]]:
        """(ops, parents, values) of the nodes reachable from ``root``, breadth-first from it."""
        return bfs_listing(self.ops, self.parents, self.values, root)


def bfs_listing(ops, parents, values, root):
    """Re-list a graph breadth-first from ``root`` (node 0 of the result), parents
    renumbered; nodes ``root`` does not depend on are dropped."""
    found = [root]
    index = {root: 0}
    queue = deque([root])
    while queue:
        node = queue.popleft()
        for parent in parents[node]:
            if parent not in index:
                index[parent] = len(found)
                found.append(parent)
                queue.append(parent)
    return ([ops[i] for i in found], [tuple(index[p] for p in parents[i]) for i in found],
            [values[i] for i in found])


VJP_SLIPS = (
    Slip("mul", "self", D.WRONG_VALUE, "each factor of a product gets G times itself",
         "In a product A * B, the gradient for A is G times the OTHER factor, G * B (and G * A for B): "
         "d(a b)/da = b."),
    Slip("sigmoid_rule", "input", D.WRONG_VALUE, "the sigmoid's slope is computed from its input",
         "The sigmoid's slope is s (1 - s) with s = sigma(a) its OUTPUT (out); a (1 - a) with a the input is "
         "another number."),
    Slip("sigmoid_rule", "none", D.MISSING_ACTIVATION_DERIVATIVE, "the sigmoid passes G on unchanged",
         "The sigmoid's rule must multiply G by its slope sigma'(a) = s (1 - s), with s = out."),
    Slip("tanh_rule", "sigmoid", D.WRONG_VALUE, "tanh's slope is written as t (1 - t)",
         "t (1 - t) is the sigmoid's slope; for t = tanh(a), dt/da = 1 - t^2 (differentiate "
         "(e^a - e^-a) / (e^a + e^-a) with the quotient rule)."),
    Slip("tanh_rule", "none", D.MISSING_ACTIVATION_DERIVATIVE, "tanh passes G on unchanged",
         "tanh's rule must multiply G by its slope 1 - tanh(a)^2 = 1 - out^2."),
    Slip("chain", False, D.WRONG_VALUE, "the local derivative is returned without the factor G",
         "You returned the local derivative d(out)/d(input) alone: the rule returns dL/d(input) = G times "
         "it (the chain rule), with G = dL/d(out) given."),
)

BACKWARD_SLIPS = (
    Slip("order", "listed", D.WRONG_VALUE, "the nodes are swept in the order listed",
         "You swept the nodes in the order they are listed: a node can be listed before some of the nodes that "
         "use it, and then it passes on its gradient before all their shares have arrived. Sweep in a "
         "topological order: every node after all the nodes that use it."),
    Slip("order", "reversed", D.WRONG_VALUE, "the nodes are swept from the last listed to the first",
         "You swept from the last listed node to the first: node 0 is the OUTPUT, so that visits the inputs "
         "first, before any gradient has reached them. Sweep from the output down, every node after all the "
         "nodes that use it."),
    Slip("accumulate", False, D.WRONG_VALUE, "a gradient is overwritten, not accumulated",
         "A node used more than once keeps only the last share it received: its gradient is the SUM of the "
         "shares from every use (grads[p] += share, not grads[p] = share)."),
    Slip("seed", False, D.WRONG_VALUE, "dL/dL = 1 is never set at the output",
         "Every gradient is zero: the sweep starts from dL/dL = 1 at the output (node 0), or nothing flows."),
)
