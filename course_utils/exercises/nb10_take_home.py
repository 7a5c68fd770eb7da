"""Notebook 10: one backprop for every case: K sigmoid outputs, any depth, real data."""

import numpy as np

from ..checking import diagnosis as D
from ..checking.draws import Redraw, distinct_sizes, features, layer_params
from ..checking.exercise import Case, Exercise, Slip
from .models import deep as models
from .models.deep import HIDDEN_SLOPE_SLIPS, OUTPUT_DELTA_SLIPS


def backprop_multi(X, Y, params, **knobs):
    """Gradients of L = -sum over examples and outputs of [Y log F + (1 - Y) log(1 - F)] for a
    sigmoid network with K outputs; X (N, d), Y (N, K), params [(W_l, b_l), ...]
    -> [(dW_l, db_l), ...] shaped like params."""
    return models.deep_grads(X, Y, params, **knobs)


def predict(X, params, *, pick="argmax"):
    """For each example the index of the output unit with the largest activation;
    X (N, d), params -> (N,) integers. Knob: ``pick="argmin"`` takes the smallest."""
    F = models.deep_forward(X, params)[-1]
    return (np.argmin if pick == "argmin" else np.argmax)(F, axis=1)


def _targets(rng, n, k, one_hot):
    """(n, k) 0/1 targets holding at least one 1 and one 0: one-hot rows or multi-label rows."""
    if one_hot:
        Y = np.zeros((n, k))
        Y[np.arange(n), rng.integers(0, k, size=n)] = 1.0
    else:
        Y = (rng.random((n, k)) < 0.5).astype(np.float64)
        Y.flat[0], Y.flat[-1] = 1.0, 0.0
    return Y


def _multi(depth, one_hot):
    """X (N, d), Y (N, K), params for ``depth`` sigmoid layers; N, d, widths, K all different."""
    def draw(rng):
        n, *sizes = distinct_sizes(rng, depth + 2, 2, 9)
        X = features(rng, (n, sizes[0]))
        return X, _targets(rng, n, sizes[-1], one_hot), layer_params(rng, sizes)
    return draw


def _competing(depth):
    """X (N, d) and params whose K >= 3 outputs really compete: at least two classes predicted."""
    def draw(rng):
        n, *sizes = distinct_sizes(rng, depth + 2, 3, 12)
        X = features(rng, (n, sizes[0]), scale=2.0)
        params = layer_params(rng, sizes, scale=2.0)
        if len(np.unique(predict(X, params))) < 2:
            raise Redraw("one class only")
        return X, params
    return draw


def _batch(X, Y, params):
    return np.shape(X)[0]


EXERCISES = [
    Exercise(
        id="10.backprop_multi",
        signature="backprop_multi(X, Y, params)",
        returns="list of (dW_l (n_{l-1}, n_l), db_l (n_l,)) shaped like params: gradients of "
                "L = -sum over examples and outputs of [Y log F + (1 - Y) log(1 - F)]",
        cases=(
            Case("depth 1, one-hot targets", _multi(1, True)),
            Case("depth 2, multi-label targets", _multi(2, False)),
            Case("depth 3, one-hot targets", _multi(3, True)),
            Case("depth 4, multi-label targets", _multi(4, False)),
        ),
        reference=backprop_multi,
        slips=OUTPUT_DELTA_SLIPS + HIDDEN_SLOPE_SLIPS,
        roles=models.params_roles,
        batch_size=_batch,
        points=3,
        hints=(
            "Run the forward pass once and keep every H_l. Start from the output delta dL/dZ_L, which for a "
            "sigmoid output with its own cross-entropy is simple (notebook 08 derives it for one output; here "
            "each of the K outputs is the same story). Then walk the layers backwards.",
            "Each layer: weight gradient = (its input).T @ (its delta), bias gradient = its delta summed over the "
            "batch, and the delta one layer down = (delta @ W.T) * sigma'.",
            "delta_L = F - Y (N, K); for l = L..1: dW_l = H_{l-1}.T @ delta_l, db_l = delta_l.sum(axis=0), and "
            "(if l > 1) delta_{l-1} = (delta_l @ W_l.T) * H_{l-1} * (1 - H_{l-1}).",
        ),
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
    ),
    Exercise(
        id="10.predict",
        signature="predict(X, params)",
        returns="(N,) integer array: for each example the index of the output unit with the largest activation",
        cases=tuple(Case(f"depth {k}", _competing(k)) for k in (1, 2, 3)),
        reference=predict,
        slips=(
            Slip("pick", "argmin", D.WRONG_VALUE, "it picks the smallest output",
                 "You picked the output with the smallest activation: the predicted class is the most "
                 "confident output, np.argmax."),
        ),
        points=1,
        hints=(
            "Run the forward pass through every layer to get F (N, K); each row holds the K outputs for one example.",
            "The predicted class of a row is the position of its largest entry.",
            "np.argmax(F, axis=1).",
        ),
        solution="""
        def predict(X, params):
            F = forward(X, params)[-1]        # (N, K) sigmoid outputs
            return np.argmax(F, axis=1)       # (N,): one class per example (row)
        """,
    ),
]
