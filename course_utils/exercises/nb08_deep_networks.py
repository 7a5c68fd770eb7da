"""Notebook 08: deep sigmoid networks with biases and binary cross-entropy (seed 001).

Shapes (DESIGN.md): X (N, d); W_l (n_{l-1}, n_l); b_l (n_l,); Z_l = H_{l-1} @ W_l + b_l;
H_l = sigma(Z_l); the last layer has one unit, f = H_L[:, 0]; the loss is the binary
cross-entropy summed over the batch, L = -sum_i [y_i log f_i + (1 - y_i) log(1 - f_i)].
"""

import numpy as np

from ..checking import diagnosis as D
from ..checking.draws import distinct_sizes, features, labels, layer_params
from ..checking.exercise import Exercise, Mistake
from ..portable.functions import forward

# ---------------------------------------------------------------- draws

def _draw_f_y(rng):
    """f (N,) in (0.05, 0.95) and labels y (N,) with both classes, N in [2, 12]."""
    n = int(rng.integers(2, 13))
    f = 0.05 + 0.9 * rng.random(n)
    return f, labels(rng, n)


def _draw_network(rng):
    """X (N, d), y (N,), params for 2 to 4 layers: N, d and every hidden width distinct,
    the output one unit. Weights are non-zero and not symmetric; biases non-zero."""
    depth = int(rng.integers(2, 5))  # number of weight layers
    sizes = distinct_sizes(rng, depth + 1, 2, 9)  # N, d, n_1, ..., n_{L-1}
    n, widths = sizes[0], sizes[1:] + [1]
    X = features(rng, (n, widths[0]))
    return X, labels(rng, n), layer_params(rng, widths)


# ---------------------------------------------------------------- references

def output_delta(f, y):
    """dL/dz at a sigmoid output f = sigmoid(z) with the summed binary cross-entropy: f - y;
    f (N,), y (N,) -> (N,).
    """
    # dL/dz at a sigmoid output with binary cross-entropy: the sigma'(z) = f (1 - f)
    # of the sigmoid cancels the f (1 - f) in the denominator of dL/df.
    return f - y


def backprop(X, y, params):
    """Gradients of the summed binary cross-entropy of a sigmoid network (last layer one unit);
    X (N, d), y (N,), params [(W_l (n_{l-1}, n_l), b_l (n_l,)), ...]
    -> [(dW_l (n_{l-1}, n_l), db_l (n_l,)), ...], shaped like params.
    """
    H = forward(X, params)                      # [H_0 = X, H_1, ..., H_L]
    delta = (H[-1][:, 0] - y)[:, None]          # Delta_L (N, 1) = f - y
    grads = [None] * len(params)
    for l in range(len(params), 0, -1):         # l = L, ..., 1
        W, _ = params[l - 1]
        grads[l - 1] = (H[l - 1].T @ delta, delta.sum(axis=0))  # dW_l, db_l
        if l > 1:
            delta = (delta @ W.T) * H[l - 1] * (1 - H[l - 1])   # Delta_{l-1}
    return grads


# ---------------------------------------------------------------- wrong variants

def _backprop_variant(X, y, params, out_delta=None, hidden_factor=None, scale=1.0):
    """backprop with a replaceable output delta and hidden-layer factor (for mistakes)."""
    H = forward(X, params)
    f = H[-1][:, 0]
    delta = (f - y if out_delta is None else out_delta(f, y))[:, None]
    grads = [None] * len(params)
    for l in range(len(params), 0, -1):
        W, _ = params[l - 1]
        grads[l - 1] = (scale * (H[l - 1].T @ delta), scale * delta.sum(axis=0))
        if l > 1:
            factor = H[l - 1] * (1 - H[l - 1]) if hidden_factor is None else hidden_factor(H[l - 1])
            delta = (delta @ W.T) * factor
    return grads


def _minus_restored_on_first_layer_only(X, y, params):
    grads = _backprop_variant(X, y, params, out_delta=lambda f, y: y - f)
    grads[0] = tuple(-g for g in grads[0])
    return grads


def _extra_sigma_prime(f, y):
    return (f - y) * f * (1 - f)


def _label0_sign_slip(f, y):
    # dL/df written as -y/f - (1 - y)/(1 - f) (the label-0 term's sign slipped), times f (1 - f):
    # right where y = 1 (f - 1), negated where y = 0 (-f instead of f).
    return -(y / f) * f * (1 - f) - ((1 - y) / (1 - f)) * f * (1 - f)


def _label1_sign_slip(f, y):
    # the other slip: +y/f + (1 - y)/(1 - f): right where y = 0, negated where y = 1.
    return (y / f) * f * (1 - f) + ((1 - y) / (1 - f)) * f * (1 - f)


def _dl_df(f, y):
    return (f - y) / (f * (1 - f))


def _mean_output_delta(f, y):
    return (f - y) / len(f)


_EXTRA_MSG = ("Your output delta has one sigma'(z) factor too many: with the cross-entropy, "
              "dL/df = (f - y) / (f (1 - f)) and sigma'(z) = f (1 - f) cancel, so dL/dz = f - y exactly.")
_LABEL0_MSG = ("Your answer is right where y = 1 and has the wrong sign where y = 0: the label-0 term is "
               "-(1 - y) log(1 - f), whose derivative is +(1 - y) / (1 - f) (the chain rule on log(1 - f) "
               "brings a -1 that cancels the minus in front).")
_LABEL1_MSG = ("Your answer is right where y = 0 and has the wrong sign where y = 1: the label-1 term is "
               "-y log f, whose derivative is -y / f.")
_MEAN_MSG = ("Your answer is (f - y) / N: the loss here is the cross-entropy SUMMED over the batch, "
             "so each example's delta is f_i - y_i with no 1/N.")


EXERCISES = [
    Exercise(
        id="08.output_delta",
        signature="output_delta(f, y)",
        returns="(N,) array: dL/dz at the output, for a sigmoid output f = sigma(z) and the summed "
                "binary cross-entropy; f and y are (N,)",
        draw=_draw_f_y,
        reference=output_delta,
        points=1,
        mistakes=(
            Mistake(D.EXTRA_ACTIVATION_DERIVATIVE, _extra_sigma_prime, _EXTRA_MSG),
            Mistake(D.PARTIAL_SIGN, _label0_sign_slip, _LABEL0_MSG),
            Mistake(D.PARTIAL_SIGN, _label1_sign_slip, _LABEL1_MSG),
            Mistake(D.BATCH_SCALE, _mean_output_delta, _MEAN_MSG),
            Mistake(D.MISSING_ACTIVATION_DERIVATIVE, _dl_df,
                    "You returned dL/df = (f - y) / (f (1 - f)); the exercise asks for dL/dz, one more "
                    "chain-rule factor df/dz = sigma'(z) = f (1 - f) (which then cancels the denominator)."),
        ),
        hints=(
            "First write dL_i/df_i for L_i = -[y_i log f_i + (1 - y_i) log(1 - f_i)], put it over the "
            "common denominator f_i (1 - f_i), then multiply by df_i/dz_i = sigma'(z_i) = f_i (1 - f_i).",
            "dL_i/df_i = (f_i - y_i) / (f_i (1 - f_i)), so dL_i/dz_i = f_i - y_i: return f - y.",
        ),
    ),
    Exercise(
        id="08.backprop",
        signature="backprop(X, y, params)",
        returns="list of (dW_l, db_l) tuples shaped like params: gradients of the summed binary "
                "cross-entropy of a sigmoid network of any depth (last layer one unit)",
        draw=_draw_network,
        reference=backprop,
        points=3,
        mistakes=(
            Mistake(D.EXTRA_ACTIVATION_DERIVATIVE,
                    lambda X, y, p: _backprop_variant(X, y, p, out_delta=_extra_sigma_prime), _EXTRA_MSG),
            Mistake(D.PARTIAL_SIGN,
                    lambda X, y, p: _backprop_variant(X, y, p, out_delta=_label0_sign_slip),
                    "Your gradients are right on the examples with y = 1 and wrong on those with y = 0: "
                    "the output delta should be f - y for both labels (check the label-0 term of the loss)."),
            Mistake(D.PARTIAL_SIGN,
                    lambda X, y, p: _backprop_variant(X, y, p, out_delta=_label1_sign_slip),
                    "Your gradients are right on the examples with y = 0 and wrong on those with y = 1: "
                    "the output delta should be f - y for both labels (check the label-1 term of the loss)."),
            Mistake(D.MISSING_ACTIVATION_DERIVATIVE,
                    lambda X, y, p: _backprop_variant(X, y, p, hidden_factor=lambda H: np.ones_like(H)),
                    "A hidden layer's sigma' factor is missing: going back through layer l, "
                    "Delta_{l-1} = (Delta_l @ W_l.T) * H_{l-1} * (1 - H_{l-1})."),
            Mistake(D.BATCH_SCALE,
                    lambda X, y, p: _backprop_variant(X, y, p, scale=1.0 / len(y)),
                    "Your gradients are 1/N of the right ones: the loss is summed over the batch, "
                    "not averaged, so there is no division by N."),
            Mistake(D.WRONG_VALUE,
                    lambda X, y, p: _backprop_variant(X, y, p, hidden_factor=lambda H: np.exp(-H) / (1 + np.exp(-H)) ** 2),
                    "In a hidden layer you applied sigma' to the activation H (sigma'(H)); the factor is "
                    "sigma'(Z) = H * (1 - H), written with the activation itself."),
            Mistake(D.WRONG_VALUE, _minus_restored_on_first_layer_only,
                    "Your dW_1, db_1 are right but every later layer has the wrong sign: you worked with "
                    "the log-likelihood (delta = y - f) like seed 001 and restored the minus only on the "
                    "first layer. Use Delta_L = f - y from the start and every layer comes out right."),
        ),
        hints=(
            "Run the forward pass and keep every activation H_0 = X, H_1, ..., H_L. Start from "
            "Delta_L = (f - y)[:, None] of shape (N, 1) and walk back one layer at a time; each "
            "Delta_l has the shape of Z_l, (N, n_l).",
            "For l = L, ..., 1: dW_l = H_{l-1}.T @ Delta_l, db_l = Delta_l.sum(axis=0), then "
            "Delta_{l-1} = (Delta_l @ W_l.T) * H_{l-1} * (1 - H_{l-1}). Return [(dW_1, db_1), ..., (dW_L, db_L)].",
        ),
    ),
]
