"""Notebook 10: one backprop for every case: K sigmoid outputs, any depth, real data."""

import numpy as np

from ..checking import diagnosis as D
from ..checking.draws import distinct_sizes, features, layer_params
from ..checking.exercise import Exercise, Mistake
from ..portable.functions import forward


def _targets(rng, n, k):
    """(n, k) 0/1 targets: one-hot rows (half the draws) or multi-label rows.

    Every draw holds at least one 1 and at least one 0, so a sign slip on the label-0
    entries differs from the right answer and from a sign slip everywhere.
    """
    if rng.random() < 0.5:
        Y = np.zeros((n, k))
        Y[np.arange(n), rng.integers(0, k, size=n)] = 1.0
    else:
        Y = (rng.random((n, k)) < 0.5).astype(np.float64)
        Y.flat[0], Y.flat[-1] = 1.0, 0.0
    return Y


def _draw_backprop(rng):
    """X (N, d), Y (N, K), params for 2 or 3 sigmoid layers; N, d, widths, K all different."""
    depth = int(rng.integers(2, 4))
    n, *sizes = distinct_sizes(rng, depth + 2, 2, 9)
    X = features(rng, (n, sizes[0]))
    return X, _targets(rng, n, sizes[-1]), layer_params(rng, sizes)


def _backprop(X, Y, params, output_delta, hidden_factor, scale=1.0):
    """The delta recursion with the output delta and the hidden sigma' factor swappable."""
    H = forward(X, params)
    delta = output_delta(H[-1], Y)
    grads = []
    for l in range(len(params) - 1, -1, -1):
        W, _ = params[l]
        grads.append((scale * (H[l].T @ delta), scale * delta.sum(axis=0)))
        if l > 0:
            delta = (delta @ W.T) * hidden_factor(H[l])
    return grads[::-1]


def _reference_backprop(X, Y, params):
    return _backprop(X, Y, params, lambda F, Y: F - Y, lambda H: H * (1 - H))


def _extra_output_derivative(X, Y, params):
    return _backprop(X, Y, params, lambda F, Y: (F - Y) * F * (1 - F), lambda H: H * (1 - H))


def _partial_sign(X, Y, params):
    # dL/df = -y/f - (1-y)/(1-f) (sign slip on the label-0 term) gives -F where Y = 0.
    return _backprop(X, Y, params, lambda F, Y: np.where(Y == 1, F - Y, -(F - Y)), lambda H: H * (1 - H))


def _missing_hidden_derivative(X, Y, params):
    return _backprop(X, Y, params, lambda F, Y: F - Y, lambda H: np.ones_like(H))


def _batch_mean(X, Y, params):
    return _backprop(X, Y, params, lambda F, Y: F - Y, lambda H: H * (1 - H), scale=1.0 / len(X))


def _draw_predict(rng):
    """X (N, d) and params whose K outputs really compete (larger weights, K >= 3)."""
    for _ in range(50):  # redraw until at least two classes are predicted
        depth = int(rng.integers(1, 3))
        n, *sizes = distinct_sizes(rng, depth + 2, 3, 12)
        X = features(rng, (n, sizes[0]), scale=2.0)
        params = layer_params(rng, sizes, scale=2.0)
        if len(np.unique(_reference_predict(X, params))) > 1:
            break
    return X, params


def _reference_predict(X, params):
    return np.argmax(forward(X, params)[-1], axis=1)


EXERCISES = [
    Exercise(
        id="10.backprop_multi",
        signature="backprop_multi(X, Y, params)",
        returns="list of (dW_l (n_{l-1}, n_l), db_l (n_l,)) shaped like params: gradients of "
                "L = -sum over examples and outputs of [Y log F + (1 - Y) log(1 - F)]",
        draw=_draw_backprop,
        reference=_reference_backprop,
        points=3,
        solution="""
        def backprop_multi(X, Y, params):
            H = [X]                                   # H_0 = X, then H_l = sigma(Z_l)
            for W, b in params:
                H.append(sigmoid(H[-1] @ W + b))      # (N, n_l)
            delta = H[-1] - Y                         # (N, K): sigmoid + BCE per output
            grads = []
            for l in range(len(params) - 1, -1, -1):
                W, _ = params[l]
                grads.append((H[l].T @ delta, delta.sum(axis=0)))
                if l > 0:
                    delta = (delta @ W.T) * H[l] * (1 - H[l])
            return grads[::-1]
        """,
        mistakes=(
            Mistake(D.EXTRA_ACTIVATION_DERIVATIVE, _extra_output_derivative,
                    "Your output delta is (F - Y) * F * (1 - F): with a sigmoid output and its own "
                    "cross-entropy the sigma' factor cancels, and dL/dZ_L = F - Y."),
            Mistake(D.PARTIAL_SIGN, _partial_sign,
                    "Your output delta is right where Y = 1 and has the wrong sign where Y = 0: "
                    "d/df of -(1 - y) log(1 - f) is +(1 - y) / (1 - f)."),
            Mistake(D.MISSING_ACTIVATION_DERIVATIVE, _missing_hidden_derivative,
                    "Your hidden-layer deltas lack the factor sigma'(Z_l) = H_l * (1 - H_l): "
                    "delta_l = (delta_{l+1} @ W_{l+1}.T) * H_l * (1 - H_l)."),
            Mistake(D.BATCH_SCALE, _batch_mean,
                    "Your gradients are the right ones divided by N: the loss here is summed over "
                    "the batch, so do not divide by the number of examples."),
        ),
        hints=(
            "Run the forward pass once and keep every H_l. Start from the output delta "
            "dL/dZ_L, which for a sigmoid output with its own cross-entropy is simple (notebook 08 "
            "derives it for one output; here each of the K outputs is the same story). Then walk "
            "the layers backwards.",
            "delta_L = F - Y (N, K); for l = L..1: dW_l = H_{l-1}.T @ delta_l, db_l = "
            "delta_l.sum(axis=0), and (if l > 1) delta_{l-1} = (delta_l @ W_l.T) * H_{l-1} * (1 - H_{l-1}).",
        ),
    ),
    Exercise(
        id="10.predict",
        signature="predict(X, params)",
        returns="(N,) integer array: for each example the index of the output unit with the largest activation",
        draw=_draw_predict,
        reference=_reference_predict,
        points=1,
        solution="""
        def predict(X, params):
            F = forward(X, params)[-1]        # (N, K) sigmoid outputs
            return np.argmax(F, axis=1)       # (N,): one class per example (row)
        """,
        mistakes=(
            Mistake(D.WRONG_VALUE, lambda X, params: np.argmin(forward(X, params)[-1], axis=1),
                    "You picked the output with the smallest activation: the predicted class is the "
                    "most confident output, np.argmax."),
        ),
        hints=(
            "Run the forward pass to get F (N, K); each row holds the K outputs for one example.",
            "np.argmax(F, axis=1): the largest output of each row.",
        ),
    ),
]
