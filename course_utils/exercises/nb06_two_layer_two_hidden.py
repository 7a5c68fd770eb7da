"""Notebook 06: two layers, two hidden units, one example (seed 000, part 5).

Model (no biases): z1 = x @ W1 (2,), h = sigma(z1) (2,), z2 = h @ w2 (number),
yhat = sigma(z2), L = 1/2 * (yhat - y)**2; x (d,), W1 (d, 2), w2 (2,), y a number.

Backward: delta2 = (yhat - y) * sigma'(z2) (number); dL/dw2 = delta2 * h (2,);
delta1 = (delta2 * w2) * sigma'(z1) (2,); dL/dW1 = outer(x, delta1) (d, 2).
"""

import numpy as np

from ..checking import diagnosis as D
from ..checking.draws import features, nonzero
from ..checking.exercise import Exercise, Mistake
from ..portable.functions import sigmoid as _sigmoid
from .nb05_two_layer_one_hidden import away_from_one, target_away_from


def _draw(rng):
    d = int(rng.integers(3, 7))            # d != 2: a transposed dW1 shows in its shape
    x = features(rng, (d,))
    W1 = nonzero(rng, (d, 2), scale=0.8, floor=0.15)
    w2 = away_from_one(rng, (2,))
    yhat = _sigmoid(_sigmoid(x @ W1) @ w2)
    y = target_away_from(rng, yhat)
    return x, y, W1, w2


def _parts(x, y, W1, w2):
    x = np.asarray(x, dtype=np.float64)
    z1 = x @ np.asarray(W1, dtype=np.float64)
    h = _sigmoid(z1)
    z2 = float(h @ np.asarray(w2, dtype=np.float64))
    yhat = float(_sigmoid(z2))
    return x, z1, h, z2, yhat, h * (1 - h), yhat * (1 - yhat)


def grads(x, y, W1, w2):
    """dL/dW1, dL/dw2 for h = sigmoid(x @ W1), yhat = sigmoid(h @ w2), L = 1/2 (yhat - y)^2;
    x (d,), y number, W1 (d, 2), w2 (2,) -> (dW1 (d, 2), dw2 (2,)).
    """
    z1 = x @ W1                      # (2,)  pre-activations of the hidden units
    h = _sigmoid(z1)                 # (2,)  hidden activations
    z2 = h @ w2                      # number
    yhat = _sigmoid(z2)              # number
    delta2 = (yhat - y) * yhat * (1 - yhat)   # number: dL/dz2
    dw2 = delta2 * h                          # (2,): input of layer 2 times its delta
    delta1 = (delta2 * w2) * h * (1 - h)      # (2,): dL/dz1, back through w2 and sigma'
    dW1 = np.outer(x, delta1)                 # (d, 2): input of layer 1 times its delta
    return dW1, dw2


def _no_output_sigma_prime(x, y, W1, w2):
    x, z1, h, z2, yhat, sp1, sp2 = _parts(x, y, W1, w2)
    delta2 = yhat - y
    return np.outer(x, delta2 * w2 * sp1), delta2 * h


def _no_hidden_sigma_prime(x, y, W1, w2):
    x, z1, h, z2, yhat, sp1, sp2 = _parts(x, y, W1, w2)
    delta2 = (yhat - y) * sp2
    return np.outer(x, delta2 * np.asarray(w2, dtype=float)), delta2 * h


def _no_sigma_prime_at_all(x, y, W1, w2):
    x, z1, h, z2, yhat, sp1, sp2 = _parts(x, y, W1, w2)
    delta2 = yhat - y
    return np.outer(x, delta2 * np.asarray(w2, dtype=float)), delta2 * h


def _no_w2(x, y, W1, w2):
    x, z1, h, z2, yhat, sp1, sp2 = _parts(x, y, W1, w2)
    delta2 = (yhat - y) * sp2
    return np.outer(x, delta2 * sp1), delta2 * h


def _z1_for_h(x, y, W1, w2):
    x, z1, h, z2, yhat, sp1, sp2 = _parts(x, y, W1, w2)
    delta2 = (yhat - y) * sp2
    return np.outer(x, delta2 * w2 * sp1), delta2 * z1


def _sigma_prime_of_activation(x, y, W1, w2):
    x, z1, h, z2, yhat, sp1, sp2 = _parts(x, y, W1, w2)
    s_h, s_y = _sigmoid(h), float(_sigmoid(yhat))
    delta2 = (yhat - y) * s_y * (1 - s_y)
    return np.outer(x, delta2 * w2 * s_h * (1 - s_h)), delta2 * h


EXERCISES = [
    Exercise(
        id="06.grads",
        signature="grads(x, y, W1, w2)",
        returns="tuple (dW1 (d, 2), dw2 (2,)): dL/dW1 and dL/dw2",
        draw=_draw,
        reference=grads,
        points=2,
        mistakes=(
            Mistake(D.MISSING_ACTIVATION_DERIVATIVE, _no_output_sigma_prime,
                    "The output layer's sigma'(z2) = yhat * (1 - yhat) is missing: delta2 = dL/dz2 = "
                    "(yhat - y) * sigma'(z2), not just (yhat - y). Both gradients start from delta2, so both are too large."),
            Mistake(D.MISSING_ACTIVATION_DERIVATIVE, _no_hidden_sigma_prime,
                    "dL/dw2 is right, but dL/dW1 misses the hidden layer's sigma'(z1) = h * (1 - h) (one factor per "
                    "hidden unit): delta1 = (delta2 * w2) * h * (1 - h), shape (2,)."),
            Mistake(D.MISSING_ACTIVATION_DERIVATIVE, _no_sigma_prime_at_all,
                    "Both sigma' factors are missing: each sigmoid the gradient passes through multiplies it by its "
                    "slope, yhat * (1 - yhat) at the output and h * (1 - h) (element-wise) at the hidden layer."),
            Mistake(D.WRONG_VALUE, _no_w2,
                    "dL/dW1 must pass back through w2: hidden unit j reaches the output through the weight w2[j], "
                    "so delta1 = (delta2 * w2) * sigma'(z1), element-wise, shape (2,). dL/dw2 is right."),
            Mistake(D.WRONG_VALUE, _z1_for_h,
                    "dL/dw2 = delta2 * h multiplies by the hidden ACTIVATIONS h = sigma(z1), the input of layer 2, "
                    "not by z1. dL/dW1 is right."),
            Mistake(D.WRONG_VALUE, _sigma_prime_of_activation,
                    "You applied sigma' to the activations (sigmoid_prime(h), sigmoid_prime(yhat)). sigma'(z) is taken "
                    "at the pre-activation z and equals a * (1 - a) with a = sigma(z): use h * (1 - h) and "
                    "yhat * (1 - yhat)."),
        ),
        hints=(
            "Same two rules as in notebook 05, now with a vector of two hidden units: a weight's gradient is "
            "(input of its layer) times (delta of its layer), and delta1 = (delta2 * w2) * sigma'(z1). "
            "Write the shape next to every line: z1, h, delta1 and dw2 are (2,), dW1 is (d, 2) like W1.",
            "delta2 = (yhat - y) * yhat * (1 - yhat) (a number); dw2 = delta2 * h; "
            "delta1 = delta2 * w2 * h * (1 - h); dW1 = np.outer(x, delta1), i.e. dW1[i, j] = x[i] * delta1[j].",
        ),
        solution="""
            def grads(x, y, W1, w2):
                z1 = x @ W1                    # (2,)
                h = sigmoid(z1)                # (2,)
                z2 = h @ w2                    # number
                yhat = sigmoid(z2)             # number
                delta2 = (yhat - y) * yhat * (1 - yhat)   # dL/dz2, a number
                dw2 = delta2 * h                          # (2,)
                delta1 = (delta2 * w2) * h * (1 - h)      # dL/dz1, (2,)
                dW1 = np.outer(x, delta1)                 # (d, 2): dW1[i, j] = x[i] * delta1[j]
                return dW1, dw2
        """,
    ),
]
