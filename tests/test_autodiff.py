"""course_utils.autodiff: the graph recording notebook 12 builds on (no gradients of its own).

The learner's backward is stood in for by the reference of 12.backward; gradients are
checked against finite differences of the recorded computation itself.
"""

import numpy as np
import pytest

from course_utils import rel_error
from course_utils.autodiff import Tensor, describe, gradients, graph, log, sigmoid, tanh
from course_utils.checking import registry
from course_utils.exercises.models import autodiff as model
from course_utils.gradcheck import numerical_gradient

BACKWARD = registry.get("12.backward").reference


def _bce_net(X0, Y0, W1, b1, W2, b2):
    """The two-layer network with the summed binary cross-entropy, built from Tensors."""
    leaves = [Tensor(W1, "W1"), Tensor(b1, "b1"), Tensor(W2, "W2"), Tensor(b2, "b2")]
    w1, c1, w2, c2 = leaves
    F = sigmoid(sigmoid(Tensor(X0, "X") @ w1 + c1) @ w2 + c2)
    loss = -(Tensor(Y0, "Y") * log(F) + (1 - Tensor(Y0, "Y")) * log(1 - F)).sum()
    return loss, leaves


def test_graph_lists_breadth_first_from_the_output():
    a, b = Tensor(np.array([1.0, 2.0]), "a"), Tensor(np.array([3.0, -1.0]), "b")
    loss = (a * b + a).sum()
    g = graph(loss)
    assert g.ops == ["sum", "add", "mul", "input", "input"]
    assert g.parents == [(1,), (2, 3), (3, 4), (), ()]
    assert [n.name for n in g.nodes[3:]] == ["a", "b"]
    assert float(g.values[0]) == 1 * 3 + 2 * -1 + 1 + 2
    assert "node  1: add(2, 3)" in describe(loss)


def test_graph_is_the_exercise_format():
    # The same expression recorded by the notebook's Tensor and by the exercise's Tape
    # (written separately) gives the same plain listing.
    rng = np.random.default_rng(0)
    X0, W0, b0, V0 = rng.standard_normal((3, 4)), rng.standard_normal((4, 2)), rng.standard_normal(2), \
        rng.standard_normal((2, 5))
    h = tanh(Tensor(X0) @ Tensor(W0) + Tensor(b0))
    ours = graph(h.sum() + sigmoid(h @ Tensor(V0)).sum())
    t = model.Tape()
    X, W, b, V = t.input(X0), t.input(W0), t.input(b0), t.input(V0)
    ht = t.node("tanh", t.node("add", t.node("matmul", X, W), b))
    ops, parents, values = t.listing(t.node("add", t.node("sum", ht), t.node("sum", t.node("sigmoid",
                                                                                            t.node("matmul", ht, V)))))
    assert ours.ops == ops and ours.parents == parents
    assert all(np.array_equal(x, y) for x, y in zip(ours.values, values, strict=True))


@pytest.mark.parametrize("seed", range(3))
def test_gradients_of_a_network_match_finite_differences(seed):
    rng = np.random.default_rng(seed)
    X0, Y0 = rng.standard_normal((5, 3)), (rng.random((5, 2)) < 0.5).astype(float)
    params = [rng.standard_normal((3, 4)), rng.standard_normal(4), rng.standard_normal((4, 2)), rng.standard_normal(2)]
    loss, leaves = _bce_net(X0, Y0, *params)
    gradients(loss, BACKWARD)
    for i, leaf in enumerate(leaves):
        def f(v, i=i):
            p = list(params)
            p[i] = v
            return float(_bce_net(X0, Y0, *p)[0].value)
        assert leaf.grad.shape == leaf.shape
        assert rel_error(leaf.grad, numerical_gradient(f, params[i])) < 1e-6


def test_a_value_used_twice_gets_both_shares():
    x = Tensor(np.array([1.0, -2.0, 3.0]), "x")
    gradients((x * x + x).sum(), BACKWARD)          # d/dx = 2x + 1
    np.testing.assert_allclose(x.grad, 2 * x.value + 1)


def test_arrays_and_numbers_on_either_side_become_constant_leaves():
    t = Tensor(np.array([1.0, 2.0]), "t")
    for out in (np.array([3.0, 4.0]) * t, 2.0 - t, np.ones(2) + t, np.eye(2) @ t):
        assert isinstance(out, Tensor)
    g = graph(np.array([3.0, 4.0]) * t)
    assert g.ops == ["mul", "input", "input"] and g.nodes[2] is t
    np.testing.assert_array_equal((2.0 - t).value, [1.0, 0.0])


def test_gradients_is_glue_only():
    # gradients() stores whatever backward returns: the module computes no gradient itself.
    x = Tensor(np.ones((2, 3)), "x")
    loss = sigmoid(x).sum()
    marks = gradients(loss, lambda ops, parents, values: [np.full_like(v, 7.0) for v in values])
    assert all(np.all(m == 7.0) for m in marks) and np.all(x.grad == 7.0)
    assert not hasattr(Tensor, "backward")


def test_bad_uses_get_clear_messages():
    with pytest.raises(TypeError, match="needs a Tensor"):
        graph(np.ones(3))
    with pytest.raises(ValueError, match="single number"):
        gradients(Tensor(np.ones(3)) * 2.0, BACKWARD)
    with pytest.raises(ValueError, match="one per node"):
        gradients(Tensor(np.ones(3)).sum(), lambda *a: [])
    with pytest.raises(ValueError, match="returned shape"):
        gradients(Tensor(np.ones(3)).sum(), lambda ops, parents, values: [np.zeros(()), np.zeros(2)])
    with pytest.raises(FloatingPointError):
        log(Tensor(np.array([-1.0])))
