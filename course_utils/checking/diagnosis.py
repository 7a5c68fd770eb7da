"""The diagnosis codes a check can return, with a default sentence for each.

A diagnosis other than ``wrong_value`` is only ever given when it is known to be
right, so each sentence can speak plainly.
"""

NOT_IMPLEMENTED = "not_implemented"
EXCEPTION = "exception"
WRONG_TYPE = "wrong_type"
SHAPE = "shape"
NAN = "nan"
MUTATES_INPUT = "mutates_input"
TIMEOUT = "timeout"
TRANSPOSE = "transpose"
SIGN = "sign"
PARTIAL_SIGN = "partial_sign"
BATCH_SCALE = "batch_scale"
MISSING_ACTIVATION_DERIVATIVE = "missing_activation_derivative"
EXTRA_ACTIVATION_DERIVATIVE = "extra_activation_derivative"
BIAS_NOT_SUMMED = "bias_not_summed"
WRONG_VALUE = "wrong_value"

CODES = (
    NOT_IMPLEMENTED, EXCEPTION, WRONG_TYPE, SHAPE, NAN, MUTATES_INPUT, TIMEOUT,
    TRANSPOSE, SIGN, PARTIAL_SIGN, BATCH_SCALE, MISSING_ACTIVATION_DERIVATIVE,
    EXTRA_ACTIVATION_DERIVATIVE, BIAS_NOT_SUMMED, WRONG_VALUE,
)

DEFAULT_MESSAGES = {
    NOT_IMPLEMENTED: "Not implemented yet: replace `raise NotImplementedError()` with your code.",
    EXCEPTION: "Your function raised an error.",
    WRONG_TYPE: "Your function returned the wrong kind of object.",
    SHAPE: "Your answer has the wrong shape.",
    NAN: "Your answer contains NaN or infinity.",
    MUTATES_INPUT: "Your function changed one of its input arrays in place; compute on a copy instead.",
    TIMEOUT: "Your function took too long (is there an endless loop?).",
    TRANSPOSE: "Your answer is the transpose of the right one: a gradient has the shape of what it differentiates.",
    SIGN: "Your answer is the right one with the opposite sign everywhere: check the direction of each difference, e.g. (yhat - y) versus (y - yhat).",
    PARTIAL_SIGN: "Your answer is right for some examples and has the wrong sign for others: check the label-0 term of the cross-entropy.",
    BATCH_SCALE: "Your answer is off by a factor of the batch size N: the loss here is a sum over examples, not a mean.",
    MISSING_ACTIVATION_DERIVATIVE: "A factor sigma'(z) = sigma(z) * (1 - sigma(z)) is missing from your chain rule.",
    EXTRA_ACTIVATION_DERIVATIVE: "Your answer has one sigma'(z) factor too many: at a sigmoid + cross-entropy output it cancels.",
    BIAS_NOT_SUMMED: "Your bias gradient still has one row per example: sum it over the batch (axis 0).",
    WRONG_VALUE: "Your answer has the right shape but the wrong values.",
}
