"""Wrong answers for notebook 12's exercises (the learner's autodiff), in learners' styles,
with their true diagnoses."""

import numpy as np

from course_utils.checking import diagnosis as D

VALUE = {D.WRONG_VALUE}
FAILS = {D.WRONG_VALUE, D.SHAPE, D.EXCEPTION, D.WRONG_TYPE, D.NAN}


def _unb(g, shape):
    while g.ndim > len(shape):
        g = g.sum(axis=0)
    return g


def _right_vjp(op, inputs, out, G):
    if op == "matmul":
        A, B = inputs
        return G @ B.T, A.T @ G
    if op == "add":
        A, B = inputs
        return _unb(G, A.shape), _unb(G, np.shape(B))
    if op == "mul":
        A, B = inputs
        return _unb(G * B, A.shape), _unb(G * A, np.shape(B))
    if op == "sigmoid":
        return (G * out * (1 - out),)
    if op == "tanh":
        return (G * (1 - out ** 2),)
    if op == "log":
        return (G / inputs[0],)
    return (G * np.ones_like(inputs[0]),)


def vjp_no_unbroadcast(op, inputs, out, G):
    if op in ("add", "mul"):
        A, B = inputs
        return (G, G) if op == "add" else (G * B, G * A)
    return _right_vjp(op, inputs, out, G)


def vjp_sigmoid_of_input(op, inputs, out, G):
    if op == "sigmoid":
        a = inputs[0]
        return (G * a * (1 - a),)
    return _right_vjp(op, inputs, out, G)


def vjp_tanh_of_out(op, inputs, out, G):
    if op == "tanh":
        return (G * (1 - np.tanh(out) ** 2),)
    return _right_vjp(op, inputs, out, G)


def vjp_log_of_out(op, inputs, out, G):
    if op == "log":
        return (G / out,)
    return _right_vjp(op, inputs, out, G)


def vjp_sum_passes_G(op, inputs, out, G):
    if op == "sum":
        return (G,)
    return _right_vjp(op, inputs, out, G)


def vjp_matmul_swapped(op, inputs, out, G):
    if op == "matmul":
        A, B = inputs
        return A.T @ G, G @ B.T
    return _right_vjp(op, inputs, out, G)


def vjp_bare_array(op, inputs, out, G):
    shares = _right_vjp(op, inputs, out, G)
    return shares[0] if len(shares) == 1 else shares


def vjp_in_place(op, inputs, out, G):
    if op == "sigmoid":
        G *= out * (1 - out)
        return (G,)
    return _right_vjp(op, inputs, out, G)


def _depth_first(parents):
    order, seen = [], set()

    def visit(i):
        if i not in seen:
            seen.add(i)
            for p in parents[i]:
                visit(p)
            order.append(i)
    visit(0)
    return order[::-1]


def _sweep(ops, parents, values, order, add=True):
    grads = [np.zeros_like(v) for v in values]
    grads[0] = np.ones_like(values[0])
    for i in order:
        if ops[i] == "input":
            continue
        shares = _right_vjp(ops[i], [values[p] for p in parents[i]], values[i], grads[i])
        for p, g in zip(parents[i], shares, strict=True):
            grads[p] = grads[p] + g if add else g
    return grads


def backward_listed_order(ops, parents, values):
    return _sweep(ops, parents, values, range(len(ops)))


def backward_overwrites(ops, parents, values):
    return _sweep(ops, parents, values, _depth_first(parents), add=False)


def backward_no_visited_set(ops, parents, values):
    # micrograd's build_topo without `visited`: a node reached twice is swept twice.
    order = []

    def visit(i):
        for p in parents[i]:
            visit(p)
        order.append(i)
    visit(0)
    return _sweep(ops, parents, values, order[::-1])


def backward_leaves_only(ops, parents, values):
    grads = _sweep(ops, parents, values, _depth_first(parents))
    return [g for g, op in zip(grads, ops, strict=False) if op == "input"]


def backward_as_dict(ops, parents, values):
    return dict(enumerate(_sweep(ops, parents, values, _depth_first(parents))))


def backward_forgets_seed(ops, parents, values):
    grads = [np.zeros_like(v) for v in values]
    for i in _depth_first(parents):
        if ops[i] != "input":
            shares = _right_vjp(ops[i], [values[p] for p in parents[i]], values[i], grads[i])
            for p, g in zip(parents[i], shares, strict=True):
                grads[p] = grads[p] + g
    return grads


WRONG = {
    "12.vjp": [("no un-broadcasting", vjp_no_unbroadcast, {D.SHAPE, D.BIAS_NOT_SUMMED}),
               ("sigmoid slope of the input", vjp_sigmoid_of_input, VALUE),
               ("tanh applied to out again", vjp_tanh_of_out, VALUE),
               ("log's rule from out", vjp_log_of_out, VALUE),
               ("sum passes G on", vjp_sum_passes_G, {D.SHAPE}),
               ("matmul shares swapped", vjp_matmul_swapped, {D.SHAPE}),
               ("a bare array for one input", vjp_bare_array, {D.WRONG_TYPE}),
               ("G changed in place", vjp_in_place, {D.MUTATES_INPUT})],
    "12.backward": [("listed order", backward_listed_order, VALUE),
                    ("= instead of +=", backward_overwrites, VALUE),
                    ("no visited set", backward_no_visited_set, VALUE),
                    ("leaves only", backward_leaves_only, {D.SHAPE}),
                    ("a dict", backward_as_dict, {D.WRONG_TYPE}),
                    ("no dL/dL = 1", backward_forgets_seed, VALUE)],
}
