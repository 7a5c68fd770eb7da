"""Notebook 08: deep sigmoid networks with biases and binary cross-entropy (seed 001).

Shapes (docs/design.md): X (N, d); W_l (n_{l-1}, n_l); b_l (n_l,); Z_l = H_{l-1} @ W_l + b_l;
H_l = sigma(Z_l), l = 1..D (D the depth); the last layer has one unit, f = H_D[:, 0] =
sigma(z) with z = Z_D[:, 0] the logits; the loss is the binary cross-entropy summed over
the batch, L = -sum_i [y_i log f_i + (1 - y_i) log(1 - f_i)] = sum_i softplus(z_i) - y_i z_i.
"""

import numpy as np

from ..checking import diagnosis as D
from ..checking.draws import distinct_sizes, features, labels, layer_params
from ..checking.exercise import Case, Exercise, Slip
from .models import deep as models
from .models.deep import BCE_FROM_LOGITS_SLIPS, HIDDEN_SLOPE_SLIPS, OUTPUT_DELTA_SLIPS

BIG_LOGIT = 50.0          # the logit of the checkpoint 08.loss_at_50
OLD_CLIP = 1e-15          # what course_utils.functions.bce_loss used to clip f to


def loss_at_50(*, clipped=False, label=0, probability=False):
    """Checkpoint: the loss L_i of one example with logit z = 50 and label y = 0: a float.

    softplus(50) - 0 * 50 = 50 + log(1 + e^-50) = 50.000... Knobs: ``clipped=True`` gives
    what the old clipping bce_loss returned, -log(1e-15) = 34.54; ``label=1`` the loss for
    y = 1 instead (about 2e-22); ``probability=True`` the output f = sigma(50) itself."""
    if clipped:
        return float(-np.log(OLD_CLIP))
    if probability:
        return float(1 / (1 + np.exp(-BIG_LOGIT)))
    return models.bce_from_logits(np.array([BIG_LOGIT]), np.array([float(label)]))


def bce_from_logits(z, y, **knobs):
    """The summed binary cross-entropy from the logits, without overflow: a float;
    z (N,) logits, y (N,) labels 0/1."""
    return models.bce_from_logits(z, y, **knobs)


def output_delta(f, y, **knobs):
    """dL/dz at a sigmoid output f = sigmoid(z) with the summed binary cross-entropy: f - y;
    f (N,), y (N,) -> (N,)."""
    return models.output_delta(f, y, **knobs)


def backprop(X, y, params, **knobs):
    """Gradients of the summed binary cross-entropy of a sigmoid network (last layer one unit);
    X (N, d), y (N,), params [(W_l (n_{l-1}, n_l), b_l (n_l,)), ...]
    -> [(dW_l (n_{l-1}, n_l), db_l (n_l,)), ...], shaped like params."""
    return models.deep_grads(X, np.asarray(y, dtype=np.float64)[:, None], params, **knobs)


def _f_and_y(low, high):
    def draw(rng):
        n = int(rng.integers(low, high + 1))
        return 0.05 + 0.9 * rng.random(n), labels(rng, n)
    return draw


def _moderate_logits(rng):
    n = int(rng.integers(3, 13))
    return 3.0 * rng.standard_normal(n), labels(rng, n)


def _confident_logits(rng):
    """|z| from 40 to 1000, both labels, right and wrong: one example confidently wrong with
    y = 0 and z > 710 (exp(z) overflows float64), one confidently wrong with y = 1, and one
    confidently right; the others random."""
    n = int(rng.integers(4, 11))
    y = labels(rng, n)
    z = np.where(rng.random(n) < 0.5, -1.0, 1.0) * rng.uniform(40.0, 1000.0, n)
    z[0], y[0] = rng.uniform(710.0, 1000.0), 0.0         # exp(z) = inf: a naive softplus overflows
    z[1], y[1] = -rng.uniform(40.0, 1000.0), 1.0         # confidently wrong: sigma(z) tiny
    z[2], y[2] = rng.uniform(40.0, 1000.0), 1.0          # confidently right: loss about e^-z
    order = rng.permutation(n)
    return z[order], y[order]


def _network(depth):
    """X (N, d), y (N,) with both labels, params of ``depth`` layers (last one unit); N, d and
    the hidden widths all different; non-zero weights and biases."""
    def draw(rng):
        sizes = distinct_sizes(rng, depth + 1, 2, 9)  # N, d, n_1, ..., n_{D-1}
        n, widths = sizes[0], sizes[1:] + [1]
        X = features(rng, (n, widths[0]))
        return X, labels(rng, n), layer_params(rng, widths)
    return draw


def _batch(X, y, params):
    return np.shape(X)[0]


EXERCISES = [
    Exercise(
        id="08.loss_at_50",
        kind="value",
        signature="loss_at_50",
        returns="a number: the loss L_i = -[y log f + (1 - y) log(1 - f)] of one example whose output logit is "
                "z = 50 (so f = sigma(50)) and whose label is y = 0",
        cases=(Case("z = 50, y = 0", lambda rng: ()),),
        reference=loss_at_50,
        slips=(
            Slip("clipped", True, D.WRONG_VALUE, "it is the clipped value -log(1e-15)",
                 "34.54 is -log(1e-15): what a loss that clips f to [1e-15, 1 - 1e-15] returns (a common patch "
                 "for log(0)). The true loss is finite and larger: write -log(1 - f) with 1 - sigma(z) = sigma(-z), "
                 "and log sigma without forming f, as in notebook 01."),
            Slip("label", 1, D.WRONG_VALUE, "it is the loss for the label y = 1",
                 "That is (about) the loss for y = 1, a confident RIGHT answer. With y = 0 the prediction "
                 "f = sigma(50) is confidently wrong, so the loss is large."),
            Slip("probability", True, D.WRONG_VALUE, "it is the probability f = sigma(50), not the loss",
                 "That is the output f = sigma(50), not the loss. With y = 0 the loss is -log(1 - f)."),
        ),
        points=1,
        hints=(
            "With y = 0 only one term of L_i is left: -log(1 - f), f = sigma(50). In float64 sigma(50) is exactly "
            "1.0, so do the algebra first: 1 - sigma(z) = sigma(-z) (notebook 01).",
            "-log sigma(-z) = log(1 + e^z) = z + log(1 + e^{-z}). How large is log(1 + e^{-50})?",
            "L_i = log(1 + e^50) = 50 + log(1 + e^{-50}), and e^{-50} is about 2e-22: the answer is 50.0.",
        ),
        solution="""
            loss_at_50 = 50.0   # -log(1 - sigma(50)) = log(1 + e^50) = 50 + log(1 + e^-50), e^-50 about 2e-22
        """,
    ),
    Exercise(
        id="08.bce_from_logits",
        signature="bce_from_logits(z, y)",
        returns="a number: the binary cross-entropy of the outputs sigma(z), summed over the batch, "
                "computed from the logits z without overflow; z and y (labels 0/1) are (N,)",
        cases=(Case("moderate logits, both labels", _moderate_logits),
               Case("confident logits |z| from 40 to 1000, right and wrong", _confident_logits)),
        reference=bce_from_logits,
        withheld=("functions.bce_with_logits",),
        slips=BCE_FROM_LOGITS_SLIPS,
        points=1,
        hints=(
            "The formula softplus(z) - y z is right; the danger is exp(z) for a large positive z (float64 overflows "
            "above z = 709). Compute softplus(z) = log(1 + e^z) as notebook 01 did for log sigma(u): so that exp "
            "only ever sees a number <= 0.",
            "For z > 0 take e^z out of the logarithm: what is left for exp to compute? For z <= 0 log(1 + e^z) "
            "is already safe. Then write one expression that is right for both signs.",
            "return np.sum(np.maximum(z, 0) + np.log1p(np.exp(-np.abs(z))) - y * z)",
        ),
        solution="""
            def bce_from_logits(z, y):
                # softplus(z) = log(1 + e^z) = max(z, 0) + log(1 + e^{-|z|}): exp only sees -|z| <= 0
                softplus = np.maximum(z, 0) + np.log1p(np.exp(-np.abs(z)))
                return np.sum(softplus - y * z)          # L = sum_i softplus(z_i) - y_i z_i
        """,
    ),
    Exercise(
        id="08.output_delta",
        signature="output_delta(f, y)",
        returns="(N,) array: dL/dz at the output, for a sigmoid output f = sigma(z) and the summed "
                "binary cross-entropy; f and y are (N,)",
        cases=(Case("both labels, N in 3..12", _f_and_y(3, 12)), Case("both labels, N = 2", _f_and_y(2, 2))),
        reference=output_delta,
        slips=OUTPUT_DELTA_SLIPS + (
            Slip("form", "dl_df", D.MISSING_ACTIVATION_DERIVATIVE, "it is dL/df, one chain factor df/dz short",
                 "You returned dL/df = (f - y) / (f (1 - f)); the exercise asks for dL/dz, one more chain-rule "
                 "factor df/dz = sigma'(z) = f (1 - f) (which then cancels the denominator)."),
        ),
        points=1,
        hints=(
            "Differentiate the loss from the logit, L_i = softplus(z_i) - y_i z_i, with respect to z_i: "
            "L_i depends on z_i only, so this is one scalar derivative per example.",
            "What is the derivative of softplus(z) = log(1 + e^z) (chain rule)? Compare it with "
            "sigma(z) = 1 / (1 + e^{-z}). Then differentiate the y_i z_i term.",
            "dL_i/dz_i = sigma(z_i) - y_i = f_i - y_i: return f - y.",
        ),
        solution="""
            def output_delta(f, y):
                # L_i = softplus(z_i) - y_i z_i and softplus'(z) = sigma(z) = f, so dL_i/dz_i = f_i - y_i
                # (the long way: dL/df = (f - y) / (f (1 - f)) times df/dz = f (1 - f))
                return f - y
        """,
    ),
    Exercise(
        id="08.backprop",
        signature="backprop(X, y, params)",
        returns="list of (dW_l, db_l) tuples shaped like params: gradients of the summed binary "
                "cross-entropy of a sigmoid network of any depth (last layer one unit)",
        cases=tuple(Case(f"depth {k}", _network(k)) for k in (1, 2, 3, 4)),
        reference=backprop,
        slips=OUTPUT_DELTA_SLIPS + HIDDEN_SLOPE_SLIPS + (
            Slip("minus_first_only", True, D.WRONG_VALUE, "the minus of the loss is restored on the first layer only",
                 "Your dW_1, db_1 are right but every later layer has the wrong sign: you worked with the "
                 "log-likelihood (delta = y - f) like seed 001 and restored the minus only on the first layer. "
                 "Use Delta_D = f - y from the start and every layer comes out right."),
        ),
        roles=models.params_roles,
        batch_size=_batch,
        extra_draws=2,
        points=3,
        hints=(
            "Run the forward pass and keep every activation H_0 = X, H_1, ..., H_D. Start from Delta_D = "
            "dL/dZ_D, shape (N, 1), and walk back one layer at a time; each Delta_l has the shape of Z_l.",
            "A layer's weight gradient is (its input).T @ (its delta); its bias gradient sums the delta over "
            "the batch; going back through W_l and the sigmoid of layer l - 1 multiplies by W_l.T and sigma'.",
            "For l = D, ..., 1: dW_l = H_{l-1}.T @ Delta_l, db_l = Delta_l.sum(axis=0), then "
            "Delta_{l-1} = (Delta_l @ W_l.T) * H_{l-1} * (1 - H_{l-1}). Return [(dW_1, db_1), ..., (dW_D, db_D)].",
        ),
        solution="""
            def backprop(X, y, params):
                H = [X]                                   # H_0 = X, then H_l = sigma(Z_l)
                for W, b in params:
                    H.append(sigmoid(H[-1] @ W + b))      # (N, n_l)
                delta = (H[-1][:, 0] - y)[:, None]        # Delta_D (N, 1) = f - y
                grads = [None] * len(params)
                for l in range(len(params), 0, -1):       # l = D, ..., 1
                    W, _ = params[l - 1]
                    grads[l - 1] = (H[l - 1].T @ delta, delta.sum(axis=0))   # dW_l, db_l
                    if l > 1:
                        delta = (delta @ W.T) * H[l - 1] * (1 - H[l - 1])    # Delta_{l-1}
                return grads
        """,
    ),
]
