"""Notebook 09: the Jacobian view of backpropagation (seed 002).

Shapes (docs/design.md, one example): a_0 = x (d,); W_l (n_{l-1}, n_l); b_l (n_l,);
z_l = a_{l-1} @ W_l + b_l; a_l = sigma(z_l), l = 1..D (D the depth); cost
C = 1/2 ||a_D - y||^2 with y (n_D,). A Jacobian dF/dx of F: R^n -> R^m is (m, n).
Seed 002 writes z = W a: its W is our W.T. Softmax outputs: ``models.softmax``.
"""

import numpy as np

from ..checking import diagnosis as D
from ..checking.draws import distinct_sizes, features, layer_params, targets
from ..checking.exercise import Case, Exercise, Slip
from ..portable.functions import sigmoid, sigmoid_prime
from .models import softmax as soft
from .models.softmax import SOFTMAX_JACOBIAN_SLIPS, SOFTMAX_XENT_SLIPS


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
    """dC/dx for C = 1/2 ||a_D - y||^2 of a sigmoid network;
    x (d,), y (n_D,), params [(W_l (n_{l-1}, n_l), b_l (n_l,)), ...] -> (d,).

    Knobs: ``out_slope`` / ``hidden_slope`` False leave sigma' out at the output / the
    hidden layers; ``input_slope=True`` multiplies by x (1 - x) at the input as if it were
    an activation; ``twice=True`` keeps the 2 of the square."""
    a = [np.asarray(x, dtype=np.float64)]
    for W, b in params:
        a.append(sigmoid(a[-1] @ W + b))
    delta = (2.0 if twice else 1.0) * (a[-1] - y) * (a[-1] * (1 - a[-1]) if out_slope else 1.0)   # dC/dz_D
    for l in range(len(params), 0, -1):
        g = delta @ params[l - 1][0].T                 # dC/da_{l-1}, (n_{l-1},)
        if l > 1:
            delta = g * (a[l - 1] * (1 - a[l - 1]) if hidden_slope else 1.0)   # dC/dz_{l-1}
    return g * a[0] * (1 - a[0]) if input_slope else g   # dC/da_0 = dC/dx, (d,)


def softmax_jacobian(a_prev, W, b, **knobs):
    """Jacobian dp/da_prev of a softmax layer p = softmax(a_prev @ W + b);
    a_prev (m,), W (m, K), b (K,) -> (K, m)."""
    return soft.softmax_layer_jacobian(a_prev, W, b, **knobs)


def softmax_xent_grad(Z, Y, **knobs):
    """dL/dZ of the summed cross-entropy of softmax outputs; Z, Y (N, K) -> (N, K)."""
    return soft.softmax_xent_grad(Z, Y, **knobs)


def network_jvp(x, v, params, *, out_slope=True, hidden_slope=True, input_slope=False, at_activation=False):
    """Forward mode: the Jacobian-vector product (da_D/dx) v of a sigmoid network;
    x (d,), v (d,), params [(W_l (n_{l-1}, n_l), b_l (n_l,)), ...] -> (n_D,).

    The tangent t (a row) rides along the forward pass: t_0 = v, t_l = (t_{l-1} @ W_l) *
    sigma'(z_l). Knobs: ``out_slope`` / ``hidden_slope`` False leave sigma' out at the
    output / the hidden layers; ``input_slope=True`` multiplies v by x (1 - x) first, as if
    x were an activation; ``at_activation=True`` evaluates sigma' at a_l instead of z_l."""
    a = np.asarray(x, dtype=np.float64)
    t = np.asarray(v, dtype=np.float64)
    if input_slope:
        t = t * a * (1 - a)
    for l, (W, b) in enumerate(params, start=1):
        z = a @ W + b
        a = sigmoid(z)
        slope = sigmoid_prime(a) if at_activation else a * (1 - a)
        use = out_slope if l == len(params) else hidden_slope
        t = (t @ W) * (slope if use else 1.0)        # d z_l = t @ W_l, then diag(sigma'(z_l))
    return t


WEIGHT_JAC_LAYER = (4, 6)   # the checkpoint's layer: m = 4 inputs, n = 6 units (the notebook's first layer)


def weight_jacobian_shape(*, order="right"):
    """Checkpoint: the shape of dz/dvec(W) for z = a @ W + b with a (m,), W (m, n): (n, m n).

    Knob ``order``: "transposed" gives (m n, n); "input" the shape (n, m) of dz/da = W.T;
    "weights" the shape (m, n) of W itself."""
    m, n = WEIGHT_JAC_LAYER
    return {"right": (n, m * n), "transposed": (m * n, n), "input": (n, m), "weights": (m, n)}[order]


JVP_INPUTS, JVP_OUTPUTS = 12, 1000   # the checkpoint's network: 12 inputs, 1000 outputs


def jvp_passes(*, mode="forward", all_entries=False):
    """Checkpoint: how many forward-mode passes (one JVP each) give the whole Jacobian of a
    network with 12 inputs and 1000 outputs: 12, one per input direction e_j (a column each).

    Knobs: ``mode="reverse"`` gives reverse mode's count (1000, a row per VJP);
    ``all_entries=True`` one pass per entry (12 000)."""
    if all_entries:
        return JVP_INPUTS * JVP_OUTPUTS
    return JVP_OUTPUTS if mode == "reverse" else JVP_INPUTS


def _softmax_layer(square, shift=0.0):
    """a_prev (m,), W (m, K), b (K,); K and m different unless ``square``; ``shift`` added to
    every bias (softmax ignores it; a naive exp(z) overflows when it is large)."""
    def draw(rng):
        m, k = (4, 4) if square else distinct_sizes(rng, 2, 2, 7)
        (W, b), = layer_params(rng, [m, k])
        return features(rng, (m,)), W, b + shift
    return draw


def _targets(kind):
    """Z (N, K) logits and Y (N, K) targets whose rows sum to 1, N != K."""
    def draw(rng):
        n, k = distinct_sizes(rng, 2, 2, 7)
        k = max(k, 3)
        if n == k:
            n = k + 1
        Z = features(rng, (n, k), scale=2.0)
        classes = rng.integers(0, k, n)
        Y = np.eye(k)[classes]
        if kind == "smoothed":
            eps = rng.uniform(0.05, 0.3)
            Y = (1 - eps) * Y + eps / k
        if kind == "shifted":
            Z = Z + rng.uniform(800.0, 1000.0, (n, 1))   # every row shifted: exp(Z) overflows, softmax does not care
        return Z, Y
    return draw


def _square_net(rng):
    """A network with as many outputs as inputs (depth 2), where J v and J^T v have one shape."""
    d, h = distinct_sizes(rng, 2, 2, 8)
    return features(rng, (d,)), features(rng, (d,)), layer_params(rng, [d, h, d])


def _jvp_net(depth):
    def draw(rng):
        sizes = distinct_sizes(rng, depth + 1, 2, 9)  # d, n_1, ..., n_D: all different
        return features(rng, (sizes[0],)), features(rng, (sizes[0],)), layer_params(rng, sizes)
    return draw


def _layer(square):
    def draw(rng):
        n_prev, n = (4, 4) if square else distinct_sizes(rng, 2, 2, 8)
        (W, b), = layer_params(rng, [n_prev, n])
        return features(rng, (n_prev,)), W, b
    return draw


def _net(depth):
    """x (d,), y (n_D,) targets in (0.05, 0.95), params of ``depth`` layers, sizes distinct."""
    def draw(rng):
        sizes = distinct_sizes(rng, depth + 1, 2, 9)  # d, n_1, ..., n_D
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
        id="09.softmax_jacobian",
        signature="softmax_jacobian(a_prev, W, b)",
        returns="(K, m) array: the Jacobian dp/da_prev of a softmax layer p = softmax(a_prev @ W + b), "
                "entry [i, j] = dp_i / da_prev_j; a_prev (m,), W (m, K), b (K,)",
        cases=(Case("K != m", _softmax_layer(False)), Case("K == m (square)", _softmax_layer(True)),
               Case("biases shifted by 800 (softmax ignores it)", _softmax_layer(False, 800.0))),
        reference=softmax_jacobian,
        slips=SOFTMAX_JACOBIAN_SLIPS,
        points=2,
        hints=(
            "Chain rule as for the sigmoid layer: dp/da_prev = (dp/dz) @ (dz/da_prev), with dz/da_prev = W.T. "
            "The new part is dp/dz: differentiate p_i = e^{z_i} / S, S = sum_k e^{z_k}, by the quotient rule, "
            "separately for k == i and k != i.",
            "dS/dz_k = e^{z_k}. For k != i only S depends on z_k: dp_i/dz_k = -e^{z_i} e^{z_k} / S^2 = -p_i p_k. "
            "For k == i the numerator adds e^{z_i} / S = p_i. Compute p with a softmax that subtracts max(z) "
            "first (course_utils.functions.softmax does).",
            "p = softmax(a_prev @ W + b); return (np.diag(p) - np.outer(p, p)) @ W.T",
        ),
        solution="""
            def softmax_jacobian(a_prev, W, b):
                p = softmax(a_prev @ W + b)                  # (K,), stable: softmax subtracts max(z)
                dp_dz = np.diag(p) - np.outer(p, p)          # dp_i/dz_k = p_i [i == k] - p_i p_k, (K, K)
                return dp_dz @ W.T                           # times dz/da_prev = W.T: (K, m)
        """,
    ),
    Exercise(
        id="09.softmax_xent_grad",
        signature="softmax_xent_grad(Z, Y)",
        returns="(N, K) array: dL/dZ for the cross-entropy L = -sum_{n,k} Y[n, k] log P[n, k] of the softmax "
                "outputs P = softmax(Z) (row by row); Z (N, K) logits, Y (N, K) targets whose rows sum to 1",
        cases=(Case("one-hot targets, N != K", _targets("one-hot")),
               Case("smoothed targets (rows sum to 1), N != K", _targets("smoothed")),
               Case("logits shifted by 800 per row", _targets("shifted"))),
        reference=softmax_xent_grad,
        slips=SOFTMAX_XENT_SLIPS,
        points=2,
        hints=(
            "One example (one row) at a time: L_n depends on z_n only through p_n = softmax(z_n), so "
            "dL_n/dz_n = (dL_n/dp_n) @ J_n, a row times the softmax Jacobian J_n = diag(p) - p p^T.",
            "dL_n/dp_n = -y / p (entry by entry). Multiply this row by the two parts of J_n separately, "
            "diag(p) and -p p^T, and simplify each with what you know about the rows of Y.",
            "Row n: -y + (sum_k y_k) p = p - y, since the rows of Y sum to 1: return softmax(Z, axis=1) - Y",
        ),
        solution="""
            def softmax_xent_grad(Z, Y):
                P = softmax(Z, axis=1)           # (N, K), each row a probability vector
                # row n: (-y / p) @ (diag(p) - p p^T) = -y + (sum_k y_k) p = p - y
                return P - Y
        """,
    ),
    Exercise(
        id="09.input_grad",
        signature="input_grad(x, y, params)",
        returns="(d,) array: the gradient of C = 1/2 ||a_D - y||^2 with respect to the input x of a "
                "sigmoid network; x (d,), y (n_D,), params a list of (W_l, b_l)",
        cases=tuple(Case(f"depth {k}", _net(k)) for k in (1, 2, 3, 4)),
        reference=input_grad,
        slips=(
            Slip("out_slope", False, D.MISSING_ACTIVATION_DERIVATIVE, "sigma' is missing at the output",
                 "The output layer's sigma' is missing: with the squared cost dC/dz_D = (a_D - y) * sigma'(z_D). "
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
                delta = (a[-1] - y) * a[-1] * (1 - a[-1])         # dC/dz_D
                for l in range(len(params), 0, -1):
                    g = delta @ params[l - 1][0].T                # dC/da_{l-1}
                    if l > 1:
                        delta = g * a[l - 1] * (1 - a[l - 1])     # dC/dz_{l-1}
                return g                                          # dC/dx, (d,)
        """,
        hints=(
            "Forward pass keeping every activation a_0 = x, ..., a_D. Then walk back with a row vector "
            "(a vector-Jacobian product): never build the Jacobian matrices.",
            "Start from dC/da_D = a_D - y; each layer multiplies from the right by its Jacobian "
            "diag(sigma'(z_l)) W_l.T.",
            "delta = (a_D - y) * a_D * (1 - a_D); for l = D, ..., 1: g = delta @ W_l.T, and if l > 1: "
            "delta = g * a_{l-1} * (1 - a_{l-1}). Return the last g (shape (d,)).",
        ),
    ),
    Exercise(
        id="09.weight_jacobian_shape",
        kind="value",
        signature="weight_jacobian_shape",
        returns="a shape tuple: the shape of the Jacobian dz_1/dvec(W_1) of z_1 = a_0 @ W_1 + b_1 for one example, "
                "with m = 4 inputs and n = 6 units, vec(W_1) being all 24 weights stacked into one vector",
        cases=(Case("m = 4, n = 6", lambda rng: ()),),
        reference=weight_jacobian_shape,
        slips=(
            Slip("order", "transposed", D.TRANSPOSE, "it is the transpose of the Jacobian's shape",
                 "That is the transpose: a Jacobian has one ROW per output (the 6 entries of z_1) and one column "
                 "per input (the 24 weights)."),
            Slip("order", "input", D.WRONG_VALUE, "it is the shape of dz/da_0 = W_1.T",
                 "(6, 4) is the shape of dz_1/da_0 = W_1.T, the Jacobian with respect to the layer's INPUT. With "
                 "respect to the weights there is one column per weight: 24 of them."),
            Slip("order", "weights", D.WRONG_VALUE, "it is the shape of W_1 itself",
                 "(4, 6) is the shape of W_1, which is the shape of the gradient of a NUMBER (the loss) with "
                 "respect to W_1. z_1 is a vector of 6 entries, each with its own 24 partial derivatives."),
        ),
        points=1,
        hints=(
            "A Jacobian dF/du of F: R^p -> R^q has one row per output and one column per input: shape (q, p).",
            "Count them: how many numbers does z_1 hold, and how many weights does W_1 hold?",
            "One row per entry of z_1 and one column per weight: (n, m n) = (6, 4 * 6), i.e. weight_jacobian_shape "
            "= (6, 24).",
        ),
        solution="""
            weight_jacobian_shape = (6, 24)   # one row per entry of z_1 (6), one column per weight (4 * 6 = 24)
        """,
    ),
    Exercise(
        id="09.network_jvp",
        signature="network_jvp(x, v, params)",
        returns="(n_D,) array: the Jacobian-vector product (da_D/dx) v of a sigmoid network (forward mode); "
                "x (d,), v (d,) a direction in input space, params a list of (W_l, b_l)",
        cases=tuple(Case(f"depth {k}", _jvp_net(k)) for k in (1, 2, 3))
              + (Case("as many outputs as inputs (depth 2)", _square_net),),
        reference=network_jvp,
        slips=(
            Slip("out_slope", False, D.MISSING_ACTIVATION_DERIVATIVE, "sigma' is missing at the output",
                 "The output layer's sigma' is missing: a_D = sigma(z_D), so the tangent of a_D is "
                 "(tangent of z_D) * sigma'(z_D)."),
            Slip("hidden_slope", False, D.MISSING_ACTIVATION_DERIVATIVE, "sigma' is missing at the hidden layers",
                 "A hidden layer's sigma' is missing: every layer l multiplies the tangent entry by entry by "
                 "sigma'(z_l) = a_l (1 - a_l)."),
            Slip("input_slope", True, D.EXTRA_ACTIVATION_DERIVATIVE, "an extra factor x (1 - x) stands at the input",
                 "Your tangent has an extra factor x (1 - x) at the input: x is not the output of a sigmoid, the "
                 "tangent starts as v itself."),
            Slip("at_activation", True, D.WRONG_VALUE, "sigma' is applied to the activation a_l instead of z_l",
                 "You applied sigma' to the activation a_l; the factor is sigma'(z_l) = a_l (1 - a_l)."),
        ),
        points=2,
        hints=(
            "Forward mode pushes a small change of the input in the direction v through the network, layer by "
            "layer, next to the forward pass: each layer's Jacobian acts on it, in the order of the layers.",
            "Carry the change as a row t, starting from v. Work out what a change t of a_{l-1} does to "
            "z_l = a_{l-1} @ W_l + b_l, then what the element-wise sigmoid does to a change of z_l.",
            "a, t = x, v; for W, b in params: a = sigmoid(a @ W + b); t = (t @ W) * a * (1 - a). Return t.",
        ),
        solution="""
            def network_jvp(x, v, params):
                a, t = x, v                          # the point and the tangent: (d,) each
                for W, b in params:
                    a = sigmoid(a @ W + b)           # forward pass, (n_l,)
                    t = (t @ W) * a * (1 - a)        # J_l t = diag(sigma'(z_l)) W_l^T t, as a row
                return t                             # (da_D/dx) v, (n_D,)
        """,
    ),
    Exercise(
        id="09.jvp_passes",
        kind="value",
        signature="jvp_passes",
        returns="a whole number: how many forward-mode passes (one Jacobian-vector product each) give the whole "
                "Jacobian of a network with 12 inputs and 1000 outputs",
        cases=(Case("12 inputs, 1000 outputs", lambda rng: ()),),
        reference=jvp_passes,
        slips=(
            Slip("mode", "reverse", D.WRONG_VALUE, "it is reverse mode's count",
                 "1000 is reverse mode's count: a vector-Jacobian product u @ J gives one ROW of J per pass, and J "
                 "has 1000 rows. A Jacobian-vector product J v gives one COLUMN."),
            Slip("all_entries", True, D.WRONG_VALUE, "it counts one pass per entry of the Jacobian",
                 "One pass gives a whole column of the Jacobian, not one entry: J e_j is column j."),
        ),
        points=1,
        hints=(
            "What does one Jacobian-vector product J v give when v = e_j, the j-th unit vector?",
            "Which part of J does one pass with v = e_j give you, and how many such parts does J have?",
            "12: one pass per input direction e_1, ..., e_12.",
        ),
        solution="""
            jvp_passes = 12   # J e_j is column j of J (1000, 12): one forward pass per input direction
        """,
    ),
]
