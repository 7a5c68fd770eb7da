"""Benchmark: vectorised backprop versus the bare matrix-multiply floor.

One forward + backward pass for a batch of N examples through sigmoid layers of the
given widths (default 512 examples, 64-256-256-10, ten sigmoid outputs with their own
cross-entropy). Its matrix products are: one per layer forward (H_{l-1} @ W_l), one per
layer for dW_l = H_{l-1}.T @ Delta_l, and one per layer but the first for
Delta_l @ W_l.T: 3L - 1 in all. The **floor** runs exactly those matrix products, on
the same shapes, into preallocated arrays, and nothing else: no sigmoid, no bias,
no element-wise work, no allocation. The ratio (backprop / floor) is the price of
everything that is not a matmul.

Three versions of backprop are timed against the floor in one run:
    reference  the reference answer of exercise 10.backprop_multi (course_utils, stable
               sigmoid via np.where: both branches computed);
    plain      the same recursion with sigmoid 1 / (1 + exp(-z)) (fine for these inputs);
    in-place   plain, with element-wise work done in place into reused buffers.

    python benchmarks/bench_backprop.py [--batch 512] [--widths 64 256 256 10] [--repeats 7] [--number 20] [--threads 1]
"""

import argparse
import os
import timeit

import numpy as np

from course_utils.checking import registry

reference = registry.get("10.backprop_multi").reference


def plain(X, Y, params):
    H = [X]
    for W, b in params:
        H.append(1.0 / (1.0 + np.exp(-(H[-1] @ W + b))))
    delta = H[-1] - Y
    grads = []
    for l in range(len(params) - 1, -1, -1):
        grads.append((H[l].T @ delta, delta.sum(axis=0)))
        if l:
            delta = (delta @ params[l][0].T) * H[l] * (1.0 - H[l])
    return grads[::-1]


def make_inplace(X, params):
    """Backprop with every intermediate in a buffer allocated once."""
    N = X.shape[0]
    Hs = [np.empty((N, W.shape[1])) for W, _ in params]
    Ds = [np.empty((N, W.shape[1])) for W, _ in params]
    dWs = [np.empty_like(W) for W, _ in params]
    tmp = [np.empty((N, W.shape[1])) for W, _ in params]

    def run(X, Y, params):
        prev = X
        for H, (W, b) in zip(Hs, params, strict=True):
            np.matmul(prev, W, out=H)
            H += b
            np.negative(H, out=H)
            np.exp(H, out=H)
            H += 1.0
            np.reciprocal(H, out=H)
            prev = H
        np.subtract(Hs[-1], Y, out=Ds[-1])
        grads = []
        for l in range(len(params) - 1, -1, -1):
            below = X if l == 0 else Hs[l - 1]
            np.matmul(below.T, Ds[l], out=dWs[l])
            grads.append((dWs[l], Ds[l].sum(axis=0)))
            if l:
                np.matmul(Ds[l], params[l][0].T, out=Ds[l - 1])
                np.subtract(1.0, below, out=tmp[l - 1])
                tmp[l - 1] *= below
                Ds[l - 1] *= tmp[l - 1]
        return grads[::-1]
    return run


def make_floor(X, params):
    """The same 3L - 1 matrix products into preallocated arrays."""
    N = X.shape[0]
    Hs = [np.random.default_rng(1).random((N, W.shape[1])) for W, _ in params]
    Ds = [np.random.default_rng(2).random((N, W.shape[1])) for W, _ in params]
    dWs = [np.empty_like(W) for W, _ in params]
    Zs = [np.empty((N, W.shape[1])) for W, _ in params]
    Bs = [np.empty((N, W.shape[0])) for W, _ in params]

    def run():
        prev = X
        for Z, H, (W, _) in zip(Zs, Hs, params, strict=True):
            np.matmul(prev, W, out=Z)
            prev = H
        for l in range(len(params) - 1, -1, -1):
            np.matmul((X if l == 0 else Hs[l - 1]).T, Ds[l], out=dWs[l])
            if l:
                np.matmul(Ds[l], params[l][0].T, out=Bs[l])
    return run


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--batch", type=int, default=512)
    ap.add_argument("--widths", type=int, nargs="+", default=[64, 256, 256, 10])
    ap.add_argument("--repeats", type=int, default=7)
    ap.add_argument("--number", type=int, default=20)
    ap.add_argument("--threads", type=int, default=1,
                    help="BLAS threads (default 1: on a shared, loaded machine more threads spin-wait; "
                         "0 = library default)")
    args = ap.parse_args()
    if args.threads:
        from threadpoolctl import threadpool_limits  # ships with scikit-learn
        threadpool_limits(args.threads)

    rng = np.random.default_rng(0)
    w = args.widths
    params = [(rng.normal(0, 1 / np.sqrt(a), (a, b)), rng.normal(0, 0.1, b))
              for a, b in zip(w[:-1], w[1:], strict=True)]
    X = rng.random((args.batch, w[0]))
    Y = np.eye(w[-1])[rng.integers(0, w[-1], args.batch)]

    inplace = make_inplace(X, params)
    for fn in (plain, inplace):  # same answers as the reference before timing anything
        for (a, b), (c, d) in zip(fn(X, Y, params), reference(X, Y, params), strict=True):
            assert np.allclose(a, c, rtol=1e-10, atol=1e-12) and np.allclose(b, d, rtol=1e-10, atol=1e-12)

    runs = {
        "matmul floor": make_floor(X, params),
        "reference backprop": lambda: reference(X, Y, params),
        "plain backprop": lambda: plain(X, Y, params),
        "in-place backprop": lambda: inplace(X, Y, params),
    }
    best = {name: float("inf") for name in runs}
    for _ in range(args.repeats):  # interleaved: machine load hits every version alike
        for name, fn in runs.items():
            best[name] = min(best[name], timeit.timeit(fn, number=args.number) / args.number)

    flops = 2 * args.batch * sum(a * b for a, b in zip(w[:-1], w[1:], strict=True)) * 3 - 2 * args.batch * w[0] * w[1]
    threads = os.environ.get("OMP_NUM_THREADS", "default")
    try:
        from threadpoolctl import threadpool_info
        blas = [i for i in threadpool_info() if i.get("user_api") == "blas"]
        threads = f"{blas[0]['internal_api']} {blas[0]['num_threads']} threads" if blas else threads
    except Exception:  # threadpoolctl comes with scikit-learn; optional here
        pass
    print(f"batch {args.batch}, widths {'-'.join(map(str, w))}, {3 * (len(w) - 1) - 1} matmuls, "
          f"{flops / 1e6:.0f} MFLOP per pass; numpy {np.__version__}; BLAS: {threads}; "
          f"best of {args.repeats} x {args.number}")
    floor = best["matmul floor"]
    for name, t in best.items():
        print(f"{name:<20} {t * 1e3:8.3f} ms  {flops / t / 1e9:6.2f} GFLOP/s  ratio to floor {t / floor:5.2f}")


if __name__ == "__main__":
    main()
