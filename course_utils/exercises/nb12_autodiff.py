"""Notebook 12: reverse-mode automatic differentiation, built by the learner.

The learner writes the backward rule of each operation (``12.vjp``) and the reverse
sweep over a recorded graph (``12.backward``); ``12.dL_dx`` checks the accumulation
lesson (a value used three times). Graphs are plain data (``models.autodiff``).
"""

import numpy as np

from ..checking import diagnosis as D
from ..checking.draws import distinct_sizes, features, nonzero
from ..checking.exercise import Case, Exercise, Slip
from .models import autodiff as ad


def vjp(op, inputs, out, G, **knobs):
    """The backward rule of ``op``: a tuple with dL/d(input) for each input, shaped like it."""
    return ad.vjp(op, inputs, out, G, **knobs)


def backward(ops, parents, values, **knobs):
    """d values[0] / d values[i] for every node of the graph: a list shaped like values."""
    return ad.backward(ops, parents, values, **knobs)


def dL_dx(*, product_uses=2, direct=True):
    """dL/dx for L = x * x + x at x = 3, summed over its three uses: 3 + 3 + 1 = 7."""
    x = 3.0
    return product_uses * x + (1.0 if direct else 0.0)


# ---------------------------------------------------------------- draws of 12.vjp

def _rule(op, broadcast=""):
    """(op, inputs, out, G): random inputs for one op, its value, and a random G like it."""
    def draw(rng):
        n, m, k = distinct_sizes(rng, 3, 2, 7)
        A = features(rng, (n, m))
        if op == "matmul":
            inputs = [A, features(rng, (m, k))]
        elif op in ("add", "mul"):
            other = {"bias": (m,), "number": (), "": (n, m)}[broadcast]
            inputs = [A, np.asarray(nonzero(rng, other, scale=1.5, floor=0.3), dtype=np.float64)]
        elif op == "log":
            inputs = [0.2 + 2.8 * rng.random((n, m))]          # positive: log is defined
        else:
            inputs = [features(rng, (n, m), scale=1.5)]
        out = np.asarray(ad.FORWARD[op](*inputs), dtype=np.float64)
        G = np.asarray(nonzero(rng, out.shape, scale=1.5, floor=0.3), dtype=np.float64)
        return op, inputs, out, G
    return draw


def _vjp_roles(ref):
    """A bias (1-D) next to a batch-shaped (2-D) input: the bias may be left per row."""
    leaves = [np.ndim(x) for x in ref]
    return tuple("bias" if d == 1 and 2 in leaves else "other" for d in leaves)


def _vjp_batch(op, inputs, out, G):
    return int(np.shape(G)[0]) if np.ndim(G) == 2 else 1


# ---------------------------------------------------------------- draws of 12.backward

def _chain(rng):
    """sum(sigmoid(X @ W + b)): no value used twice; the listing is already a valid order."""
    n, d, k = distinct_sizes(rng, 3, 2, 7)
    t = ad.Tape()
    X, W, b = t.input(features(rng, (n, d))), t.input(features(rng, (d, k))), t.input(nonzero(rng, (k,)))
    return t.listing(t.node("sum", t.node("sigmoid", t.node("add", t.node("matmul", X, W), b))))


def _three_uses(rng):
    """sum(A * A + c * A): the leaf A used three times."""
    n, m = distinct_sizes(rng, 2, 2, 7)
    t = ad.Tape()
    A, c = t.input(features(rng, (n, m))), t.input(nonzero(rng, (), scale=1.5, floor=0.5))
    return t.listing(t.node("sum", t.node("add", t.node("mul", A, A), t.node("mul", c, A))))


def _hidden_twice(rng):
    """sum(h) + sum(sigmoid(h @ V + c)) with h = tanh(X @ W + b): the hidden value h is
    listed before the product h @ V that also uses it."""
    n, d, k, j = distinct_sizes(rng, 4, 2, 7)
    t = ad.Tape()
    X, W, b = t.input(features(rng, (n, d))), t.input(features(rng, (d, k))), t.input(nonzero(rng, (k,)))
    V, c = t.input(features(rng, (k, j))), t.input(nonzero(rng, (j,)))
    h = t.node("tanh", t.node("add", t.node("matmul", X, W), b))
    second = t.node("sum", t.node("sigmoid", t.node("add", t.node("matmul", h, V), c)))
    return t.listing(t.node("add", t.node("sum", h), second))


def _cross_entropy(rng):
    """A two-layer sigmoid network with biases and the summed binary cross-entropy,
    -sum(Y log F + (1 - Y) log(1 - F)), built from the ops (F used twice)."""
    n, d, h, k = distinct_sizes(rng, 4, 2, 7)
    t = ad.Tape()
    X = t.input(features(rng, (n, d)))
    W1, b1 = t.input(features(rng, (d, h))), t.input(nonzero(rng, (h,)))
    W2, b2 = t.input(features(rng, (h, k))), t.input(nonzero(rng, (k,)))
    labels = (rng.random((n, k)) < 0.5).astype(np.float64)
    labels.flat[0], labels.flat[-1] = 1.0, 0.0
    Y, not_Y = t.input(labels), t.input(1.0 - labels)
    one, minus = t.input(1.0), t.input(-1.0)
    H1 = t.node("sigmoid", t.node("add", t.node("matmul", X, W1), b1))
    F = t.node("sigmoid", t.node("add", t.node("matmul", H1, W2), b2))
    pos = t.node("mul", Y, t.node("log", F))
    neg = t.node("mul", not_Y, t.node("log", t.node("add", one, t.node("mul", minus, F))))
    return t.listing(t.node("mul", minus, t.node("sum", t.node("add", pos, neg))))


def _squared_tanh(rng):
    """1/2 * sum((F - Y) * (F - Y)) for F = tanh(X @ W1 + b1) @ W2: the difference used twice."""
    n, d, h, k = distinct_sizes(rng, 4, 2, 7)
    t = ad.Tape()
    X = t.input(features(rng, (n, d)))
    W1, b1, W2 = t.input(features(rng, (d, h))), t.input(nonzero(rng, (h,))), t.input(features(rng, (h, k)))
    Y, minus, half = t.input(features(rng, (n, k))), t.input(-1.0), t.input(0.5)
    F = t.node("matmul", t.node("tanh", t.node("add", t.node("matmul", X, W1), b1)), W2)
    diff = t.node("add", F, t.node("mul", minus, Y))
    return t.listing(t.node("mul", half, t.node("sum", t.node("mul", diff, diff))))


EXERCISES = [
    Exercise(
        id="12.vjp",
        signature="vjp(op, inputs, out, G)",
        returns="tuple with one array per input, each shaped like that input: dL/d(input) given G = dL/d(out)",
        cases=(
            Case("matmul (N, m) @ (m, n)", _rule("matmul")),
            Case("add, same shapes", _rule("add")),
            Case("add, a bias (n,) broadcast over the rows", _rule("add", "bias")),
            Case("mul, same shapes", _rule("mul")),
            Case("mul by a number (a 0-d array)", _rule("mul", "number")),
            Case("sigmoid", _rule("sigmoid")),
            Case("tanh", _rule("tanh")),
            Case("log", _rule("log")),
            Case("sum", _rule("sum")),
        ),
        reference=vjp,
        messages={"sign": "Every share has the opposite sign: the rule returns +G times d(out)/d(input) "
                          "(the chain rule has no minus sign of its own)."},
        says={"sign": "every share has the opposite sign"},
        slips=ad.VJP_SLIPS,
        roles=_vjp_roles,
        batch_size=_vjp_batch,
        points=2,
        extra_draws=1,
        hints=(
            "One rule per op, each the chain rule for that op alone: dL/d(input) = G times d(out)/d(input), "
            "written so the result has the input's shape. matmul is notebook 08's pair (dW = H.T @ Delta, "
            "dH = Delta @ W.T); an input that was broadcast gets G summed over the axes broadcasting added.",
            "add: G to both inputs; mul: G * (the other factor); sigmoid: G * s (1 - s) with s = out; "
            "tanh: tanh' = 1 - tanh^2, so G * (1 - out**2); log: G / a; sum: G * np.ones_like(a). "
            "Un-broadcast: a (n,) bias gets G.sum(axis=0), a () number gets G.sum().",
            "matmul: (G @ B.T, A.T @ G); add: (unb(G, A), unb(G, B)); mul: (unb(G * B, A), unb(G * A, B)); "
            "sigmoid: (G * out * (1 - out),); tanh: (G * (1 - out**2),); log: (G / a,); "
            "sum: (G * np.ones_like(a),); unb(G, X) sums G over leading axes until it has X's shape.",
        ),
        solution="""
        def vjp(op, inputs, out, G):
            def unbroadcast(g, shape):                # sum over the axes broadcasting added
                while g.ndim > len(shape):
                    g = g.sum(axis=0)
                return g
            if op == "matmul":
                A, B = inputs
                return (G @ B.T, A.T @ G)
            if op == "add":
                A, B = inputs
                return (unbroadcast(G, A.shape), unbroadcast(G, B.shape))
            if op == "mul":
                A, B = inputs
                return (unbroadcast(G * B, A.shape), unbroadcast(G * A, B.shape))
            if op == "sigmoid":
                return (G * out * (1 - out),)
            if op == "tanh":
                return (G * (1 - out ** 2),)
            if op == "log":
                return (G / inputs[0],)
            if op == "sum":
                return (G * np.ones_like(inputs[0]),)
            raise ValueError(op)
        """,
    ),
    Exercise(
        id="12.dL_dx",
        signature="dL_dx",
        returns="a number: dL/dx for L = x * x + x at x = 3",
        kind="value",
        messages={"sign": "The sign is wrong: every share here is positive (G = 1, x = 3)."},
        says={"sign": "the sign is wrong"},
        cases=(Case("x used three times", lambda rng: ()),),
        reference=dL_dx,
        slips=(
            Slip("product_uses", 1, D.WRONG_VALUE, "the product x * x is counted once",
                 "x * x uses x in BOTH of its slots: the mul rule sends G * (other factor) = 3 to each, "
                 "and both shares belong to x."),
            Slip("direct", False, D.WRONG_VALUE, "the path through + x is left out",
                 "x also feeds the sum directly (the + x): that use sends a share of G * 1 = 1."),
        ),
        hints=(
            "Count the uses of x in the graph: each use sends x one share of the gradient, and the shares add.",
            "The add sends G = 1 to both of its inputs; the product x * x sends G * (the other factor) to each of "
            "its two slots, both of which are x.",
            "3 + 3 + 1 = 7 (= 2x + 1 at x = 3).",
        ),
        solution="dL_dx = 3 + 3 + 1    # two slots of the product (3 each) and the direct use (1)",
    ),
    Exercise(
        id="12.backward",
        signature="backward(ops, parents, values)",
        returns="list of arrays shaped like values: entry i is d values[0] / d values[i]",
        cases=(
            Case("a chain, listed in a usable order", _chain),
            Case("a leaf used three times", _three_uses),
            Case("a hidden value used twice, listed before one of its uses", _hidden_twice),
            Case("a two-layer network with cross-entropy", _cross_entropy),
            Case("a tanh layer with squared error", _squared_tanh),
        ),
        reference=backward,
        messages={"sign": "Every gradient has the opposite sign: the sweep starts from dL/dL = +1 and adds the shares "
                               "as the rules give them."},
        says={"sign": "every gradient has the opposite sign"},
        slips=ad.BACKWARD_SLIPS,
        points=3,
        hints=(
            "Reverse mode: start with dL/dL = 1 at node 0, and let each node, once it has its full gradient, "
            "send G through its op's rule (your vjp) to its parents. A node used several times receives one "
            "share from each use (the multivariable chain rule sums over the paths), so the shares add up.",
            "'Once it has its full gradient' means after every node that uses it: find an order in which each "
            "node comes after all its users (depth-first from node 0, record a node after its parents, reverse "
            "that list), start every gradient at zeros like its value, and use += for the shares.",
            "order = reversed post-order of a depth-first walk from 0 over parents; grads = [np.zeros_like(v) "
            "for v in values]; grads[0] = np.ones_like(values[0]); for i in order: if ops[i] != 'input': for "
            "p, g in zip(parents[i], vjp(ops[i], [values[p] for p in parents[i]], values[i], grads[i])): "
            "grads[p] = grads[p] + g.",
        ),
        solution="""
        def backward(ops, parents, values):
            order, seen = [], set()
            def visit(i):                             # depth-first: a node after its parents
                if i not in seen:
                    seen.add(i)
                    for p in parents[i]:
                        visit(p)
                    order.append(i)
            visit(0)
            grads = [np.zeros_like(v) for v in values]
            grads[0] = np.ones_like(values[0])        # dL/dL = 1
            for i in reversed(order):                 # every node after all its users
                if ops[i] == "input":
                    continue
                shares = vjp(ops[i], [values[p] for p in parents[i]], values[i], grads[i])
                for p, share in zip(parents[i], shares):
                    grads[p] = grads[p] + share       # a value used twice gets both shares
            return grads
        """,
    ),
]
