"""Other correct ways to write notebook 12's exercises (the learner's autodiff)."""

from collections import deque

import numpy as np


def _sum_to(g, shape):
    # Un-broadcast by axes: NumPy's rule read backwards (leading axes added, size-1 axes stretched).
    g = np.asarray(g, dtype=float)
    extra = g.ndim - len(shape)
    g = g.sum(axis=tuple(range(extra))) if extra > 0 else g
    axes = tuple(i for i, n in enumerate(shape) if n == 1 and g.shape[i] != 1)
    return g.sum(axis=axes, keepdims=True) if axes else g


def vjp_table(op, inputs, out, G):
    # A dispatch table of small functions, einsum for the products.
    rules = {
        "matmul": lambda A, B: (np.einsum("nk,mk->nm", G, B), np.einsum("nm,nk->mk", A, G)),
        "add": lambda A, B: (_sum_to(G, A.shape), _sum_to(G, B.shape)),
        "mul": lambda A, B: (_sum_to(G * B, np.shape(A)), _sum_to(G * A, np.shape(B))),
        "sigmoid": lambda A: (G * out - G * out * out,),
        "tanh": lambda A: (G / np.cosh(A) ** 2,),
        "log": lambda A: (G * A ** -1.0,),
        "sum": lambda A: (np.full(np.shape(A), float(G)),),
    }
    return rules[op](*inputs)


def vjp_loops(op, inputs, out, G):
    # Entry by entry for matmul; the element-wise rules from the inputs (not from out).
    if op == "matmul":
        A, B = inputs
        dA, dB = np.zeros_like(A), np.zeros_like(B)
        for n in range(A.shape[0]):
            for m in range(A.shape[1]):
                for k in range(B.shape[1]):
                    dA[n, m] += G[n, k] * B[m, k]
                    dB[m, k] += A[n, m] * G[n, k]
        return dA, dB
    if op in ("add", "mul"):
        A, B = (np.asarray(v, dtype=float) for v in inputs)
        gA, gB = (G, G) if op == "add" else (G * B, G * A)
        return _sum_to(gA, A.shape), _sum_to(gB, B.shape)
    a = np.asarray(inputs[0], dtype=float)
    if op == "sigmoid":
        s = 1 / (1 + np.exp(-a))
        return (G * s * (1 - s),)
    if op == "tanh":
        return (G * (1 - np.tanh(a) ** 2),)
    if op == "log":
        return (G / a,)
    return (G * np.ones_like(a),)


def backward_kahn(ops, parents, values):
    # Kahn's algorithm: a node is ready when every node that uses it has been processed.
    users = [0] * len(ops)
    for ps in parents:
        for p in ps:
            users[p] += 1
    grads = [np.zeros_like(np.asarray(v, dtype=float)) for v in values]
    grads[0] = np.ones_like(grads[0])
    ready = deque([0])
    while ready:
        i = ready.popleft()
        if ops[i] != "input":
            shares = vjp_table(ops[i], [values[p] for p in parents[i]], values[i], grads[i])
            for p, g in zip(parents[i], shares, strict=False):
                grads[p] = grads[p] + g
        for p in parents[i]:
            users[p] -= 1
            if users[p] == 0:
                ready.append(p)
    return grads


def backward_dict(ops, parents, values):
    # A recursive depth-first order, gradients kept in a dict and added with np.add.
    order, seen = [], set()

    def visit(i):
        if i in seen:
            return
        seen.add(i)
        for p in parents[i]:
            visit(p)
        order.append(i)
    visit(0)
    grad = {0: np.ones_like(values[0])}
    for i in order[::-1]:
        g = grad.setdefault(i, np.zeros_like(values[i]))
        if ops[i] == "input":
            continue
        for p, share in zip(parents[i], vjp_loops(ops[i], [values[p] for p in parents[i]], values[i], g), strict=False):
            grad[p] = np.add(grad.get(p, 0.0), share)
    return [np.asarray(grad.get(i, np.zeros_like(values[i])), dtype=float).reshape(np.shape(values[i]))
            for i in range(len(values))]


ALTERNATIVES = {
    "12.vjp": [vjp_table, vjp_loops],
    "12.backward": [backward_kahn, backward_dict],
}
