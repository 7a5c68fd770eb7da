"""Notebook 12's exercises: each backward rule and the reverse sweep against finite
differences of the recorded computation, and the cases doing what their names say."""

import numpy as np
import pytest
from checking_support import draw_args

from course_utils import rel_error
from course_utils.checking import engine, registry
from course_utils.exercises import nb12_autodiff as nb12
from course_utils.exercises.models import autodiff as model
from course_utils.gradcheck import numerical_gradient

VJP = registry.get("12.vjp")
BACKWARD = registry.get("12.backward")


@pytest.mark.parametrize("case", VJP.cases, ids=lambda c: c.name)
def test_each_rule_is_the_gradient_of_sum_G_times_out(case):
    # dL/d(input) for L = sum(G * op(inputs)) by finite differences: its gradient is the VJP.
    op, inputs, out, G = case.draw(np.random.default_rng(1))
    shares = VJP.reference(op, inputs, out, G)
    assert len(shares) == len(inputs)
    for i, x in enumerate(inputs):
        def L(v, i=i):
            args = list(inputs)
            args[i] = v
            return float(np.sum(G * model.FORWARD[op](*args)))
        assert shares[i].shape == np.shape(x)
        assert rel_error(shares[i], numerical_gradient(L, np.asarray(x, dtype=float))) < 1e-6


def _evaluate(ops, parents, values, override):
    """The output (node 0) recomputed from the leaves, with the nodes in ``override`` held at
    the given values (so d output / d node can be taken by finite differences)."""
    vals = list(values)
    for i in reversed(model.topological_order(parents)):       # parents before their users
        if i in override:
            vals[i] = override[i]
        elif ops[i] != "input":
            vals[i] = model.FORWARD[ops[i]](*(vals[p] for p in parents[i]))
    return float(vals[0])


@pytest.mark.parametrize("case", BACKWARD.cases, ids=lambda c: c.name)
def test_the_sweep_gives_d_output_d_node_for_every_node(case):
    ops, parents, values = case.draw(np.random.default_rng(2))
    grads = BACKWARD.reference(ops, parents, values)
    assert float(_evaluate(ops, parents, values, {})) == pytest.approx(float(values[0]), rel=1e-12)
    for i in range(1, len(ops)):
        fd = numerical_gradient(lambda v, i=i: _evaluate(ops, parents, values, {i: v}), values[i].astype(float))
        assert grads[i].shape == values[i].shape
        assert rel_error(grads[i], fd) < 1e-6, f"node {i} ({ops[i]})"


def _listed_before_a_user(parents):
    """True when some node is listed before one of the nodes that use it."""
    return any(p < i for i, ps in enumerate(parents) for p in ps)


def test_cases_do_what_their_names_say():
    rng = np.random.default_rng(3)
    chain = nb12._chain(rng)[1]
    assert not _listed_before_a_user(chain)
    for make in (nb12._hidden_twice, nb12._cross_entropy):
        assert _listed_before_a_user(make(rng)[1])
    uses = np.bincount([p for ps in nb12._three_uses(rng)[1] for p in ps])
    assert uses.max() == 3                        # A: twice in the product, once in c * A


def test_every_backward_slip_changes_some_draw_of_each_plan():
    for seed in range(5):
        plan = engine.plan(BACKWARD, np.random.default_rng(seed))
        for slip in BACKWARD.slips:
            assert any(engine.compare.gap(d.reference, BACKWARD.reference(*d.args, **{slip.knob: slip.value})) > 0.05
                       for d in plan), slip.knob


def test_dL_dx_is_the_derivative_of_x_squared_plus_x():
    f = lambda v: float(v[0] * v[0] + v[0])  # noqa: E731
    assert registry.get("12.dL_dx").reference() == pytest.approx(numerical_gradient(f, np.array([3.0]))[0], rel=1e-8)


def test_topological_order_puts_every_user_first():
    for make in (nb12._chain, nb12._three_uses, nb12._hidden_twice, nb12._cross_entropy, nb12._squared_tanh):
        parents = make(np.random.default_rng(4))[1]
        order = model.topological_order(parents)
        where = {node: k for k, node in enumerate(order)}
        assert sorted(order) == list(range(len(parents)))
        assert all(where[i] < where[p] for i, ps in enumerate(parents) for p in ps)


def test_deep_graphs_do_not_hit_the_recursion_limit():
    t = model.Tape()
    node = t.input(np.array([0.3, -0.2]))
    for _ in range(3000):
        node = t.node("tanh", node)
    ops, parents, values = t.listing(t.node("sum", node))
    grads = BACKWARD.reference(ops, parents, values)
    assert np.all(np.isfinite(grads[-1]))


def test_draws_args_are_plain_data():
    ops, parents, values = draw_args(BACKWARD, np.random.default_rng(5))
    assert all(type(o) is str for o in ops) and all(type(p) is tuple for p in parents)
    assert all(type(v) is np.ndarray and v.dtype == np.float64 for v in values)
