"""Specific tests of notebooks 08 (deep networks) and 09 (the Jacobian view).

The references are checked against finite differences of the loss itself, so they do
not rest on the derivations they teach.
"""

import numpy as np
from checking_support import draw_args
import pytest

import course_utils
from course_utils.checking import diagnosis as D
from course_utils.checking import engine, registry
from course_utils.checking.draws import distinct_sizes, features, labels, layer_params
from course_utils.exercises import nb08_deep_networks as nb08
from course_utils.functions import bce_loss, forward
from course_utils.gradcheck import gradcheck, numerical_gradient


def _bce_of(X, y, flat_params):
    """The summed BCE as a function of a flat list [W_1, b_1, ..., W_L, b_L]."""
    params = list(zip(flat_params[0::2], flat_params[1::2]))
    return bce_loss(forward(X, params)[-1][:, 0], y)


@pytest.mark.parametrize("depth", [1, 2, 3, 4, 5])
def test_backprop_matches_finite_differences(depth):
    rng = np.random.default_rng(100 + depth)
    sizes = distinct_sizes(rng, depth + 1, 2, 9)
    n, widths = sizes[0], sizes[1:] + [1]
    X, y = features(rng, (n, widths[0])), labels(rng, n)
    params = layer_params(rng, widths)
    flat = [a for pair in params for a in pair]
    analytic = [g for pair in nb08.backprop(X, y, params) for g in pair]
    result = gradcheck(lambda *ps: _bce_of(X, y, ps), flat, analytic)
    # Deep sigmoid gradients can be tiny in early layers, where central differences carry
    # ~1e-10 of absolute noise: judge each entry on the scale of its array as well.
    numeric = [numerical_gradient(lambda v, k=k: _bce_of(X, y, flat[:k] + [v] + flat[k + 1:]), flat[k])
               for k in range(len(flat))]
    assert result.max_error < 1e-3, result
    for a, n in zip(analytic, numeric):
        assert np.max(np.abs(a - n)) <= 1e-6 * np.max(np.abs(n)) + 1e-9


def test_output_delta_is_the_derivative_of_bce_in_z():
    rng = np.random.default_rng(7)
    z = features(rng, (9,))
    y = labels(rng, 9)
    f = 1 / (1 + np.exp(-z))
    result = gradcheck(lambda zz: bce_loss(1 / (1 + np.exp(-zz)), y), z, nb08.output_delta(f, y))
    assert result.passed, result


def seed001_dW1_nodes(X, y, params):
    """Seed 001's summation-over-nodes formula for dL/dW_1 of its three-layer network,
    with the minus restored and the outer product written h_{l-1} delta^T (our shape)."""
    (W1, b1), (W2, b2), (W3, b3) = params
    dW1 = np.zeros_like(W1)
    for x_i, y_i in zip(X, y):
        h1 = 1 / (1 + np.exp(-(W1.T @ x_i + b1)))
        h2 = 1 / (1 + np.exp(-(W2.T @ h1 + b2)))
        f = 1 / (1 + np.exp(-(W3.T @ h2 + b3)))[0]
        for m in range(W1.shape[1]):          # node m of layer 1
            s = sum(W3[l, 0] * h2[l] * (1 - h2[l]) * W2[m, l] for l in range(W2.shape[1]))
            dW1[:, m] += -(y_i - f) * s * h1[m] * (1 - h1[m]) * x_i
    return dW1


def test_seed001_summation_form_equals_matrix_form():
    rng = np.random.default_rng(3)
    X, y = features(rng, (6, 4)), labels(rng, 6)
    params = layer_params(rng, [4, 5, 3, 1])
    dW1 = nb08.backprop(X, y, params)[0][0]
    assert np.allclose(seed001_dW1_nodes(X, y, params), dW1, rtol=1e-10, atol=1e-12)


def test_seed001_final_formula_has_transposed_shape():
    # Seed 001 ends dL/dW_1 in x_i^T: the column delta_1 (n_1, 1) times x_i^T (1, d) is
    # (n_1, d), the transpose of W_1 (d, n_1); its transpose, summed, is our dW_1.
    rng = np.random.default_rng(4)
    X, y = features(rng, (5, 4)), labels(rng, 5)
    params = layer_params(rng, [4, 3, 2, 1])
    H = forward(X, params)
    W2, W3 = params[1][0], params[2][0]
    seed_form = np.zeros((3, 4))
    for i in range(5):
        delta3 = H[3][i] - y[i]                                      # (1,)
        delta2 = (W3 @ delta3) * H[2][i] * (1 - H[2][i])             # (2,)
        delta1 = (W2 @ delta2) * H[1][i] * (1 - H[1][i])             # (3,)
        seed_form += delta1[:, None] @ X[i][None, :]                 # ... x_i^T: (3, 4)
    dW1 = nb08.backprop(X, y, params)[0][0]
    assert seed_form.shape == dW1.shape[::-1] != dW1.shape
    assert np.allclose(seed_form.T, dW1, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("seed", range(5))
def test_backprop_draws_follow_the_design(seed):
    rng = np.random.default_rng(seed)
    for _ in range(20):
        X, y, params = draw_args(registry.get("08.backprop"), rng)
        n, d = X.shape
        widths = [W.shape[1] for W, _ in params]
        assert 1 <= len(params) <= 4 and widths[-1] == 1
        sizes = [n, d] + widths[:-1]
        assert len(set(sizes)) == len(sizes) and n > 1
        assert set(np.unique(y)) == {0.0, 1.0}
        for l, (W, b) in enumerate(params):
            assert W.shape == ((d,) + tuple(widths))[l:l + 2] and b.shape == (widths[l],)
    depths = {len(d.args[2]) for d in engine.plan(registry.get("08.backprop"), rng)}
    assert depths >= {1, 2, 3, 4}, "every check covers depth 1 to 4"


def test_batch_scale_named_for_mean_loss():
    def mean_backprop(X, y, params):
        return [(dW / len(y), db / len(y)) for dW, db in nb08.backprop(X, y, params)]

    r = course_utils.run_check("08.backprop", mean_backprop, seed=11)
    assert r.diagnosis == D.BATCH_SCALE


def test_bias_kept_per_example_is_named():
    def per_example_bias(X, y, params):
        H = forward(X, params)
        delta = (H[-1][:, 0] - y)[:, None]
        out = [None] * len(params)
        for l in range(len(params), 0, -1):
            out[l - 1] = (H[l - 1].T @ delta, delta.copy())  # (N, n_l) bias gradient
            delta = (delta @ params[l - 1][0].T) * H[l - 1] * (1 - H[l - 1])
        return out

    r = course_utils.run_check("08.backprop", per_example_bias, seed=12)
    assert r.diagnosis == D.BIAS_NOT_SUMMED, r.message


# ---------------------------------------------------------------- notebook 09

from course_utils.exercises import nb09_jacobian_view as nb09  # noqa: E402
from course_utils.functions import sigmoid, squared_loss  # noqa: E402


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
    for l, (W, b) in enumerate(params, start=1):
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
