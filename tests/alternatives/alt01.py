"""Other correct ways to write notebook 01's exercises."""

import math

import numpy as np


def sigmoid_loop(u):
    # Element by element with math, choosing the safe branch by sign.
    u = np.asarray(u, dtype=float)
    out = np.empty_like(u)
    for i in np.ndindex(u.shape):
        v = u[i]
        out[i] = 1 / (1 + math.exp(-v)) if v >= 0 else math.exp(v) / (1 + math.exp(v))
    return out


def sigmoid_tanh(u):
    # sigma(u) = (1 + tanh(u / 2)) / 2: tanh never overflows.
    return 0.5 * (1 + np.tanh(0.5 * np.asarray(u, dtype=float)))


def sigmoid_logaddexp(u):
    # sigma(u) = exp(-log(1 + exp(-u))) = exp(-logaddexp(0, -u)).
    return np.exp(-np.logaddexp(0.0, -np.asarray(u, dtype=float)))


def sigmoid_prime_exp(u):
    # e^{-|u|} / (1 + e^{-|u|})^2 is symmetric in u and never overflows.
    e = np.exp(-np.abs(np.asarray(u, dtype=float)))
    return e / (1 + e) ** 2


def sigmoid_prime_cosh(u):
    # sigma'(u) = 1 / (4 cosh^2(u / 2)); cosh overflows to inf for huge u, so clip first.
    v = np.clip(np.asarray(u, dtype=float), -700, 700)
    return 0.25 / np.cosh(0.5 * v) ** 2


def numerical_grad_basis(f, w, eps=1e-6):
    # Perturb along each unit basis array E_i instead of indexing in place.
    w = np.asarray(w, dtype=float)
    grad = np.zeros(w.shape)
    for i in range(w.size):
        E = np.zeros(w.shape)
        E.flat[i] = eps
        grad.flat[i] = (f(w + E) - f(w - E)) / (2 * eps)
    return grad


def numerical_grad_inplace(f, w, eps=1e-6):
    # CS231n style: perturb the caller's array in place and restore it exactly.
    grad = np.zeros_like(w)
    it = np.nditer(w, flags=["multi_index"])
    while not it.finished:
        ix = it.multi_index
        old = w[ix]
        w[ix] = old + eps
        fp = f(w)
        w[ix] = old - eps
        fm = f(w)
        w[ix] = old
        grad[ix] = (fp - fm) / (2 * eps)
        it.iternext()
    return grad


def log_sigmoid_logaddexp(u):
    # log sigma(u) = -log(1 + e^{-u}) = -logaddexp(0, -u); NumPy's logaddexp is stable.
    return -np.logaddexp(0.0, -np.asarray(u, dtype=float))


def log_sigmoid_branches(u):
    # Two exact forms chosen by sign: -log1p(e^{-u}) for u >= 0, u - log1p(e^{u}) for u < 0
    # (multiply top and bottom by e^u). Both exponents are -|u|.
    u = np.asarray(u, dtype=float)
    e = np.exp(-np.abs(u))
    return np.where(u >= 0, -np.log1p(e), u - np.log1p(e))


def log_sigmoid_loop(u):
    # Element by element with math: log sigma(u) = u - softplus(u), softplus by cases.
    u = np.asarray(u, dtype=float)
    out = np.empty_like(u)
    for i in np.ndindex(u.shape):
        v = float(u[i])
        softplus = v + math.log1p(math.exp(-v)) if v > 0 else math.log1p(math.exp(v))
        out[i] = v - softplus
    return out


ALTERNATIVES = {
    "01.sigmoid": [sigmoid_loop, sigmoid_tanh, sigmoid_logaddexp],
    "01.sigmoid_prime": [sigmoid_prime_exp, sigmoid_prime_cosh],
    "01.log_sigmoid": [log_sigmoid_logaddexp, log_sigmoid_branches, log_sigmoid_loop],
    "01.numerical_grad": [numerical_grad_basis, numerical_grad_inplace],
}
