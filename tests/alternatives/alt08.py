"""Other correct ways to write notebook 08's exercises (deep sigmoid net, cross-entropy)."""

import numpy as np


def _sigmoid(z):
    return 0.5 * (1 + np.tanh(0.5 * z))


def bce_from_logits_logaddexp(z, y):
    # softplus(z) = log(e^0 + e^z): NumPy's logaddexp never overflows.
    return float(np.sum(np.logaddexp(0.0, z) - y * z))


def bce_from_logits_by_label(z, y):
    # Term by term: -log sigma(z) = softplus(-z) for y = 1, -log(1 - sigma(z)) = softplus(z) for y = 0,
    # each written piecewise so that exp only sees a non-positive number.
    def softplus(u):
        return np.where(u > 0, u + np.log1p(np.exp(-np.abs(u))), np.log1p(np.exp(-np.abs(u))))
    return float(np.sum(y * softplus(-z) + (1 - y) * softplus(z)))


def bce_from_logits_loop(z, y):
    # One example at a time with the math module: log(1 + e^z) = z + log(1 + e^-z) when z > 0.
    import math
    total = 0.0
    for zi, yi in zip(z.tolist(), y.tolist(), strict=True):
        softplus = zi + math.log1p(math.exp(-zi)) if zi > 0 else math.log1p(math.exp(zi))
        total += softplus - yi * zi
    return total


def output_delta_chain(f, y):
    # Seed 001's route: dL/df over the common denominator, times sigma'(z) = f (1 - f).
    dl_df = -(y / f) + (1 - y) / (1 - f)
    return dl_df * f * (1 - f)


def output_delta_where(f, y):
    # Case by case: y = 1 gives -(1 - f) = f - 1, y = 0 gives f.
    return np.where(y == 1, f - 1.0, f)


def backprop_per_example(X, y, params):
    # Seed 001's column-vector view, one example at a time: z_l = W_l^T h_{l-1} + b_l,
    # delta_l = (W_{l+1} delta_{l+1}) * h_l (1 - h_l), dW_l += outer(h_{l-1}, delta_l).
    grads = [(np.zeros_like(W), np.zeros_like(b)) for W, b in params]
    for x_i, y_i in zip(X, y, strict=True):
        hs = [x_i]
        for W, b in params:
            hs.append(_sigmoid(W.T @ hs[-1] + b))
        delta = hs[-1] - y_i                       # (1,)
        for l in range(len(params) - 1, -1, -1):
            W, _ = params[l]
            grads[l][0][...] += np.outer(hs[l], delta)
            grads[l][1][...] += delta
            delta = (W @ delta) * hs[l] * (1 - hs[l])
    return grads


def backprop_einsum(X, y, params):
    # Index notation: Z[n,j] = sum_i H[n,i] W[i,j] + b[j]; dW[i,j] = sum_n H[n,i] D[n,j].
    Hs = [X]
    for W, b in params:
        Hs.append(_sigmoid(np.einsum("ni,ij->nj", Hs[-1], W) + b))
    D = Hs[-1] - y[:, None]
    out = []
    for l in range(len(params), 0, -1):
        W, _ = params[l - 1]
        out.append((np.einsum("ni,nj->ij", Hs[l - 1], D), np.einsum("nj->j", D)))
        D = np.einsum("nj,ij->ni", D, W) * Hs[l - 1] * (1 - Hs[l - 1])
    return out[::-1]


def backprop_nodes(X, y, params):
    # Seed 001's "summation over the nodes": every product written as explicit sums.
    L = len(params)
    N = X.shape[0]
    Hs = [X]
    for W, b in params:
        H = np.empty((N, W.shape[1]))
        for n in range(N):
            for j in range(W.shape[1]):
                H[n, j] = _sigmoid(sum(Hs[-1][n, i] * W[i, j] for i in range(W.shape[0])) + b[j])
        Hs.append(H)
    D = Hs[-1] - y[:, None]
    grads = [None] * L
    for l in range(L, 0, -1):
        W, _ = params[l - 1]
        dW = np.array([[sum(Hs[l - 1][n, i] * D[n, j] for n in range(N)) for j in range(W.shape[1])]
                       for i in range(W.shape[0])])
        db = np.array([sum(D[n, j] for n in range(N)) for j in range(W.shape[1])])
        grads[l - 1] = (dW, db)
        h = Hs[l - 1]
        D = np.array([[sum(D[n, j] * W[i, j] for j in range(W.shape[1])) * h[n, i] * (1 - h[n, i])
                       for i in range(W.shape[0])] for n in range(N)])
    return grads


ALTERNATIVES = {
    "08.bce_from_logits": [bce_from_logits_logaddexp, bce_from_logits_by_label, bce_from_logits_loop],
    "08.output_delta": [output_delta_chain, output_delta_where],
    "08.backprop": [backprop_per_example, backprop_einsum, backprop_nodes],
}
