"""Notebook 11: the seeds' errata, each tested numerically; the learner fixes two of them.

Seed 001 uses column vectors and z_l = W_l^T h_{l-1} + b_l (its W_l has our shape
(n_{l-1}, n_l)); seed 002 uses z^l = W^l a^{l-1} + b^l (its W^l is our W_l.T, shape
(n_l, n_{l-1})) and the cost C = 1/2 ||a^D - y||^2 for one example.
"""

import numpy as np

from ..checking import diagnosis as D
from ..checking.draws import distinct_sizes, features, layer_params, nonzero, targets
from ..checking.exercise import Case, Exercise, Slip
from ..portable.functions import sigmoid
from .models.two_layer import slope


def column_delta(delta_next, W_next, h, *, slope_how="a"):
    """Seed 001's delta recursion in its own column convention: delta_l =
    (W_{l+1} @ delta_{l+1}) * h_l * (1 - h_l); delta_next (n_{l+1}, 1), W_next
    (n_l, n_{l+1}), h (n_l, 1) -> (n_l, 1). Knob ``slope_how`` "none" / "activation"
    (see ``two_layer.slope``)."""
    W_next = np.asarray(W_next, dtype=np.float64)
    return (W_next @ np.asarray(delta_next, dtype=np.float64)) * slope(np.asarray(h, dtype=np.float64), slope_how)


def activation_grad(x, y, Ws, bs, l, *, extra_slope=False, out_slope=True, hidden_slope=True):
    """The gradient of C = 1/2 ||a^D - y||^2 with respect to the activation a^l (a^0 = x)
    of a sigmoid network in seed 002's convention z^k = W^k a^{k-1} + b^k: (n_l,).

    It is (W^{l+1})^T delta^{l+1} for l < D (delta^{k} = dC/dz^k) and a^D - y for l = D.
    Knobs: ``extra_slope=True`` returns delta^l = sigma'(z^l) * dC/da^l (seed 002's "any
    layer" read literally); ``out_slope`` / ``hidden_slope`` False leave sigma' out of
    delta^D / of the deltas of the hidden layers."""
    a = [np.asarray(x, dtype=np.float64)]
    for W, b in zip(Ws, bs, strict=True):
        a.append(sigmoid(np.asarray(W, dtype=np.float64) @ a[-1] + b))
    depth = len(Ws)
    g = a[depth] - y                                     # dC/da^D
    for k in range(depth, l, -1):                        # from dC/da^k to dC/da^{k-1}
        keep = out_slope if k == depth else hidden_slope
        delta = g * (a[k] * (1 - a[k]) if keep else 1.0)      # dC/dz^k
        g = np.asarray(Ws[k - 1], dtype=np.float64).T @ delta
    if extra_slope and l >= 1:
        g = g * a[l] * (1 - a[l])
    return g


def dz1_dW1_shape(*, order="kjm"):
    """The shape of dz_1/dW_1 for seed 001's network with d = 5 inputs and H_1 = 4 hidden
    units, as an array indexed [k, j, m] = d z_1[k] / d W_1[j, m]: (4, 5, 4).
    Knob ``order="jmk"`` puts W_1's indices first."""
    d, h1 = 5, 4
    return (h1, d, h1) if order == "kjm" else (d, h1, h1)


def which_changes(*, answer="b"):
    """Erratum 8's question: a change of W^l_ij by eps changes z^l_i by a^{l-1}_j eps (b)."""
    return answer


def _column(shape):
    def draw(rng):
        if shape == "output":
            n, above = int(rng.integers(2, 8)), 1
        else:
            a, b = sorted(distinct_sizes(rng, 2, 2, 8))
            n, above = (b, a) if shape == "wide" else (a, b)
        h = 0.05 + 0.9 * rng.random((n, 1))
        return nonzero(rng, (above, 1), scale=1.5), nonzero(rng, (n, above), scale=1.5), h
    return draw


def _seed002_net(depth, layer):
    """x (d,), y (n_D,), Ws [(n_k, n_{k-1})], bs [(n_k,)] in seed 002's convention, and l."""
    def draw(rng):
        sizes = distinct_sizes(rng, depth + 1, 2, 9)
        ours = layer_params(rng, sizes, scale=1.5)
        return (features(rng, (sizes[0],)), targets(rng, (sizes[-1],)), [W.T.copy() for W, _ in ours],
                [b for _, b in ours], layer)
    return draw


EXERCISES = [
    Exercise(
        id="11.column_delta",
        signature="column_delta(delta_next, W_next, h)",
        returns="(n_l, 1) column: seed 001's delta_l = dL_i/dz_l from delta_{l+1} (n_{l+1}, 1), "
                "W_{l+1} (n_l, n_{l+1}) and h_l (n_l, 1), all in seed 001's column convention",
        cases=(
            Case("more units below than above", _column("wide")),
            Case("fewer units below than above", _column("narrow")),
            Case("just below the output (n_{l+1} = 1)", _column("output")),
        ),
        reference=column_delta,
        slips=(
            Slip("slope_how", "none", D.MISSING_ACTIVATION_DERIVATIVE, "the factor h_l (1 - h_l) is missing",
                 "The sigma'(z_l) = h_l (1 - h_l) factor is missing: z_{l+1} reaches z_l through h_l = sigma(z_l)."),
            Slip("slope_how", "activation", D.WRONG_VALUE, "sigma' is applied to h_l instead of z_l",
                 "You applied sigma' to h_l (sigmoid(h) (1 - sigmoid(h))): the slope is sigma'(z_l) = h_l (1 - h_l), "
                 "written with the activation itself."),
        ),
        points=1,
        hints=(
            "Write it entry by entry first: z_{l+1}[k] = sum_j W_{l+1}[j, k] h_l[j] + b[k], so h_l[j] reaches every "
            "z_{l+1}[k] with slope W_{l+1}[j, k]; then h_l[j] = sigma(z_l[j]).",
            "delta_l[j] = sigma'(z_l[j]) * sum_k W_{l+1}[j, k] delta_{l+1}[k]: the sum over k is row j of "
            "W_{l+1} times the column delta_{l+1}.",
            "(W_next @ delta_next) * h * (1 - h), shape (n_l, n_{l+1}) (n_{l+1}, 1) = (n_l, 1).",
        ),
        solution="""
        def column_delta(delta_next, W_next, h):
            # delta_l[j] = sigma'(z_l[j]) * sum_k W_{l+1}[j, k] delta_{l+1}[k]
            return (W_next @ delta_next) * h * (1 - h)        # (n_l, 1)
        """,
    ),
    Exercise(
        id="11.dz1_dW1_shape",
        signature="dz1_dW1_shape",
        returns="a tuple of ints: the shape of dz_1/dW_1 as an array indexed [k, j, m]",
        kind="value",
        messages={"sign": "A shape lists sizes: positive integers, one per index."},
        says={"sign": "the sizes are negated"},
        cases=(Case("d = 5, H_1 = 4", lambda rng: ()),),
        reference=dz1_dW1_shape,
        slips=(
            Slip("order", "jmk", D.WRONG_VALUE, "W_1's indices come first",
                 "Those are the right three sizes in another order: the question indexes the array "
                 "[k, j, m] = d z_1[k] / d W_1[j, m], the entry of z_1 first."),
        ),
        hints=(
            "One index for each entry of z_1 (the thing differentiated) and one for each index of W_1 (what we "
            "differentiate by).",
            "z_1 has H_1 = 4 entries and W_1 has shape (d, H_1) = (5, 4).",
            "(4, 5, 4): z_1[k] = sum_j x_j W_1[j, k], so d z_1[k] / d W_1[j, m] = x_j if m == k, else 0.",
        ),
        solution="dz1_dW1_shape = (4, 5, 4)    # [k, j, m]: 4 entries of z_1, W_1 of shape (5, 4)",
    ),
    Exercise(
        id="11.which_changes",
        signature="which_changes",
        returns='a choice, "a", "b" or "c"',
        kind="value",
        options=("a", "b", "c"),
        cases=(Case("erratum 8's question", lambda rng: ()),),
        reference=which_changes,
        slips=(
            Slip("answer", "a", D.WRONG_VALUE, "the activation a_i is chosen",
                 "The activation a_i = sigma(z_i) changes by sigma'(z_i) a_j eps: W_ij reaches a_i only "
                 "through z_i, and the sigmoid multiplies the change by its slope."),
            Slip("answer", "c", D.WRONG_VALUE, "both are chosen",
                 "Only one of them changes by exactly a_j eps: the other carries one more factor of the chain."),
        ),
        hints=(
            "Write z_i = sum_j W_ij a_j + b_i and a_i = sigma(z_i); which of the two contains W_ij directly?",
            "dz_i/dW_ij = a_j; da_i/dW_ij = sigma'(z_i) * a_j by the chain rule.",
            '"b": the weighted input z_i.',
        ),
        solution='which_changes = "b"     # z_i changes by a_j eps; a_i by sigma\'(z_i) a_j eps',
    ),
    Exercise(
        id="11.activation_grad",
        signature="activation_grad(x, y, Ws, bs, l)",
        returns="(n_l,) array: the gradient of C = 1/2 ||a^D - y||^2 with respect to a^l (a^0 = x), "
                "network in seed 002's convention z^k = W^k a^{k-1} + b^k, W^k (n_k, n_{k-1})",
        cases=(
            Case("depth 2, the hidden layer (l = 1)", _seed002_net(2, 1)),
            Case("depth 3, the first hidden layer (l = 1)", _seed002_net(3, 1)),
            Case("depth 3, the second hidden layer (l = 2)", _seed002_net(3, 2)),
            Case("depth 2, the output (l = D)", _seed002_net(2, 2)),
            Case("depth 2, the input (l = 0)", _seed002_net(2, 0)),
        ),
        reference=activation_grad,
        slips=(
            Slip("extra_slope", True, D.EXTRA_ACTIVATION_DERIVATIVE, "the result is delta^l, with sigma'(z^l)",
                 "You returned delta^l = dC/dz^l: it carries the factor (f^l)' = sigma'(z^l), which belongs to the "
                 "step from a^l to z^l, not to the gradient with respect to a^l. That is the erratum."),
            Slip("out_slope", False, D.MISSING_ACTIVATION_DERIVATIVE, "sigma' is missing at the output layer",
                 "delta^D = (a^D - y) * sigma'(z^D): the output's sigmoid slope is missing."),
            Slip("hidden_slope", False, D.MISSING_ACTIVATION_DERIVATIVE, "sigma' is missing at a hidden layer",
                 "Going down through a hidden layer k, delta^k = sigma'(z^k) * dC/da^k: a hidden slope is missing."),
        ),
        points=2,
        hints=(
            "a^l reaches the cost only through z^{l+1} = W^{l+1} a^l + b^{l+1} (for l < D): apply the chain rule "
            "to that one affine map, with delta^{l+1} = dC/dz^{l+1} from the recursion. At l = D, C depends on "
            "a^D directly.",
            "dC/da^l_j = sum_i delta^{l+1}_i W^{l+1}_{ij}; delta^D = (a^D - y) * sigma'(z^D); "
            "delta^k = sigma'(z^k) * (W^{k+1})^T delta^{k+1}.",
            "Forward a^k = sigmoid(W^k @ a^{k-1} + b^k); g = a^D - y; for k = D..l+1: delta = g * a^k (1 - a^k), "
            "g = W^k.T @ delta; return g (no sigma'(z^l) at the end).",
        ),
        solution="""
        def activation_grad(x, y, Ws, bs, l):
            a = [x]
            for W, b in zip(Ws, bs):                  # seed 002: z^k = W^k a^{k-1} + b^k
                a.append(sigmoid(W @ a[-1] + b))
            g = a[-1] - y                             # dC/da^D
            for k in range(len(Ws), l, -1):
                delta = g * a[k] * (1 - a[k])         # dC/dz^k
                g = Ws[k - 1].T @ delta               # dC/da^{k-1}
            return g
        """,
    ),
]
