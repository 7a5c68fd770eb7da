"""Notebook 08: deep sigmoid networks with biases and binary cross-entropy (seed 001).

Shapes (docs/design.md): X (N, d); W_l (n_{l-1}, n_l); b_l (n_l,); Z_l = H_{l-1} @ W_l + b_l;
H_l = sigma(Z_l); the last layer has one unit, f = H_L[:, 0]; the loss is the binary
cross-entropy summed over the batch, L = -sum_i [y_i log f_i + (1 - y_i) log(1 - f_i)].
"""

import numpy as np

from ..checking import diagnosis as D
from ..checking.draws import distinct_sizes, features, labels, layer_params
from ..checking.exercise import Case, Exercise, Slip
from .models import deep as models
from .models.deep import HIDDEN_SLOPE_SLIPS, OUTPUT_DELTA_SLIPS


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


def _network(depth):
    """X (N, d), y (N,) with both labels, params of ``depth`` layers (last one unit); N, d and
    the hidden widths all different; non-zero weights and biases."""
    def draw(rng):
        sizes = distinct_sizes(rng, depth + 1, 2, 9)  # N, d, n_1, ..., n_{L-1}
        n, widths = sizes[0], sizes[1:] + [1]
        X = features(rng, (n, widths[0]))
        return X, labels(rng, n), layer_params(rng, widths)
    return draw


def _batch(X, y, params):
    return np.shape(X)[0]


EXERCISES = [
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
            "First write dL_i/df_i for L_i = -[y_i log f_i + (1 - y_i) log(1 - f_i)], then multiply by "
            "df_i/dz_i = sigma'(z_i).",
            "Put dL_i/df_i over the common denominator f_i (1 - f_i); sigma'(z_i) = f_i (1 - f_i).",
            "dL_i/df_i = (f_i - y_i) / (f_i (1 - f_i)), so dL_i/dz_i = f_i - y_i: return f - y.",
        ),
        solution="""
            def output_delta(f, y):
                # dL/df = (f - y) / (f (1 - f)) and df/dz = f (1 - f) cancel:
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
                 "Use Delta_L = f - y from the start and every layer comes out right."),
        ),
        roles=models.params_roles,
        batch_size=_batch,
        extra_draws=2,
        points=3,
        hints=(
            "Run the forward pass and keep every activation H_0 = X, H_1, ..., H_L. Start from Delta_L = "
            "dL/dZ_L, shape (N, 1), and walk back one layer at a time; each Delta_l has the shape of Z_l.",
            "A layer's weight gradient is (its input).T @ (its delta); its bias gradient sums the delta over "
            "the batch; going back through W_l and the sigmoid of layer l - 1 multiplies by W_l.T and sigma'.",
            "For l = L, ..., 1: dW_l = H_{l-1}.T @ Delta_l, db_l = Delta_l.sum(axis=0), then "
            "Delta_{l-1} = (Delta_l @ W_l.T) * H_{l-1} * (1 - H_{l-1}). Return [(dW_1, db_1), ..., (dW_L, db_L)].",
        ),
        solution="""
            def backprop(X, y, params):
                H = [X]                                   # H_0 = X, then H_l = sigma(Z_l)
                for W, b in params:
                    H.append(sigmoid(H[-1] @ W + b))      # (N, n_l)
                delta = (H[-1][:, 0] - y)[:, None]        # Delta_L (N, 1) = f - y
                grads = [None] * len(params)
                for l in range(len(params), 0, -1):       # l = L, ..., 1
                    W, _ = params[l - 1]
                    grads[l - 1] = (H[l - 1].T @ delta, delta.sum(axis=0))   # dW_l, db_l
                    if l > 1:
                        delta = (delta @ W.T) * H[l - 1] * (1 - H[l - 1])    # Delta_{l-1}
                return grads
        """,
    ),
]
