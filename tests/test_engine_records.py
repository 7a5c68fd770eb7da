"""The engine on small exercises built here: derivation checkpoints (a choice, a number, a
shape), per-exercise wording, and repairs of a number kept per example."""

import numpy as np

from course_utils.checking import diagnosis as D
from course_utils.checking import engine
from course_utils.checking.exercise import Case, Exercise, Slip

ONE = (Case("the question", lambda rng: ()),)


def choice(*, pick="c"):
    return pick


CHOICE = Exercise(id="99.choice", signature="answer", returns="a choice", cases=ONE, reference=choice,
                  kind="value", options=("a", "b", "c"), hints=("h1", "h2"), solution="answer = 'c'",
                  slips=(Slip("pick", "a", D.WRONG_VALUE, "a is the transpose", "Option a transposes it."),))


def test_a_choice_never_quotes_its_answer_in_a_type_error():
    r = engine.judge_value(CHOICE, 3)
    assert r.diagnosis == D.WRONG_TYPE
    assert "'c'" not in r.message and "option" in r.message


def test_a_choice_that_is_no_option_is_told_so():
    r = engine.judge_value(CHOICE, "d")
    assert r.diagnosis == D.WRONG_VALUE and "'d' is not one of the options" in r.message


def test_a_choice_slip_is_named_and_a_plain_wrong_choice_is_said_plainly():
    assert engine.judge_value(CHOICE, "a").message.startswith("Option a transposes it.")
    r = engine.judge_value(CHOICE, "b")
    assert r.diagnosis == D.WRONG_VALUE and r.message.startswith("That is not the right choice.")
    assert "relative error" not in r.message
    r = engine.judge_value(CHOICE, " C ")
    assert r.passed and r.message == "right."


def number():
    return 8.981e-4


NUMBER = Exercise(id="99.number", signature="value", returns="a number", cases=ONE, reference=number,
                  kind="value", rtol=2.5e-4, hints=("h1", "h2"))


def test_a_number_close_to_the_answer_asks_for_more_digits():
    r = engine.judge_value(NUMBER, 0.0009)
    assert not r.passed and "more significant digits" in r.message
    r = engine.judge_value(NUMBER, 0.5)
    assert not r.passed and "more significant digits" not in r.message
    assert engine.judge_value(NUMBER, 8.9812e-4).passed
    assert engine.judge_value(NUMBER, ...).diagnosis == D.NOT_IMPLEMENTED


def shape():
    return (3, 4)


SHAPE = Exercise(id="99.shape", signature="dw_shape", returns="a shape", cases=ONE, reference=shape, kind="value",
                 hints=("h1", "h2"))


def test_a_shape_checkpoint_names_a_transposed_tuple_wrong_but_true():
    assert engine.judge_value(SHAPE, (3, 4)).passed and engine.judge_value(SHAPE, [3, 4]).passed
    r = engine.judge_value(SHAPE, (4, 3))
    assert not r.passed and r.diagnosis == D.WRONG_VALUE
    r = engine.judge_value(SHAPE, (3,))
    assert r.diagnosis == D.SHAPE and "no arguments" not in r.message


def bias_grad(X, y, w, *, twice=False):
    """dL/db of one sigmoid unit with a bias over a batch: a number (the deltas summed)."""
    z = X @ w
    s = 1 / (1 + np.exp(-z))
    total = float(np.sum((s - y) * s * (1 - s)))
    return 2 * total if twice else total


def _batch(rng):
    X = rng.standard_normal((5, 3))
    return X, rng.random(5), rng.standard_normal(3)


BIAS = Exercise(id="99.bias", signature="grad_b(X, y, w)", returns="dL/db", reference=bias_grad,
                cases=(Case("a batch", _batch), Case("another", _batch)), roles=lambda ref: ("bias",),
                batch_size=lambda X, y, w: X.shape[0], hints=("h1", "h2"), solution="...",
                slips=(Slip("twice", True, D.WRONG_VALUE, "it is twice too large", "Twice."),),
                says={"sign": "the sum runs the wrong way round"})


def _judge(ex, fn, seed=0):
    return engine.judge_function(ex, fn, engine.plan(ex, np.random.default_rng(seed)), 5.0)


def test_a_number_kept_per_example_is_named_when_the_leaf_is_a_bias():
    def per_example(X, y, w):
        s = 1 / (1 + np.exp(-(X @ w)))
        return (s - y) * s * (1 - s)            # (N,): not summed over the batch

    r = _judge(BIAS, per_example)
    assert r.diagnosis == D.BIAS_NOT_SUMMED, r.message


def test_the_exercises_own_clause_replaces_the_generic_one_in_composites():
    def twice_and_negated(X, y, w):
        return -2 * bias_grad(X, y, w)

    r = _judge(BIAS, twice_and_negated)
    assert r.diagnosis == D.COMPOSITE and "the sum runs the wrong way round" in r.message
    assert "yhat - y" not in r.message
