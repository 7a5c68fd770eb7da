"""Generic breakage every check must name plainly, for every exercise: nothing implemented,
a raised error (with the learner's own line), the wrong kind of object, the wrong shape,
NaN, an input changed in place or replaced, an endless loop, and hostile objects that try
to run code while the check reads them."""

import copy

import numpy as np
import pytest
from checker_helpers import as_lists, first_array_arg, map_first_leaf, map_leaves, transpose_2d, with_nan, wrong_shape

import course_utils
from course_utils.checking import diagnosis as D
from course_utils.checking import engine, registry

EXERCISES = [ex for ex in registry.all_exercises() if ex.kind == "function"]
IDS = [ex.id for ex in EXERCISES]


def by_id(exercise_id):
    return registry.get(exercise_id)


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


def test_not_implemented_raised_inside_a_library_is_an_exception():
    import logging

    def student(u):
        logging.Handler().emit(None)  # the standard library raises NotImplementedError here
        return u

    r = course_utils.run_check("01.sigmoid", student)
    assert r.diagnosis == D.EXCEPTION, "a NotImplementedError from library code is not the learner's stub"
    assert "emit" in r.message


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
    ex = by_id(exercise_id)
    if first_array_arg(engine.plan(ex, np.random.default_rng(0))[0].args) is None:
        pytest.skip("every input is a Python number: nothing can be changed in place")

    def student(*args):
        out = ex.reference(*copy.deepcopy(args))
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
    assert "interrupt the kernel" in r.message


def test_timeout_survives_a_bare_except():
    # The first alarm is swallowed; the engine re-arms, so the second loop still stops.
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
    for draw in engine.plan(ex, np.random.default_rng(0)):
        found = []
        map_leaves(draw.reference, lambda x, found=found: found.append(isinstance(x, np.ndarray) and x.ndim == 2))
        if any(found):
            return True
    return False


@pytest.mark.parametrize("exercise_id", [ex.id for ex in EXERCISES if _has_matrix_output(ex)])
def test_transposed_answer_is_transpose(exercise_id):
    r = course_utils.run_check(exercise_id, wrap(exercise_id, lambda out: map_leaves(out, transpose_2d)), seed=6)
    assert (r.passed, r.diagnosis) == (False, D.TRANSPOSE), r.message


def test_unknown_id_and_non_callable_do_not_raise():
    r = course_utils.run_check("03.grad", lambda *a: 0)
    assert not r.passed and "There is no exercise" in r.message
    r = course_utils.run_check("01.sigmoid", 42)
    assert r.diagnosis == D.WRONG_TYPE and "check('01.sigmoid', sigmoid)" in r.message


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
    assert r.diagnosis == D.MUTATES_INPUT and "rounding" in r.message


# ---------------------------------------------------------------- hostile objects

class RaisingArray(np.ndarray):
    def __array_function__(self, *a, **k):
        raise RuntimeError("hostile __array_function__")

    def __array_ufunc__(self, *a, **k):
        raise RuntimeError("hostile __array_ufunc__")

    def __eq__(self, other):
        raise RuntimeError("hostile __eq__")


class HangingArray(np.ndarray):
    def __array_function__(self, *a, **k):
        while True:
            pass

    def __array_ufunc__(self, *a, **k):
        while True:
            pass


class RaisingDtype(np.ndarray):
    @property
    def dtype(self):
        raise RuntimeError("hostile dtype")

    @property
    def shape(self):
        while True:
            pass


@pytest.mark.parametrize("cls", [RaisingArray, HangingArray, RaisingDtype])
def test_an_input_swapped_for_a_hostile_subclass_is_mutates_input(cls):
    def student(X, y, params):
        grads = registry.get("08.backprop").reference(X, y, copy.deepcopy(params))
        W, b = params[0]
        params[0] = (np.ndarray.view(W.copy(), cls), b)   # same values, hostile type
        return grads

    r = course_utils.run_check("08.backprop", student, time_limit=1.0)
    assert (r.passed, r.diagnosis) == (False, D.MUTATES_INPUT), r.message


@pytest.mark.parametrize("cls", [RaisingArray, HangingArray, RaisingDtype])
def test_a_hostile_subclass_returned_with_the_right_values_is_read_as_its_values(cls):
    ref = registry.get("01.sigmoid").reference
    r = course_utils.run_check("01.sigmoid", lambda u: np.ndarray.view(ref(u), cls), time_limit=1.0)
    assert r.passed, r.message


def test_a_memmap_holding_the_right_values_passes(tmp_path):
    ref = registry.get("01.sigmoid").reference

    def student(u):
        out = np.memmap(tmp_path / "m.dat", dtype="f8", mode="w+", shape=np.shape(u))
        out[...] = ref(u)
        return out

    assert course_utils.run_check("01.sigmoid", student).passed


def test_an_object_with_a_forged_class_is_wrong_type():
    class Liar:
        @property
        def __class__(self):
            return np.ndarray

    r = course_utils.run_check("01.sigmoid", lambda u: Liar())
    assert r.diagnosis == D.WRONG_TYPE


def test_a_replaced_argument_list_item_of_another_type_is_mutates_input():
    def student(X, y, params):
        grads = registry.get("08.backprop").reference(X, y, copy.deepcopy(params))
        params.append("extra")
        return grads

    r = course_utils.run_check("08.backprop", student)
    assert r.diagnosis == D.MUTATES_INPUT and "params" in r.message
