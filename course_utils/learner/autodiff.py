"""Recording a computation as a graph, for the reverse-mode autodiff of notebook 12.

A ``Tensor`` holds a NumPy array and remembers how it was computed: every operation on
Tensors (``@``, ``+``, ``-``, ``*``, ``.sum()``, and the functions ``sigmoid``, ``tanh``,
``log``) returns a new Tensor that knows its op and its parents. That is the forward half
of automatic differentiation, and all this module does: the backward half (each op's
rule and the reverse sweep) is what the learner writes in notebook 12 (``vjp`` and
``backward``), so nothing here computes a gradient.

``graph(loss)`` lists the recorded computation as plain data, the form the learner's
``backward(ops, parents, values)`` takes: node 0 is ``loss``, the nodes are listed in the
order a breadth-first walk back from it finds them, and ``parents[i]`` holds the indices
of the nodes node i was computed from. ``gradients(loss, backward)`` runs a learner's
``backward`` on that listing and stores each node's gradient in its ``.grad``.

    X, W, b = Tensor(X0, "X"), Tensor(W0, "W"), Tensor(b0, "b")
    loss = sigmoid(X @ W + b).sum()
    ops, parents, values, nodes = graph(loss)
    gradients(loss, backward)          # your backward from notebook 12
    W.grad, b.grad                     # shaped like W0, b0
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

import numpy as np

from ..portable.functions import sigmoid as _sigmoid

__all__ = ["Tensor", "sigmoid", "tanh", "log", "graph", "gradients", "describe", "Graph"]


class Tensor:
    """A float64 array that records the operation and the Tensors it was computed from."""

    __array_ufunc__ = None   # ndarray (op) Tensor defers to the Tensor's reflected operator

    def __init__(self, value: Any, name: str = "", op: str = "input", parents: tuple[Tensor, ...] = ()) -> None:
        self.value = np.array(value, dtype=np.float64)
        self.name = name
        self.op = op
        self.parents = parents
        self.grad: np.ndarray | None = None

    @property
    def shape(self) -> tuple[int, ...]:
        """The shape of the value."""
        return tuple(self.value.shape)

    def __repr__(self) -> str:
        label = self.name or self.op
        return f"Tensor({label}, shape={self.shape})"

    def __matmul__(self, other: Any) -> Tensor:
        return _apply("matmul", self, other)

    def __rmatmul__(self, other: Any) -> Tensor:
        return _apply("matmul", other, self)

    def __add__(self, other: Any) -> Tensor:
        return _apply("add", self, other)

    def __radd__(self, other: Any) -> Tensor:
        return _apply("add", other, self)

    def __mul__(self, other: Any) -> Tensor:
        return _apply("mul", self, other)

    def __rmul__(self, other: Any) -> Tensor:
        return _apply("mul", other, self)

    def __neg__(self) -> Tensor:
        return _apply("mul", -1.0, self)

    def __sub__(self, other: Any) -> Tensor:
        return self + (-as_tensor(other))

    def __rsub__(self, other: Any) -> Tensor:
        return as_tensor(other) + (-self)

    def sum(self) -> Tensor:
        """The sum of every entry: a Tensor of shape ()."""
        return _apply("sum", self)


def as_tensor(x: Any) -> Tensor:
    """``x`` itself when it is a Tensor, else a constant leaf holding it."""
    return x if isinstance(x, Tensor) else Tensor(x, name="const")


_FORWARD: dict[str, Callable[..., Any]] = {
    "matmul": lambda a, b: a @ b,
    "add": lambda a, b: a + b,
    "mul": lambda a, b: a * b,
    "sigmoid": _sigmoid,
    "tanh": np.tanh,
    "log": np.log,
    "sum": lambda a: np.sum(a),
}


def _apply(op: str, *args: Any) -> Tensor:
    parents = tuple(as_tensor(a) for a in args)
    with np.errstate(divide="raise", invalid="raise"):
        value = _FORWARD[op](*(p.value for p in parents))
    return Tensor(value, op=op, parents=parents)


def sigmoid(t: Any) -> Tensor:
    """Element-wise logistic function of a Tensor."""
    return _apply("sigmoid", t)


def tanh(t: Any) -> Tensor:
    """Element-wise hyperbolic tangent of a Tensor."""
    return _apply("tanh", t)


def log(t: Any) -> Tensor:
    """Element-wise natural logarithm of a Tensor (its entries must be positive)."""
    return _apply("log", t)


class Graph(NamedTuple):
    """A recorded computation as plain data: ``ops`` (str), ``parents`` (tuples of node
    indices), ``values`` (float64 arrays), and the ``nodes`` (Tensors) they describe."""

    ops: list[str]
    parents: list[tuple[int, ...]]
    values: list[np.ndarray]
    nodes: list[Tensor]


def graph(output: Tensor) -> Graph:
    """The computation that produced ``output``, listed breadth-first from it (node 0):
    returns a ``Graph`` whose first three fields are what ``backward`` takes."""
    if not isinstance(output, Tensor):
        raise TypeError(f"graph() needs a Tensor, not {type(output).__name__}")
    nodes = [output]
    index = {id(output): 0}
    queue = deque([output])
    while queue:
        node = queue.popleft()
        for parent in node.parents:
            if id(parent) not in index:
                index[id(parent)] = len(nodes)
                nodes.append(parent)
                queue.append(parent)
    return Graph([n.op for n in nodes], [tuple(index[id(p)] for p in n.parents) for n in nodes],
                 [n.value.copy() for n in nodes], nodes)


def gradients(output: Tensor, backward: Callable[..., Sequence[Any]]) -> list[np.ndarray]:
    """Run ``backward(ops, parents, values)`` (the learner's reverse sweep) on the graph of
    ``output``, store each node's gradient d(output)/d(node) in its ``.grad``, and return
    them in the graph's order (a list of arrays shaped like the nodes' values)."""
    g = graph(output)
    if g.values[0].shape != ():
        raise ValueError(f"reverse mode starts from a single number; the output has shape {g.values[0].shape}")
    result = backward(list(g.ops), list(g.parents), [v.copy() for v in g.values])
    if not isinstance(result, (list, tuple)) or len(result) != len(g.nodes):
        raise ValueError(f"backward must return a list of {len(g.nodes)} arrays, one per node")
    grads = [np.asarray(r, dtype=np.float64) for r in result]
    for node, grad in zip(g.nodes, grads, strict=True):
        if grad.shape != node.shape:
            raise ValueError(f"backward returned shape {grad.shape} for {node!r}")
        node.grad = grad
    return grads


def describe(output: Tensor) -> str:
    """One line per node of ``graph(output)``: index, op (or leaf name), parents, shape."""
    g = graph(output)
    lines = []
    for i, (op, ps, node) in enumerate(zip(g.ops, g.parents, g.nodes, strict=True)):
        what = f"{op}({', '.join(str(p) for p in ps)})" if ps else (node.name or "input")
        lines.append(f"node {i:>2}: {what:<18} shape {node.shape}")
    return "\n".join(lines)
