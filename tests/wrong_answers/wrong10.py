"""Wrong answers for notebook 10's exercises, in learners' styles, with their true diagnoses."""

import numpy as np

from course_utils.checking import diagnosis as D

from .common import forward, sig, unrolled3

VALUE = {D.WRONG_VALUE}
FAILS = {D.WRONG_VALUE, D.SHAPE, D.EXCEPTION, D.WRONG_TYPE, D.NAN}


def backprop10_unrolled(X, Y, params):
    return unrolled3(X, Y, params)


def backprop10_softmax_delta(X, Y, params):
    H = forward(X, params)
    F = H[-1]
    P = np.exp(F) / np.exp(F).sum(axis=1, keepdims=True)
    delta = P - Y
    grads = []
    for l in range(len(params) - 1, -1, -1):
        W, _ = params[l]
        grads.append((H[l].T @ delta, delta.sum(axis=0)))
        if l > 0:
            delta = (delta @ W.T) * H[l] * (1 - H[l])
    return grads[::-1]


def predict10_last_layer_only(X, params):
    W, b = params[-1]
    return np.argmax(sig(X @ W + b), axis=1)


def predict10_first_layer_only(X, params):
    W, b = params[0]
    return np.argmax(sig(X @ W + b), axis=1)


def predict10_reversed(X, params):
    H = np.asarray(X, dtype=float)
    for W, b in reversed(params):
        H = sig(H @ W + b)
    return np.argmax(H, axis=1)


def predict10_no_bias(X, params):
    H = np.asarray(X, dtype=float)
    for W, _ in params:
        H = sig(H @ W)
    return np.argmax(H, axis=1)


def predict10_axis0(X, params):
    return np.argmax(forward(X, params)[-1], axis=0)


def predict10_rounded_outputs(X, params):
    return np.round(forward(X, params)[-1][:, 0])


def _bce_grads(X, Y, params):
    H = forward(X, params)
    delta = H[-1] - Y
    grads = []
    for l in range(len(params) - 1, -1, -1):
        W, _ = params[l]
        grads.append((H[l].T @ delta, delta.sum(axis=0)))
        delta = (delta @ W.T) * H[l] * (1 - H[l])
    return grads[::-1]


def l2_every_parameter(X, Y, params, lam):
    return [(dW + lam * W, db + lam * b) for (W, b), (dW, db) in zip(params, _bce_grads(X, Y, params), strict=False)]


def l2_two_lambda(X, Y, params, lam):
    return [(dW + 2 * lam * W, db) for (W, b), (dW, db) in zip(params, _bce_grads(X, Y, params), strict=False)]


def l2_mean_like_sklearn(X, Y, params, lam):
    n = len(X)
    return [((dW + lam * W) / n, db / n) for (W, b), (dW, db) in zip(params, _bce_grads(X, Y, params), strict=False)]


def l2_lasso_sign(X, Y, params, lam):
    return [(dW + lam * np.sign(W), db) for (W, b), (dW, db) in zip(params, _bce_grads(X, Y, params), strict=False)]


def l2_norm_as_number(X, Y, params, lam):
    return [(dW + lam * np.sum(W ** 2), db) for (W, b), (dW, db) in zip(params, _bce_grads(X, Y, params), strict=False)]


def l2_last_layer_only(X, Y, params, lam):
    grads = _bce_grads(X, Y, params)
    W, _ = params[-1]
    grads[-1] = (grads[-1][0] + lam * W, grads[-1][1])
    return grads


def l2_decays_in_place(X, Y, params, lam):
    grads = _bce_grads(X, Y, params)
    for W, _ in params:
        W *= 1 - lam                           # "weight decay" applied to the caller's weights
    return grads


def init_std_lecun(n_in, n_out):
    return 1 / np.sqrt(n_in)


def init_std_he(n_in, n_out):
    return np.sqrt(2 / n_in)


def init_std_uniform_limit(n_in, n_out):
    return 4 * np.sqrt(6 / (n_in + n_out))     # the bound of Glorot's uniform distribution, not a std


def init_std_as_array(n_in, n_out):
    return np.array([4 * np.sqrt(2 / (n_in + n_out))])


def init_std_float32(n_in, n_out):
    return np.float32(4 * np.sqrt(2 / (n_in + n_out)))


WRONG = {
    "10.backprop_multi": [("three layers unrolled", backprop10_unrolled, FAILS),
                          ("softmax delta", backprop10_softmax_delta, VALUE)],
    "10.predict": [("last layer only", predict10_last_layer_only, FAILS),
                   ("first layer only", predict10_first_layer_only, FAILS),
                   ("layers in reverse", predict10_reversed, FAILS), ("no biases", predict10_no_bias, VALUE),
                   ("axis 0", predict10_axis0, {D.SHAPE}), ("first output rounded", predict10_rounded_outputs, VALUE)],
    "10.backprop_l2": [("every parameter penalised", l2_every_parameter, VALUE),
                       ("2 lam W", l2_two_lambda, VALUE),
                       ("MLPClassifier's mean objective", l2_mean_like_sklearn, {D.BATCH_SCALE}),
                       ("lam sign(W), the L1 penalty's", l2_lasso_sign, VALUE),
                       ("lam ||W||^2 added as a number", l2_norm_as_number, VALUE),
                       ("last layer only", l2_last_layer_only, VALUE),
                       ("weights decayed in place", l2_decays_in_place, {D.MUTATES_INPUT})],
    "10.sigmoid_init_std": [("LeCun 1/sqrt(n_in): no sigma'(0), fan-in only", init_std_lecun, {D.COMPOSITE}),
                            ("He sqrt(2/n_in)", init_std_he, VALUE),
                            ("Glorot's uniform bound", init_std_uniform_limit, VALUE),
                            ("a 1-element array", init_std_as_array, {D.SHAPE}),
                            ("float32", init_std_float32, {D.WRONG_TYPE})],
}
