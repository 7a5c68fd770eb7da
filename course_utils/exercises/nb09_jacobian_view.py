"""Notebook 09: the Jacobian view of backpropagation (seed 002).

Shapes (DESIGN.md, one example): a_0 = x (d,); W_l (n_{l-1}, n_l); b_l (n_l,);
z_l = a_{l-1} @ W_l + b_l; a_l = sigma(z_l); cost C = 1/2 ||a_L - y||^2 with y (n_L,).
A Jacobian dF/dx of F: R^n -> R^m is (m, n). Seed 002 writes z = W a: its W is our W.T.
"""


from ..checking import diagnosis as D
from ..checking.draws import distinct_sizes, features, layer_params, targets
from ..checking.exercise import Exercise, Mistake
from ..portable.functions import sigmoid, sigmoid_prime

# ---------------------------------------------------------------- draws

def _draw_layer(rng):
    """a_prev (n_{l-1},), W (n_{l-1}, n_l), b (n_l,) with n_{l-1} != n_l."""
    n_prev, n = distinct_sizes(rng, 2, 2, 8)
    (W, b), = layer_params(rng, [n_prev, n])
    return features(rng, (n_prev,)), W, b


def _draw_net(rng):
    """x (d,), y (n_L,) targets in (0.05, 0.95), params of 2 to 4 layers, all sizes distinct."""
    depth = int(rng.integers(2, 5))  # at least one hidden layer, so every mistake shows
    sizes = distinct_sizes(rng, depth + 1, 2, 9)  # d, n_1, ..., n_L
    return features(rng, (sizes[0],)), targets(rng, (sizes[-1],)), layer_params(rng, sizes)


# ---------------------------------------------------------------- references

def layer_jacobian(a_prev, W, b):
    """Jacobian d a / d a_prev of a = sigmoid(a_prev @ W + b), i.e. diag(sigma'(z)) @ W.T;
    a_prev (n_{l-1},), W (n_{l-1}, n_l), b (n_l,) -> (n_l, n_{l-1}).
    """
    # d sigma(z) / d a_prev = diag(sigma'(z)) @ (dz / d a_prev) = diag(sigma'(z)) @ W.T;
    # scaling row i by sigma'(z_i) is the same as the diagonal matrix product.
    z = a_prev @ W + b
    return sigmoid_prime(z)[:, None] * W.T


def input_grad(x, y, params):
    """dC/dx for C = 1/2 ||a_L - y||^2 of a sigmoid network;
    x (d,), y (n_L,), params [(W_l (n_{l-1}, n_l), b_l (n_l,)), ...] -> (d,).
    """
    a = [x]
    for W, b in params:
        a.append(sigmoid(a[-1] @ W + b))
    delta = (a[-1] - y) * a[-1] * (1 - a[-1])          # dC/dz_L, (n_L,)
    for l in range(len(params), 0, -1):
        g = delta @ params[l - 1][0].T                 # dC/da_{l-1}, (n_{l-1},)
        if l > 1:
            delta = g * a[l - 1] * (1 - a[l - 1])      # dC/dz_{l-1}
    return g                                           # dC/da_0 = dC/dx, (d,)


# ---------------------------------------------------------------- wrong variants

def _input_grad_variant(x, y, params, out_factor=True, hidden_factor=True, cost_scale=1.0, input_factor=False):
    a = [x]
    for W, b in params:
        a.append(sigmoid(a[-1] @ W + b))
    delta = cost_scale * (a[-1] - y) * (a[-1] * (1 - a[-1]) if out_factor else 1.0)
    for l in range(len(params), 0, -1):
        g = delta @ params[l - 1][0].T
        if l > 1:
            delta = g * (a[l - 1] * (1 - a[l - 1]) if hidden_factor else 1.0)
    return g * x * (1 - x) if input_factor else g


def _layer_z(a_prev, W, b):
    return a_prev @ W + b


EXERCISES = [
    Exercise(
        id="09.layer_jacobian",
        signature="layer_jacobian(a_prev, W, b)",
        returns="(n_l, n_{l-1}) array: the Jacobian d a / d a_prev of a = sigmoid(a_prev @ W + b), "
                "entry [i, j] = d a_i / d a_prev_j; a_prev (n_{l-1},), W (n_{l-1}, n_l), b (n_l,)",
        draw=_draw_layer,
        reference=layer_jacobian,
        points=1,
        mistakes=(
            Mistake(D.MISSING_ACTIVATION_DERIVATIVE, lambda a, W, b: W.T.copy(),
                    "You returned dz/da_prev = W.T, the Jacobian of the linear part only: the sigmoid "
                    "contributes the diagonal factor diag(sigma'(z)) on the left."),
            Mistake(D.WRONG_VALUE, lambda a, W, b: sigmoid(_layer_z(a, W, b))[:, None] * W.T,
                    "You scaled the rows by sigma(z); the Jacobian of the sigmoid is its DERIVATIVE, "
                    "sigma'(z) = sigma(z) (1 - sigma(z))."),
            Mistake(D.WRONG_VALUE, lambda a, W, b: sigmoid_prime(sigmoid(_layer_z(a, W, b)))[:, None] * W.T,
                    "You applied sigma' to the activation sigma(z); the factor is sigma'(z) = "
                    "sigma(z) (1 - sigma(z)), with z = a_prev @ W + b."),
            Mistake(D.WRONG_VALUE, lambda a, W, b: W.T * sigmoid_prime(a)[None, :],
                    "You scaled the columns by sigma'(a_prev): the derivative of the sigmoid is taken at "
                    "this layer's pre-activation z = a_prev @ W + b, and it scales the ROWS (one per output unit)."),
        ),
        hints=(
            "Split the layer into z = a_prev @ W + b and a = sigma(z). Write d z_i / d a_prev_j from "
            "z_i = sum_j a_prev_j W[j, i] + b_i, and d a_i / d z_k for an element-wise sigma; then "
            "multiply the two Jacobians.",
            "dz/da_prev = W.T (n_l, n_{l-1}) and da/dz = diag(sigma'(z)), so the answer is "
            "np.diag(s) @ W.T with s = sigma'(z), more cheaply s[:, None] * W.T.",
        ),
    ),
    Exercise(
        id="09.input_grad",
        signature="input_grad(x, y, params)",
        returns="(d,) array: the gradient of C = 1/2 ||a_L - y||^2 with respect to the input x of a "
                "sigmoid network; x (d,), y (n_L,), params a list of (W_l, b_l)",
        draw=_draw_net,
        reference=input_grad,
        points=2,
        mistakes=(
            Mistake(D.MISSING_ACTIVATION_DERIVATIVE,
                    lambda x, y, p: _input_grad_variant(x, y, p, out_factor=False),
                    "The output layer's sigma' is missing: with the squared cost dC/dz_L = "
                    "(a_L - y) * sigma'(z_L). (Only the sigmoid + cross-entropy pair of notebook 08 cancels it.)"),
            Mistake(D.MISSING_ACTIVATION_DERIVATIVE,
                    lambda x, y, p: _input_grad_variant(x, y, p, hidden_factor=False),
                    "A hidden layer's sigma' is missing: going back through a hidden layer multiplies "
                    "by diag(sigma'(z_l)), i.e. delta_{l-1} = (delta_l @ W_l.T) * a_{l-1} * (1 - a_{l-1})."),
            Mistake(D.EXTRA_ACTIVATION_DERIVATIVE,
                    lambda x, y, p: _input_grad_variant(x, y, p, input_factor=True),
                    "Your answer has an extra factor x * (1 - x): the input x is not the output of a "
                    "sigmoid, so the chain stops at dC/dx = delta_1 @ W_1.T."),
            Mistake(D.WRONG_VALUE,
                    lambda x, y, p: _input_grad_variant(x, y, p, cost_scale=2.0),
                    "Your gradient is twice the right one: the 1/2 in C = 1/2 ||a - y||^2 cancels the 2 "
                    "from differentiating the square, so dC/da = a - y."),
        ),
        hints=(
            "Forward pass keeping every activation a_0 = x, ..., a_L. Then walk back with a row "
            "vector: start from dC/da_L = a_L - y, and for each layer multiply by its Jacobian "
            "diag(sigma'(z_l)) W_l.T from the right: never build the matrices.",
            "delta = (a_L - y) * a_L * (1 - a_L); for l = L, ..., 1: g = delta @ W_l.T, and if l > 1: "
            "delta = g * a_{l-1} * (1 - a_{l-1}). Return the last g (shape (d,)).",
        ),
    ),
]
