"""Notebook 00: a warm-up exercise that shows how checks, hints and solutions work."""

import numpy as np

from ..checking import diagnosis as D
from ..checking.draws import features, targets
from ..checking.exercise import Case, Exercise, Slip


def squared_error(yhat, y, *, half=True, mean=False, sum_then_square=False):
    """L = 1/2 * sum((yhat - y)^2); yhat (N,), y (N,) -> float.

    Knobs (mistakes): ``half=False`` drops the 1/2, ``mean=True`` averages over the batch,
    ``sum_then_square=True`` squares the summed error instead of summing squares."""
    error = np.asarray(yhat, dtype=np.float64) - y
    total = float(np.sum(error)) ** 2 if sum_then_square else float(np.sum(error ** 2))
    if mean:
        total /= len(error)
    return 0.5 * total if half else total


def _errors_of_both_signs(rng):
    n = int(rng.integers(3, 10))
    y = targets(rng, (n,))
    error = features(rng, (n,), scale=0.5)
    error[0], error[1] = abs(error[0]) + 0.05, -abs(error[1]) - 0.05  # both signs present
    return y + error, y


def _two_examples(rng):
    y = targets(rng, (2,))
    return y + np.array([0.3, -0.2]) * (1 + rng.random(2)), y


EXERCISES = [
    Exercise(
        id="00.squared_error",
        signature="squared_error(yhat, y)",
        returns="float: 1/2 * sum((yhat - y)**2) over the batch; yhat and y (N,)",
        cases=(Case("errors of both signs, N >= 3", _errors_of_both_signs), Case("N = 2", _two_examples)),
        reference=squared_error,
        withheld=("functions.squared_loss",),
        points=1,
        slips=(
            Slip("half", False, D.WRONG_VALUE, "the factor 1/2 is missing",
                 "Your loss is twice the right one: keep the factor 1/2 (it makes the derivative exactly yhat - y)."),
            Slip("mean", True, D.BATCH_SCALE, "it averages over the batch instead of summing",
                 "You averaged over the batch (np.mean): this course's loss is a sum over examples, "
                 "so it is N times larger."),
            Slip("sum_then_square", True, D.WRONG_VALUE, "it squares the summed error",
                 "You squared the sum of the errors; square each error first, then sum."),
        ),
        hints=(
            "The loss adds one term per example, the squared difference between prediction and target, "
            "and halves the total. Return a Python float.",
            "(yhat - y) ** 2 squares element-wise, giving an (N,) array; np.sum adds its entries up.",
            "return 0.5 * float(np.sum((yhat - y) ** 2))",
        ),
        solution="""
            def squared_error(yhat, y):
                return 0.5 * float(np.sum((yhat - y) ** 2))
        """,
    ),
]
