"""Other correct ways to write notebook 10's exercises."""

import numpy as np


def _sig(z):
    return 0.5 * (1 + np.tanh(0.5 * z))


def backprop_multi_loops(X, Y, params):
    # Example by example, node by node: seed 001's summation form, then summed over i.
    grads = [(np.zeros_like(W), np.zeros_like(b)) for W, b in params]
    for x, y in zip(X, Y, strict=False):
        hs = [x]
        for W, b in params:
            hs.append(_sig(hs[-1] @ W + b))
        delta = hs[-1] - y
        for l in range(len(params) - 1, -1, -1):
            W, _ = params[l]
            dW, db = grads[l]
            for j in range(W.shape[0]):
                for k in range(W.shape[1]):
                    dW[j, k] += hs[l][j] * delta[k]
            db += delta
            if l > 0:
                below = np.zeros(W.shape[0])
                for j in range(W.shape[0]):
                    below[j] = sum(W[j, k] * delta[k] for k in range(W.shape[1]))
                delta = below * hs[l] * (1 - hs[l])
    return grads


def backprop_multi_einsum(X, Y, params):
    # Per-example outer products summed by einsum; sigma' from Z through the identity
    # sigma'(z) = 1 / (4 cosh^2(z / 2)).
    Hs, Zs = [X], []
    for W, b in params:
        Zs.append(Hs[-1] @ W + b)
        Hs.append(_sig(Zs[-1]))
    delta = Hs[-1] - Y
    out = []
    for l in reversed(range(len(params))):
        out.insert(0, (np.einsum("ni,nj->ij", Hs[l], delta), np.einsum("nj->j", delta)))
        if l:
            delta = np.einsum("nk,jk->nj", delta, params[l][0]) / (4 * np.cosh(Zs[l - 1] / 2) ** 2)
    return out


def backprop_multi_jacobians(X, Y, params):
    # Seed 002's chain of Jacobians for each example: dL/dz row vectors times W^T and diag(sigma').
    grads = [[0.0, 0.0] for _ in params]
    for x, y in zip(X, Y, strict=False):
        a = [x]
        for W, b in params:
            a.append(_sig(a[-1] @ W + b))
        row = (a[-1] - y)[None, :]                      # dL/dz_L as a (1, K) covector
        for l in range(len(params) - 1, -1, -1):
            W, _ = params[l]
            grads[l][0] = grads[l][0] + np.outer(a[l], row[0])
            grads[l][1] = grads[l][1] + row[0]
            if l:
                row = row @ W.T @ np.diag(a[l] * (1 - a[l]))
    return [(dW, db) for dW, db in grads]


def predict_loop(X, params):
    out = []
    for x in X:
        h = x
        for W, b in params:
            h = _sig(h @ W + b)
        out.append(int(np.argmax(h)))
    return np.array(out)


def predict_logits(X, params):
    # The sigmoid is increasing, so the largest output has the largest pre-activation Z_D.
    H = X
    for W, b in params[:-1]:
        H = _sig(H @ W + b)
    Z = H @ params[-1][0] + params[-1][1]
    return Z.argmax(axis=-1)


def backprop_l2_reuse(X, Y, params, lam):
    # The gradient of a sum is the sum of the gradients: the cross-entropy's, then lam W.
    return [(dW + lam * W, db) for (W, b), (dW, db) in zip(params, backprop_multi_einsum(X, Y, params), strict=False)]


def backprop_l2_inline(X, Y, params, lam):
    # The penalty folded into the recursion, layer by layer; np.add with out= on fresh arrays.
    H = [X]
    for W, b in params:
        H.append(_sig(H[-1] @ W + b))
    delta = H[-1] - Y
    grads = [None] * len(params)
    for l in range(len(params) - 1, -1, -1):
        W = params[l][0]
        dW = np.empty_like(W)
        np.add(H[l].T @ delta, lam * W, out=dW)
        grads[l] = (dW, np.einsum("nk->k", delta))
        delta = (delta @ W.T) * H[l] * (1 - H[l])
    return grads


def backprop_l2_finite_penalty(X, Y, params, lam):
    # The penalty's gradient by its definition, entry by entry: (lam/2) * d/dW_jk sum W^2 = lam W_jk.
    out = []
    for (W, _b), (dW, db) in zip(params, backprop_multi_loops(X, Y, params), strict=False):
        pen = np.zeros_like(W)
        for j in range(W.shape[0]):
            for k in range(W.shape[1]):
                pen[j, k] = 0.5 * lam * 2 * W[j, k]
        out.append((dW + pen, db))
    return out


def sigmoid_init_std_formula(n_in, n_out):
    return 4 * np.sqrt(2 / (n_in + n_out))


def sigmoid_init_std_from_variance(n_in, n_out):
    # Var(W) * (average fan) * sigma'(0)^2 = 1, with sigma'(0) = 1/4.
    average_fan = (n_in + n_out) / 2
    variance = 1 / (average_fan * 0.25 ** 2)
    return float(variance ** 0.5)


def sigmoid_init_std_sqrt32(n_in, n_out):
    # 16 * 2 / (n_in + n_out) = 32 / (n_in + n_out).
    return float(np.sqrt(32.0) / np.sqrt(n_in + n_out))


ALTERNATIVES = {
    "10.backprop_multi": [backprop_multi_loops, backprop_multi_einsum, backprop_multi_jacobians],
    "10.predict": [predict_loop, predict_logits],
    "10.backprop_l2": [backprop_l2_reuse, backprop_l2_inline, backprop_l2_finite_penalty],
    "10.sigmoid_init_std": [sigmoid_init_std_formula, sigmoid_init_std_from_variance, sigmoid_init_std_sqrt32],
}
