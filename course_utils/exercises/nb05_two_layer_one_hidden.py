"""Notebook 05: two layers, one hidden unit, one example (seed 000, part 4).

Model (no biases): z1 = x @ w1 (a number), h = sigma(z1), z2 = w2 * h, yhat = sigma(z2),
L = 1/2 * (yhat - y)**2, with x, w1 of shape (d,) and w2, y numbers.

Backward: delta2 = dL/dz2 = (yhat - y) * sigma'(z2); dL/dw2 = delta2 * h;
delta1 = dL/dz1 = delta2 * w2 * sigma'(z1); dL/dw1 = delta1 * x.
"""

import numpy as np

from ..checking import diagnosis as D
from ..checking.draws import features, nonzero, targets
from ..checking.exercise import Exercise, Mistake
from ..portable.functions import sigmoid as _sigmoid


def away_from_one(rng, shape=()):
    """Non-zero weights whose magnitude is in [0.3, 0.7] or [1.5, 2.5], random signs.

    Far from 0 (so nothing vanishes) and far from 1 (so forgetting to multiply by the
    weight changes the answer clearly). ``shape=()`` gives a float.
    """
    small = 0.3 + 0.4 * rng.random(shape)
    large = 1.5 + 1.0 * rng.random(shape)
    magnitude = np.where(rng.random(shape) < 0.5, small, large)
    sign = np.where(rng.random(shape) < 0.5, -1.0, 1.0)
    out = np.asarray(sign * magnitude, dtype=np.float64)
    return float(out) if shape == () else out


def target_away_from(rng, yhat, gap=0.15):
    """A target in (0.05, 0.95) at least ``gap`` away from the prediction ``yhat``
    (a number or an array, then one target per entry): the error yhat - y never vanishes."""
    yhat = np.asarray(yhat, dtype=np.float64)
    y = np.asarray(targets(rng, yhat.shape), dtype=np.float64)
    for _ in range(100):
        close = np.abs(y - yhat) < gap
        if not close.any():
            break
        y = np.where(close, targets(rng, yhat.shape), y)
    # Fallback (practically never reached): push the target to the far side.
    y = np.where(np.abs(y - yhat) < gap, np.where(yhat > 0.5, 0.05, 0.95), y)
    return float(y) if y.shape == () else y


def _draw(rng):
    d = int(rng.integers(2, 7))
    x = features(rng, (d,))
    w1 = nonzero(rng, (d,), scale=0.8, floor=0.15)
    w2 = away_from_one(rng)
    yhat = _sigmoid(w2 * _sigmoid(x @ w1))
    y = target_away_from(rng, yhat)
    return x, y, w1, w2


def _parts(x, y, w1, w2):
    """Forward pass and the local derivatives, for the reference and the mistakes."""
    x = np.asarray(x, dtype=np.float64)
    w1 = np.asarray(w1, dtype=np.float64)
    z1 = float(x @ w1)
    h = float(_sigmoid(z1))
    z2 = w2 * h
    yhat = float(_sigmoid(z2))
    return x, z1, h, z2, yhat, h * (1 - h), yhat * (1 - yhat)


def grads(x, y, w1, w2):
    """dL/dw1, dL/dw2 for h = sigmoid(x @ w1), yhat = sigmoid(w2 * h), L = 1/2 (yhat - y)^2;
    x (d,), y number, w1 (d,), w2 number -> (dw1 (d,), dw2 float).
    """
    z1 = x @ w1                         # number
    h = _sigmoid(z1)                    # number: the hidden activation
    z2 = w2 * h                         # number
    yhat = _sigmoid(z2)                 # number: the prediction
    delta2 = (yhat - y) * yhat * (1 - yhat)   # dL/dz2 = (yhat - y) * sigma'(z2)
    dw2 = delta2 * h                          # dL/dw2: delta2 times the input of layer 2
    delta1 = delta2 * w2 * h * (1 - h)        # dL/dz1 = delta2 * w2 * sigma'(z1)
    dw1 = delta1 * np.asarray(x, dtype=np.float64)   # (d,): delta1 times the input of layer 1
    return dw1, float(dw2)


def _no_output_sigma_prime(x, y, w1, w2):
    x, z1, h, z2, yhat, sp1, sp2 = _parts(x, y, w1, w2)
    delta2 = yhat - y
    return delta2 * w2 * sp1 * x, delta2 * h


def _no_hidden_sigma_prime(x, y, w1, w2):
    x, z1, h, z2, yhat, sp1, sp2 = _parts(x, y, w1, w2)
    delta2 = (yhat - y) * sp2
    return delta2 * w2 * x, delta2 * h


def _no_sigma_prime_at_all(x, y, w1, w2):
    x, z1, h, z2, yhat, sp1, sp2 = _parts(x, y, w1, w2)
    delta2 = yhat - y
    return delta2 * w2 * x, delta2 * h


def _no_w2(x, y, w1, w2):
    x, z1, h, z2, yhat, sp1, sp2 = _parts(x, y, w1, w2)
    delta2 = (yhat - y) * sp2
    return delta2 * sp1 * x, delta2 * h


def _z1_for_h(x, y, w1, w2):
    x, z1, h, z2, yhat, sp1, sp2 = _parts(x, y, w1, w2)
    delta2 = (yhat - y) * sp2
    return delta2 * w2 * sp1 * x, delta2 * z1


def _sigma_prime_of_activation(x, y, w1, w2):
    x, z1, h, z2, yhat, sp1, sp2 = _parts(x, y, w1, w2)
    s_h, s_y = _sigmoid(h), _sigmoid(yhat)
    delta2 = (yhat - y) * float(s_y * (1 - s_y))
    return delta2 * w2 * float(s_h * (1 - s_h)) * x, delta2 * h


MESSAGE_NO_OUTPUT_SIGMA_PRIME = (
    "The output layer's sigma'(z2) = yhat * (1 - yhat) is missing: delta2 = dL/dz2 = "
    "(yhat - y) * sigma'(z2), not just (yhat - y). Both gradients start from delta2, so both are too large.")
MESSAGE_NO_HIDDEN_SIGMA_PRIME = (
    "dL/dw2 is right, but dL/dw1 misses the hidden layer's sigma'(z1) = h * (1 - h): on its way back "
    "the gradient also passes through the hidden sigmoid, delta1 = delta2 * w2 * sigma'(z1).")
MESSAGE_NO_SIGMA_PRIME_AT_ALL = (
    "Both sigma' factors are missing: each sigmoid the gradient passes through multiplies it by its slope, "
    "sigma'(z2) = yhat * (1 - yhat) at the output and sigma'(z1) = h * (1 - h) at the hidden unit.")
MESSAGE_NO_W2 = (
    "dL/dw1 must pass back through w2: z2 = w2 * h, so dz2/dh = w2 and "
    "delta1 = delta2 * w2 * sigma'(z1). dL/dw2 is right.")
MESSAGE_Z_FOR_H = (
    "dL/dw2 = delta2 * h multiplies by the hidden ACTIVATION h = sigma(z1), the input of layer 2, "
    "not by z1. dL/dw1 is right.")
MESSAGE_SIGMA_PRIME_OF_ACTIVATION = (
    "You applied sigma' to the activations (sigmoid_prime(h), sigmoid_prime(yhat)). sigma'(z) is taken "
    "at the pre-activation z and equals a * (1 - a) with a = sigma(z) the activation: use h * (1 - h) "
    "and yhat * (1 - yhat).")

EXERCISES = [
    Exercise(
        id="05.grads",
        signature="grads(x, y, w1, w2)",
        returns="tuple (dw1 (d,), dw2 number): dL/dw1 and dL/dw2",
        draw=_draw,
        reference=grads,
        points=2,
        mistakes=(
            Mistake(D.MISSING_ACTIVATION_DERIVATIVE, _no_output_sigma_prime, MESSAGE_NO_OUTPUT_SIGMA_PRIME),
            Mistake(D.MISSING_ACTIVATION_DERIVATIVE, _no_hidden_sigma_prime, MESSAGE_NO_HIDDEN_SIGMA_PRIME),
            Mistake(D.MISSING_ACTIVATION_DERIVATIVE, _no_sigma_prime_at_all, MESSAGE_NO_SIGMA_PRIME_AT_ALL),
            Mistake(D.WRONG_VALUE, _no_w2, MESSAGE_NO_W2),
            Mistake(D.WRONG_VALUE, _z1_for_h, MESSAGE_Z_FOR_H),
            Mistake(D.WRONG_VALUE, _sigma_prime_of_activation, MESSAGE_SIGMA_PRIME_OF_ACTIVATION),
        ),
        hints=(
            "Run the forward pass first and keep every intermediate: z1 = x @ w1, h = sigma(z1), "
            "z2 = w2 * h, yhat = sigma(z2). Then go backwards one step at a time, starting from "
            "dL/dyhat = yhat - y.",
            "delta2 = (yhat - y) * yhat * (1 - yhat) is dL/dz2. Then dL/dw2 = delta2 * h. Going one "
            "layer further back: delta1 = delta2 * w2 * h * (1 - h), and dL/dw1 = delta1 * x, shape (d,).",
        ),
        solution="""
            def grads(x, y, w1, w2):
                # forward pass, keeping every intermediate
                z1 = x @ w1                    # number
                h = sigmoid(z1)                # number
                z2 = w2 * h                    # number
                yhat = sigmoid(z2)             # number
                # backward pass
                delta2 = (yhat - y) * yhat * (1 - yhat)   # dL/dz2
                dw2 = delta2 * h                          # dL/dw2 (number)
                delta1 = delta2 * w2 * h * (1 - h)        # dL/dz1
                dw1 = delta1 * x                          # dL/dw1, shape (d,)
                return dw1, dw2
        """,
    ),
]
