"""Independent tests of notebooks 05-07's references (two-layer networks): every gradient
against central differences of a loss written here from scratch, the deltas as derivatives
in z, the draws' promises, and each derivation checkpoint's answer recomputed from its
question (so a wrong reference fails here, not only in the checkers)."""

import math

import numpy as np
import pytest
from checking_support import draw_args

import course_utils
from course_utils.checking import registry
from course_utils.gradcheck import gradcheck, numerical_gradient


def _sig(u):
    return 1 / (1 + np.exp(-np.asarray(u, dtype=float)))


def _activation(kind):
    """The hidden activation of each exercise, written independently of the modules."""
    if kind == "tanh":
        return np.tanh
    if kind == "sigmoid_linear":  # unit 0 a sigmoid, unit 1 linear (06.mixed_grads)
        return lambda Z: np.stack([_sig(Z[..., 0]), Z[..., 1]], axis=-1)
    return _sig


def loss(X, y, W1, w2, kind="sigmoid"):
    """The summed squared loss of the two-layer net."""
    X = np.asarray(X, dtype=float)
    W1 = np.asarray(W1, dtype=float)
    if W1.ndim == 1:  # notebook 05: one hidden unit, w2 a number
        W1, w2 = W1[:, None], np.array([w2])
    yhat = _sig(_activation(kind)(X @ W1) @ np.asarray(w2, dtype=float))
    return 0.5 * float(np.sum((yhat - y) ** 2))


WEIGHT_GRADS = {"05.grads": "sigmoid", "06.grads": "sigmoid", "07.grads": "sigmoid",
                "06.mixed_grads": "sigmoid_linear", "07.tanh_grads": "tanh"}


@pytest.mark.parametrize("exercise_id", sorted(WEIGHT_GRADS))
def test_weight_gradients_match_finite_differences(exercise_id):
    ex = registry.get(exercise_id)
    kind = WEIGHT_GRADS[exercise_id]
    rng = np.random.default_rng(11)
    for _ in range(20):
        X, y, W1, w2 = draw_args(ex, rng)
        dW1, dw2 = ex.reference(X, y, W1, w2)

        def of_weights(a, b, X=X, y=y):
            return loss(X, y, a, b, kind)

        res = gradcheck(of_weights, [W1, np.asarray(w2, dtype=float)], [dW1, dw2], tol=1e-5)
        assert res.passed, res


def test_input_gradient_matches_finite_differences():
    ex = registry.get("05.input_grad")
    rng = np.random.default_rng(12)
    for _ in range(20):
        x, y, w1, w2 = draw_args(ex, rng)
        dx = ex.reference(x, y, w1, w2)
        assert dx.shape == x.shape
        assert gradcheck(lambda v, y=y, w1=w1, w2=w2: loss(v, y, w1, w2), x, dx, tol=1e-5).passed


def test_input_gradient_is_the_weight_gradient_with_the_roles_swapped():
    # z1 = x @ w1 is symmetric in x and w1: dL/dx * x == dL/dw1 * w1 entry by entry.
    rng = np.random.default_rng(15)
    grads, input_grad = registry.get("05.grads").reference, registry.get("05.input_grad").reference
    for _ in range(10):
        x, y, w1, w2 = draw_args(registry.get("05.input_grad"), rng)
        np.testing.assert_allclose(input_grad(x, y, w1, w2) * x, grads(x, y, w1, w2)[0] * w1, rtol=1e-12)


@pytest.mark.parametrize("exercise_id,kind", [("07.deltas", "sigmoid")])
def test_deltas_are_the_derivatives_of_the_loss_in_z(exercise_id, kind):
    # Delta1 = dL/dZ1 and delta2 = dL/dz2, checked by finite differences in Z1 and z2 themselves.
    ex = registry.get(exercise_id)
    rng = np.random.default_rng(14)
    for _ in range(10):
        X, y, W1, w2 = draw_args(ex, rng)
        Delta1, delta2 = ex.reference(X, y, W1, w2)
        Z1 = X @ W1

        def of_Z1(Z, y=y, w2=w2):
            return 0.5 * float(np.sum((_sig(_sig(Z) @ w2) - y) ** 2))

        def of_z2(z, y=y):
            return 0.5 * float(np.sum((_sig(z) - y) ** 2))

        assert gradcheck(of_Z1, Z1, Delta1, tol=1e-5).passed
        assert gradcheck(of_z2, _sig(Z1) @ w2, delta2, tol=1e-5).passed


@pytest.mark.parametrize("exercise_id", sorted(WEIGHT_GRADS) + ["07.deltas", "05.input_grad"])
def test_draws_follow_the_rules(exercise_id):
    ex = registry.get(exercise_id)
    kind = WEIGHT_GRADS.get(exercise_id, "sigmoid")
    rng = np.random.default_rng(13)
    for _ in range(20):  # each is a whole plan of draws; the 1,000-seed tests (slow) draw many more
        X, y, W1, w2 = draw_args(ex, rng)
        assert np.all(np.abs(W1) > 0.1) and np.all(np.abs(np.asarray(w2)) > 0.25)
        assert np.all(np.abs(np.abs(np.asarray(w2)) - 1) > 0.25)
        W = np.asarray(W1)[:, None] if np.ndim(W1) == 1 else np.asarray(W1)
        yhat = _sig(_activation(kind)(np.asarray(X) @ W) @ np.atleast_1d(w2))
        assert np.all(np.abs(yhat - y) >= 0.1 - 1e-12)
        if np.ndim(X) == 2:  # 07: N, d, H all different, or the square case d == H with N apart
            assert len({X.shape[0], X.shape[1], W.shape[1]}) == 3 or (
                X.shape[1] == W.shape[1] and X.shape[0] != X.shape[1])


# ---------------------------------------------------------------- the checkpoints, recomputed


def test_saturated_factor_is_the_hidden_slope():
    # The five factors of dL/dw1_j at an example whose hidden unit is saturated (z1 = 6):
    # only (d) is below 0.01, whatever the target and the outgoing weight.
    x = np.array([2.0, -1.0, 0.5])
    w1 = np.array([2.5, -0.5, 1.0])   # z1 = 5 + 0.5 + 0.5 = 6
    for w2, y in [(1.5, 0.2), (-2.0, 0.9), (0.7, 0.05)]:
        h = 1 / (1 + math.exp(-float(x @ w1)))
        yhat = 1 / (1 + math.exp(-w2 * h))
        factors = {"a": yhat - y, "b": yhat * (1 - yhat), "c": w2, "d": h * (1 - h), "e": x[2]}
        small = [k for k, v in factors.items() if abs(v) < 0.01]
        assert small == [registry.get("05.saturated_factor").reference()]


def test_zero_init_moves_only_w2():
    # Finite differences of the loss at W1 = 0, w2 = 0 on random examples: dW1 vanishes, dw2 does not.
    rng = np.random.default_rng(16)
    W1, w2 = np.zeros((4, 2)), np.zeros(2)
    for _ in range(10):
        x, y = rng.standard_normal(4), rng.uniform(0.05, 0.45)
        dW1 = numerical_gradient(lambda A, x=x, y=y: loss(x, y, A, w2), W1)
        dw2 = numerical_gradient(lambda b, x=x, y=y: loss(x, y, W1, b), w2)
        assert np.max(np.abs(dW1)) < 1e-10 and np.min(np.abs(dw2)) > 1e-3
        assert dw2[0] == pytest.approx(dw2[1], rel=1e-9)   # and both entries move alike
    assert registry.get("06.zero_init").reference() == "b"   # (b): only w2


def test_tanh_slope_is_the_derivative_at_tanh_0_6():
    z = math.atanh(0.6)
    numeric = (math.tanh(z + 1e-6) - math.tanh(z - 1e-6)) / 2e-6
    assert registry.get("07.tanh_slope").reference() == pytest.approx(numeric, rel=1e-8)
    assert course_utils.run_check("07.tanh_slope", numeric).passed


def test_symmetric_columns_stay_equal_under_the_courses_gradient():
    # Notebook 06's claim, with the reference gradient: equal columns of W1 and equal entries of w2
    # give equal gradient columns, so gradient descent keeps them equal (here 300 steps, exactly).
    grads = registry.get("06.grads").reference
    rng = np.random.default_rng(17)
    X, Y = rng.standard_normal((4, 3)), np.array([0.9, 0.1, 0.8, 0.2])
    v = rng.standard_normal(3)
    W1, w2 = np.column_stack([v, v]), np.array([0.3, 0.3])
    for _ in range(300):
        parts = [grads(x, t, W1, w2) for x, t in zip(X, Y, strict=True)]
        W1 = W1 - 0.5 * sum(p[0] for p in parts)
        w2 = w2 - 0.5 * sum(p[1] for p in parts)
    assert np.array_equal(W1[:, 0], W1[:, 1]) and w2[0] == w2[1]
