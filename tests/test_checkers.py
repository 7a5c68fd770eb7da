"""Every registered exercise, checked by the shared engine against right and wrong answers.

Right answers: the reference and the alternatives in tests/alternatives (loops, einsum,
other algebra). Wrong answers: every registered slip alone and every pair (each named by
its true diagnosis, checked independently by recomputing the named slips' answer), the
structural slips of tests/wrong_answers.py, and generic breakage (None, a list, a wrong
shape, NaN, an exception, an input changed in place, an endless loop, a hard-coded answer,
an answer right on some draws and negated on others). The 1,000-seed versions of these
are in test_checkers_seeds.py (marker ``slow``).
"""

import copy

import numpy as np
import pytest
from alternatives import all_alternatives
from checking_support import draw_args, expected_code, explains, is_right, pair_keys, same, single_keys, variant
from wrong_answers import WRONG, hard_coded, sometimes_negated

import course_utils
from course_utils.checking import diagnosis as D
from course_utils.checking import engine, registry

EXERCISES = registry.all_exercises()
IDS = [ex.id for ex in EXERCISES]
FUNCTIONS = [ex.id for ex in EXERCISES if ex.kind == "function"]
ALTERNATIVES = all_alternatives()
SEEDS = [0, 1]  # a smoke run: test_checkers_seeds.py (marker slow) judges 1,000 seeds


def by_id(exercise_id):
    return registry.get(exercise_id)


def plan(ex, seed):
    return engine.plan(ex, np.random.default_rng(seed))


@pytest.mark.parametrize("exercise_id", FUNCTIONS)
@pytest.mark.parametrize("seed", SEEDS)
def test_reference_passes(exercise_id, seed):
    ref = by_id(exercise_id).reference
    r = course_utils.run_check(exercise_id, lambda *args: ref(*args), seed=seed)
    assert r.passed, r.message
    assert r.diagnosis is None


@pytest.mark.parametrize("exercise_id", FUNCTIONS)
def test_the_courses_own_functions_are_not_the_learners(exercise_id):
    """Handing the check a function from course_utils itself (the reference, or a helper
    the course provides for later notebooks) is not an answer."""
    r = course_utils.run_check(exercise_id, by_id(exercise_id).reference, seed=0)
    assert (r.passed, r.diagnosis) == (False, D.NOT_IMPLEMENTED) and "course's own" in r.message


WITHHELD = [ex.id for ex in registry.all_exercises() if ex.withheld]


@pytest.mark.parametrize("exercise_id", WITHHELD)
def test_a_wrapper_of_the_courses_own_answer_is_refused(exercise_id):
    """A learner's function that only calls the course's public version of the answer
    (``withheld``) is told to write its own; the course function works again after."""
    import importlib
    ex = by_id(exercise_id)
    module_name, _, name = ex.withheld[0].rpartition(".")
    module = importlib.import_module(f"course_utils.{module_name}")

    def wrapper(*args):
        return getattr(module, name)(*args)

    r = course_utils.run_check(exercise_id, wrapper, seed=0)
    assert (r.passed, r.diagnosis) == (False, D.NOT_IMPLEMENTED) and "calls the course's own" in r.message
    args = draw_args(ex, np.random.default_rng(0))
    assert same(ex, getattr(module, name)(*args), ex.reference(*args))  # restored


def test_withholding_restores_the_code_whatever_happens():
    from course_utils import functions
    from course_utils.portable import safecall
    before = functions.sigmoid.__code__
    with pytest.raises(NotImplementedError) as info, safecall.withholding([functions.sigmoid]):
        functions.sigmoid(0.0)
    assert info.value.args == (safecall.WITHHELD,) and functions.sigmoid.__code__ is before
    assert len(WITHHELD) >= 5  # 00.squared_error, 01's sigmoid, sigmoid_prime, numerical_grad, 08.bce_from_logits


@pytest.mark.parametrize("exercise_id", FUNCTIONS)
def test_every_exercise_has_two_alternatives(exercise_id):
    assert len(ALTERNATIVES.get(exercise_id, [])) >= 2, "add alternatives in tests/alternatives/"


@pytest.mark.parametrize("exercise_id,fn", [(k, f) for k, fns in ALTERNATIVES.items() for f in fns],
                         ids=lambda v: getattr(v, "__name__", v))
@pytest.mark.parametrize("seed", [3, 4])
def test_alternatives_pass(exercise_id, fn, seed):
    r = course_utils.run_check(exercise_id, fn, seed=seed)
    assert r.passed, r.message


def _named_truly(ex, keys, seed):
    fn = variant(ex, keys)
    the_plan = plan(ex, seed)
    if is_right(ex, fn, the_plan):
        return None  # the slips cancel on this plan: not a wrong answer
    r = engine.judge_function(ex, fn, the_plan, ex.time_limit)
    assert not r.passed, f"{keys} passed: {r.message}"
    assert r.explanation, f"{keys} not named: {r.message}"
    assert explains(ex, r.explanation, fn, the_plan), f"{keys} named {r.explanation} falsely: {r.message}"
    return r


SINGLES = [(ex.id, keys) for ex in EXERCISES for keys in single_keys(ex)]
PAIRS = [(ex.id, keys) for ex in EXERCISES for keys in pair_keys(ex)]


@pytest.mark.parametrize("exercise_id,keys", SINGLES, ids=str)
def test_every_slip_is_named_with_its_code(exercise_id, keys):
    ex = by_id(exercise_id)
    for seed in SEEDS:
        r = _named_truly(ex, keys, seed)
        assert r is not None, f"{keys} gives the right answer"
        assert r.diagnosis == expected_code(ex, keys), r.message
        if keys[0].startswith("slip:") and ex.slips[int(keys[0][5:])].why:
            assert r.message.startswith(ex.slips[int(keys[0][5:])].why)


@pytest.mark.parametrize("exercise_id,keys", PAIRS, ids=str)
def test_every_pair_of_slips_is_named_truly(exercise_id, keys):
    ex = by_id(exercise_id)
    r = _named_truly(ex, keys, seed=7)
    if r is not None and set(r.explanation) == set(keys):
        assert r.diagnosis == expected_code(ex, keys)


WRONG_CASES = [(k, name, fn, allowed) for k, items in WRONG.items() for name, fn, allowed in items]


@pytest.mark.parametrize("exercise_id,name,fn,allowed", WRONG_CASES, ids=lambda v: v if isinstance(v, str) else "")
def test_structural_slips_fail_with_a_true_diagnosis(exercise_id, name, fn, allowed):
    for seed in SEEDS:
        r = course_utils.run_check(exercise_id, fn, seed=seed)
        assert not r.passed, f"{name} passed: {r.message}"
        assert r.diagnosis in allowed, f"{name}: {r.diagnosis}: {r.message}"


@pytest.mark.parametrize("exercise_id", FUNCTIONS)
def test_right_on_some_draws_negated_on_others_is_not_sign(exercise_id):
    ex = by_id(exercise_id)
    r = course_utils.run_check(exercise_id, sometimes_negated(ex.reference), seed=5)
    assert (r.passed, r.diagnosis) == (False, D.WRONG_VALUE), r.message


@pytest.mark.parametrize("exercise_id", FUNCTIONS)
def test_hard_coded_answer_fails(exercise_id):
    ex = by_id(exercise_id)
    frozen_args = plan(ex, 123)[0].args
    r = course_utils.run_check(exercise_id, hard_coded(ex.reference, copy.deepcopy(frozen_args)), seed=7)
    assert not r.passed


@pytest.mark.parametrize("exercise_id", FUNCTIONS)
def test_every_slip_shows_in_some_case(exercise_id):
    """The coverage plan makes every slip visible: on each plan, each slip differs from the
    right answer on at least one draw (so it can never pass)."""
    ex = by_id(exercise_id)
    for seed in SEEDS:
        the_plan = plan(ex, seed)
        for keys in single_keys(ex):
            assert not is_right(ex, variant(ex, keys), the_plan), f"{keys} is invisible on seed {seed}"


def test_registry_ids_are_ordered_and_well_formed():
    ids = course_utils.exercise_ids()
    assert ids == sorted(ids, key=lambda i: i.split(".")[0])
    for ex in EXERCISES:
        assert ex.hints and len(ex.hints) >= 2, "a nudge first, then the formula"
        assert len(ex.cases) >= 2 or ex.kind == "value", "a coverage plan of one case cannot cover much"
        for slip in ex.slips:
            assert slip.code in D.CODES and slip.says


def test_readme_diagnosis_table_matches_the_codes():
    import os
    import re
    readme = open(os.path.join(os.path.dirname(__file__), "..", "README.md"), encoding="utf-8").read()
    table = re.findall(r"^\| `(\w+)` \|", readme, re.M)
    assert table == list(D.CODES), "README's diagnosis table and course_utils/checking/diagnosis.py differ"
