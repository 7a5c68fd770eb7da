"""Notebook 00: a warm-up exercise that shows how checks, hints and solutions work."""

import numpy as np

from ..checking import diagnosis as D
from ..checking.draws import distinct_sizes, features, targets
from ..checking.exercise import Exercise, Mistake


def squared_error(yhat, y):
    """L = 1/2 * sum((yhat - y)^2); yhat (N,), y (N,) -> float."""
    return 0.5 * float(np.sum((yhat - y) ** 2))


def _draw(rng):
    (n,) = distinct_sizes(rng, 1, 2, 9)
    y = targets(rng, (n,))
    yhat = y + features(rng, (n,), scale=0.5) + 0.05  # never equal to y
    return yhat, y


EXERCISES = [
    Exercise(
        id="00.squared_error",
        signature="squared_error(yhat, y)",
        returns="float: 1/2 * sum((yhat - y)**2) over the batch; yhat and y (N,)",
        draw=_draw,
        reference=squared_error,
        points=1,
        mistakes=(
            Mistake(D.WRONG_VALUE, lambda yhat, y: float(np.sum((yhat - y) ** 2)),
                    "Your loss is twice the right one: keep the factor 1/2 (it makes the derivative "
                    "exactly yhat - y)."),
            Mistake(D.BATCH_SCALE, lambda yhat, y: 0.5 * float(np.mean((yhat - y) ** 2)),
                    "You averaged over the batch (np.mean): this course's loss is a sum over examples, "
                    "so it is N times larger."),
            Mistake(D.WRONG_VALUE, lambda yhat, y: 0.5 * float(np.sum(yhat - y)) ** 2,
                    "You squared the sum of the errors; square each error first, then sum."),
        ),
        hints=(
            "Subtract, square element-wise, add up, halve. Return a Python float.",
            "return 0.5 * float(np.sum((yhat - y) ** 2))",
        ),
    ),
]
