"""Independent test of notebook 00's reference: the squared error against exact rational
arithmetic (fractions), and its derivative in yhat against central differences."""

import glob
import os
import re
from fractions import Fraction

import numpy as np
from checking_support import draw_args

from course_utils.checking import registry
from course_utils.gradcheck import gradcheck

HERE = os.path.dirname(os.path.abspath(__file__))


def test_squared_error_is_half_the_sum_of_squares_exactly():
    ex = registry.get("00.squared_error")
    rng = np.random.default_rng(3)
    for _ in range(50):
        yhat, y = draw_args(ex, rng)
        pairs = zip(yhat, y, strict=True)
        exact = Fraction(1, 2) * sum((Fraction(float(a)) - Fraction(float(b))) ** 2 for a, b in pairs)
        assert abs(Fraction(ex.reference(yhat, y)) - exact) <= exact * Fraction(1, 10 ** 14)


def test_its_derivative_is_yhat_minus_y():
    ex = registry.get("00.squared_error")
    yhat, y = draw_args(ex, np.random.default_rng(4))
    assert gradcheck(lambda v: ex.reference(v, y), yhat, yhat - y).passed


def test_every_exercise_has_an_independent_reference_test():
    """Each registered exercise is named in one of the test_nbNN files (by its id or its
    function), so an exercise added or renamed cannot go untested silently."""
    text = "".join(open(p).read() for p in glob.glob(os.path.join(HERE, "test_nb*.py")))
    untested = [ex.id for ex in registry.all_exercises()
                if ex.id not in text and not re.search(rf"nb{ex.notebook}\.{ex.id.split('.', 1)[1]}\(", text)]
    assert untested == []
