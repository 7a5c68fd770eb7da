"""The diagnosis codes a check can return, with a default sentence for each.

A code other than ``wrong_value`` is only ever given when it is true: the answer equals
the named mistake on every draw of the check, right draws included (see ``engine``). So
each sentence can speak plainly. The README's table lists the same codes; a test keeps
the two in step.
"""

from __future__ import annotations

from typing import Final, Literal, get_args

Diagnosis = Literal[
    "not_implemented", "exception", "wrong_type", "shape", "nan", "mutates_input", "timeout",
    "transpose", "sign", "partial_sign", "batch_scale", "missing_activation_derivative",
    "extra_activation_derivative", "bias_not_summed", "weight_not_summed", "diagonal_jacobian",
    "composite", "wrong_value",
]

NOT_IMPLEMENTED: Final = "not_implemented"
EXCEPTION: Final = "exception"
WRONG_TYPE: Final = "wrong_type"
SHAPE: Final = "shape"
NAN: Final = "nan"
MUTATES_INPUT: Final = "mutates_input"
TIMEOUT: Final = "timeout"
TRANSPOSE: Final = "transpose"
SIGN: Final = "sign"
PARTIAL_SIGN: Final = "partial_sign"
BATCH_SCALE: Final = "batch_scale"
MISSING_ACTIVATION_DERIVATIVE: Final = "missing_activation_derivative"
EXTRA_ACTIVATION_DERIVATIVE: Final = "extra_activation_derivative"
BIAS_NOT_SUMMED: Final = "bias_not_summed"
WEIGHT_NOT_SUMMED: Final = "weight_not_summed"
DIAGONAL_JACOBIAN: Final = "diagonal_jacobian"
COMPOSITE: Final = "composite"
WRONG_VALUE: Final = "wrong_value"

CODES: tuple[Diagnosis, ...] = get_args(Diagnosis)

DEFAULT_MESSAGES: dict[Diagnosis, str] = {
    NOT_IMPLEMENTED: "Not implemented yet: replace `raise NotImplementedError()` (or `...`) with your answer.",
    EXCEPTION: "Your function raised an error.",
    WRONG_TYPE: "Your answer is the wrong kind of object.",
    SHAPE: "Your answer has the wrong shape.",
    NAN: "Your answer contains NaN or infinity where the true value is finite.",
    MUTATES_INPUT: "Your function changed one of its inputs in place; compute on a copy instead.",
    TIMEOUT: "Your function took too long (is there an endless loop?).",
    TRANSPOSE: "Your answer is the transpose of the right one: a gradient has the shape of what it "
               "differentiates.",
    SIGN: "Your answer is the right one with the opposite sign everywhere: check the direction of each "
          "difference, e.g. (yhat - y) versus (y - yhat).",
    PARTIAL_SIGN: "Your answer is right on some entries and has the wrong sign on the others: check the "
                  "label-0 term of the cross-entropy.",
    BATCH_SCALE: "Your answer is off by a factor of the batch size N: the loss here is a sum over examples, "
                 "not a mean.",
    MISSING_ACTIVATION_DERIVATIVE: "A factor sigma'(z) = sigma(z) * (1 - sigma(z)) is missing from your "
                                   "chain rule.",
    EXTRA_ACTIVATION_DERIVATIVE: "Your answer has one sigma'(z) factor too many: at a sigmoid + "
                                 "cross-entropy output it cancels.",
    BIAS_NOT_SUMMED: "Your bias gradient still has one row per example: sum it over the batch (axis 0).",
    WEIGHT_NOT_SUMMED: "Your weight gradient still has one entry per example: the gradient of a loss summed "
                       "over the batch is the sum of the per-example gradients.",
    DIAGONAL_JACOBIAN: "You returned a diagonal matrix whose diagonal is the right answer: the gradient is "
                       "that vector itself, not diag(vector) (the Jacobian of an element-wise map).",
    COMPOSITE: "Your answer has two or more known slips at once.",
    WRONG_VALUE: "Your answer has the right shape but the wrong values.",
}
