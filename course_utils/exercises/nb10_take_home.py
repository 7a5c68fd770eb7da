"""Notebook 10: one backprop for every case: K sigmoid outputs, any depth, an L2 weight
penalty, real data, and the initialisation of deep sigmoid networks.

Shapes (docs/design.md): X (N, d), Y (N, K), params [(W_l (n_{l-1}, n_l), b_l (n_l,)), ...]
for layers l = 1..D (D the depth), Z_l = H_{l-1} @ W_l + b_l, H_l = sigma(Z_l), F = H_D.
"""

import numpy as np

from ..checking import diagnosis as D
from ..checking.draws import Redraw, distinct_sizes, features, layer_params
from ..checking.exercise import Case, Exercise, Slip
from .models import deep as models
from .models.deep import HIDDEN_SLOPE_SLIPS, OUTPUT_DELTA_SLIPS


def backprop_multi(X, Y, params, **knobs):
    """Gradients of L = -sum over examples and outputs of [Y log F + (1 - Y) log(1 - F)] for a
    sigmoid network with K outputs; X (N, d), Y (N, K), params [(W_l, b_l), ...]
    -> [(dW_l, db_l), ...] shaped like params."""
    return models.deep_grads(X, Y, params, **knobs)


def predict(X, params, *, pick="argmax"):
    """For each example the index of the output unit with the largest activation;
    X (N, d), params -> (N,) integers. Knob: ``pick="argmin"`` takes the smallest."""
    F = models.deep_forward(X, params)[-1]
    return (np.argmin if pick == "argmin" else np.argmax)(F, axis=1)


def backprop_l2(X, Y, params, lam, *, factor=1.0, penalty_sign=1.0, penalize_bias=False, data_term=True,
                mean="none"):
    """Gradients of L + (lam / 2) * sum_l ||W_l||^2 (the biases are not penalised), L the summed
    per-output cross-entropy of ``backprop_multi``; X (N, d), Y (N, K), params
    [(W_l, b_l), ...], lam a number -> [(dW_l + lam W_l, db_l), ...] shaped like params.

    Knobs: ``factor`` multiplies the penalty's gradient (2: the 1/2 dropped, 0.5: the 2 of
    the square dropped); ``penalty_sign=-1`` subtracts it; ``penalize_bias=True`` adds
    lam * b_l to the bias gradients too; ``data_term=False`` leaves the cross-entropy's
    gradient out; ``mean`` "data" divides the cross-entropy's gradient by N, "all" the
    whole gradient (MLPClassifier's objective is the mean of ours)."""
    n = np.shape(X)[0]
    data = models.deep_grads(X, Y, params)
    out = []
    for (W, b), (dW, db) in zip(params, data, strict=True):
        W = np.asarray(W, dtype=np.float64)
        b = np.asarray(b, dtype=np.float64)
        if not data_term:
            dW, db = np.zeros_like(W), np.zeros_like(b)
        elif mean == "data":
            dW, db = dW / n, db / n
        gW = dW + penalty_sign * factor * lam * W
        gb = db + (penalty_sign * factor * lam * b if penalize_bias else 0.0)
        if mean == "all":
            gW, gb = gW / n, gb / n
        out.append((gW, gb))
    return out


def backward_gain(*, square_slope=True, with_slope=True, with_width=True):
    """The factor by which Var(delta) is multiplied going down one sigmoid layer of width
    n = 32 with W ~ N(0, 1/32) and every sigma' at its largest value 1/4:
    n * Var(W) * (1/4)^2 = 1/16. Knobs drop the square of the slope (1/4), the slope
    (1), or the sum over the n units above (1/512)."""
    n, var_w, slope = 32, 1.0 / 32, 0.25
    gain = slope ** 2 if square_slope else slope
    if not with_slope:
        gain = 1.0
    return (n if with_width else 1) * var_w * gain


def sigmoid_init_std(n_in, n_out, *, slope="squared", fans="average", returns="std"):
    """The standard deviation of Glorot's initialisation for a sigmoid layer with n_in
    inputs and n_out outputs: 4 * sqrt(2 / (n_in + n_out)), a float.

    Knobs: ``slope`` "none" (tanh's formula: sigma'(0) = 1/4 left out) or "unsquared"
    (sigma'(0) not squared: 2 * sqrt(...)); ``fans`` "in" (forward condition only,
    4 / sqrt(n_in)), "out" (backward only, 4 / sqrt(n_out)), "sum" (1 / (n_in + n_out)
    instead of 2 / (n_in + n_out)); ``returns="variance"`` gives 32 / (n_in + n_out)."""
    gain = {"squared": 16.0, "unsquared": 4.0, "none": 1.0}[slope]
    per_unit = {"average": 2.0 / (n_in + n_out), "in": 1.0 / n_in, "out": 1.0 / n_out,
                "sum": 1.0 / (n_in + n_out)}[fans]
    variance = gain * per_unit
    return float(variance if returns == "variance" else np.sqrt(variance))


def _targets(rng, n, k, one_hot):
    """(n, k) 0/1 targets holding at least one 1 and one 0: one-hot rows or multi-label rows."""
    if one_hot:
        Y = np.zeros((n, k))
        Y[np.arange(n), rng.integers(0, k, size=n)] = 1.0
    else:
        Y = (rng.random((n, k)) < 0.5).astype(np.float64)
        Y.flat[0], Y.flat[-1] = 1.0, 0.0
    return Y


def _multi(depth, one_hot):
    """X (N, d), Y (N, K), params for ``depth`` sigmoid layers; N, d, widths, K all different."""
    def draw(rng):
        n, *sizes = distinct_sizes(rng, depth + 2, 2, 9)
        X = features(rng, (n, sizes[0]))
        return X, _targets(rng, n, sizes[-1], one_hot), layer_params(rng, sizes)
    return draw


def _competing(depth):
    """X (N, d) and params whose K >= 3 outputs really compete: at least two classes predicted."""
    def draw(rng):
        n, *sizes = distinct_sizes(rng, depth + 2, 3, 12)
        X = features(rng, (n, sizes[0]), scale=2.0)
        params = layer_params(rng, sizes, scale=2.0)
        if len(np.unique(predict(X, params))) < 2:
            raise Redraw("one class only")
        return X, params
    return draw


def _penalised(depth, one_hot):
    """X, Y, params as ``_multi`` and a penalty strength lam in [0.2, 2]."""
    base = _multi(depth, one_hot)

    def draw(rng):
        X, Y, params = base(rng)
        return X, Y, params, float(0.2 + 1.8 * rng.random())
    return draw


def _fans(shape):
    """(n_in, n_out) integers: "wide" n_in > n_out, "narrow" n_in < n_out, "digits" 64 -> 64 or 10."""
    def draw(rng):
        if shape == "digits":
            return 64, int(rng.choice([32, 10, 128]))
        a, b = sorted(int(v) for v in rng.choice(np.arange(2, 513), size=2, replace=False))
        return (b, a) if shape == "wide" else (a, b)
    return draw


def _batch(X, Y, params):
    return np.shape(X)[0]


EXERCISES = [
    Exercise(
        id="10.backprop_multi",
        signature="backprop_multi(X, Y, params)",
        returns="list of (dW_l (n_{l-1}, n_l), db_l (n_l,)) shaped like params: gradients of "
                "L = -sum over examples and outputs of [Y log F + (1 - Y) log(1 - F)]",
        cases=(
            Case("depth 1, one-hot targets", _multi(1, True)),
            Case("depth 2, multi-label targets", _multi(2, False)),
            Case("depth 3, one-hot targets", _multi(3, True)),
            Case("depth 4, multi-label targets", _multi(4, False)),
        ),
        reference=backprop_multi,
        slips=OUTPUT_DELTA_SLIPS + HIDDEN_SLOPE_SLIPS,
        roles=models.params_roles,
        batch_size=_batch,
        points=3,
        hints=(
            "Run the forward pass once and keep every H_l. Start from the output delta dL/dZ_D, which for a "
            "sigmoid output with its own cross-entropy is simple (notebook 08 derives it for one output; here "
            "each of the K outputs is the same story). Then walk the layers backwards.",
            "Each layer: weight gradient = (its input).T @ (its delta), bias gradient = its delta summed over the "
            "batch, and the delta one layer down = (delta @ W.T) * sigma'.",
            "Delta_D = F - Y (N, K); for l = D..1: dW_l = H_{l-1}.T @ Delta_l, db_l = Delta_l.sum(axis=0), and "
            "(if l > 1) Delta_{l-1} = (Delta_l @ W_l.T) * H_{l-1} * (1 - H_{l-1}).",
        ),
        solution="""
        def backprop_multi(X, Y, params):
            H = [X]                                   # H_0 = X, then H_l = sigma(Z_l)
            for W, b in params:
                H.append(sigmoid(H[-1] @ W + b))      # (N, n_l)
            delta = H[-1] - Y                         # (N, K): sigmoid + BCE per output
            grads = []
            for l in range(len(params) - 1, -1, -1):
                W, _ = params[l]
                grads.append((H[l].T @ delta, delta.sum(axis=0)))
                if l > 0:
                    delta = (delta @ W.T) * H[l] * (1 - H[l])
            return grads[::-1]
        """,
    ),
    Exercise(
        id="10.predict",
        signature="predict(X, params)",
        returns="(N,) integer array: for each example the index of the output unit with the largest activation",
        cases=tuple(Case(f"depth {k}", _competing(k)) for k in (1, 2, 3)),
        reference=predict,
        slips=(
            Slip("pick", "argmin", D.WRONG_VALUE, "it picks the smallest output",
                 "You picked the output with the smallest activation: the predicted class is the most "
                 "confident output, np.argmax."),
        ),
        points=1,
        hints=(
            "Run the forward pass through every layer to get F (N, K); each row holds the K outputs for one example.",
            "The predicted class of a row is the position of its largest entry.",
            "np.argmax(F, axis=1).",
        ),
        solution="""
        def predict(X, params):
            F = forward(X, params)[-1]        # (N, K) sigmoid outputs
            return np.argmax(F, axis=1)       # (N,): one class per example (row)
        """,
    ),
    Exercise(
        id="10.backprop_l2",
        signature="backprop_l2(X, Y, params, lam)",
        returns="list of (dW_l (n_{l-1}, n_l), db_l (n_l,)) shaped like params: gradients of "
                "L + (lam / 2) * sum_l ||W_l||^2, L the summed per-output cross-entropy (biases not penalised)",
        cases=(
            Case("depth 1, one-hot targets", _penalised(1, True)),
            Case("depth 2, multi-label targets", _penalised(2, False)),
            Case("depth 3, one-hot targets", _penalised(3, True)),
        ),
        reference=backprop_l2,
        slips=(
            Slip("factor", 2.0, D.WRONG_VALUE, "the penalty's gradient is 2 lam W instead of lam W",
                 "Your penalty gradient is twice too large: d/dW of (lam / 2) ||W||^2 is lam W, the 2 of the "
                 "square cancels the 1/2 in front."),
            Slip("factor", 0.5, D.WRONG_VALUE, "the penalty's gradient is lam W / 2 instead of lam W",
                 "Your penalty gradient is half the right one: d/dW of ||W||^2 = sum W_jk^2 is 2 W, so "
                 "d/dW of (lam / 2) ||W||^2 is lam W."),
            Slip("penalty_sign", -1.0, D.WRONG_VALUE, "the penalty's gradient is subtracted",
                 "You subtracted lam W: the penalty grows as the weights grow, so its gradient is +lam W "
                 "(and gradient descent, W - lr (dW + lam W), then shrinks every weight towards 0)."),
            Slip("penalize_bias", True, D.WRONG_VALUE, "the biases are penalised too",
                 "Your bias gradients include lam b: the penalty here is on the weights only "
                 "(as in MLPClassifier), so the bias gradients are the cross-entropy's alone."),
            Slip("data_term", False, D.WRONG_VALUE, "the cross-entropy's gradient is missing",
                 "You returned the penalty's gradient alone: the loss is the cross-entropy PLUS the "
                 "penalty, and the gradient of a sum is the sum of the gradients (your backprop_multi "
                 "gives the first part)."),
            Slip("mean", "data", D.WRONG_VALUE, "the cross-entropy's gradient is divided by N",
                 "Your cross-entropy part is 1/N of the right one: the cross-entropy here is SUMMED over "
                 "the batch (MLPClassifier averages it, and divides its penalty by N too)."),
            Slip("mean", "all", D.BATCH_SCALE, "the whole gradient is divided by N",
                 "Your whole gradient is 1/N of the right one: that is the gradient of MLPClassifier's "
                 "objective (mean cross-entropy + alpha / (2N) ||W||^2), which is ours divided by N."),
        ),
        roles=models.params_roles,
        batch_size=lambda X, Y, params, lam: np.shape(X)[0],
        points=2,
        hints=(
            "The loss is a sum of two terms, so its gradient is the sum of their gradients: the "
            "cross-entropy's (your backprop_multi) plus the penalty's. The penalty does not depend on the "
            "biases.",
            "(lam / 2) ||W_l||^2 = (lam / 2) sum_jk W_l[j, k]^2: differentiate one term with respect to one "
            "entry W_l[j, k]; the other terms do not contain it.",
            "dW_l = H_{l-1}.T @ Delta_l + lam * W_l and db_l = Delta_l.sum(axis=0): "
            "[(dW + lam * W, db) for (W, b), (dW, db) in zip(params, backprop_multi(X, Y, params))].",
        ),
        solution="""
        def backprop_l2(X, Y, params, lam):
            grads = backprop_multi(X, Y, params)               # the cross-entropy's part
            # d/dW of (lam / 2) * sum W_jk^2 is lam * W; the biases carry no penalty
            return [(dW + lam * W, db) for (W, b), (dW, db) in zip(params, grads)]
        """,
    ),
    Exercise(
        id="10.backward_gain",
        signature="backward_gain",
        returns="a number: the factor Var(delta_{l-1}) / Var(delta_l) for width 32, W ~ N(0, 1/32), sigma' = 1/4",
        kind="value",
        messages={"sign": "A ratio of two variances is positive: Var(c u) = c^2 Var(u) for any sign of c."},
        says={"sign": "the ratio is negative"},
        cases=(Case("the variance factor of one layer", lambda rng: ()),),
        reference=backward_gain,
        slips=(
            Slip("square_slope", False, D.WRONG_VALUE, "the slope 1/4 is not squared",
                 "A variance scales with the SQUARE of a factor: Var(c u) = c^2 Var(u), so sigma' = 1/4 "
                 "contributes (1/4)^2 (1/4 is the factor for the standard deviation's slope alone)."),
            Slip("with_slope", False, D.MISSING_ACTIVATION_DERIVATIVE, "the factor sigma' is left out",
                 "The sigma' factor is missing: going down one layer multiplies each entry by "
                 "sigma'(z) <= 1/4 after the product with W.T, so its square enters the variance."),
            Slip("with_width", False, D.WRONG_VALUE, "the sum over the 32 units above is left out",
                 "delta_{l-1}[j] sums n = 32 independent terms W[j, k] delta_l[k]: their variances add, "
                 "which gives a factor n * Var(W) = 1, not Var(W) alone."),
        ),
        hints=(
            "Write one entry: delta_{l-1}[j] = sigma'(z_j) * sum_k W[j, k] delta_l[k]. The terms of the sum "
            "are independent with mean 0, and a variance scales with the square of a constant factor.",
            "Var(sum of n independent terms) = n * Var(one term); Var(W[j, k] delta_l[k]) = Var(W) Var(delta_l) "
            "when both have mean 0; then multiply by sigma'^2.",
            "n * Var(W) * (1/4)^2 = 32 * (1/32) * (1/16) = 1/16.",
        ),
        solution="backward_gain = 32 * (1 / 32) * (1 / 4) ** 2    # = 1/16 = 0.0625",
    ),
    Exercise(
        id="10.sigmoid_init_std",
        signature="sigmoid_init_std(n_in, n_out)",
        returns="float: the standard deviation of Glorot's initialisation for a sigmoid layer, "
                "W of shape (n_in, n_out)",
        cases=(
            Case("more inputs than outputs", _fans("wide")),
            Case("fewer inputs than outputs", _fans("narrow")),
            Case("a layer of the digits network", _fans("digits")),
        ),
        reference=sigmoid_init_std,
        messages={"sign": "A standard deviation is positive: the square root of the variance."},
        says={"sign": "the standard deviation is negative"},
        slips=(
            Slip("slope", "none", D.MISSING_ACTIVATION_DERIVATIVE, "sigma'(0) = 1/4 is left out",
                 "That is the formula for tanh, whose slope at 0 is 1: the sigmoid's slope there is 1/4, "
                 "and the conditions n Var(W) (1/4)^2 = 1 make the weights 4 times larger."),
            Slip("slope", "unsquared", D.WRONG_VALUE, "sigma'(0) is not squared",
                 "Your weights are 2 times too small: sigma'(0) = 1/4 enters the VARIANCE squared, "
                 "n Var(W) (1/4)^2 = 1, so Var(W) = 16 / n and the standard deviation gets a factor 4."),
            Slip("fans", "in", D.WRONG_VALUE, "only the forward condition (fan-in) is used",
                 "You kept only the forward condition, n_in Var(W) / 16 = 1. Glorot's compromise satisfies "
                 "the forward and the backward conditions on average: n_in and n_out both count."),
            Slip("fans", "out", D.WRONG_VALUE, "only the backward condition (fan-out) is used",
                 "You kept only the backward condition, n_out Var(W) / 16 = 1. Glorot's compromise satisfies "
                 "the forward and the backward conditions on average: n_in and n_out both count."),
            Slip("fans", "sum", D.WRONG_VALUE, "n_in + n_out is used where their average belongs",
                 "Your weights are sqrt(2) times too small: the compromise replaces n by the AVERAGE "
                 "(n_in + n_out) / 2 of the two fans, so Var(W) = 16 * 2 / (n_in + n_out)."),
            Slip("returns", "variance", D.WRONG_VALUE, "the variance is returned instead of the standard deviation",
                 "You returned the variance Var(W) = 32 / (n_in + n_out); the exercise asks for the standard "
                 "deviation, its square root (rng.normal takes a standard deviation)."),
        ),
        hints=(
            "Redo the notebook's two conditions with the sigmoid's slope at 0, sigma'(0) = 1/4, in place of "
            "tanh's 1: near 0, sigma(z) = 1/2 + z/4, so the part of h that varies is z/4.",
            "Forward: Var(z_l) = n_in Var(W) Var(z_{l-1}) / 16; backward: Var(delta_{l-1}) = n_out Var(W) "
            "Var(delta_l) / 16. Setting both factors to 1 cannot hold for n_in != n_out; Glorot averages the fans.",
            "Var(W) = 16 * 2 / (n_in + n_out), so the standard deviation is 4 * sqrt(2 / (n_in + n_out)).",
        ),
        solution="""
        def sigmoid_init_std(n_in, n_out):
            # n Var(W) (1/4)^2 = 1 with n the average of the two fans, (n_in + n_out) / 2
            return 4 * np.sqrt(2 / (n_in + n_out))
        """,
    ),
]
