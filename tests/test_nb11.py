"""Notebook 11's exercises (the seeds' errata fixed): each reference against finite
differences in the seed's own notation, and the checkpoints against a computed answer."""

import numpy as np
import pytest
from checking_support import draw_args

from course_utils import rel_error
from course_utils.checking import registry
from course_utils.functions import sigmoid
from course_utils.gradcheck import numerical_gradient

COLUMN = registry.get("11.column_delta")
ACTIVATION = registry.get("11.activation_grad")


def _seed001_net(rng, d=5, h1=4, h2=3):
    """Seed 001's network with column vectors: z_l = W_l^T h_{l-1} + b_l, W_l (n_{l-1}, n_l)."""
    return [(rng.standard_normal((d, h1)), rng.standard_normal((h1, 1))),
            (rng.standard_normal((h1, h2)), rng.standard_normal((h2, 1))),
            (rng.standard_normal((h2, 1)), rng.standard_normal((1, 1)))]


def _loss_from(z, layer, net, y):
    """L_i as a function of z_layer (a column), running seed 001's network from there up."""
    h = sigmoid(z)
    for W, b in net[layer:]:
        h = sigmoid(W.T @ h + b)
    f = h[0, 0]
    return -(y * np.log(f) + (1 - y) * np.log(1 - f))


@pytest.mark.parametrize("seed", range(3))
def test_column_delta_is_the_finite_difference_delta(seed):
    rng = np.random.default_rng(seed)
    net, x, y = _seed001_net(rng), rng.standard_normal((5, 1)), float(seed % 2)
    zs, h = [], x
    for W, b in net:
        zs.append(W.T @ h + b)
        h = sigmoid(zs[-1])
    for layer in (1, 2):                          # delta_1 from delta_2, delta_2 from delta_3 (python index)
        below = numerical_gradient(lambda z, k=layer: _loss_from(z, k, net, y), zs[layer - 1])
        above = numerical_gradient(lambda z, k=layer: _loss_from(z, k + 1, net, y), zs[layer])
        got = COLUMN.reference(above, net[layer][0], sigmoid(zs[layer - 1]))
        assert got.shape == zs[layer - 1].shape
        assert rel_error(got, below) < 1e-6


@pytest.mark.parametrize("seed", range(4))
def test_activation_grad_is_the_finite_difference_gradient(seed):
    x, y, Ws, bs, l = draw_args(ACTIVATION, np.random.default_rng(seed))

    def cost_from(a):                             # the network run from a^l upwards, seed 002's z = W a + b
        for W, b in zip(Ws[l:], bs[l:], strict=False):
            a = sigmoid(W @ a + b)
        return 0.5 * np.sum((a - y) ** 2)
    a = x
    for W, b in zip(Ws[:l], bs[:l], strict=False):
        a = sigmoid(W @ a + b)
    assert rel_error(ACTIVATION.reference(x, y, Ws, bs, l), numerical_gradient(cost_from, a)) < 1e-6


def test_activation_grad_covers_input_hidden_and_output():
    pairs = [(len(args[2]), args[4]) for args in (c.draw(np.random.default_rng(0)) for c in ACTIVATION.cases)]
    assert any(l == 0 for _, l in pairs) and any(0 < l < depth for depth, l in pairs)
    assert any(l == depth for depth, l in pairs)


def test_dz1_dW1_is_a_third_order_tensor_of_that_shape():
    rng = np.random.default_rng(1)
    x, W1, b1 = rng.standard_normal(5), rng.standard_normal((5, 4)), rng.standard_normal(4)
    J = np.stack([numerical_gradient(lambda W, k=k: (x @ W + b1)[k], W1) for k in range(4)])   # [k, j, m]
    assert J.shape == registry.get("11.dz1_dW1_shape").reference()
    # contracted with delta_1 over k it is dL/dW1 = x delta_1^T (no matrix product of the seed's factors)
    delta1 = rng.standard_normal(4)
    assert rel_error(np.einsum("k,kjm->jm", delta1, J), np.outer(x, delta1)) < 1e-8


def test_which_changes_by_a_j_eps():
    rng = np.random.default_rng(2)
    a_prev, W, b = rng.random(3), rng.standard_normal((2, 3)), rng.standard_normal(2)
    dz = numerical_gradient(lambda V: (V @ a_prev + b)[1], W)[1, 2]
    da = numerical_gradient(lambda V: sigmoid(V @ a_prev + b)[1], W)[1, 2]
    assert dz == pytest.approx(a_prev[2], rel=1e-7) and da != pytest.approx(a_prev[2], rel=1e-2)
    assert registry.get("11.which_changes").reference() == "b"
