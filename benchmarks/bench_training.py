"""Benchmark: the course's backprop trained on the digits versus scikit-learn's MLPClassifier.

Same data (sklearn's load_digits, pixels / 16), same held-out split (25 %, stratified,
random_state=0), same machine, one run, one hidden layer of 64 logistic units each.

    ours:    64-64-10 sigmoid network, ten sigmoid outputs each with its own binary
             cross-entropy (summed), plain mini-batch gradient descent, gradients by the
             reference answer of exercise 10.backprop_multi (the delta recursion).
    sklearn: MLPClassifier(hidden_layer_sizes=(64,), activation="logistic"), otherwise its
             defaults (softmax output, Adam, up to 200 epochs, L2 1e-4, random_state=0).

Each side is trained --repeats times (interleaved, so load on the machine hits both alike);
the reported time is the median wall time of training (fit) only. Accuracy is on the test
split and deterministic (fixed seeds). The goal of issue 4: our accuracy >= sklearn's,
and our time <= 1.5 x sklearn's.

    python benchmarks/bench_training.py [--repeats 5] [--epochs 40] [--lr 0.05] [--batch 16] [--threads 1]
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


def data():
    digits = load_digits()
    return train_test_split(digits.data / 16.0, digits.target, test_size=0.25,
                            random_state=0, stratify=digits.target)


def train_ours(X, y, hidden, epochs, lr, batch, seed):
    rng = np.random.default_rng(seed)
    sizes = [X.shape[1], hidden, 10]
    params = [(rng.normal(0.0, 1.0 / np.sqrt(a), (a, b)), np.zeros(b)) for a, b in zip(sizes[:-1], sizes[1:])]
    Y = np.eye(10)[y]
    for _ in range(epochs):
        order = rng.permutation(len(X))
        for s in range(0, len(X), batch):
            rows = order[s:s + batch]
            grads = backprop(X[rows], Y[rows], params)
            params = [(W - lr * dW, b - lr * db) for (W, b), (dW, db) in zip(params, grads)]
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


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--epochs", type=int, default=40)
    ap.add_argument("--lr", type=float, default=0.05)
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--hidden", type=int, default=64)
    ap.add_argument("--seeds", type=int, default=5, help="extra seeds for our accuracy spread")
    ap.add_argument("--threads", type=int, default=1,
                    help="BLAS threads (default 1: on a shared, loaded machine more threads spin-wait; 0 = library default)")
    args = ap.parse_args()
    if args.threads:
        from threadpoolctl import threadpool_limits  # ships with scikit-learn
        threadpool_limits(args.threads)

    X_train, X_test, y_train, y_test = data()
    ours_t, sk_t = [], []
    for _ in range(args.repeats):
        params, t = timed(lambda: train_ours(X_train, y_train, args.hidden, args.epochs, args.lr, args.batch, 0))
        ours_t.append(t)
        mlp, t = timed(lambda: train_sklearn(X_train, y_train, args.hidden, 0))
        sk_t.append(t)
    ours_acc = accuracy_ours(params, X_test, y_test)
    sk_acc = float(mlp.score(X_test, y_test))
    t_ours, t_sk = statistics.median(ours_t), statistics.median(sk_t)

    print(f"digits: train {X_train.shape}, test {X_test.shape}; {platform.processor() or platform.machine()}, "
          f"numpy {np.__version__}; BLAS threads {args.threads or 'default'}; median of {args.repeats} interleaved runs")
    print(f"{'':<44}{'test acc':>9}{'train time':>12}")
    print(f"{f'ours: SGD {args.epochs} ep, lr {args.lr}, batch {args.batch}':<44}{ours_acc:>9.4f}{t_ours:>11.3f}s")
    print(f"{f'MLPClassifier (Adam, {mlp.n_iter_} iterations)':<44}{sk_acc:>9.4f}{t_sk:>11.3f}s")
    print(f"ratio ours / sklearn: accuracy {ours_acc / sk_acc:.4f}, time {t_ours / t_sk:.3f}")
    if args.seeds:
        accs = [accuracy_ours(train_ours(X_train, y_train, args.hidden, args.epochs, args.lr, args.batch, s),
                              X_test, y_test) for s in range(args.seeds)]
        print(f"ours over seeds 0..{args.seeds - 1}: accuracy min {min(accs):.4f}, mean {np.mean(accs):.4f}, max {max(accs):.4f}")
    ok = ours_acc >= sk_acc and t_ours <= 1.5 * t_sk
    print(f"goal (accuracy >= sklearn's, time <= 1.5 x sklearn's): {'met' if ok else 'NOT met'}")


if __name__ == "__main__":
    main()
