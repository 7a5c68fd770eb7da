"""Wrong answers for notebook 01's exercises, in learners' styles, with their true diagnoses."""

import numpy as np

from course_utils.checking import diagnosis as D

from .common import sig

VALUE = {D.WRONG_VALUE}
FAILS = {D.WRONG_VALUE, D.SHAPE, D.EXCEPTION, D.WRONG_TYPE, D.NAN}


def sigmoid_transposed(u):
    return sig(u).T


def sigmoid_flat(u):
    return sig(u).ravel()


def sigmoid_nan_form(u):
    with np.errstate(all="ignore"):
        return np.exp(u) / (1 + np.exp(u))


def sigmoid_rounded(u):
    return np.round(sig(u), 6)


def sigmoid_first_row(u):
    out = sig(u)
    return out[0] if out.ndim > 1 else out


def sigmoid_prime_transposed(u):
    s = sig(u)
    return (s * (1 - s)).T


def sigmoid_prime_quarter(u):
    return 0.25 * np.ones_like(np.asarray(u, dtype=float))


def sigmoid_prime_diag(u):
    s = sig(u)
    return np.diag(s * (1 - s)) if s.ndim == 1 else s * (1 - s)


def numgrad_own_eps(f, w, eps=1e-6):
    w = np.array(w, dtype=float)
    g = np.zeros_like(w)
    for i in np.ndindex(w.shape):
        old = w[i]
        w[i] = old + 1e-4
        fp = f(w)
        w[i] = old - 1e-4
        fm = f(w)
        w[i] = old
        g[i] = (fp - fm) / 2e-4
    return g


def numgrad_flat_only(f, w, eps=1e-6):
    w = np.array(w, dtype=float).ravel()
    g = np.zeros_like(w)
    for i in range(w.size):
        e = np.zeros_like(w)
        e[i] = eps
        g[i] = (f(w + e) - f(w - e)) / (2 * eps)
    return g


def numgrad_backward(f, w, eps=1e-6):
    w = np.array(w, dtype=float)
    g = np.zeros_like(w)
    f0 = f(w)
    for i in np.ndindex(w.shape):
        old = w[i]
        w[i] = old - eps
        g[i] = (f0 - f(w)) / eps
        w[i] = old
    return g


def log_sigmoid_naive(u):
    # The formula as written: log of the textbook sigmoid. exp(1e4) = inf, 1 / inf = 0, log 0 = -inf.
    with np.errstate(all="ignore"):
        return np.log(1 / (1 + np.exp(-u)))


def log_sigmoid_of_stable(u):
    # A stable sigmoid does not help: sigma(-1e4) = e^{-1e4} underflows to 0 before the log.
    with np.errstate(all="ignore"):
        return np.log(sig(u))


def log_sigmoid_log_one_plus(u):
    # -log(1 + e^{-u}) without the softplus trick: log(inf) at u = -1e4.
    with np.errstate(all="ignore"):
        return -np.log(1 + np.exp(-u))


def log_sigmoid_clipped(u):
    # bce_loss's silent clip: finite, but log(1e-300) = -690.8 where the answer is -750 or -1e4.
    return np.log(np.clip(sig(u), 1e-300, 1.0))


def log_sigmoid_nudged(u):
    # log(sigma + 1e-12): finite, wrong for u below about -27.
    return np.log(sig(u) + 1e-12)


def log_sigmoid_softplus(u):
    # softplus(u) = log(1 + e^u), stable, but it is -log sigma(-u): two slips at once.
    u = np.asarray(u, dtype=float)
    return np.maximum(u, 0) + np.log1p(np.exp(-np.abs(u)))


WRONG = {
    "01.sigmoid": [("transposed", sigmoid_transposed, {D.SHAPE}), ("flattened", sigmoid_flat, {D.SHAPE}),
                   ("exp(u)/(1+exp(u))", sigmoid_nan_form, {D.NAN}), ("rounded", sigmoid_rounded, VALUE),
                   ("first row", sigmoid_first_row, {D.SHAPE})],
    "01.sigmoid_prime": [("transposed", sigmoid_prime_transposed, {D.SHAPE}),
                         ("slope at 0", sigmoid_prime_quarter, VALUE), ("diag on 1-D", sigmoid_prime_diag, {D.SHAPE})],
    "01.log_sigmoid": [("log(1 / (1 + exp(-u)))", log_sigmoid_naive, {D.NAN}),
                       ("log(stable sigmoid)", log_sigmoid_of_stable, {D.NAN}),
                       ("-log(1 + exp(-u))", log_sigmoid_log_one_plus, {D.NAN}),
                       ("clipped at 1e-300", log_sigmoid_clipped, VALUE), ("plus 1e-12", log_sigmoid_nudged, VALUE),
                       ("softplus(u)", log_sigmoid_softplus, {D.COMPOSITE})],
    "01.numerical_grad": [("its own eps", numgrad_own_eps, VALUE),
                          ("flattened", numgrad_flat_only, {D.SHAPE, D.EXCEPTION}),
                          ("backward difference", numgrad_backward, VALUE)],
}
