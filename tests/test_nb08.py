"""Specific tests of notebook 08 (deep networks, cross-entropy from the logit) and of the
course's losses it relies on (``bce_loss``, ``bce_with_logits``).

The references are checked against finite differences of the loss itself, or against the
loss evaluated in 480-digit decimal arithmetic, so they do not rest on the derivations they
teach.
"""

import warnings
from decimal import Decimal, localcontext

import numpy as np
import pytest
from checking_support import draw_args

import course_utils
from course_utils.checking import diagnosis as D
from course_utils.checking import engine, registry
from course_utils.checking.draws import distinct_sizes, features, labels, layer_params
from course_utils.exercises import nb08_deep_networks as nb08
from course_utils.functions import bce_loss, bce_with_logits, forward, sigmoid
from course_utils.gradcheck import gradcheck, numerical_gradient


def exact_bce(z, y):
    """-sum [y log sigma(z) + (1 - y) log(1 - sigma(z))] in 480-digit decimals: the probability
    form straight from the definition (no softplus), with enough digits that 1 - sigma(z) is
    not rounded to 0 even for z = 1000 (e^-1000 is about 1e-435). A term of weight 0 counts 0."""
    with localcontext() as ctx:
        ctx.prec = 480
        total = Decimal(0)
        for zi, yi in zip(np.asarray(z, dtype=float).tolist(), np.asarray(y, dtype=float).tolist(), strict=True):
            s = 1 / (1 + (-Decimal(zi)).exp())
            if yi:
                total -= Decimal(yi) * s.ln()
            if yi != 1:
                total -= (1 - Decimal(yi)) * (1 - s).ln()
        return float(total)


def _bce_of(X, y, flat_params):
    """The summed BCE as a function of a flat list [W_1, b_1, ..., W_D, b_D]."""
    params = list(zip(flat_params[0::2], flat_params[1::2], strict=True))
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
    for a, n in zip(analytic, numeric, strict=True):
        assert np.max(np.abs(a - n)) <= 1e-6 * np.max(np.abs(n)) + 1e-9


def test_output_delta_is_the_derivative_of_bce_in_z():
    rng = np.random.default_rng(7)
    z = features(rng, (9,))
    y = labels(rng, 9)
    f = 1 / (1 + np.exp(-z))
    result = gradcheck(lambda zz: bce_loss(1 / (1 + np.exp(-zz)), y), z, nb08.output_delta(f, y))
    assert result.passed, result


# ---------------------------------------------------------------- the loss from the logit


@pytest.mark.parametrize("seed", range(3))
def test_bce_from_logits_reference_matches_the_definition_in_decimals(seed):
    ex = registry.get("08.bce_from_logits")
    rng = np.random.default_rng(seed)
    for draw in engine.plan(ex, rng):
        z, y = draw.args
        exact = exact_bce(z, y)
        assert np.isfinite(exact)
        assert nb08.bce_from_logits(z, y) == pytest.approx(exact, rel=1e-12)
        assert bce_with_logits(z, y) == pytest.approx(exact, rel=1e-12)


def test_confident_case_is_where_float64_probabilities_fail():
    # The case that makes the check meaningful: in every draw some exp(z) overflows and some
    # sigmoid(z) rounds to exactly 1 against its label, so neither naive form can pass.
    ex = registry.get("08.bce_from_logits")
    case = next(c for c in ex.cases if c.name.startswith("confident"))
    rng = np.random.default_rng(0)
    for _ in range(200):
        z, y = case.draw(rng)
        assert np.any(z > 709.8)
        assert np.any((sigmoid(z) == 1.0) & (y == 0))
        assert set(np.unique(y)) == {0.0, 1.0} and np.all(np.abs(z) >= 40)


def test_loss_at_50_is_the_true_loss():
    exact = exact_bce([50.0], [0.0])
    assert registry.get("08.loss_at_50").reference() == pytest.approx(exact, rel=1e-15)
    assert exact == pytest.approx(50.0, rel=1e-15)
    assert nb08.loss_at_50(clipped=True) == pytest.approx(-np.log(1e-15))     # the old clipping's answer
    assert nb08.loss_at_50(label=1) == pytest.approx(exact_bce([50.0], [1.0]), rel=1e-12)
    assert course_utils.run_check("08.loss_at_50", 50).passed
    assert course_utils.run_check("08.loss_at_50", 34.54).diagnosis == D.WRONG_VALUE
    assert course_utils.run_check("08.loss_at_50", float("inf")).diagnosis == D.NAN
    assert course_utils.run_check("08.loss_at_50", ...).diagnosis == D.NOT_IMPLEMENTED


def test_bce_loss_does_not_clip_and_says_why():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        value = bce_loss(sigmoid(np.array([40.0])), np.array([0.0]))
    assert value == np.inf                                   # not -log(1e-15) = 34.5
    assert len(caught) == 1 and caught[0].category is RuntimeWarning
    assert "from the logits" in str(caught[0].message)       # how to fix it, without naming 08's answer
    assert bce_with_logits(np.array([40.0]), np.array([0.0])) == pytest.approx(exact_bce([40.0], [0.0]), rel=1e-14)


def test_bce_loss_values_without_clipping():
    # 0 log 0 counts 0 (a certain right answer costs nothing, not NaN), soft labels work,
    # and moderate values agree with the definition.
    with warnings.catch_warnings():
        warnings.simplefilter("error")                       # no warning for finite losses
        assert bce_loss(np.array([0.0, 1.0]), np.array([0.0, 1.0])) == 0.0
        rng = np.random.default_rng(3)
        z, y = 3 * rng.standard_normal(7), labels(rng, 7)
        assert bce_loss(sigmoid(z), y) == pytest.approx(exact_bce(z, y), rel=1e-12)
        soft = np.array([0.2, 0.9])
        f = np.array([0.3, 0.6])
        assert bce_loss(f, soft) == pytest.approx(-np.sum(soft * np.log(f) + (1 - soft) * np.log(1 - f)))
    with pytest.warns(RuntimeWarning, match="from the logits"):
        assert bce_loss(np.array([0.0]), np.array([1.0])) == np.inf  # a certain wrong answer: infinite


@pytest.mark.parametrize("f,y,words", [
    (np.full((3, 1), 0.5), np.zeros(3), "shape (3, 1)"),
    (np.array([0.5, 1.5]), np.array([0.0, 1.0]), "[0, 1]"),
    (np.array([0.5, np.nan]), np.array([0.0, 1.0]), "NaN"),
    (np.array([0.5, 0.5]), np.array([0.0, 2.0]), "[0, 1]"),
])
def test_bce_loss_refuses_bad_input_with_a_clear_message(f, y, words):
    with pytest.raises(ValueError, match=r".*") as err:
        bce_loss(f, y)
    assert words in str(err.value) and "bce_loss" in str(err.value)


def test_bce_with_logits_refuses_different_shapes():
    with pytest.raises(ValueError, match="shape"):
        bce_with_logits(np.zeros((4, 1)), np.zeros(4))


def test_naive_forms_fail_the_check_with_the_true_diagnosis():
    def naive(z, y):
        return np.sum(np.log(1 + np.exp(z)) - y * z)

    def clipped(z, y):
        f = np.clip(1 / (1 + np.exp(-z)), 1e-15, 1 - 1e-15)
        return -np.sum(y * np.log(f) + (1 - y) * np.log(1 - f))

    with np.errstate(over="ignore"):
        assert course_utils.run_check("08.bce_from_logits", naive, seed=1).diagnosis == D.NAN
        assert course_utils.run_check("08.bce_from_logits", clipped, seed=1).diagnosis == D.WRONG_VALUE


def seed001_dW1_nodes(X, y, params):
    """Seed 001's summation-over-nodes formula for dL/dW_1 of its three-layer network,
    with the minus restored and the outer product written h_{l-1} delta^T (our shape)."""
    (W1, b1), (W2, b2), (W3, b3) = params
    dW1 = np.zeros_like(W1)
    for x_i, y_i in zip(X, y, strict=True):
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
