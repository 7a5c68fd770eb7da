"""Benchmark: the course's backprop trained on the digits versus scikit-learn's MLPClassifier.

Same data (sklearn's load_digits, pixels / 16), same held-out split (25 %, stratified,
random_state=0), same machine, one hidden layer of 64 logistic units each: the comparison
notebook 10 makes (section 3), with the same settings.

    ours:    64-64-10 sigmoid network, ten sigmoid outputs each with its own binary
             cross-entropy (summed), plain mini-batch gradient descent, gradients by the
             reference answer of exercise 10.backprop_multi (the delta recursion).
    sklearn: MLPClassifier(hidden_layer_sizes=(64,), activation="logistic"), otherwise its
             defaults (softmax output, Adam, up to 200 epochs, L2 1e-4, random_state=seed).

Time: each side is trained --repeats times with seed 0 (interleaved, so load on the machine
hits both alike); the reported time is the median wall time of training (fit) only.
Accuracy: both sides are trained with seeds 0..--seeds-1 (our initial weights and batch
order; sklearn's random_state) on the test split of each of --splits splits
(random_state 0, 1, ...), and reported as mean, standard deviation and range, with the
difference seed by seed in test images (deterministic for fixed seeds).
The goal of issue 4: our accuracy >= sklearn's, and our time <= 1.5 x sklearn's.

    python benchmarks/bench_training.py [--repeats 5] [--seeds 10] [--splits 1] [--epochs 40] [--threads 1]
"""

import argparse
import platform
import statistics
import time
import warnings

import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier

from course_utils.checking import registry
from course_utils.functions import forward

backprop = registry.get("10.backprop_multi").reference


def data(split=0):
    """X_train, X_test, y_train, y_test of the digits split ``split`` (75 % / 25 %, stratified)."""
    digits = load_digits()
    return train_test_split(digits.data / 16.0, digits.target, test_size=0.25,
                            random_state=split, stratify=digits.target)


def train_ours(X, y, hidden, epochs, lr, batch, seed):
    rng = np.random.default_rng(seed)
    sizes = [X.shape[1], hidden, 10]
    params = [(rng.normal(0.0, 1.0 / np.sqrt(a), (a, b)), np.zeros(b))
              for a, b in zip(sizes[:-1], sizes[1:], strict=True)]
    Y = np.eye(10)[y]
    for _ in range(epochs):
        order = rng.permutation(len(X))
        for s in range(0, len(X), batch):
            rows = order[s:s + batch]
            grads = backprop(X[rows], Y[rows], params)
            params = [(W - lr * dW, b - lr * db) for (W, b), (dW, db) in zip(params, grads, strict=True)]
    return params


def accuracy_ours(params, X, y):
    return float(np.mean(np.argmax(forward(X, params)[-1], axis=1) == y))


def train_sklearn(X, y, hidden, seed):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # ConvergenceWarning at max_iter: the default run
        return MLPClassifier(hidden_layer_sizes=(hidden,), activation="logistic", random_state=seed).fit(X, y)


def timed(fn):
    start = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - start


def spread(name, accs):
    """One line: mean, standard deviation and range of accuracies."""
    accs = np.asarray(accs)
    sd = accs.std(ddof=1) if len(accs) > 1 else 0.0
    return f"{name:<22} mean {accs.mean():.4f}  sd {sd:.4f}  range {accs.min():.4f}-{accs.max():.4f}"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=5, help="timed runs per side (seed 0)")
    ap.add_argument("--epochs", type=int, default=40)
    ap.add_argument("--lr", type=float, default=0.05)
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--hidden", type=int, default=64)
    ap.add_argument("--seeds", type=int, default=10, help="training seeds per side for the accuracy spread")
    ap.add_argument("--splits", type=int, default=1, help="train/test splits (random_state 0, 1, ...)")
    ap.add_argument("--threads", type=int, default=1,
                    help="BLAS threads (default 1: on a shared, loaded machine more threads spin-wait; "
                         "0 = library default)")
    args = ap.parse_args()
    if min(args.repeats, args.seeds, args.splits, args.epochs) < 1:
        ap.error("--repeats, --seeds, --splits and --epochs must be at least 1")
    if args.threads:
        from threadpoolctl import threadpool_limits  # ships with scikit-learn
        threadpool_limits(args.threads)

    X_train, X_test, y_train, y_test = data(0)
    ours_t, sk_t = [], []
    for _ in range(args.repeats):
        _, t = timed(lambda: train_ours(X_train, y_train, args.hidden, args.epochs, args.lr, args.batch, 0))
        ours_t.append(t)
        mlp, t = timed(lambda: train_sklearn(X_train, y_train, args.hidden, 0))
        sk_t.append(t)
    t_ours, t_sk = statistics.median(ours_t), statistics.median(sk_t)

    print(f"digits: train {X_train.shape}, test {X_test.shape}; {platform.processor() or platform.machine()}, "
          f"numpy {np.__version__}; BLAS threads {args.threads or 'default'}")
    print(f"time, median of {args.repeats} interleaved runs (seed 0): ours {t_ours:.3f} s "
          f"(SGD {args.epochs} epochs, lr {args.lr}, batch {args.batch}), "
          f"MLPClassifier {t_sk:.3f} s (Adam, {mlp.n_iter_} iterations); ratio ours / sklearn {t_ours / t_sk:.3f}")
    all_ours, all_sk = [], []
    for split in range(args.splits):
        Xtr, Xte, ytr, yte = data(split)
        ours = [accuracy_ours(train_ours(Xtr, ytr, args.hidden, args.epochs, args.lr, args.batch, seed), Xte, yte)
                for seed in range(args.seeds)]
        theirs = [float(train_sklearn(Xtr, ytr, args.hidden, seed).score(Xte, yte)) for seed in range(args.seeds)]
        gap = (np.array(ours) - np.array(theirs)) * len(yte)
        print(f"split {split}, seeds 0..{args.seeds - 1} ({len(yte)} test images):")
        print("  " + spread("ours", ours))
        print("  " + spread("MLPClassifier", theirs))
        sd = f"{gap.std(ddof=1):.1f}" if len(gap) > 1 else "-"
        print(f"  difference ours - sklearn, seed by seed: mean {gap.mean():+.1f} images (sd {sd}), "
              f"ours ahead on {int(np.sum(gap > 0))}, tied on {int(np.sum(gap == 0))}, "
              f"behind on {int(np.sum(gap < 0))}")
        all_ours += ours
        all_sk += theirs
    ok = all(o >= t for o, t in zip(all_ours, all_sk, strict=True)) and t_ours <= 1.5 * t_sk
    print("goal (ours >= sklearn's on every split and seed, time <= 1.5 x sklearn's): "
          f"{'met' if ok else 'NOT met'}")


if __name__ == "__main__":
    main()
