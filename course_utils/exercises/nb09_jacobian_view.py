"""Notebook 09: the Jacobian view of backpropagation (seed 002).

Shapes (docs/design.md, one example): a_0 = x (d,); W_l (n_{l-1}, n_l); b_l (n_l,);
z_l = a_{l-1} @ W_l + b_l; a_l = sigma(z_l); cost C = 1/2 ||a_L - y||^2 with y (n_L,).
A Jacobian dF/dx of F: R^n -> R^m is (m, n). Seed 002 writes z = W a: its W is our W.T.
"""

import numpy as np

from ..checking import diagnosis as D
from ..checking.draws import distinct_sizes, features, layer_params, targets
from ..checking.exercise import Case, Exercise, Slip
from ..portable.functions import sigmoid, sigmoid_prime


def layer_jacobian(a_prev, W, b, *, rows="slope", columns=False):
    """Jacobian d a / d a_prev of a = sigmoid(a_prev @ W + b), i.e. diag(sigma'(z)) @ W.T;
    a_prev (n_{l-1},), W (n_{l-1}, n_l), b (n_l,) -> (n_l, n_{l-1}).

    Knobs: ``rows`` "none" (W.T alone), "sigma" (rows scaled by sigma(z)), "activation"
    (by sigma'(sigma(z))); ``columns=True`` scales the columns by sigma'(a_prev) instead."""
    z = a_prev @ W + b
    if columns:
        return W.T * sigmoid_prime(a_prev)[None, :]
    scale = {"slope": sigmoid_prime(z), "none": np.ones_like(z), "sigma": sigmoid(z),
             "activation": sigmoid_prime(sigmoid(z))}[rows]
    # d sigma(z) / d a_prev = diag(sigma'(z)) @ (dz / d a_prev) = diag(sigma'(z)) @ W.T;
    # scaling row i by sigma'(z_i) is the same as the diagonal matrix product.
    return scale[:, None] * W.T


def input_grad(x, y, params, *, out_slope=True, hidden_slope=True, input_slope=False, twice=False):
    """dC/dx for C = 1/2 ||a_L - y||^2 of a sigmoid network;
    x (d,), y (n_L,), params [(W_l (n_{l-1}, n_l), b_l (n_l,)), ...] -> (d,).

    Knobs: ``out_slope`` / ``hidden_slope`` False leave sigma' out at the output / the
    hidden layers; ``input_slope=True`` multiplies by x (1 - x) at the input as if it were
    an activation; ``twice=True`` keeps the 2 of the square."""
    a = [np.asarray(x, dtype=np.float64)]
    for W, b in params:
        a.append(sigmoid(a[-1] @ W + b))
    delta = (2.0 if twice else 1.0) * (a[-1] - y) * (a[-1] * (1 - a[-1]) if out_slope else 1.0)   # dC/dz_L
    for l in range(len(params), 0, -1):
        g = delta @ params[l - 1][0].T                 # dC/da_{l-1}, (n_{l-1},)
        if l > 1:
            delta = g * (a[l - 1] * (1 - a[l - 1]) if hidden_slope else 1.0)   # dC/dz_{l-1}
    return g * a[0] * (1 - a[0]) if input_slope else g   # dC/da_0 = dC/dx, (d,)


def _layer(square):
    def draw(rng):
        n_prev, n = (4, 4) if square else distinct_sizes(rng, 2, 2, 8)
        (W, b), = layer_params(rng, [n_prev, n])
        return features(rng, (n_prev,)), W, b
    return draw


def _net(depth):
    """x (d,), y (n_L,) targets in (0.05, 0.95), params of ``depth`` layers, sizes distinct."""
    def draw(rng):
        sizes = distinct_sizes(rng, depth + 1, 2, 9)  # d, n_1, ..., n_L
        return features(rng, (sizes[0],)), targets(rng, (sizes[-1],)), layer_params(rng, sizes)
    return draw


EXERCISES = [
    Exercise(
        id="09.layer_jacobian",
        signature="layer_jacobian(a_prev, W, b)",
        returns="(n_l, n_{l-1}) array: the Jacobian d a / d a_prev of a = sigmoid(a_prev @ W + b), "
                "entry [i, j] = d a_i / d a_prev_j; a_prev (n_{l-1},), W (n_{l-1}, n_l), b (n_l,)",
        cases=(Case("n_l != n_{l-1}", _layer(False)), Case("n_l == n_{l-1} (square)", _layer(True))),
        reference=layer_jacobian,
        slips=(
            Slip("rows", "none", D.MISSING_ACTIVATION_DERIVATIVE, "the sigmoid's factor diag(sigma'(z)) is missing",
                 "You returned dz/da_prev = W.T, the Jacobian of the linear part only: the sigmoid "
                 "contributes the diagonal factor diag(sigma'(z)) on the left."),
            Slip("rows", "sigma", D.WRONG_VALUE, "the rows are scaled by sigma(z) instead of sigma'(z)",
                 "You scaled the rows by sigma(z); the Jacobian of the sigmoid is its DERIVATIVE, "
                 "sigma'(z) = sigma(z) (1 - sigma(z))."),
            Slip("rows", "activation", D.WRONG_VALUE, "sigma' is applied to the activation sigma(z)",
                 "You applied sigma' to the activation sigma(z); the factor is sigma'(z) = "
                 "sigma(z) (1 - sigma(z)), with z = a_prev @ W + b."),
            Slip("columns", True, D.WRONG_VALUE, "the columns are scaled by sigma'(a_prev)",
                 "You scaled the columns by sigma'(a_prev): the derivative of the sigmoid is taken at "
                 "this layer's pre-activation z = a_prev @ W + b, and it scales the ROWS (one per output unit)."),
        ),
        points=1,
        solution="""
            def layer_jacobian(a_prev, W, b):
                z = a_prev @ W + b                        # (n_l,)
                s = sigmoid(z) * (1 - sigmoid(z))         # sigma'(z), (n_l,)
                return s[:, None] * W.T                   # diag(s) @ W.T, (n_l, n_{l-1})
        """,
        hints=(
            "Split the layer into z = a_prev @ W + b and a = sigma(z), and multiply the two Jacobians (chain rule).",
            "d z_i / d a_prev_j from z_i = sum_j a_prev_j W[j, i] + b_i is W[j, i]: dz/da_prev = W.T, "
            "(n_l, n_{l-1}); d a_i / d z_k = sigma'(z_i) if i == k else 0.",
            "np.diag(s) @ W.T with s = sigma'(z), more cheaply s[:, None] * W.T.",
        ),
    ),
    Exercise(
        id="09.input_grad",
        signature="input_grad(x, y, params)",
        returns="(d,) array: the gradient of C = 1/2 ||a_L - y||^2 with respect to the input x of a "
                "sigmoid network; x (d,), y (n_L,), params a list of (W_l, b_l)",
        cases=tuple(Case(f"depth {k}", _net(k)) for k in (1, 2, 3, 4)),
        reference=input_grad,
        slips=(
            Slip("out_slope", False, D.MISSING_ACTIVATION_DERIVATIVE, "sigma' is missing at the output",
                 "The output layer's sigma' is missing: with the squared cost dC/dz_L = (a_L - y) * sigma'(z_L). "
                 "(Only the sigmoid + cross-entropy pair of notebook 08 cancels it.)"),
            Slip("hidden_slope", False, D.MISSING_ACTIVATION_DERIVATIVE, "sigma' is missing at every hidden layer",
                 "A hidden layer's sigma' is missing: going back through a hidden layer multiplies by "
                 "diag(sigma'(z_l)), i.e. delta_{l-1} = (delta_l @ W_l.T) * a_{l-1} * (1 - a_{l-1})."),
            Slip("input_slope", True, D.EXTRA_ACTIVATION_DERIVATIVE, "an extra factor x (1 - x) stands at the input",
                 "Your answer has an extra factor x * (1 - x): the input x is not the output of a sigmoid, so the "
                 "chain stops at dC/dx = delta_1 @ W_1.T."),
            Slip("twice", True, D.WRONG_VALUE, "it is twice too large (the 2 of the square kept)",
                 "Your gradient is twice the right one: the 1/2 in C = 1/2 ||a - y||^2 cancels the 2 from "
                 "differentiating the square, so dC/da = a - y."),
        ),
        points=2,
        solution="""
            def input_grad(x, y, params):
                a = [x]
                for W, b in params:
                    a.append(sigmoid(a[-1] @ W + b))
                delta = (a[-1] - y) * a[-1] * (1 - a[-1])         # dC/dz_L
                for l in range(len(params), 0, -1):
                    g = delta @ params[l - 1][0].T                # dC/da_{l-1}
                    if l > 1:
                        delta = g * a[l - 1] * (1 - a[l - 1])     # dC/dz_{l-1}
                return g                                          # dC/dx, (d,)
        """,
        hints=(
            "Forward pass keeping every activation a_0 = x, ..., a_L. Then walk back with a row vector "
            "(a vector-Jacobian product): never build the Jacobian matrices.",
            "Start from dC/da_L = a_L - y; each layer multiplies from the right by its Jacobian "
            "diag(sigma'(z_l)) W_l.T.",
            "delta = (a_L - y) * a_L * (1 - a_L); for l = L, ..., 1: g = delta @ W_l.T, and if l > 1: "
            "delta = g * a_{l-1} * (1 - a_{l-1}). Return the last g (shape (d,)).",
        ),
    ),
]
