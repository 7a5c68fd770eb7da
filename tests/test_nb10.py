"""Notebook 10's exercises: references against finite differences and against the special
cases they generalise; every registered mistake differs clearly from the right answer."""

import numpy as np
import pytest
from checking_support import draw_args

from course_utils import rel_error
from course_utils.checking import registry
from course_utils.functions import bce_loss, forward, sigmoid
from course_utils.gradcheck import numerical_gradient

BACKPROP = registry.get("10.backprop_multi")
PREDICT = registry.get("10.predict")


def _bce_of(X, Y, params):
    return bce_loss(forward(X, params)[-1], Y)


def _replaced(params, l, W=None, b=None):
    """params with layer l's weights and/or bias replaced."""
    p = list(params)
    p[l] = (params[l][0] if W is None else W, params[l][1] if b is None else b)
    return p


@pytest.mark.parametrize("seed", range(4))
def test_backprop_multi_matches_finite_differences(seed):
    X, Y, params = draw_args(BACKPROP, np.random.default_rng(seed))
    grads = BACKPROP.reference(X, Y, params)
    for l, (W, b) in enumerate(params):
        def f_W(Wn, l=l):
            return _bce_of(X, Y, _replaced(params, l, W=Wn))

        def f_b(bn, l=l):
            return _bce_of(X, Y, _replaced(params, l, b=bn))
        np.testing.assert_allclose(grads[l][0], numerical_gradient(f_W, W), rtol=1e-5, atol=1e-7)
        np.testing.assert_allclose(grads[l][1], numerical_gradient(f_b, b), rtol=1e-5, atol=1e-7)


def test_one_output_is_notebook_08s_case():
    # K = 1: the general recursion is the binary cross-entropy backprop of notebook 08,
    # written out here for two layers by the chain rule (seed 001's formula, minus sign restored).
    rng = np.random.default_rng(11)
    X = rng.standard_normal((6, 4))
    y = np.array([0, 1, 1, 0, 1, 0.0])
    W1, b1 = rng.standard_normal((4, 3)), rng.standard_normal(3)
    W2, b2 = rng.standard_normal((3, 1)), rng.standard_normal(1)
    H1 = sigmoid(X @ W1 + b1)
    f = sigmoid(H1 @ W2 + b2)[:, 0]
    d2 = f - y
    dW2, db2 = H1.T @ d2[:, None], np.array([d2.sum()])
    d1 = np.outer(d2, W2[:, 0]) * H1 * (1 - H1)
    dW1, db1 = X.T @ d1, d1.sum(axis=0)
    got = BACKPROP.reference(X, y[:, None], [(W1, b1), (W2, b2)])
    for (g, gb), (e, eb) in zip(got, [(dW1, db1), (dW2, db2)], strict=False):
        assert rel_error(g, e) < 1e-12 and rel_error(gb, eb) < 1e-12


def test_sum_of_independent_outputs():
    # One layer, K outputs, each with its own cross-entropy: the gradient for output k's
    # column only involves output k, so it equals a K = 1 problem on that column.
    rng = np.random.default_rng(5)
    X, Y = rng.standard_normal((7, 3)), (rng.random((7, 4)) < 0.5).astype(float)
    W, b = rng.standard_normal((3, 4)), rng.standard_normal(4)
    (dW, db), = BACKPROP.reference(X, Y, [(W, b)])
    for k in range(4):
        (dwk, dbk), = BACKPROP.reference(X, Y[:, k:k + 1], [(W[:, k:k + 1], b[k:k + 1])])
        assert rel_error(dW[:, k:k + 1], dwk) < 1e-12 and rel_error(db[k:k + 1], dbk) < 1e-12



def test_predict_draws_use_every_output_sometimes():
    rng = np.random.default_rng(3)
    seen = set()
    for _ in range(40):
        X, params = draw_args(PREDICT, rng)
        seen.add(len(set(PREDICT.reference(X, params).tolist())) > 1)
    assert seen == {True}


def test_reference_network_learns_the_digits():
    # The take-home's training recipe (notebook 10, benchmarks/bench_training.py) with the
    # reference backprop reaches MLPClassifier's accuracy on the same split (0.9689 there).
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    digits = load_digits()
    Xtr, Xte, ytr, yte = train_test_split(digits.data / 16.0, digits.target, test_size=0.25,
                                          random_state=0, stratify=digits.target)
    rng = np.random.default_rng(0)
    params = [(rng.normal(0, 1 / np.sqrt(a), (a, b)), np.zeros(b)) for a, b in [(64, 64), (64, 10)]]
    Y = np.eye(10)[ytr]
    for _ in range(40):
        order = rng.permutation(len(Xtr))
        for s in range(0, len(Xtr), 16):
            rows = order[s:s + 16]
            grads = BACKPROP.reference(Xtr[rows], Y[rows], params)
            params = [(W - 0.05 * dW, b - 0.05 * db) for (W, b), (dW, db) in zip(params, grads, strict=False)]
    assert np.mean(PREDICT.reference(Xte, params) == yte) >= 0.97


L2 = registry.get("10.backprop_l2")


@pytest.mark.parametrize("seed", range(3))
def test_backprop_l2_matches_finite_differences_of_the_penalised_loss(seed):
    X, Y, params, lam = draw_args(L2, np.random.default_rng(seed))

    def loss(p):
        return _bce_of(X, Y, p) + lam / 2 * sum(np.sum(W ** 2) for W, _ in p)
    grads = L2.reference(X, Y, params, lam)
    for l, (W, b) in enumerate(params):
        def f_W(Wn, l=l):
            return loss(_replaced(params, l, W=Wn))

        def f_b(bn, l=l):
            return loss(_replaced(params, l, b=bn))
        assert rel_error(grads[l][0], numerical_gradient(f_W, W)) < 1e-6
        assert rel_error(grads[l][1], numerical_gradient(f_b, b)) < 1e-6


def test_the_penalised_loss_is_mlpclassifiers_objective_times_n():
    # backprop_l2 differentiates L + lam/2 sum ||W||^2 (tested above against finite differences);
    # that loss is N times scikit-learn's own objective with alpha = lam: its loss_ after one
    # SGD step of size 1e-12 on the whole batch (multi-label targets: logistic outputs, binary
    # cross-entropy averaged over examples, alpha / (2N) ||W||^2).
    import warnings

    from sklearn.neural_network import MLPClassifier
    rng = np.random.default_rng(4)
    X, Y = rng.standard_normal((9, 4)), (rng.random((9, 3)) < 0.5).astype(float)
    Y[0], Y[1] = [1, 0, 1], [0, 1, 0]
    mlp = MLPClassifier(hidden_layer_sizes=(5,), activation="logistic", alpha=0.3, max_iter=1, solver="sgd",
                        learning_rate_init=1e-12, momentum=0.0, batch_size=len(X), shuffle=False, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")          # "max_iter reached": one step is the point
        mlp.fit(X, Y)
    assert mlp.out_activation_ == "logistic"
    params = list(zip(mlp.coefs_, mlp.intercepts_, strict=True))
    ours = _bce_of(X, Y, params) + 0.3 / 2 * sum(np.sum(W ** 2) for W, _ in params)
    assert ours / len(X) == pytest.approx(mlp.loss_, rel=1e-9)


def test_backward_gain_by_simulation():
    # delta_{l-1} = (delta_l @ W.T) * sigma' for 200 random layers of width 32, W ~ N(0, 1/32),
    # sigma' held at its largest value 1/4: the variance ratio, measured on 640,000 entries.
    rng = np.random.default_rng(0)
    delta = rng.standard_normal((100, 32))
    W = rng.normal(0.0, np.sqrt(1 / 32), (200, 32, 32))
    below = np.einsum("bjk,nk->bnj", W, delta) * 0.25
    ratio = below.var() / delta.var()
    assert ratio == pytest.approx(registry.get("10.backward_gain").reference(), rel=0.03)


def test_sigmoid_init_std_balances_the_two_conditions():
    # Linearised sigmoid layer (centred part h - 1/2 = z / 4): with the Glorot std, the forward
    # variance factor n_in Var(W)/16 and the backward one n_out Var(W)/16 average to 1, by simulation.
    rng = np.random.default_rng(1)
    ref = registry.get("10.sigmoid_init_std").reference
    for n_in, n_out in [(64, 10), (20, 300), (64, 64)]:
        std = ref(n_in, n_out)
        W = rng.normal(0.0, std, (n_in, n_out))
        z = rng.standard_normal((4000, n_in))
        forward_factor = ((z / 4) @ W).var() / z.var()
        delta = rng.standard_normal((4000, n_out))
        backward_factor = ((delta @ W.T) / 4).var() / delta.var()
        assert (forward_factor + backward_factor) / 2 == pytest.approx(1.0, rel=0.1)
