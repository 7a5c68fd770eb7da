"""Notebook 07: two layers, H hidden units, a batch of N examples (seed 000, part 6).

Model (no biases): Z1 = X @ W1 (N, H), Hid = sigma(Z1) (N, H), z2 = Hid @ w2 (N,),
yhat = sigma(z2) (N,), L = 1/2 * sum_n (yhat_n - y_n)**2; X (N, d), W1 (d, H), w2 (H,), y (N,).

Exercises: ``07.deltas`` (the deltas of both layers) and ``07.grads`` (the weight gradients).
Backward: delta2 = (yhat - y) * sigma'(z2) (N,); dL/dw2 = Hid.T @ delta2 (H,);
Delta1 = outer(delta2, w2) * sigma'(Z1) (N, H); dL/dW1 = X.T @ Delta1 (d, H).
"""

import numpy as np

from ..checking import diagnosis as D
from ..checking.draws import distinct_sizes, features, nonzero
from ..checking.exercise import Exercise, Mistake
from ..portable.functions import sigmoid as _sigmoid
from .nb05_two_layer_one_hidden import away_from_one, target_away_from


def _draw(rng):
    N, d, H = distinct_sizes(rng, 3, 2, 7)   # all different: a transpose shows; N > 1
    X = features(rng, (N, d))
    W1 = nonzero(rng, (d, H), scale=0.8, floor=0.15)
    w2 = away_from_one(rng, (H,))
    yhat = _sigmoid(_sigmoid(X @ W1) @ w2)
    y = target_away_from(rng, yhat)
    return X, y, W1, w2


def _parts(X, y, W1, w2):
    X = np.asarray(X, dtype=np.float64)
    Z1 = X @ np.asarray(W1, dtype=np.float64)
    Hid = _sigmoid(Z1)
    z2 = Hid @ np.asarray(w2, dtype=np.float64)
    yhat = _sigmoid(z2)
    return X, Z1, Hid, z2, yhat, Hid * (1 - Hid), yhat * (1 - yhat)


def grads(X, y, W1, w2):
    """dL/dW1, dL/dw2 of the loss summed over the batch, Hid = sigmoid(X @ W1), yhat = sigmoid(Hid @ w2);
    X (N, d), y (N,), W1 (d, H), w2 (H,) -> (dW1 (d, H), dw2 (H,)).
    """
    Hid = _sigmoid(X @ W1)                    # (N, H) hidden activations, one row per example
    yhat = _sigmoid(Hid @ w2)                 # (N,)
    delta2 = (yhat - y) * yhat * (1 - yhat)   # (N,): dL/dz2, one per example
    dw2 = Hid.T @ delta2                      # (H,): sum over examples of delta2_n * h_n
    Delta1 = np.outer(delta2, w2) * Hid * (1 - Hid)   # (N, H): dL/dZ1
    dW1 = X.T @ Delta1                        # (d, H): sum over examples of outer(x_n, delta1_n)
    return dW1, dw2


def _dw2_per_example(X, y, W1, w2):
    dW1, _ = grads(X, y, W1, w2)
    Hid = _sigmoid(X @ W1)
    yhat = _sigmoid(Hid @ w2)
    return dW1, Hid * ((yhat - y) * yhat * (1 - yhat))[:, None]   # (N, H): not summed


def deltas(X, y, W1, w2):
    """The deltas of both layers, Delta1 = dL/dZ1 and delta2 = dL/dz2, one row or entry per example;
    X (N, d), y (N,), W1 (d, H), w2 (H,) -> (Delta1 (N, H), delta2 (N,)).
    """
    Hid = _sigmoid(X @ W1)                    # (N, H)
    yhat = _sigmoid(Hid @ w2)                 # (N,)
    delta2 = (yhat - y) * yhat * (1 - yhat)   # (N,): dL/dz2
    Delta1 = np.outer(delta2, w2) * Hid * (1 - Hid)   # (N, H): dL/dZ1
    return Delta1, delta2


def _deltas_from(variant):
    """The deltas a learner with this slip would compute, read off the variant's parts."""
    def wrong(X, y, W1, w2):
        X, Z1, Hid, z2, yhat, sp1, sp2 = _parts(X, y, W1, w2)
        return variant(Hid, yhat, np.asarray(y, dtype=np.float64), np.asarray(w2, dtype=np.float64), sp1, sp2)
    return wrong


_d_no_output = _deltas_from(lambda Hid, yhat, y, w2, sp1, sp2: (np.outer(yhat - y, w2) * sp1, yhat - y))
_d_no_hidden = _deltas_from(lambda Hid, yhat, y, w2, sp1, sp2: (np.outer((yhat - y) * sp2, w2), (yhat - y) * sp2))
_d_none = _deltas_from(lambda Hid, yhat, y, w2, sp1, sp2: (np.outer(yhat - y, w2), yhat - y))
_d_no_w2 = _deltas_from(lambda Hid, yhat, y, w2, sp1, sp2: (((yhat - y) * sp2)[:, None] * sp1, (yhat - y) * sp2))


def _d_activation(X, y, W1, w2):
    X, Z1, Hid, z2, yhat, sp1, sp2 = _parts(X, y, W1, w2)
    s_h, s_y = _sigmoid(Hid), _sigmoid(yhat)
    delta2 = (yhat - y) * s_y * (1 - s_y)
    return np.outer(delta2, w2) * s_h * (1 - s_h), delta2


def _no_output_sigma_prime(X, y, W1, w2):
    X, Z1, Hid, z2, yhat, sp1, sp2 = _parts(X, y, W1, w2)
    delta2 = yhat - y
    return X.T @ (np.outer(delta2, w2) * sp1), Hid.T @ delta2


def _no_hidden_sigma_prime(X, y, W1, w2):
    X, Z1, Hid, z2, yhat, sp1, sp2 = _parts(X, y, W1, w2)
    delta2 = (yhat - y) * sp2
    return X.T @ np.outer(delta2, w2), Hid.T @ delta2


def _no_sigma_prime_at_all(X, y, W1, w2):
    X, Z1, Hid, z2, yhat, sp1, sp2 = _parts(X, y, W1, w2)
    delta2 = yhat - y
    return X.T @ np.outer(delta2, w2), Hid.T @ delta2


def _no_w2(X, y, W1, w2):
    X, Z1, Hid, z2, yhat, sp1, sp2 = _parts(X, y, W1, w2)
    delta2 = (yhat - y) * sp2
    return X.T @ (delta2[:, None] * sp1), Hid.T @ delta2


def _z1_for_h(X, y, W1, w2):
    X, Z1, Hid, z2, yhat, sp1, sp2 = _parts(X, y, W1, w2)
    delta2 = (yhat - y) * sp2
    return X.T @ (np.outer(delta2, w2) * sp1), Z1.T @ delta2


def _sigma_prime_of_activation(X, y, W1, w2):
    X, Z1, Hid, z2, yhat, sp1, sp2 = _parts(X, y, W1, w2)
    s_h, s_y = _sigmoid(Hid), _sigmoid(yhat)
    delta2 = (yhat - y) * s_y * (1 - s_y)
    return X.T @ (np.outer(delta2, w2) * s_h * (1 - s_h)), Hid.T @ delta2


def _mean(X, y, W1, w2):
    dW1, dw2 = grads(np.asarray(X, dtype=np.float64), y, W1, w2)
    n = np.shape(X)[0]
    return dW1 / n, dw2 / n


def _sum_before_product(X, y, W1, w2):
    X, Z1, Hid, z2, yhat, sp1, sp2 = _parts(X, y, W1, w2)
    delta2 = (yhat - y) * sp2
    Delta1 = np.outer(delta2, w2) * sp1
    return np.outer(X.sum(axis=0), Delta1.sum(axis=0)), Hid.sum(axis=0) * delta2.sum()


EXERCISES = [
    Exercise(
        id="07.deltas",
        signature="deltas(X, y, W1, w2)",
        returns="tuple (Delta1 (N, H), delta2 (N,)): dL/dZ1 and dL/dz2, one row / entry per example",
        draw=_draw,
        reference=deltas,
        points=2,
        mistakes=(
            Mistake(D.MISSING_ACTIVATION_DERIVATIVE, _d_no_output,
                    "The output layer's sigma'(z2) = yhat * (1 - yhat) is missing: delta2 = (yhat - y) * yhat * (1 - yhat). "
                    "Delta1 inherits the slip, since it is built from delta2."),
            Mistake(D.MISSING_ACTIVATION_DERIVATIVE, _d_no_hidden,
                    "delta2 is right, but Delta1 misses the hidden layer's sigma'(Z1) = Hid * (1 - Hid): "
                    "Delta1 = np.outer(delta2, w2) * Hid * (1 - Hid)."),
            Mistake(D.MISSING_ACTIVATION_DERIVATIVE, _d_none,
                    "Both sigma' factors are missing: delta2 needs yhat * (1 - yhat) and Delta1 also Hid * (1 - Hid)."),
            Mistake(D.WRONG_VALUE, _d_no_w2,
                    "Delta1 must pass back through w2: entry (n, j) is delta2[n] * w2[j] * Hid[n, j] * (1 - Hid[n, j]), "
                    "i.e. np.outer(delta2, w2) * Hid * (1 - Hid). delta2 is right."),
            Mistake(D.WRONG_VALUE, _d_activation,
                    "You applied sigma' to the activations (sigmoid_prime(Hid), sigmoid_prime(yhat)). sigma'(z) is taken at "
                    "the pre-activation and equals a * (1 - a) with a = sigma(z): use Hid * (1 - Hid) and yhat * (1 - yhat)."),
        ),
        hints=(
            "Forward pass first: Hid = sigmoid(X @ W1) (N, H), yhat = sigmoid(Hid @ w2) (N,). delta2 holds notebook 06's "
            "delta2 for every example; row n of Delta1 is notebook 06's delta1 for example n.",
            "delta2 = (yhat - y) * yhat * (1 - yhat); Delta1 = np.outer(delta2, w2) * Hid * (1 - Hid), "
            "where np.outer(delta2, w2)[n, j] = delta2[n] * w2[j].",
        ),
        solution="""
            def deltas(X, y, W1, w2):
                Hid = sigmoid(X @ W1)                     # (N, H)
                yhat = sigmoid(Hid @ w2)                  # (N,)
                delta2 = (yhat - y) * yhat * (1 - yhat)   # (N,)   dL/dz2
                Delta1 = np.outer(delta2, w2) * Hid * (1 - Hid)   # (N, H)  dL/dZ1
                return Delta1, delta2
        """,
    ),
    Exercise(
        id="07.grads",
        signature="grads(X, y, W1, w2)",
        returns="tuple (dW1 (d, H), dw2 (H,)): gradients of the loss summed over the batch",
        draw=_draw,
        reference=grads,
        points=3,
        mistakes=(
            Mistake(D.MISSING_ACTIVATION_DERIVATIVE, _no_output_sigma_prime,
                    "The output layer's sigma'(z2) = yhat * (1 - yhat) is missing: delta2 = (yhat - y) * yhat * (1 - yhat), "
                    "shape (N,), one per example. Both gradients start from delta2, so both are wrong."),
            Mistake(D.MISSING_ACTIVATION_DERIVATIVE, _no_hidden_sigma_prime,
                    "dL/dw2 is right, but dL/dW1 misses the hidden layer's sigma'(Z1) = Hid * (1 - Hid): "
                    "Delta1 = np.outer(delta2, w2) * Hid * (1 - Hid), shape (N, H)."),
            Mistake(D.MISSING_ACTIVATION_DERIVATIVE, _no_sigma_prime_at_all,
                    "Both sigma' factors are missing: each sigmoid the gradient passes through multiplies it by its "
                    "slope, yhat * (1 - yhat) at the output and Hid * (1 - Hid) (element-wise) at the hidden layer."),
            Mistake(D.WRONG_VALUE, _no_w2,
                    "dL/dW1 must pass back through w2: hidden unit j reaches the output through w2[j], so "
                    "Delta1 = np.outer(delta2, w2) * Hid * (1 - Hid). dL/dw2 is right."),
            Mistake(D.WRONG_VALUE, _z1_for_h,
                    "dL/dw2 = Hid.T @ delta2 uses the hidden ACTIVATIONS Hid = sigma(X @ W1), the input of layer 2, "
                    "not the pre-activations Z1. dL/dW1 is right."),
            Mistake(D.WRONG_VALUE, _sigma_prime_of_activation,
                    "You applied sigma' to the activations (sigmoid_prime(Hid), sigmoid_prime(yhat)). sigma'(z) is taken at "
                    "the pre-activation and equals a * (1 - a) with a = sigma(z): use Hid * (1 - Hid) and yhat * (1 - yhat)."),
            Mistake(D.BIAS_NOT_SUMMED, _dw2_per_example,
                    "Your dL/dw2 still has one row per example (delta2_n * h_n, shape (N, H)): the gradient of the "
                    "summed loss is their sum over the batch, shape (H,) like w2: Hid.T @ delta2."),
            Mistake(D.BATCH_SCALE, _mean,
                    "Your gradients are the right ones divided by the batch size N: that is the gradient of the MEAN loss. "
                    "Here L = 1/2 * sum over examples of (yhat - y)^2 is a sum, so do not divide by N."),
            Mistake(D.WRONG_VALUE, _sum_before_product,
                    "You summed over the batch before multiplying: the gradient is the sum of the per-example products, "
                    "X.T @ Delta1 = sum_n outer(x_n, delta1_n) and Hid.T @ delta2, not (sum of x) times (sum of delta)."),
        ),
        hints=(
            "Do notebook 06's computation for all examples at once: each example is one ROW. Hid = sigmoid(X @ W1) "
            "is (N, H), yhat is (N,), delta2 is (N,), Delta1 is (N, H). The loss is a sum over examples, so the "
            "gradient is the sum of the per-example gradients; a matrix product over the batch axis does that sum.",
            "delta2 = (yhat - y) * yhat * (1 - yhat); dw2 = Hid.T @ delta2; "
            "Delta1 = np.outer(delta2, w2) * Hid * (1 - Hid); dW1 = X.T @ Delta1 (shape (d, H), like W1).",
        ),
        solution="""
            def grads(X, y, W1, w2):
                Hid = sigmoid(X @ W1)                     # (N, H)
                yhat = sigmoid(Hid @ w2)                  # (N,)
                delta2 = (yhat - y) * yhat * (1 - yhat)   # (N,)   dL/dz2 for every example
                dw2 = Hid.T @ delta2                      # (H,)   sum_n delta2[n] * Hid[n]
                Delta1 = np.outer(delta2, w2) * Hid * (1 - Hid)   # (N, H)  dL/dZ1
                dW1 = X.T @ Delta1                        # (d, H) sum_n outer(X[n], Delta1[n])
                return dW1, dw2
        """,
    ),
]
