"""Specific tests of notebook 09 (the Jacobian view): layer and softmax Jacobians, the
cross-entropy through the softmax, the input gradient, forward mode, and the checkpoints.

Every reference is compared with finite differences (or with scipy's log-softmax for the
loss), so the tests do not rest on the derivations the notebook teaches.
"""

import numpy as np
import pytest
from checking_support import draw_args
from scipy.special import log_softmax

import course_utils
from course_utils.checking import diagnosis as D
from course_utils.checking import engine, registry
from course_utils.checking.draws import distinct_sizes, features, layer_params
from course_utils.exercises import nb09_jacobian_view as nb09
from course_utils.functions import sigmoid, softmax, squared_loss
from course_utils.gradcheck import gradcheck, numerical_gradient


def _cost(x, y, params):
    a = x
    for W, b in params:
        a = sigmoid(a @ W + b)
    return squared_loss(a, y)


def _numerical_jacobian(F, x, eps=1e-6):
    cols = []
    for j in range(len(x)):
        e = np.zeros_like(x)
        e[j] = eps
        cols.append((F(x + e) - F(x - e)) / (2 * eps))
    return np.stack(cols, axis=1)


@pytest.mark.parametrize("depth", [1, 2, 3, 4, 5])
def test_input_grad_matches_finite_differences(depth):
    rng = np.random.default_rng(200 + depth)
    sizes = distinct_sizes(rng, depth + 1, 2, 9)
    x, y = features(rng, (sizes[0],)), 0.05 + 0.9 * rng.random(sizes[-1])
    params = layer_params(rng, sizes)
    result = gradcheck(lambda xx: _cost(xx, y, params), x, nb09.input_grad(x, y, params), eps=1e-5)
    assert result.passed, result


@pytest.mark.parametrize("seed", range(4))
def test_layer_jacobian_matches_finite_differences(seed):
    rng = np.random.default_rng(seed)
    a_prev, W, b = draw_args(registry.get("09.layer_jacobian"), rng)
    J = nb09.layer_jacobian(a_prev, W, b)
    numeric = _numerical_jacobian(lambda a: sigmoid(a @ W + b), a_prev)
    assert J.shape == (W.shape[1], W.shape[0])
    assert np.allclose(J, numeric, rtol=1e-6, atol=1e-10)


def test_jacobian_chain_equals_delta_recursion_and_weight_gradients():
    rng = np.random.default_rng(5)
    sizes = [4, 6, 3, 5]
    x, y = features(rng, (4,)), 0.05 + 0.9 * rng.random(5)
    params = layer_params(rng, sizes)
    acts = [x]
    for W, b in params:
        acts.append(sigmoid(acts[-1] @ W + b))
    # the full chain of Jacobians, multiplied left to right from dC/da_L
    row = acts[-1] - y
    deltas = []
    for l in range(len(params), 0, -1):
        W, b = params[l - 1]
        J = nb09.layer_jacobian(acts[l - 1], W, b)
        deltas.append(row * acts[l] * (1 - acts[l]))     # dC/dz_l
        row = row @ J                                    # dC/da_{l-1}
    assert np.allclose(row, nb09.input_grad(x, y, params))
    # the product of all Jacobians, formed as matrices, gives the same covector
    P = np.eye(4)
    for l, (W, b) in enumerate(params, start=1):
        P = nb09.layer_jacobian(acts[l - 1], W, b) @ P
    assert np.allclose((acts[-1] - y) @ P, row)
    # g_ij = delta_i a_j (seed 002's W orientation) is the transpose of our a^T delta
    deltas = deltas[::-1]
    for l, W in enumerate((W for W, _ in params), start=1):
        G_seed = np.outer(deltas[l - 1], acts[l - 1])    # (n_l, n_{l-1}): seed 002's W^l shape

        def cost_of_W(Wv, l=l):
            ps = list(params)
            ps[l - 1] = (Wv, ps[l - 1][1])
            return _cost(x, y, ps)

        assert gradcheck(cost_of_W, W, G_seed.T, eps=1e-5).passed


def test_seed002_cost_derivative_needs_y_i():
    # dC/da_i = a_i - y_i; seed 002's "a_i - y" with a scalar y (e.g. its mean) fails.
    rng = np.random.default_rng(9)
    a, y = rng.random(5), rng.random(5)
    numeric = numerical_gradient(lambda v: squared_loss(v, y), a)
    assert np.allclose(numeric, a - y, atol=1e-8)
    assert not np.allclose(numeric, a - y.mean(), atol=1e-3)


# ---------------------------------------------------------------- softmax


def test_course_softmax_is_stable_and_shift_invariant():
    z = np.array([[1000.0, 999.0, -5.0], [0.5, -0.2, 0.1]])
    p = softmax(z, axis=1)
    assert np.all(np.isfinite(p)) and np.allclose(p.sum(axis=1), 1.0)
    assert np.allclose(p[1], np.exp(z[1]) / np.exp(z[1]).sum())
    assert np.allclose(p[0], softmax(z[0] - 1000.0))
    assert np.allclose(p, np.exp(log_softmax(z, axis=1)))


@pytest.mark.parametrize("seed", range(5))
def test_softmax_jacobian_matches_finite_differences(seed):
    ex = registry.get("09.softmax_jacobian")
    for draw in engine.plan(ex, np.random.default_rng(seed)):
        a_prev, W, b = draw.args
        J = nb09.softmax_jacobian(a_prev, W, b)
        numeric = _numerical_jacobian(lambda a, W=W, b=b: np.exp(log_softmax(a @ W + b)), a_prev)
        assert J.shape == (W.shape[1], W.shape[0])
        # logits near 800 carry float64 rounding of about 1e-13, which a step of 1e-6 turns
        # into about 1e-7 of finite-difference noise: hence atol 1e-6 (a slip is off by > 1e-3)
        assert np.allclose(J, numeric, rtol=1e-6, atol=1e-6)


def test_softmax_jacobian_of_logits_properties():
    from course_utils.exercises.models.softmax import softmax_jacobian_of_logits
    z = np.array([1.0, 2.0, 0.5, -1.0])
    J = softmax_jacobian_of_logits(z)
    assert np.allclose(J, _numerical_jacobian(lambda u: np.exp(log_softmax(u)), z), atol=1e-9)
    assert np.allclose(J, J.T) and np.allclose(J.sum(axis=1), 0.0)
    assert np.linalg.matrix_rank(J) == len(z) - 1


def test_softmax_jacobian_is_never_symmetric_as_a_layer():
    # The engine requires a transposed square answer to differ from the right one; the layer
    # Jacobian (diag(p) - p p^T) W^T is square but not symmetric in the square case.
    ex = registry.get("09.softmax_jacobian")
    square = next(c for c in ex.cases if "square" in c.name)
    rng = np.random.default_rng(0)
    for _ in range(50):
        J = nb09.softmax_jacobian(*square.draw(rng))
        assert J.shape[0] == J.shape[1] and not np.allclose(J, J.T)


def _xent(Z, Y):
    return float(-np.sum(Y * log_softmax(Z, axis=1)))


@pytest.mark.parametrize("seed", range(5))
def test_softmax_xent_grad_matches_finite_differences(seed):
    ex = registry.get("09.softmax_xent_grad")
    for draw in engine.plan(ex, np.random.default_rng(seed)):
        Z, Y = draw.args
        assert np.allclose(Y.sum(axis=1), 1.0) and Z.shape[0] != Z.shape[1]
        numeric = numerical_gradient(lambda Zv, Y=Y: _xent(Zv, Y), Z)
        assert np.allclose(nb09.softmax_xent_grad(Z, Y), numeric, rtol=1e-5, atol=1e-7)


def test_softmax_xent_through_the_jacobian_row_by_row():
    rng = np.random.default_rng(8)
    Z, Y = features(rng, (5, 4)), np.eye(4)[rng.integers(0, 4, 5)]
    from course_utils.exercises.models.softmax import softmax_jacobian_of_logits
    rows = [(-y / softmax(z)) @ softmax_jacobian_of_logits(z) for z, y in zip(Z, Y, strict=True)]
    assert np.allclose(np.stack(rows), nb09.softmax_xent_grad(Z, Y))


# ---------------------------------------------------------------- forward mode and the checkpoints


def _output(x, params):
    a = x
    for W, b in params:
        a = sigmoid(a @ W + b)
    return a


@pytest.mark.parametrize("seed", range(5))
def test_network_jvp_is_the_directional_derivative(seed):
    ex = registry.get("09.network_jvp")
    for draw in engine.plan(ex, np.random.default_rng(seed)):
        x, v, params = draw.args
        eps = 1e-6
        along = (_output(x + eps * v, params) - _output(x - eps * v, params)) / (2 * eps)
        jv = nb09.network_jvp(x, v, params)
        assert jv.shape == (params[-1][0].shape[1],)
        assert np.allclose(jv, along, rtol=1e-6, atol=1e-9)
        assert np.allclose(jv, _numerical_jacobian(lambda u, ps=params: _output(u, ps), x) @ v, atol=1e-8)


def test_jvp_passes_is_the_number_of_columns():
    # Build the Jacobian of a 12 -> 5 -> 1000 network from JVPs along e_1, e_2, ...: it takes
    # exactly as many passes as there are inputs, and the columns agree with finite differences.
    rng = np.random.default_rng(1)
    params = layer_params(rng, [12, 5, 1000])
    x = features(rng, (12,))
    columns = [nb09.network_jvp(x, e, params) for e in np.eye(12)]
    J = np.stack(columns, axis=1)
    assert J.shape == (1000, 12)
    assert np.allclose(J, _numerical_jacobian(lambda u: _output(u, params), x), atol=1e-8)
    assert registry.get("09.jvp_passes").reference() == len(columns) == nb09.JVP_INPUTS
    assert nb09.JVP_OUTPUTS == J.shape[0]
    assert course_utils.run_check("09.jvp_passes", 1000).diagnosis == D.WRONG_VALUE


def test_weight_jacobian_shape_and_kronecker_form():
    rng = np.random.default_rng(2)
    m, n = nb09.WEIGHT_JAC_LAYER
    a, W, b = features(rng, (m,)), features(rng, (m, n)), features(rng, (n,))
    numeric = _numerical_jacobian(lambda w: a @ w.reshape((m, n), order="F") + b, W.ravel(order="F"))
    assert numeric.shape == registry.get("09.weight_jacobian_shape").reference() == (n, m * n)
    assert np.allclose(numeric, np.kron(np.eye(n), a[None, :]), atol=1e-8)
    delta = features(rng, (n,))
    assert np.allclose((delta @ numeric).reshape((m, n), order="F"), np.outer(a, delta), atol=1e-8)
    assert course_utils.run_check("09.weight_jacobian_shape", (m * n, n)).diagnosis == D.TRANSPOSE
    assert course_utils.run_check("09.weight_jacobian_shape", (6, 24)).passed
