"""course_utils.autodiff: gradients against finite differences and the hand-derived backprop."""

import numpy as np
import pytest

from course_utils.checking import registry
from course_utils import rel_error
from course_utils.checking.draws import distinct_sizes, features, layer_params
from course_utils.functions import bce_loss, forward, squared_loss
from course_utils.gradcheck import numerical_gradient
from course_utils.learner import autodiff as ad


def _net(seed, depth):
    rng = np.random.default_rng(seed)
    n, *sizes = distinct_sizes(rng, depth + 2, 2, 8)
    X = features(rng, (n, sizes[0]))
    Y = (rng.random((n, sizes[-1])) < 0.5).astype(float)
    return X, Y, layer_params(rng, sizes)


def _loss(X, Y, params, kind):
    F = forward(X, params)[-1]
    return bce_loss(F, Y) if kind == "bce" else squared_loss(F, Y)


@pytest.mark.parametrize("kind", ["bce", "squared"])
@pytest.mark.parametrize("seed,depth", [(0, 1), (1, 2), (2, 3)])
def test_network_gradients_match_finite_differences(seed, depth, kind):
    X, Y, params = _net(seed, depth)
    value, grads = ad.network_gradients(X, Y, params, loss=kind)
    assert value == pytest.approx(_loss(X, Y, params, kind), rel=1e-10)
    for l, (W, b) in enumerate(params):
        def f_W(Wn, l=l):
            p = list(params); p[l] = (Wn, params[l][1]); return _loss(X, Y, p, kind)

        def f_b(bn, l=l):
            p = list(params); p[l] = (params[l][0], bn); return _loss(X, Y, p, kind)
        assert grads[l][0].shape == W.shape and grads[l][1].shape == b.shape
        assert rel_error(grads[l][0], numerical_gradient(f_W, W)) < 1e-5
        assert rel_error(grads[l][1], numerical_gradient(f_b, b)) < 1e-5


@pytest.mark.parametrize("seed", range(5))
def test_autodiff_equals_hand_derived_backprop(seed):
    X, Y, params = _net(seed, 1 + seed % 3)
    _, auto = ad.network_gradients(X, Y, params)
    hand = registry.get("10.backprop_multi").reference(X, Y, params)
    for (aW, ab), (hW, hb) in zip(auto, hand):
        assert rel_error(aW, hW) < 1e-9 and rel_error(ab, hb) < 1e-9


def test_broadcast_add_sums_the_bias_gradient_over_rows():
    A = ad.Tensor(np.arange(6.0).reshape(3, 2))
    b = ad.Tensor(np.array([1.0, -1.0]))
    (A + b).sum().backward()
    np.testing.assert_array_equal(b.grad, [3.0, 3.0])
    np.testing.assert_array_equal(A.grad, np.ones((3, 2)))


def test_reused_node_accumulates_and_backward_can_run_twice():
    x = ad.Tensor(np.array([1.0, -2.0, 3.0]))
    y = (x * x + x).sum()          # d/dx = 2x + 1
    y.backward()
    np.testing.assert_allclose(x.grad, 2 * x.value + 1)
    y.backward()                   # grads are reset, not doubled
    np.testing.assert_allclose(x.grad, 2 * x.value + 1)


def test_elementwise_ops_against_finite_differences():
    rng = np.random.default_rng(7)
    A0, B0, c0 = rng.standard_normal((4, 3)), rng.standard_normal((3, 5)), rng.standard_normal(5)

    def build(A, B, c):
        return (ad.sigmoid(A @ B - c) * (A @ B)).sum()

    A, B, c = ad.Tensor(A0), ad.Tensor(B0), ad.Tensor(c0)
    build(A, B, c).backward()
    val = lambda a, bb, cc: float(build(ad.Tensor(a), ad.Tensor(bb), ad.Tensor(cc)).value)
    assert rel_error(A.grad, numerical_gradient(lambda a: val(a, B0, c0), A0)) < 1e-7
    assert rel_error(B.grad, numerical_gradient(lambda bb: val(A0, bb, c0), B0)) < 1e-7
    assert rel_error(c.grad, numerical_gradient(lambda cc: val(A0, B0, cc), c0)) < 1e-7
