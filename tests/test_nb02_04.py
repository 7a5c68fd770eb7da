"""Specific tests of notebooks 02-04 (one sigmoid layer): the references against finite
differences, the draws' promises, and wrong answers written the way a learner would."""

import math

import numpy as np
import pytest
from checking_support import draw_args

import course_utils
from course_utils.checking import diagnosis as D
from course_utils.checking import engine, registry
from course_utils.functions import sigmoid as sigma
from course_utils.gradcheck import gradcheck


def _draws(exercise_id, n=20, seed=0):
    ex = registry.get(exercise_id)
    rng = np.random.default_rng(seed)
    return ex, [draw_args(ex, rng) for _ in range(n)]


# --- 02: scalars ------------------------------------------------------------------------

def test_02_draws_are_python_floats_away_from_degenerate_values():
    for exercise_id in ("02.loss", "02.grad_w"):
        _, draws = _draws(exercise_id)
        for x, y, w in draws:
            assert all(type(v) is float for v in (x, y, w))
            assert abs(x) >= 0.3 and abs(w) >= 0.2 and 0 < y < 1
            yhat = 1 / (1 + math.exp(-w * x))
            assert abs(yhat - y) > 1e-3


def test_02_grad_matches_finite_differences():
    ex, draws = _draws("02.grad_w")
    loss = registry.get("02.loss").reference
    for x, y, w in draws:
        r = gradcheck(lambda w_, x=x, y=y: loss(x, y, float(w_)), w, ex.reference(x, y, w))
        assert r.passed, r


def test_02_loss_independent_value():
    # Chosen by hand: w * x = log(3) gives sigma = 3 / (3 + 1) = 3/4, so L = 1/2 (3/4 - 1/4)^2.
    x, w, y = 2.0, math.log(3) / 2, 0.25
    assert registry.get("02.loss").reference(x, y, w) == pytest.approx(0.5 * 0.5 ** 2)
    # dL/dw = (3/4 - 1/4) * (3/4)(1/4) * 2 = 3/16
    assert registry.get("02.grad_w").reference(x, y, w) == pytest.approx(3 / 16)


def test_02_learner_style_mistakes_are_named():
    def no_sigma_prime(x, y, w):
        yhat = 1 / (1 + math.exp(-w * x))
        return (yhat - y) * x

    def target_minus_prediction(x, y, w):
        yhat = 1 / (1 + math.exp(-w * x))
        return (y - yhat) * yhat * (1 - yhat) * x

    def returns_array(x, y, w):  # a (1,) array is the wrong shape for a number
        yhat = 1 / (1 + np.exp(-np.array([w * x])))
        return (yhat - y) * yhat * (1 - yhat) * x

    assert course_utils.run_check("02.grad_w", no_sigma_prime).diagnosis == D.MISSING_ACTIVATION_DERIVATIVE
    assert course_utils.run_check("02.grad_w", target_minus_prediction).diagnosis == D.SIGN
    assert course_utils.run_check("02.grad_w", returns_array).diagnosis == D.SHAPE


def test_02_numpy_scalar_answers_pass():
    def grad_np(x, y, w):
        yhat = 1 / (1 + np.exp(-np.float64(w) * x))
        return (yhat - y) * yhat * (1 - yhat) * x  # np.float64

    assert course_utils.run_check("02.grad_w", grad_np, seed=1).passed


# --- 03: one vector example -------------------------------------------------------------

def test_03_draws_shapes_and_no_zero_inputs():
    sizes = set()
    for exercise_id in ("03.grad_w", "03.gd_step"):
        _, draws = _draws(exercise_id)
        for args in draws:
            x, y, w = args[:3]
            assert x.shape == w.shape and x.ndim == 1 and x.dtype == np.float64
            assert np.all(np.abs(x) >= 0.2) and type(y) is float
            sizes.add(x.shape[0])
    assert len(sizes) >= 3  # several d


def test_03_grad_matches_finite_differences():
    ex, draws = _draws("03.grad_w")
    for x, y, w in draws:
        r = gradcheck(lambda w_, x=x, y=y: 0.5 * float(sigma(x @ w_) - y) ** 2, w, ex.reference(x, y, w))
        assert r.passed, r


def test_03_learner_style_mistakes_are_named():

    def as_row(x, y, w):  # x treated as a row: (1, d)
        yhat = sigma(x @ w)
        return ((yhat - y) * yhat * (1 - yhat) * x)[None, :]

    def as_column(x, y, w):  # (d, 1)
        yhat = sigma(x @ w)
        return ((yhat - y) * yhat * (1 - yhat) * x)[:, None]

    def summed(x, y, w):  # a number instead of a vector
        yhat = sigma(x @ w)
        return float((yhat - y) * yhat * (1 - yhat) * x.sum())

    def in_place_step(x, y, w, lr):
        yhat = sigma(x @ w)
        w -= lr * (yhat - y) * yhat * (1 - yhat) * x
        return w

    def componentwise(x, y, w):
        out = np.empty_like(x)
        for j in range(len(x)):
            s = 1 / (1 + np.exp(-x[j] * w[j]))
            out[j] = (s - y) * s * (1 - s) * x[j]
        return out

    for fn in (as_row, as_column, summed):
        assert course_utils.run_check("03.grad_w", fn).diagnosis == D.SHAPE
    assert course_utils.run_check("03.gd_step", in_place_step).diagnosis == D.MUTATES_INPUT
    r = course_utils.run_check("03.grad_w", componentwise)
    assert r.diagnosis == D.WRONG_VALUE and "notebook 02's scalar formula" in r.message



# --- 04: a batch ------------------------------------------------------------------------

def test_04_draws_batch_shapes():
    for exercise_id in ("04.loss", "04.grad_w", "04.grad_w_loop"):
        _, draws = _draws(exercise_id)
        for X, y, w in draws:
            N, d = X.shape
            assert N > 1 and N != d
            assert y.shape == (N,) and w.shape == (d,)
            assert np.all(np.abs(X) >= 0.2)


def test_04_grad_matches_finite_differences_and_loop():
    ex, draws = _draws("04.grad_w")
    loss = registry.get("04.loss").reference
    loop = registry.get("04.grad_w_loop").reference
    for X, y, w in draws:
        g = ex.reference(X, y, w)
        assert gradcheck(lambda w_, X=X, y=y: loss(X, y, w_), w, g).passed
        assert np.allclose(loop(X, y, w), g, rtol=1e-12, atol=0)


def test_04_loss_is_sum_of_notebook_02_losses_for_d_1():
    # With d = 1 each example is notebook 02's scalar model; the batch loss is their sum.
    loss02 = registry.get("02.loss").reference
    grad02 = registry.get("02.grad_w").reference
    X = np.array([[0.5], [-1.2], [2.0]])
    y = np.array([0.3, 0.6, 0.9])
    w = np.array([0.7])
    assert registry.get("04.loss").reference(X, y, w) == pytest.approx(
        sum(loss02(float(X[i, 0]), float(y[i]), 0.7) for i in range(3)))
    assert registry.get("04.grad_w").reference(X, y, w)[0] == pytest.approx(
        sum(grad02(float(X[i, 0]), float(y[i]), 0.7) for i in range(3)))


def test_04_learner_style_mistakes_are_named():
    def mean_gradient(X, y, w):
        s = sigma(X @ w)
        return np.mean(((s - y) * s * (1 - s))[:, None] * X, axis=0)

    def return_inside_loop(X, y, w):
        g = np.zeros(X.shape[1])
        for i in range(X.shape[0]):
            s = sigma(X[i] @ w)
            g += (s - y[i]) * s * (1 - s) * X[i]
            return g

    def overwrite(X, y, w):
        for i in range(X.shape[0]):
            s = sigma(X[i] @ w)
            g = (s - y[i]) * s * (1 - s) * X[i]
        return g

    def per_example_rows(X, y, w):
        s = sigma(X @ w)
        return X * ((s - y) * s * (1 - s))[:, None]

    def wrong_product(X, y, w):  # X @ delta: fails because N != d
        s = sigma(X @ w)
        return X @ ((s - y) * s * (1 - s))

    def mean_loss(X, y, w):
        return float(np.mean(0.5 * (sigma(X @ w) - y) ** 2))

    assert course_utils.run_check("04.grad_w", mean_gradient).diagnosis == D.BATCH_SCALE
    r = course_utils.run_check("04.grad_w_loop", return_inside_loop)
    assert r.diagnosis == D.WRONG_VALUE and "FIRST example" in r.message
    r = course_utils.run_check("04.grad_w_loop", overwrite)
    assert r.diagnosis == D.WRONG_VALUE and "LAST example" in r.message
    r = course_utils.run_check("04.grad_w", per_example_rows)
    assert r.diagnosis == D.WEIGHT_NOT_SUMMED and "one row per example" in r.message
    assert "bias" not in r.message  # worded for a weight gradient
    assert course_utils.run_check("04.grad_w", wrong_product).diagnosis == D.EXCEPTION
    assert course_utils.run_check("04.loss", mean_loss).diagnosis == D.BATCH_SCALE


# --- the learner-derived quantities (issue 12): references against finite differences -----

def _central(f, value, eps=1e-6):
    """Central difference of scalar f at a number, or entry by entry at an array."""
    if np.ndim(value) == 0:
        return (f(value + eps) - f(value - eps)) / (2 * eps)
    return np.array([(f(value + e) - f(value - e)) / (2 * eps)
                     for e in (eps * np.eye(value.size)).reshape(value.size, *value.shape)]).reshape(value.shape)


def _loss(X, y, w, b=0.0):
    """1/2 sum (sigma(z) - y)^2 with z = X @ w + b (x * w + b for numbers), written here
    independently of the course's models."""
    z = X * w + b if np.ndim(X) == 0 else np.asarray(X) @ w + b
    return 0.5 * float(np.sum((1 / (1 + np.exp(-z)) - y) ** 2))


def test_02_grad_x_and_grad_y_match_finite_differences():
    for exercise_id, which in (("02.grad_x", 0), ("02.grad_y", 1)):
        ex, draws = _draws(exercise_id)
        for args in draws:
            def f(v, args=args, which=which):
                changed = list(args)
                changed[which] = v
                return _loss(changed[0], changed[1], changed[2])
            assert ex.reference(*args) == pytest.approx(_central(f, args[which]), rel=1e-6)


def test_02_delta_saturated_is_dL_dz_at_the_stated_unit():
    z = math.log(0.999 / 0.001)  # sigma(z) = 0.999
    numeric = _central(lambda v: 0.5 * (1 / (1 + math.exp(-v)) - 0.1) ** 2, z)
    assert registry.get("02.delta_saturated").reference() == pytest.approx(numeric, rel=1e-6)


def test_03_dz_dw_shape_is_the_numerical_jacobians_shape():
    # With column vectors, z = w^T x maps w (3, 1) to z (1, 1): the Jacobian has one row per
    # entry of z and one column per entry of w, found here by differentiating numerically.
    x = np.array([[0.5], [-1.0], [2.0]])
    w = np.array([[0.3], [0.2], [-0.1]])
    z = lambda w_: w_.T @ x  # noqa: E731
    cols = [((z(w + 1e-6 * e[:, None]) - z(w - 1e-6 * e[:, None])) / 2e-6).ravel() for e in np.eye(3)]
    jac = np.stack(cols, axis=1)
    assert jac.shape == registry.get("03.dz_dw_shape").reference()
    assert np.allclose(jac, x.T)


def test_03_grad_wb_matches_finite_differences():
    ex, draws = _draws("03.grad_wb")
    for x, y, w, b in draws:
        dw, db = ex.reference(x, y, w, b)
        assert gradcheck(lambda w_, x=x, y=y, b=b: _loss(x, y, w_, b), w, dw).passed
        assert db == pytest.approx(_central(lambda b_, x=x, y=y, w=w: _loss(x, y, w, b_), b), rel=1e-6)


def test_03_grad_metric_represents_the_derivative_in_that_inner_product():
    # Defining property: <g, v>_M = g @ M @ v equals the directional derivative of L along v,
    # measured by finite differences, for random directions v; and M = I gives grad_w.
    ex, draws = _draws("03.grad_metric")
    rng = np.random.default_rng(5)
    for x, y, w, M in draws:
        g = ex.reference(x, y, w, M)
        assert np.allclose(M, M.T) and np.all(np.linalg.eigvalsh(M) > 0)
        for _ in range(3):
            v = rng.normal(size=w.shape)
            directional = _central(lambda t, x=x, y=y, w=w, v=v: _loss(x, y, w + t * v), 0.0)
            assert g @ M @ v == pytest.approx(directional, rel=1e-6, abs=1e-12)
        assert np.allclose(ex.reference(x, y, w, np.eye(len(w))), registry.get("03.grad_w").reference(x, y, w))


def test_04_square_product_answer_is_the_one_wrong_product():
    rng = np.random.default_rng(2)
    X, delta = rng.normal(size=(4, 4)), rng.normal(size=4)
    right = X.T @ delta
    results = {"a": X.T @ delta, "b": delta @ X, "c": X @ delta}
    assert all(r.shape == (4,) for r in results.values())  # all three pass a shape check
    wrong = [k for k, r in results.items() if not np.allclose(r, right)]
    assert wrong == [registry.get("04.square_product").reference()]


def test_04_grad_wb_and_grad_X_match_finite_differences():
    ex, draws = _draws("04.grad_wb")
    for X, y, w, b in draws:
        dw, db = ex.reference(X, y, w, b)
        assert gradcheck(lambda w_, X=X, y=y, b=b: _loss(X, y, w_, b), w, dw).passed
        assert db == pytest.approx(_central(lambda b_, X=X, y=y, w=w: _loss(X, y, w, b_), b), rel=1e-6)
    ex = registry.get("04.grad_X")
    the_plan = engine.plan(ex, np.random.default_rng(0), extra=10)
    for draw in the_plan:
        X, y, w = draw.args
        assert gradcheck(lambda X_, y=y, w=w: _loss(X_, y, w), X, ex.reference(X, y, w)).passed
    assert any(d.args[0].shape[0] == d.args[0].shape[1] for d in the_plan)  # the square case is in every plan
