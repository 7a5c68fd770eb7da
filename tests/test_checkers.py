"""Every registered exercise, checked by the shared engine against right and wrong answers.

Right answers: the reference and the alternatives in tests/alternatives (loops, einsum,
other algebra). Wrong answers: every registered mistake (named by its own diagnosis),
and generic breakage (None, a list, a wrong shape, NaN, an exception, an input changed
in place, an endless loop, a hard-coded answer), each with its diagnosis.
"""

import copy

import numpy as np
import pytest
from alternatives import all_alternatives
from checker_helpers import as_lists, first_array_arg, map_first_leaf, map_leaves, transpose_2d, with_nan, wrong_shape

import course_utils
from course_utils.checking import diagnosis as D
from course_utils.checking import registry

EXERCISES = registry.all_exercises()
IDS = [ex.id for ex in EXERCISES]
ALTERNATIVES = all_alternatives()
SEEDS = [0, 1, 2]


def by_id(exercise_id):
    return registry.get(exercise_id)


@pytest.mark.parametrize("exercise_id", IDS)
@pytest.mark.parametrize("seed", SEEDS)
def test_reference_passes(exercise_id, seed):
    r = course_utils.run_check(exercise_id, by_id(exercise_id).reference, seed=seed)
    assert r.passed, r.message
    assert r.diagnosis is None


@pytest.mark.parametrize("exercise_id", IDS)
def test_reference_passes_with_fresh_entropy(exercise_id):
    r = course_utils.run_check(exercise_id, by_id(exercise_id).reference)
    assert r.passed, r.message


@pytest.mark.parametrize("exercise_id", IDS)
def test_every_exercise_has_two_alternatives(exercise_id):
    assert len(ALTERNATIVES.get(exercise_id, [])) >= 2, "add alternatives in tests/alternatives/"


@pytest.mark.parametrize("exercise_id,fn", [(k, f) for k, fns in ALTERNATIVES.items() for f in fns],
                         ids=lambda v: getattr(v, "__name__", v))
@pytest.mark.parametrize("seed", [3, 4])
def test_alternatives_pass(exercise_id, fn, seed):
    r = course_utils.run_check(exercise_id, fn, seed=seed)
    assert r.passed, r.message


MISTAKES = [(ex.id, i) for ex in EXERCISES for i in range(len(ex.mistakes))]


@pytest.mark.parametrize("exercise_id,index", MISTAKES)
@pytest.mark.parametrize("seed", SEEDS)
def test_known_mistake_is_named(exercise_id, index, seed):
    ex = by_id(exercise_id)
    mistake = ex.mistakes[index]
    r = course_utils.run_check(exercise_id, mistake.variant, seed=seed)
    assert not r.passed
    assert r.diagnosis == mistake.diagnosis, r.message
    if mistake.message:
        assert r.message.startswith(mistake.message)


def wrap(exercise_id, change):
    ref = by_id(exercise_id).reference

    def student(*args):
        return change(ref(*args))

    return student


@pytest.mark.parametrize("exercise_id", IDS)
def test_returning_none_is_not_implemented(exercise_id):
    r = course_utils.run_check(exercise_id, lambda *a: None)
    assert (r.passed, r.diagnosis) == (False, D.NOT_IMPLEMENTED)


@pytest.mark.parametrize("exercise_id", IDS)
def test_raising_not_implemented(exercise_id):
    def student(*args):
        raise NotImplementedError()

    r = course_utils.run_check(exercise_id, student)
    assert r.diagnosis == D.NOT_IMPLEMENTED
    assert "NotImplementedError" in r.message  # the message says what to replace


@pytest.mark.parametrize("exercise_id", IDS)
def test_list_is_wrong_type(exercise_id):
    r = course_utils.run_check(exercise_id, wrap(exercise_id, as_lists))
    assert (r.passed, r.diagnosis) == (False, D.WRONG_TYPE), r.message


@pytest.mark.parametrize("exercise_id", IDS)
def test_wrong_shape(exercise_id):
    r = course_utils.run_check(exercise_id, wrap(exercise_id, lambda out: map_first_leaf(out, wrong_shape)))
    assert (r.passed, r.diagnosis) == (False, D.SHAPE), r.message
    assert "shape" in r.message or "number" in r.message


@pytest.mark.parametrize("exercise_id", IDS)
def test_nan(exercise_id):
    r = course_utils.run_check(exercise_id, wrap(exercise_id, lambda out: map_first_leaf(out, with_nan)))
    assert (r.passed, r.diagnosis) == (False, D.NAN), r.message


@pytest.mark.parametrize("exercise_id", IDS)
def test_exception_names_the_learners_line(exercise_id):
    def student(*args):
        ratio = len(args) / 0  # the learner's own failing line
        return ratio

    r = course_utils.run_check(exercise_id, student)
    assert (r.passed, r.diagnosis) == (False, D.EXCEPTION)
    assert "ZeroDivisionError" in r.message and "len(args) / 0" in r.message


@pytest.mark.parametrize("exercise_id", IDS)
def test_mutating_an_input(exercise_id):
    ref = by_id(exercise_id).reference
    if first_array_arg(by_id(exercise_id).draw(np.random.default_rng(0))) is None:
        pytest.skip("every input is a Python number: nothing can be changed in place")

    def student(*args):
        out = ref(*copy.deepcopy(args))
        target = first_array_arg(args)
        target *= 1.5
        return out

    r = course_utils.run_check(exercise_id, student)
    assert (r.passed, r.diagnosis) == (False, D.MUTATES_INPUT), r.message


@pytest.mark.parametrize("exercise_id", IDS)
def test_endless_loop_times_out(exercise_id):
    def student(*args):
        while True:
            pass

    r = course_utils.run_check(exercise_id, student, time_limit=0.2)
    assert (r.passed, r.diagnosis) == (False, D.TIMEOUT)


def test_timeout_survives_a_bare_except():
    # The first alarm is swallowed; the engine re-arms, so the second loop still stops.
    # (A loop that swallows alarms forever cannot be stopped inside one process: in a
    # notebook the learner interrupts the kernel; the grader kills the whole process.)
    def student(u):
        try:
            while True:
                pass
        except BaseException:  # a learner swallowing everything
            pass
        while True:
            pass

    r = course_utils.run_check("01.sigmoid", student, time_limit=0.2)
    assert r.diagnosis == D.TIMEOUT


@pytest.mark.parametrize("exercise_id", IDS)
def test_negated_answer_is_sign(exercise_id):
    r = course_utils.run_check(exercise_id, wrap(exercise_id, lambda out: map_leaves(out, lambda x: -x)), seed=5)
    assert (r.passed, r.diagnosis) == (False, D.SIGN), r.message


def _has_matrix_output(ex):
    rng = np.random.default_rng(0)
    for _ in range(6):
        out = ex.reference(*ex.draw(rng))
        found = []
        map_leaves(out, lambda x: found.append(isinstance(x, np.ndarray) and x.ndim == 2 and x.shape[0] != x.shape[1]))
        if any(found):
            return True
    return False


@pytest.mark.parametrize("exercise_id", [ex.id for ex in EXERCISES if _has_matrix_output(ex)])
def test_transposed_answer_is_transpose(exercise_id):
    r = course_utils.run_check(exercise_id, wrap(exercise_id, lambda out: map_leaves(out, transpose_2d)), seed=6, draws=8)
    assert (r.passed, r.diagnosis) == (False, D.TRANSPOSE), r.message


@pytest.mark.parametrize("exercise_id", IDS)
def test_hard_coded_answer_fails(exercise_id):
    ex = by_id(exercise_id)
    frozen = ex.reference(*ex.draw(np.random.default_rng(123)))
    r = course_utils.run_check(exercise_id, lambda *args: frozen, seed=7)
    assert not r.passed


def test_unknown_id_and_non_callable_do_not_raise():
    r = course_utils.run_check("03.grad", lambda *a: 0)
    assert not r.passed and "There is no exercise" in r.message
    r = course_utils.run_check("01.sigmoid", 42)
    assert r.diagnosis == D.WRONG_TYPE and "check('01.sigmoid', sigmoid)" in r.message


def test_fp_strict_names_the_overflow():
    r = course_utils.run_check("01.sigmoid", lambda u: 1 / (1 + np.exp(-u)))
    assert r.diagnosis == D.NAN and "overflow" in r.message


def test_rounding_restore_is_reported_as_mutation():
    def student(f, w, eps=1e-6):
        grad = np.zeros_like(w)
        for i in np.ndindex(w.shape):
            w[i] += eps
            fp = f(w)
            w[i] -= 2 * eps
            fm = f(w)
            w[i] += eps  # not exact in floating point
            grad[i] = (fp - fm) / (2 * eps)
        return grad

    r = course_utils.run_check("01.numerical_grad", student, seed=1)
    if r.diagnosis is not None:  # rounding may happen to restore exactly on some draws
        assert r.diagnosis == D.MUTATES_INPUT and "rounding" in r.message


def test_registry_ids_are_ordered_and_well_formed():
    ids = course_utils.exercise_ids()
    assert ids == sorted(ids, key=lambda i: i.split(".")[0])
    for ex in EXERCISES:
        assert ex.id.split(".")[0].isdigit() and len(ex.id.split(".")[0]) == 2
        assert ex.hints and len(ex.hints) >= 2, "a nudge first, then the formula"
        for m in ex.mistakes:
            assert m.diagnosis in D.CODES
