"""Softmax outputs and the cross-entropy, for notebook 09 (and 10, which cites 09's derivation).

One example: z (K,) logits, p = softmax(z) (K,), a probability vector. Its Jacobian
dp/dz = diag(p) - p p^T (K, K) is full: every p_i depends on every z_k. A batch: Z (N, K),
P = softmax(Z) row by row, targets Y (N, K) whose rows are probability vectors (one-hot or
smoothed); L = -sum_{n,k} Y[n, k] log P[n, k], and dL/dZ = P - Y.
"""

import numpy as np

from ...checking import diagnosis as D
from ...checking.exercise import Slip
from ...portable.functions import sigmoid, softmax


def softmax_jacobian_of_logits(z, *, middle="full"):
    """dp/dz of p = softmax(z), z (K,) -> (K, K): diag(p) - p p^T.

    Knob ``middle``: "diag" keeps only its diagonal diag(p (1 - p)) (softmax treated as an
    element-wise function); "dot" subtracts the number p . p from every entry (NumPy's
    ``p @ p.T`` on a 1-D p is a dot product, not the outer product); "plus" adds p p^T;
    "outer" leaves diag(p) out (-p p^T alone); "sigmoid" is the sigmoid's diag(sigma'(z))."""
    p = softmax(z)
    if middle == "diag":
        return np.diag(p * (1 - p))
    if middle == "dot":
        return np.diag(p) - p @ p
    if middle == "plus":
        return np.diag(p) + np.outer(p, p)
    if middle == "outer":
        return -np.outer(p, p)
    if middle == "sigmoid":
        s = sigmoid(z)
        return np.diag(s * (1 - s))
    return np.diag(p) - np.outer(p, p)


def softmax_layer_jacobian(a_prev, W, b, *, middle="full"):
    """Jacobian dp/da_prev of a softmax layer p = softmax(a_prev @ W + b);
    a_prev (m,), W (m, K), b (K,) -> (K, m): (diag(p) - p p^T) @ W.T.

    Knob ``middle`` as ``softmax_jacobian_of_logits``."""
    a_prev = np.asarray(a_prev, dtype=np.float64)
    W = np.asarray(W, dtype=np.float64)
    z = a_prev @ W + np.asarray(b, dtype=np.float64)
    result: np.ndarray = softmax_jacobian_of_logits(z, middle=middle) @ W.T
    return result


def softmax_xent_grad(Z, Y, *, through="full", mean=False):
    """dL/dZ for L = -sum Y log softmax(Z) (rows), Z and Y (N, K) -> (N, K): P - Y.

    Row n is (dL/dP[n]) @ J_n with dL/dP = -Y / P and J_n = diag(p) - p p^T, which is
    P - Y (sum_k Y[n, k]) = P - Y since each row of Y sums to 1. Knobs: ``through`` "diag"
    uses only the Jacobian's diagonal (-Y (1 - P)), "none" stops at dL/dP = -Y / P,
    "sigmoid" uses sigmoid outputs (sigma(Z) - Y); ``mean=True`` divides by N."""
    Z = np.asarray(Z, dtype=np.float64)
    Y = np.asarray(Y, dtype=np.float64)
    P = softmax(Z, axis=1)
    if through == "diag":
        G = -Y * (1 - P)
    elif through == "none":
        G = -Y / P
    elif through == "sigmoid":
        G = sigmoid(Z) - Y
    else:
        G = P * np.sum(Y, axis=1, keepdims=True) - Y
    return G / Z.shape[0] if mean else G


def _middle_slip(value, says, why):
    return Slip("middle", value, D.WRONG_VALUE, says, why)


SOFTMAX_JACOBIAN_SLIPS = (
    _middle_slip("diag", "only the diagonal of the softmax Jacobian is kept",
                 "You kept only the diagonal of the softmax Jacobian, diag(p (1 - p)), as if softmax acted entry "
                 "by entry like the sigmoid. It does not: p_i = e^{z_i} / sum_k e^{z_k} depends on every z_k "
                 "through the sum, so dp_i/dz_k = -p_i p_k for k != i."),
    _middle_slip("dot", "p @ p.T of a 1-D p is the number p . p, not the outer product",
                 "You subtracted the single number p . p from every entry: on a 1-D array p, `p @ p.T` is a dot "
                 "product (p.T does nothing to a 1-D array). The outer product p p^T is np.outer(p, p) or "
                 "p[:, None] * p[None, :]."),
    _middle_slip("plus", "the p p^T term has the wrong sign",
                 "The p p^T term has the wrong sign: by the quotient rule dp_i/dz_k = p_i [i == k] - p_i p_k, "
                 "so the Jacobian is diag(p) MINUS p p^T (each of its rows sums to 0)."),
    _middle_slip("outer", "diag(p) is missing",
                 "diag(p) is missing: dp_i/dz_i has the extra term p_i from differentiating the numerator "
                 "e^{z_i}, so the Jacobian is diag(p) - p p^T."),
    _middle_slip("sigmoid", "it is the sigmoid's Jacobian diag(sigma'(z))",
                 "That is the Jacobian of an element-wise sigmoid, diag(sigma'(z)). Softmax normalises over all "
                 "the units: its Jacobian is diag(p) - p p^T with p = softmax(z)."),
)

SOFTMAX_XENT_SLIPS = (
    Slip("through", "diag", D.WRONG_VALUE, "only the diagonal of the softmax Jacobian is used",
         "You chained dL/dp = -y / p through the diagonal of the softmax Jacobian only, which gives -y (1 - p). "
         "The off-diagonal entries -p_i p_k matter: through the full diag(p) - p p^T the row becomes "
         "-y + p (sum_k y_k)."),
    Slip("through", "none", D.WRONG_VALUE, "it is dL/dp = -y / p, the softmax Jacobian left out",
         "You returned dL/dP = -Y / P. The exercise asks for dL/dZ: one more chain-rule factor, the softmax "
         "Jacobian diag(p) - p p^T, on the right of each row."),
    Slip("through", "sigmoid", D.WRONG_VALUE, "it uses sigmoid outputs instead of softmax",
         "You used sigmoid(Z) for the outputs: this loss is the cross-entropy of the SOFTMAX outputs "
         "P = softmax(Z) (each row normalised to sum to 1)."),
    Slip("mean", True, D.BATCH_SCALE, "it is divided by the number of examples N",
         "Your answer is 1/N of the right one: the loss is summed over the batch, not averaged."),
)
