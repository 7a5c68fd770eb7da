"""A small reverse-mode automatic differentiation on NumPy arrays (notebook 10).

In the spirit of Karpathy's micrograd, but every value is an array and the operations
are the ones of this course: ``@`` (matmul), ``+`` / ``-`` / ``*`` with broadcasting
(a bias (n,) added to a batch (N, n)), ``sigmoid``, ``sum``, and the two losses,
``squared_loss`` (1/2 sum (yhat - y)^2) and ``bce`` (binary cross-entropy summed).

Each operation returns a new ``Tensor`` that remembers its inputs and a function that
turns the gradient of the final loss with respect to its own value (``out.grad``, the
shape of ``out``) into gradients for its inputs: the chain rule, one link at a time.
``loss.backward()`` visits the graph from the loss back to the leaves in reverse
topological order, so every node has its full gradient before it passes it on. This is
the delta recursion of notebook 08 without the bookkeeping done by hand.

    W = Tensor(W0); b = Tensor(b0)
    loss = bce(sigmoid(Tensor(X) @ W + b), Y)
    loss.backward()
    W.grad, b.grad           # shaped like W0, b0
"""

import numpy as np

from ..portable.functions import sigmoid as _sigmoid

__all__ = ["Tensor", "as_tensor", "sigmoid", "squared_loss", "bce", "network_gradients"]


def _unbroadcast(grad, shape):
    """Sum ``grad`` over the axes NumPy broadcasting added or stretched to reach ``shape``."""
    while grad.ndim > len(shape):
        grad = grad.sum(axis=0)               # a (n,) bias was added to every row
    for axis, size in enumerate(shape):
        if size == 1 and grad.shape[axis] != 1:
            grad = grad.sum(axis=axis, keepdims=True)
    return grad


class Tensor:
    """An array that records how it was computed, so gradients can flow back to it."""

    def __init__(self, value, parents=(), op=""):
        self.value = np.array(value, dtype=np.float64)
        self.grad = np.zeros_like(self.value)
        self._parents = parents               # the Tensors this one was computed from
        self._backward = lambda: None         # pushes self.grad into the parents' grads
        self.op = op

    @property
    def shape(self):
        """The shape of ``value`` (a tuple); ``grad`` has the same shape."""
        return self.value.shape

    def __repr__(self):
        return f"Tensor(shape={self.shape}, op={self.op!r})"

    # --- operations: each computes a value and says how to send a gradient back ----
    def __add__(self, other):
        other = as_tensor(other)
        out = Tensor(self.value + other.value, (self, other), "+")

        def backward():                       # d(a + b) / da = 1, undone broadcasting
            self.grad += _unbroadcast(out.grad, self.shape)
            other.grad += _unbroadcast(out.grad, other.shape)
        out._backward = backward
        return out

    def __neg__(self):
        return self * -1.0

    def __sub__(self, other):
        return self + (-as_tensor(other))

    def __mul__(self, other):                 # element-wise, with broadcasting
        other = as_tensor(other)
        out = Tensor(self.value * other.value, (self, other), "*")

        def backward():                       # d(a * b) / da = b
            self.grad += _unbroadcast(out.grad * other.value, self.shape)
            other.grad += _unbroadcast(out.grad * self.value, other.shape)
        out._backward = backward
        return out

    def __matmul__(self, other):              # (N, m) @ (m, n) -> (N, n)
        other = as_tensor(other)
        out = Tensor(self.value @ other.value, (self, other), "@")

        def backward():                       # dL/dA = G @ B.T, dL/dB = A.T @ G
            self.grad += out.grad @ other.value.T
            other.grad += self.value.T @ out.grad
        out._backward = backward
        return out

    __radd__ = __add__
    __rmul__ = __mul__

    def sum(self):
        """A scalar Tensor (shape ()) holding the sum of every entry; its gradient is out.grad
        spread over ``self``'s shape.
        """
        out = Tensor(self.value.sum(), (self,), "sum")

        def backward():                       # every entry counts once
            self.grad += out.grad * np.ones_like(self.value)
        out._backward = backward
        return out

    # --- the reverse sweep ---------------------------------------------------------
    def backward(self):
        """Fill ``.grad`` of every Tensor this scalar depends on with d(self)/d(it)."""
        order, seen = [], set()

        def visit(node):                      # depth-first: parents before children
            if id(node) not in seen:
                seen.add(id(node))
                for parent in node._parents:
                    visit(parent)
                order.append(node)
        visit(self)
        for node in order:
            node.grad = np.zeros_like(node.value)
        self.grad = np.ones_like(self.value)  # d(self)/d(self) = 1
        for node in reversed(order):          # children before parents
            node._backward()


def as_tensor(x):
    """``x`` itself when it is a Tensor, else a constant Tensor holding it."""
    return x if isinstance(x, Tensor) else Tensor(x, op="const")


def sigmoid(t):
    """Element-wise logistic function; its local derivative is s * (1 - s)."""
    out = Tensor(_sigmoid(t.value), (t,), "sigmoid")

    def backward():
        t.grad += out.grad * out.value * (1.0 - out.value)
    out._backward = backward
    return out


def squared_loss(yhat, y):
    """1/2 * sum((yhat - y)^2) built from the operations above (its gradient is yhat - y)."""
    diff = yhat - y
    return (diff * diff).sum() * 0.5


def bce(f, y, eps=1e-12):
    """-sum(y log f + (1 - y) log(1 - f)) for probabilities f; dL/df = (f - y) / (f (1 - f))."""
    y = np.asarray(y, dtype=np.float64)
    p = np.clip(f.value, eps, 1 - eps)
    out = Tensor(-np.sum(y * np.log(p) + (1 - y) * np.log(1 - p)), (f,), "bce")

    def backward():                           # seed 001's (f - y) / (f (1 - f)), sign included
        f.grad += out.grad * (p - y) / (p * (1 - p))
    out._backward = backward
    return out


def network_gradients(X, Y, params, loss="bce"):
    """Gradients of a sigmoid network's loss by automatic differentiation.

    X (N, d); Y (N, K); params a list of (W_l, b_l). ``loss`` is "bce" or "squared".
    Returns (loss value, [(dW_l, db_l), ...]) shaped like params.
    """
    leaves = [(Tensor(W), Tensor(b)) for W, b in params]
    H = Tensor(X, op="const")
    for W, b in leaves:
        H = sigmoid(H @ W + b)
    L = bce(H, Y) if loss == "bce" else squared_loss(H, Y)
    L.backward()
    return float(L.value), [(W.grad, b.grad) for W, b in leaves]
