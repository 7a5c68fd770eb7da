"""Property tests: whatever a learner passes or returns, run_check never raises and
never calls junk right; results always carry a valid diagnosis."""

import warnings

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import course_utils
from course_utils.checking import diagnosis as D
from course_utils.checking import registry

# A derivation checkpoint's answer is a value, not a function: junk values are judged by
# test_junk_checkpoint_answers_never_raise below (a junk string may be the right choice).
FUNCTION_IDS = [i for i in course_utils.exercise_ids() if registry.get(i).kind == "function"]
VALUE_IDS = [i for i in course_utils.exercise_ids() if registry.get(i).kind == "value"]


class AlwaysEqual:
    def __eq__(self, other):
        return True

    __hash__ = object.__hash__


class Hostile:
    def __getattribute__(self, name):
        raise RuntimeError("no")

    def __array__(self, *a, **k):
        raise RuntimeError("no")

    def __float__(self):
        raise RuntimeError("no")

    def __len__(self):
        raise RuntimeError("no")


class LyingArray:
    """Claims to be an ndarray via __class__."""

    @property
    def __class__(self):
        return np.ndarray


arrays = hnp.arrays(
    dtype=st.sampled_from([np.float64, np.float32, np.int64, np.bool_, np.complex128]),
    shape=hnp.array_shapes(min_dims=0, max_dims=3, max_side=4))

with warnings.catch_warnings():
    warnings.simplefilter("ignore", PendingDeprecationWarning)
    A_MATRIX = np.matrix([[1.0, 2.0]])  # an ndarray subclass the engine must refuse

leaf = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=5), arrays, st.just(Ellipsis), st.builds(AlwaysEqual), st.builds(Hostile),
    st.builds(LyingArray), st.just(A_MATRIX), st.just({"a": 1}),
    st.just(np.array([object()], dtype=object)),
)
junk = st.recursive(leaf, lambda inner: st.one_of(st.lists(inner, max_size=3), st.tuples(inner, inner)), max_leaves=6)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(exercise_id=st.sampled_from(course_utils.exercise_ids()), value=junk)
def test_junk_returns_never_raise_and_never_pass(exercise_id, value):
    r = course_utils.run_check(exercise_id, lambda *args: value, draws=2)
    assert isinstance(r, course_utils.CheckResult)
    assert not r.passed
    assert r.diagnosis in D.CODES
    assert isinstance(r.message, str) and r.message


@settings(max_examples=60, deadline=None)
@given(exercise_id=st.one_of(st.sampled_from(FUNCTION_IDS), st.text(max_size=8), st.none(), st.integers()),
       fn=st.one_of(leaf, st.just(print), st.just(lambda: 1), st.just(lambda *a, **k: 1 / 0)))
def test_junk_ids_and_functions_never_raise(exercise_id, fn):
    r = course_utils.run_check(exercise_id, fn, draws=1)
    assert isinstance(r, course_utils.CheckResult)
    assert not r.passed and r.diagnosis in D.CODES


@settings(max_examples=40, deadline=None)
@given(exercise_id=st.sampled_from(FUNCTION_IDS),
       exc=st.sampled_from([ValueError, KeyboardInterrupt, SystemExit, MemoryError, RecursionError, GeneratorExit]))
def test_any_exception_from_the_learner_is_reported(exercise_id, exc):
    def student(*args):
        raise exc("boom")

    r = course_utils.run_check(exercise_id, student, draws=1)
    assert (r.passed, r.diagnosis) == (False, D.EXCEPTION)
    assert exc.__name__ in r.message


def _right_value(exercise_id, value):
    """True when ``value`` is the checkpoint's answer (a choice up to case and spaces, a shape
    as a tuple or list of equal numbers, or the number)."""
    ref = registry.get(exercise_id).reference()
    if isinstance(ref, str):
        return type(value) is str and value.strip().lower() == ref
    if isinstance(ref, tuple):
        return (type(value) in (tuple, list) and len(value) == len(ref)
                and all(type(v) in (int, float) and v == r for v, r in zip(value, ref, strict=True)))
    return type(value) in (int, float) and abs(value - ref) <= 1e-7 * abs(ref)


@settings(max_examples=80, deadline=None)
@given(exercise_id=st.sampled_from(VALUE_IDS or ["no checkpoint"]), value=junk)
def test_junk_checkpoint_answers_never_raise(exercise_id, value):
    r = course_utils.run_check(exercise_id, value)
    assert isinstance(r, course_utils.CheckResult) and (r.diagnosis in D.CODES) != r.passed
    assert r.passed == (bool(VALUE_IDS) and _right_value(exercise_id, value))
