"""Extra tests for notebooks 05-07 (two-layer networks): the references against finite
differences, and every registered mistake clearly apart from the reference, from the
negated reference and from every other mistake on every draw (so a diagnosis given is
never a coincidence)."""

import numpy as np
from checking_support import draw_args
import pytest

from course_utils.checking import compare, registry
from course_utils.functions import sigmoid
from course_utils.gradcheck import gradcheck

IDS = [i for i in ("05.grads", "06.grads", "07.grads") if i in registry.exercise_ids()]
ALL_IDS = IDS + [i for i in ("07.deltas",) if i in registry.exercise_ids()]


def loss(X, y, W1, w2):
    """The summed squared loss of the two-layer net, written independently of the modules."""
    X = np.asarray(X, dtype=float)
    W1 = np.asarray(W1, dtype=float)
    if W1.ndim == 1:  # notebook 05: one hidden unit, w2 a number
        W1, w2 = W1[:, None], np.array([w2])
    yhat = sigmoid(sigmoid(X @ W1) @ np.asarray(w2, dtype=float))
    return 0.5 * float(np.sum((yhat - y) ** 2))


@pytest.mark.parametrize("exercise_id", IDS)
def test_reference_matches_finite_differences(exercise_id):
    ex = registry.get(exercise_id)
    rng = np.random.default_rng(11)
    for _ in range(20):
        X, y, W1, w2 = draw_args(ex, rng)
        dW1, dw2 = ex.reference(X, y, W1, w2)
        res = gradcheck(lambda a, b: loss(X, y, a, b), [W1, np.asarray(w2, dtype=float)], [dW1, dw2], tol=1e-5)
        assert res.passed, res



@pytest.mark.parametrize("exercise_id", ALL_IDS)
def test_draws_follow_the_rules(exercise_id):
    ex = registry.get(exercise_id)
    rng = np.random.default_rng(13)
    for _ in range(200):
        X, y, W1, w2 = draw_args(ex, rng)
        assert np.all(np.abs(W1) > 0.1) and np.all(np.abs(np.asarray(w2)) > 0.25)
        assert np.all(np.abs(np.abs(np.asarray(w2)) - 1) > 0.25)
        W = np.asarray(W1)[:, None] if np.ndim(W1) == 1 else np.asarray(W1)
        yhat = sigmoid(sigmoid(np.asarray(X) @ W) @ np.atleast_1d(w2))
        assert np.all(np.abs(yhat - y) >= 0.1 - 1e-12)
        if np.ndim(X) == 2:  # 07: N, d, H all different, or the square case d == H with N apart
            assert len({X.shape[0], X.shape[1], W.shape[1]}) == 3 or (
                X.shape[1] == W.shape[1] and X.shape[0] != X.shape[1])


def test_deltas_07_are_the_derivatives_of_the_loss_in_z():
    # Delta1 = dL/dZ1 and delta2 = dL/dz2, checked by finite differences in Z1 and z2 themselves.
    ex = registry.get("07.deltas")
    rng = np.random.default_rng(14)
    for _ in range(10):
        X, y, W1, w2 = draw_args(ex, rng)
        Delta1, delta2 = ex.reference(X, y, W1, w2)
        Z1 = X @ W1
        assert gradcheck(lambda Z: 0.5 * float(np.sum((sigmoid(sigmoid(Z) @ w2) - y) ** 2)), Z1, Delta1, tol=1e-5).passed
        z2 = sigmoid(Z1) @ w2
        assert gradcheck(lambda z: 0.5 * float(np.sum((sigmoid(z) - y) ** 2)), z2, delta2, tol=1e-5).passed
