"""Honest judgement on 1,000 consecutive seeds (marker ``slow``: run by ``pytest -m slow``).

For every exercise and every seed 0..999, one plan of draws is made and judged against:
the reference and every alternative right answer (must pass); every registered slip
alone, every pair of slips on different knobs, every slip with the sign flipped (must
fail, named, and the named explanation recomputed from scratch must reproduce the
answer on every draw); the structural slips of tests/wrong_answers.py (must fail with a
diagnosis from their true set); and an answer right on some draws and negated on others
(must be wrong_value). Any failure names the exercise, the seed and the variant.

A composite property test (hypothesis) draws random sets of up to three slips and
requires the code given to be true.
"""

import os

import numpy as np
import pytest
from alternatives import all_alternatives
from checking_support import expected_code, explains, is_right, pair_keys, single_keys, variant
from hypothesis import given, settings
from hypothesis import strategies as st
from wrong_answers import WRONG, sometimes_negated

from course_utils.checking import diagnosis as D
from course_utils.checking import engine, registry

pytestmark = pytest.mark.slow

SEEDS = range(int(os.environ.get("COURSE_SEEDS", "1000")))
FUNCTIONS = [ex for ex in registry.all_exercises() if ex.kind == "function"]
ALTERNATIVES = all_alternatives()


def _judge(ex, fn, the_plan):
    return engine.judge_function(ex, fn, the_plan, ex.time_limit)


@pytest.mark.parametrize("ex", FUNCTIONS, ids=lambda e: e.id)
def test_every_seed_judges_truly(ex):
    right = [ex.reference] + ALTERNATIVES.get(ex.id, [])
    slips = [variant(ex, keys) for keys in single_keys(ex) + pair_keys(ex)]
    wrong = WRONG.get(ex.id, [])
    problems = []
    tried = passes = false_names = 0
    for seed in SEEDS:
        the_plan = engine.plan(ex, np.random.default_rng(seed))
        for fn in right:
            r = _judge(ex, fn, the_plan)
            if not r.passed:
                problems.append(f"seed {seed}: right answer {fn.__name__} refused: {r.message}")
        for fn in slips:
            if is_right(ex, fn, the_plan):
                continue  # slips that cancel out give the right answer: nothing to judge
            tried += 1
            r = _judge(ex, fn, the_plan)
            if r.passed:
                passes += 1
                problems.append(f"seed {seed}: {fn.__name__} PASSED")
            elif not r.explanation:
                problems.append(f"seed {seed}: {fn.__name__} not named ({r.diagnosis}): {r.message}")
            elif not explains(ex, r.explanation, fn, the_plan):
                false_names += 1
                problems.append(f"seed {seed}: {fn.__name__} named {r.explanation} falsely")
            elif set(r.explanation) == set(fn.__name__.split("+")) and r.diagnosis != expected_code(
                    ex, fn.__name__.split("+")):
                problems.append(f"seed {seed}: {fn.__name__} got code {r.diagnosis}")
        for name, fn, allowed in wrong:
            tried += 1
            r = _judge(ex, fn, the_plan)
            if r.passed:
                passes += 1
                problems.append(f"seed {seed}: {name} PASSED")
            elif r.diagnosis not in allowed:
                false_names += 1
                problems.append(f"seed {seed}: {name} got {r.diagnosis}, true: {sorted(allowed)}: {r.message}")
        tried += 1
        r = _judge(ex, sometimes_negated(ex.reference), the_plan)
        if r.passed or r.diagnosis != D.WRONG_VALUE:
            false_names += 1
            problems.append(f"seed {seed}: right-or-negated got {r.diagnosis}")
        if len(problems) > 20:
            break
    print(f"{ex.id}: {len(SEEDS)} seeds, {len(slips) + len(wrong) + 1} wrong variants, {tried} judged, "
          f"{passes} passed, {false_names} false diagnoses; {len(right)} right answers")
    assert not problems, "\n".join(problems[:20])


def _subsets(ex):
    keys = [f"slip:{i}" for i in range(len(ex.slips))] + ["sign"]
    return st.lists(st.sampled_from(keys), min_size=1, max_size=3, unique=True)


@pytest.mark.parametrize("ex", FUNCTIONS, ids=lambda e: e.id)
def test_random_composites_get_a_true_code(ex):
    @settings(max_examples=60, deadline=None, derandomize=True)
    @given(keys=_subsets(ex), seed=st.integers(0, 10**6))
    def prop(keys, seed):
        knobs = [k for k in keys if k.startswith("slip:")]
        if len({ex.slips[int(k[5:])].knob for k in knobs}) < len(knobs):
            return  # two values of one knob cannot both be set
        fn = variant(ex, keys)
        the_plan = engine.plan(ex, np.random.default_rng(seed))
        if is_right(ex, fn, the_plan):
            return
        r = _judge(ex, fn, the_plan)
        assert not r.passed, f"{keys} passed"
        if r.explanation:
            assert explains(ex, r.explanation, fn, the_plan), f"{keys} named {r.explanation} falsely"
            assert r.diagnosis == expected_code(ex, r.explanation)
        else:
            assert r.diagnosis in (D.WRONG_VALUE, D.SHAPE), f"{keys}: unnamed but {r.diagnosis}"
    prop()
