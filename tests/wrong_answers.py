"""Wrong answers written the way learners write them, independently of the exercise modules.

``WRONG[exercise_id]`` lists ``(name, fn, allowed)``: a wrong learner function and the set
of diagnoses that are true for it. The structural slips the checkers issue found passing
by chance are here (a transposed or flattened sigmoid, abs(yhat - y), forward passes that
skip or reverse layers, three layers unrolled by hand, diag(v) for v), with others of the
same families. ``generic(ex)`` adds wrappers that apply to every exercise.
"""

import itertools

import numpy as np

from course_utils.checking import diagnosis as D


def sig(u):
    u = np.asarray(u, dtype=float)
    e = np.exp(-np.abs(u))
    return np.where(u >= 0, 1 / (1 + e), e / (1 + e))


def forward(X, params):
    H = [np.asarray(X, dtype=float)]
    for W, b in params:
        H.append(sig(H[-1] @ W + b))
    return H


# ---------------------------------------------------------------- 01

def sigmoid_transposed(u):
    return sig(u).T


def sigmoid_flat(u):
    return sig(u).ravel()


def sigmoid_nan_form(u):
    with np.errstate(all="ignore"):
        return np.exp(u) / (1 + np.exp(u))


def sigmoid_rounded(u):
    return np.round(sig(u), 6)


def sigmoid_first_row(u):
    out = sig(u)
    return out[0] if out.ndim > 1 else out


def sigmoid_prime_transposed(u):
    s = sig(u)
    return (s * (1 - s)).T


def sigmoid_prime_quarter(u):
    return 0.25 * np.ones_like(np.asarray(u, dtype=float))


def sigmoid_prime_diag(u):
    s = sig(u)
    return np.diag(s * (1 - s)) if s.ndim == 1 else s * (1 - s)


def numgrad_own_eps(f, w, eps=1e-6):
    w = np.array(w, dtype=float)
    g = np.zeros_like(w)
    for i in np.ndindex(w.shape):
        old = w[i]
        w[i] = old + 1e-4
        fp = f(w)
        w[i] = old - 1e-4
        fm = f(w)
        w[i] = old
        g[i] = (fp - fm) / 2e-4
    return g


def numgrad_flat_only(f, w, eps=1e-6):
    w = np.array(w, dtype=float).ravel()
    g = np.zeros_like(w)
    for i in range(w.size):
        e = np.zeros_like(w)
        e[i] = eps
        g[i] = (f(w + e) - f(w - e)) / (2 * eps)
    return g


def numgrad_backward(f, w, eps=1e-6):
    w = np.array(w, dtype=float)
    g = np.zeros_like(w)
    f0 = f(w)
    for i in np.ndindex(w.shape):
        old = w[i]
        w[i] = old - eps
        g[i] = (f0 - f(w)) / eps
        w[i] = old
    return g


# ---------------------------------------------------------------- 02 - 04

def grad02_abs(x, y, w):
    yhat = sig(w * x)
    return float(abs(yhat - y) * yhat * (1 - yhat) * x)


def grad02_abs_x(x, y, w):
    yhat = sig(w * x)
    return float((yhat - y) * yhat * (1 - yhat) * abs(x))


def grad02_sigma_prime_of_x(x, y, w):
    yhat = sig(w * x)
    return float((yhat - y) * sig(x) * (1 - sig(x)) * x)


def loss02_abs_error(x, y, w):
    return float(0.5 * abs(sig(w * x) - y))


def grad03_abs(x, y, w):
    yhat = sig(x @ w)
    return abs(yhat - y) * yhat * (1 - yhat) * x


def grad03_diag(x, y, w):
    yhat = sig(x @ w)
    return np.diag((yhat - y) * yhat * (1 - yhat) * x)


def grad03_column(x, y, w):
    yhat = sig(x @ w)
    return ((yhat - y) * yhat * (1 - yhat) * x)[:, None]


def grad03_sum(x, y, w):
    yhat = sig(x @ w)
    return float(np.sum((yhat - y) * yhat * (1 - yhat) * x))


def step03_inplace(x, y, w, lr):
    yhat = sig(x @ w)
    w -= lr * (yhat - y) * yhat * (1 - yhat) * x
    return w


def step03_abs(x, y, w, lr):
    yhat = sig(x @ w)
    return w - lr * abs(yhat - y) * yhat * (1 - yhat) * x


def _delta04(X, y, w):
    yhat = sig(X @ w)
    return (yhat - y) * yhat * (1 - yhat)


def grad04_abs(X, y, w):
    yhat = sig(X @ w)
    return X.T @ (np.abs(yhat - y) * yhat * (1 - yhat))


def grad04_per_example(X, y, w):
    return _delta04(X, y, w)[:, None] * X


def grad04_per_example_T(X, y, w):
    return (_delta04(X, y, w)[:, None] * X).T


def grad04_mean_of_rows(X, y, w):
    return np.mean(_delta04(X, y, w)[:, None] * X, axis=0)


def grad04_square_sum(X, y, w):
    return X.T @ _delta04(X, y, w) ** 2


def loss04_first_and_last(X, y, w):
    yhat = sig(X @ w)
    return float(0.5 * ((yhat[0] - y[0]) ** 2 + (yhat[-1] - y[-1]) ** 2))


# ---------------------------------------------------------------- 05 - 07

def grads05_abs(x, y, w1, w2):
    h = sig(x @ w1)
    yhat = sig(w2 * h)
    d2 = abs(yhat - y) * yhat * (1 - yhat)
    return d2 * w2 * h * (1 - h) * x, float(d2 * h)


def grads05_swapped(x, y, w1, w2):
    h = sig(x @ w1)
    yhat = sig(w2 * h)
    d2 = (yhat - y) * yhat * (1 - yhat)
    return float(d2 * h), d2 * w2 * h * (1 - h) * x


def grads05_x_for_h(x, y, w1, w2):
    h = sig(x @ w1)
    yhat = sig(w2 * h)
    d2 = (yhat - y) * yhat * (1 - yhat)
    return d2 * w2 * h * (1 - h) * x, float(d2 * np.sum(x))


def grads06_abs(x, y, W1, w2):
    h = sig(x @ W1)
    yhat = sig(h @ w2)
    d2 = abs(yhat - y) * yhat * (1 - yhat)
    return np.outer(x, d2 * w2 * h * (1 - h)), d2 * h


def grads06_outer_swapped(x, y, W1, w2):
    h = sig(x @ W1)
    yhat = sig(h @ w2)
    d2 = (yhat - y) * yhat * (1 - yhat)
    return np.outer(d2 * w2 * h * (1 - h), x), d2 * h


def grads06_elementwise(x, y, W1, w2):
    h = sig(x @ W1)
    yhat = sig(h @ w2)
    d2 = (yhat - y) * yhat * (1 - yhat)
    delta1 = d2 * w2 * h * (1 - h)
    return x[:, None] * delta1.sum(), d2 * h


def grads07_abs(X, y, W1, w2):
    Hid = sig(X @ W1)
    yhat = sig(Hid @ w2)
    d2 = np.abs(yhat - y) * yhat * (1 - yhat)
    return X.T @ (np.outer(d2, w2) * Hid * (1 - Hid)), Hid.T @ d2


def grads07_per_example(X, y, W1, w2):
    Hid = sig(X @ W1)
    yhat = sig(Hid @ w2)
    d2 = (yhat - y) * yhat * (1 - yhat)
    D1 = np.outer(d2, w2) * Hid * (1 - Hid)
    return np.einsum("ni,nj->nij", X, D1), Hid * d2[:, None]


def grads07_W1_transposed(X, y, W1, w2):
    Hid = sig(X @ W1)
    yhat = sig(Hid @ w2)
    d2 = (yhat - y) * yhat * (1 - yhat)
    return (X.T @ (np.outer(d2, w2) * Hid * (1 - Hid))).T, Hid.T @ d2


def deltas07_delta2_per_unit(X, y, W1, w2):
    Hid = sig(X @ W1)
    yhat = sig(Hid @ w2)
    d2 = (yhat - y) * yhat * (1 - yhat)
    return np.outer(d2, w2) * Hid * (1 - Hid), np.outer(d2, w2)


# ---------------------------------------------------------------- 08 - 10

def _unrolled3(X, Y, params):
    """Three layers written out by hand: right at depth 3 only."""
    (W1, b1), (W2, b2), (W3, b3) = params
    H1 = sig(X @ W1 + b1)
    H2 = sig(H1 @ W2 + b2)
    F = sig(H2 @ W3 + b3)
    D3 = F - Y
    D2 = (D3 @ W3.T) * H2 * (1 - H2)
    D1 = (D2 @ W2.T) * H1 * (1 - H1)
    return [(X.T @ D1, D1.sum(0)), (H1.T @ D2, D2.sum(0)), (H2.T @ D3, D3.sum(0))]


def backprop08_unrolled(X, y, params):
    return _unrolled3(X, y[:, None], params)


def backprop08_bias_not_summed(X, y, params):
    H = forward(X, params)
    delta = (H[-1][:, 0] - y)[:, None]
    grads = [None] * len(params)
    for l in range(len(params), 0, -1):
        W, _ = params[l - 1]
        grads[l - 1] = (H[l - 1].T @ delta, delta.copy())
        if l > 1:
            delta = (delta @ W.T) * H[l - 1] * (1 - H[l - 1])
    return grads


def backprop08_last_layer_only(X, y, params):
    H = forward(X, params)
    delta = (H[-1][:, 0] - y)[:, None]
    grads = [(np.zeros_like(W), np.zeros_like(b)) for W, b in params]
    grads[-1] = (H[-2].T @ delta, delta.sum(axis=0))
    return grads


def backprop08_reversed_list(X, y, params):
    H = forward(X, params)
    delta = (H[-1][:, 0] - y)[:, None]
    grads = []
    for l in range(len(params), 0, -1):
        W, _ = params[l - 1]
        grads.append((H[l - 1].T @ delta, delta.sum(axis=0)))
        if l > 1:
            delta = (delta @ W.T) * H[l - 1] * (1 - H[l - 1])
    return grads  # last layer first: the order is wrong


def input_grad09_unrolled(x, y, params):
    (W1, b1), (W2, b2), (W3, b3) = params
    a1 = sig(x @ W1 + b1)
    a2 = sig(a1 @ W2 + b2)
    a3 = sig(a2 @ W3 + b3)
    d3 = (a3 - y) * a3 * (1 - a3)
    d2 = (d3 @ W3.T) * a2 * (1 - a2)
    d1 = (d2 @ W2.T) * a1 * (1 - a1)
    return d1 @ W1.T


def input_grad09_no_slopes(x, y, params):
    a = [x]
    for W, b in params:
        a.append(sig(a[-1] @ W + b))
    g = a[-1] - y
    for W, _ in reversed(params):
        g = g @ W.T
    return g


def input_grad09_diag(x, y, params):
    a = [x]
    for W, b in params:
        a.append(sig(a[-1] @ W + b))
    delta = (a[-1] - y) * a[-1] * (1 - a[-1])
    for l in range(len(params), 0, -1):
        g = delta @ params[l - 1][0].T
        if l > 1:
            delta = g * a[l - 1] * (1 - a[l - 1])
    return np.diag(g)


def input_grad09_weight_grad(x, y, params):
    a = [x]
    for W, b in params:
        a.append(sig(a[-1] @ W + b))
    delta = (a[-1] - y) * a[-1] * (1 - a[-1])
    for l in range(len(params), 1, -1):
        delta = (delta @ params[l - 1][0].T) * a[l - 1] * (1 - a[l - 1])
    return np.outer(x, delta)  # dC/dW_1, not dC/dx


def layer_jac09_transposed(a_prev, W, b):
    s = sig(a_prev @ W + b)
    return W * (s * (1 - s))[None, :]  # the transpose of diag(sigma'(z)) @ W.T


def layer_jac09_diag_only(a_prev, W, b):
    s = sig(a_prev @ W + b)
    return np.diag(s * (1 - s))


def backprop10_unrolled(X, Y, params):
    return _unrolled3(X, Y, params)


def backprop10_softmax_delta(X, Y, params):
    H = forward(X, params)
    F = H[-1]
    P = np.exp(F) / np.exp(F).sum(axis=1, keepdims=True)
    delta = P - Y
    grads = []
    for l in range(len(params) - 1, -1, -1):
        W, _ = params[l]
        grads.append((H[l].T @ delta, delta.sum(axis=0)))
        if l > 0:
            delta = (delta @ W.T) * H[l] * (1 - H[l])
    return grads[::-1]


def predict10_last_layer_only(X, params):
    W, b = params[-1]
    return np.argmax(sig(X @ W + b), axis=1)


def predict10_first_layer_only(X, params):
    W, b = params[0]
    return np.argmax(sig(X @ W + b), axis=1)


def predict10_reversed(X, params):
    H = np.asarray(X, dtype=float)
    for W, b in reversed(params):
        H = sig(H @ W + b)
    return np.argmax(H, axis=1)


def predict10_no_bias(X, params):
    H = np.asarray(X, dtype=float)
    for W, _ in params:
        H = sig(H @ W)
    return np.argmax(H, axis=1)


def predict10_axis0(X, params):
    return np.argmax(forward(X, params)[-1], axis=0)


def predict10_rounded_outputs(X, params):
    return np.round(forward(X, params)[-1][:, 0])


SHAPE_OR_TRANSPOSE = {D.SHAPE, D.TRANSPOSE}
VALUE = {D.WRONG_VALUE}
FAILS = {D.WRONG_VALUE, D.SHAPE, D.EXCEPTION, D.WRONG_TYPE, D.NAN}

WRONG = {
    "01.sigmoid": [("transposed", sigmoid_transposed, {D.SHAPE}), ("flattened", sigmoid_flat, {D.SHAPE}),
                   ("exp(u)/(1+exp(u))", sigmoid_nan_form, {D.NAN}), ("rounded", sigmoid_rounded, VALUE),
                   ("first row", sigmoid_first_row, {D.SHAPE})],
    "01.sigmoid_prime": [("transposed", sigmoid_prime_transposed, {D.SHAPE}),
                         ("slope at 0", sigmoid_prime_quarter, VALUE), ("diag on 1-D", sigmoid_prime_diag, {D.SHAPE})],
    "01.numerical_grad": [("its own eps", numgrad_own_eps, VALUE),
                          ("flattened", numgrad_flat_only, {D.SHAPE, D.EXCEPTION}),
                          ("backward difference", numgrad_backward, VALUE)],
    "02.loss": [("abs error", loss02_abs_error, VALUE)],
    "02.grad_w": [("abs(yhat - y)", grad02_abs, VALUE), ("abs(x)", grad02_abs_x, VALUE),
                  ("sigma'(x)", grad02_sigma_prime_of_x, VALUE)],
    "03.grad_w": [("abs(yhat - y)", grad03_abs, VALUE), ("diag", grad03_diag, {D.DIAGONAL_JACOBIAN}),
                  ("column", grad03_column, {D.SHAPE}), ("summed", grad03_sum, {D.SHAPE})],
    "03.gd_step": [("in place", step03_inplace, {D.MUTATES_INPUT}), ("abs(yhat - y)", step03_abs, VALUE)],
    "04.loss": [("first and last", loss04_first_and_last, VALUE)],
    "04.grad_w": [("abs(yhat - y)", grad04_abs, VALUE), ("per example", grad04_per_example, {D.WEIGHT_NOT_SUMMED}),
                  ("per example, transposed", grad04_per_example_T, {D.SHAPE}),
                  ("mean of rows", grad04_mean_of_rows, {D.BATCH_SCALE}), ("delta squared", grad04_square_sum, VALUE)],
    "04.grad_w_loop": [("abs(yhat - y)", grad04_abs, VALUE),
                       ("per example", grad04_per_example, {D.WEIGHT_NOT_SUMMED})],
    "05.grads": [("abs(yhat - y)", grads05_abs, VALUE), ("swapped", grads05_swapped, {D.SHAPE}),
                 ("sum(x) for h", grads05_x_for_h, VALUE)],
    "06.grads": [("abs(yhat - y)", grads06_abs, VALUE), ("outer(delta1, x)", grads06_outer_swapped, {D.TRANSPOSE}),
                 ("elementwise", grads06_elementwise, {D.SHAPE})],
    "07.grads": [("abs(yhat - y)", grads07_abs, VALUE),
                 ("per example", grads07_per_example, {D.WEIGHT_NOT_SUMMED}),
                 ("dW1 transposed", grads07_W1_transposed, {D.TRANSPOSE})],
    "07.deltas": [("delta2 per unit", deltas07_delta2_per_unit, {D.SHAPE})],
    "08.backprop": [("three layers unrolled", backprop08_unrolled, FAILS),
                    ("bias not summed", backprop08_bias_not_summed, {D.BIAS_NOT_SUMMED}),
                    ("last layer only", backprop08_last_layer_only, VALUE),
                    ("layers in reverse order", backprop08_reversed_list, FAILS)],
    "09.input_grad": [("three layers unrolled", input_grad09_unrolled, FAILS),
                      ("every sigma' missing", input_grad09_no_slopes, {D.MISSING_ACTIVATION_DERIVATIVE}),
                      ("diag", input_grad09_diag, {D.DIAGONAL_JACOBIAN}),
                      ("dC/dW_1 instead", input_grad09_weight_grad, {D.SHAPE})],
    "09.layer_jacobian": [("transposed", layer_jac09_transposed, {D.TRANSPOSE}),
                          ("diag(sigma') only", layer_jac09_diag_only, FAILS)],
    "10.backprop_multi": [("three layers unrolled", backprop10_unrolled, FAILS),
                          ("softmax delta", backprop10_softmax_delta, VALUE)],
    "10.predict": [("last layer only", predict10_last_layer_only, FAILS),
                   ("first layer only", predict10_first_layer_only, FAILS),
                   ("layers in reverse", predict10_reversed, FAILS), ("no biases", predict10_no_bias, VALUE),
                   ("axis 0", predict10_axis0, {D.SHAPE}), ("first output rounded", predict10_rounded_outputs, VALUE)],
}


def sometimes_negated(reference):
    """Right on every other call, negated on the others: never ``sign``."""
    counter = itertools.count()

    def learner(*args):
        out = reference(*args)
        if next(counter) % 2:
            return _negate(out)
        return out
    return learner


def hard_coded(reference, args):
    """Always the reference's answer on one fixed draw."""
    frozen = reference(*args)
    return lambda *a: frozen


def _negate(structure):
    if isinstance(structure, (tuple, list)):
        items = [_negate(x) for x in structure]
        return tuple(items) if isinstance(structure, tuple) else items
    return -structure
