"""Benchmark: grade a class of 100 notebooks with `course-utils grade`, and with
`nbgrader autograde` on the same class when nbgrader is installed.

    python benchmarks/bench_grading.py [--students 100] [--nbgrader-venv /tmp/nbg-venv]

The class is built from solutions/01_sigmoid.ipynb: right answers, wrong ones (known
mistakes), broken ones (raises, function missing, not valid JSON, empty) and slow ones
(right but 0.3 s per call; an endless loop stopped by the time limit). Every
submission's expected score is known by construction and checked against the
gradebook. nbgrader runs the same notebooks in its own kernel (the check cells are its
grade cells; COURSE_UTILS_STRICT=1 makes a failed check fail the cell). nbgrader must be
installed in a SEPARATE virtualenv (it is not a dependency of this course):

    python3 -m venv /tmp/nbg-venv && /tmp/nbg-venv/bin/pip install nbgrader numpy matplotlib
"""

import argparse
import csv
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SOLUTION = os.path.join(ROOT, "solutions", "01_sigmoid.ipynb")
POINTS = {"01.sigmoid": 1, "01.sigmoid_prime": 1, "01.log_sigmoid": 2, "01.numerical_grad": 2}

RIGHT_SIGMOID = """
def sigmoid(u):
    u = np.asarray(u, dtype=float)
    e = np.exp(-np.abs(u))
    return np.where(u >= 0, 1 / (1 + e), e / (1 + e))
"""

# kind -> (cell replacements {function: source or None}, exercises it loses, JSON text or None)
KINDS = {
    "right": ({}, ()),
    "wrong_prime": ({"sigmoid_prime": "def sigmoid_prime(u):\n    return u * (1 - u)\n"}, ("01.sigmoid_prime",)),
    "naive_sigmoid": ({"sigmoid": "def sigmoid(u):\n    return np.exp(u) / (1 + np.exp(u))\n"},
                      ("01.sigmoid", "01.sigmoid_prime")),
    "half_step": ({"numerical_grad": textwrap.dedent("""
        def numerical_grad(f, w, eps=1e-6):
            w = np.array(w, dtype=float)
            g = np.zeros_like(w)
            for i in np.ndindex(w.shape):
                old = w[i]
                w[i] = old + eps
                fp = f(w)
                w[i] = old - eps
                fm = f(w)
                w[i] = old
                g[i] = (fp - fm) / eps  # forgot the 2
            return g
        """)}, ("01.numerical_grad",)),
    "raises": ({"sigmoid_prime": "def sigmoid_prime(u):\n    return sigmoid(u) @ u\n"}, ("01.sigmoid_prime",)),
    "missing": ({"numerical_grad": None}, ("01.numerical_grad",)),
    "slow_right": ({"sigmoid": "import time\n" + RIGHT_SIGMOID.replace("def sigmoid(u):\n",
                                                                    "def sigmoid(u):\n    time.sleep(0.3)\n")}, ()),
    "endless": ({"numerical_grad": "def numerical_grad(f, w, eps=1e-6):\n    while True:\n        pass\n"},
                ("01.numerical_grad",)),
    "not_json": (None, tuple(POINTS)),
    "empty": ("empty", tuple(POINTS)),
}
MIXES = {
    # the class of issue 10's first goal: 15 slow or endless notebooks in 100
    "default": [("right", 35), ("wrong_prime", 10), ("naive_sigmoid", 8), ("half_step", 8), ("raises", 8),
                ("missing", 6), ("slow_right", 10), ("endless", 5), ("not_json", 5), ("empty", 5)],
    # a typical class: one endless loop and two slow notebooks, the rest as above
    "typical": [("right", 40), ("wrong_prime", 11), ("naive_sigmoid", 9), ("half_step", 9), ("raises", 9),
                ("missing", 7), ("slow_right", 2), ("endless", 1), ("not_json", 6), ("empty", 6)],
}


def _cell(source):
    return {"cell_type": "code", "metadata": {}, "source": source.splitlines(True), "outputs": [],
            "execution_count": None}


def make_notebook(kind):
    """The notebook text for a submission of this kind."""
    replace, _ = KINDS[kind]
    if replace is None:
        return "{ this is not a notebook"
    with open(SOLUTION, encoding="utf-8") as fh:
        nb = json.load(fh)
    if replace == "empty":
        nb["cells"] = []
        return json.dumps(nb)
    cells = []
    for cell in nb["cells"]:
        src = "".join(cell["source"])
        name = next((f for f in replace if cell["cell_type"] == "code" and src.lstrip().startswith(f"def {f}(")), None)
        if name is None:
            cells.append(cell)
        elif replace[name] is not None:
            new = dict(cell, source=replace[name].splitlines(True))  # keeps nbgrader's metadata
            cells.append(new)
    nb["cells"] = cells
    return json.dumps(nb)


def expected_score(kind):
    return sum(p for ex, p in POINTS.items() if ex not in KINDS[kind][1])


def build_class(folder, n, mix):
    """Write n submissions named s000_<kind>.ipynb; returns {student: kind}."""
    total = sum(c for _, c in mix)
    # Spread each kind evenly over the class (so any n has the same mix, in proportion).
    kinds = sorted(((i + 0.5) / c, k) for k, c in mix for i in range(c))
    kinds = [k for _, k in kinds]
    kinds = [kinds[int(j * total / n)] for j in range(n)] if n <= total else (kinds * (n // total + 1))[:n]
    students = {}
    os.makedirs(folder, exist_ok=True)
    for i, kind in enumerate(kinds):
        student = f"s{i:03d}_{kind}"
        with open(os.path.join(folder, f"{student}.ipynb"), "w", encoding="utf-8") as fh:
            fh.write(make_notebook(kind))
        students[student] = kind
    return students


def run_course_utils(folder, work, students, jobs):
    out = os.path.join(work, "gradebook.csv")
    cmd = [os.path.join(os.path.dirname(sys.executable), "course-utils"), "grade", folder, "--exercises", "01",
           "--out", out, "--feedback", os.path.join(work, "feedback"), "--quiet"]
    if jobs:
        cmd += ["--jobs", str(jobs)]
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True)
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"course-utils grade failed:\n{proc.stdout}\n{proc.stderr}")
    with open(out, newline="") as fh:
        rows = list(csv.DictReader(fh))
    scores = {}
    for r in rows:
        scores[r["student"]] = scores.get(r["student"], 0.0) + float(r["points"])
    wrong = {s: (scores.get(s), expected_score(k)) for s, k in students.items() if scores.get(s) != expected_score(k)}
    with open(out + ".state.json") as fh:
        per_sub = [v["seconds"] for v in json.load(fh)["students"].values()]
    isolation = next((ln for ln in proc.stdout.splitlines() if ln.startswith("isolation:")), "")
    return {"wall": wall, "median": statistics.median(per_sub), "wrong": wrong, "isolation": isolation,
            "summary": proc.stdout}


def run_nbgrader(folder, work, students, venv, timeout):
    """Time `nbgrader autograde` on the same notebooks; returns a dict or a reason string."""
    nbgrader = os.path.join(venv, "bin", "nbgrader")
    if not os.path.exists(nbgrader):
        return f"nbgrader is not installed in {venv} (see this file's docstring)"
    course = os.path.join(work, "nbgrader_course")
    os.makedirs(os.path.join(course, "source", "ps1"))
    shutil.copy(SOLUTION, os.path.join(course, "source", "ps1", "01_sigmoid.ipynb"))
    with open(os.path.join(course, "nbgrader_config.py"), "w") as fh:
        fh.write(textwrap.dedent(f"""
            c = get_config()
            c.CourseDirectory.root = {course!r}
            c.CourseDirectory.course_id = "bench"
            c.ExecutePreprocessor.timeout = {timeout}
            c.Execute.timeout = {timeout}
        """))
    env = dict(os.environ, PYTHONPATH=ROOT, COURSE_UTILS_STRICT="1", MPLBACKEND="Agg",
               PATH=os.path.join(venv, "bin") + os.pathsep + os.environ.get("PATH", ""),
               COURSE_UTILS_PROGRESS=os.path.join(work, "progress.json"))
    env.pop("VIRTUAL_ENV", None)
    run = lambda *args: subprocess.run([nbgrader, *args], cwd=course, env=env, capture_output=True, text=True)  # noqa: E731
    made = run("generate_assignment", "ps1", "--force")
    if made.returncode != 0:
        return f"nbgrader generate_assignment failed: {made.stderr[-500:]}"
    for student in students:
        dest = os.path.join(course, "submitted", student, "ps1")
        os.makedirs(dest)
        shutil.copy(os.path.join(folder, f"{student}.ipynb"), os.path.join(dest, "01_sigmoid.ipynb"))
    start = time.perf_counter()
    graded = run("autograde", "ps1", "--create")
    wall = time.perf_counter() - start
    # nbgrader grades one notebook after another: the gaps between the autograded files'
    # modification times are the per-submission times.
    stamps = sorted(os.path.getmtime(os.path.join(root, f)) for root, _, files in
                    os.walk(os.path.join(course, "autograded")) for f in files if f.endswith(".ipynb"))
    gaps = [b - a for a, b in zip(stamps, stamps[1:], strict=False)]
    exported = run("export", "--to", os.path.join(work, "nbgrader_grades.csv"))
    scores = {}
    if exported.returncode == 0:
        with open(os.path.join(work, "nbgrader_grades.csv"), newline="") as fh:
            for r in csv.DictReader(fh):
                scores[r["student_id"]] = float(r["score"] or 0)
    wrong = {s: (scores.get(s), expected_score(k)) for s, k in students.items() if scores.get(s) != expected_score(k)}
    return {"wall": wall, "returncode": graded.returncode, "wrong": wrong,
            "median": statistics.median(gaps) if gaps else float("nan"),
            "errors": [ln for ln in graded.stderr.splitlines() if "| ERROR]" in ln][:4]}


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--students", type=int, default=100)
    p.add_argument("--class", dest="kind", choices=sorted(MIXES), default="default",
                   help="which class: %(choices)s (default: %(default)s)")
    p.add_argument("--jobs", type=int, default=None, help="course-utils grade --jobs (default: its own)")
    p.add_argument("--also-jobs", type=int, default=None,
                   help="grade the class a second time with this many jobs (slow notebooks mostly sleep)")
    p.add_argument("--nbgrader-venv", default="/tmp/nbg-venv")
    p.add_argument("--no-nbgrader", action="store_true")
    p.add_argument("--keep", action="store_true", help="keep the work folder")
    args = p.parse_args(argv)
    work = tempfile.mkdtemp(prefix="bench-grading-")
    try:
        folder = os.path.join(work, "class")
        mix = MIXES[args.kind]
        students = build_class(folder, args.students, mix)
        ours = run_course_utils(folder, work, students, args.jobs)
        n = len(students)
        print(f"class {args.kind!r}: {n} submissions ({', '.join(f'{c} {k}' for k, c in mix)}), "
              f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}")
        print(f"course-utils grade: {ours['wall']:.1f} s wall, {n / ours['wall']:.2f} submissions/s, "
              f"median {ours['median']:.2f} s per submission; wrong scores: {len(ours['wrong'])}")
        print(f"  {ours['isolation']}")
        if ours["wrong"]:
            print(f"  MISGRADED: {ours['wrong']}")
        if args.also_jobs:
            more = run_course_utils(folder, os.path.join(work, f"jobs{args.also_jobs}"), students, args.also_jobs)
            print(f"course-utils grade --jobs {args.also_jobs}: {more['wall']:.1f} s wall, "
                  f"median {more['median']:.2f} s per submission; wrong scores: {len(more['wrong'])}")
        if not args.no_nbgrader:
            theirs = run_nbgrader(folder, work, students, args.nbgrader_venv, timeout=30)
            if isinstance(theirs, str):
                print(f"nbgrader autograde: not run: {theirs}")
            else:
                print(f"nbgrader autograde: {theirs['wall']:.1f} s wall, {n / theirs['wall']:.2f} submissions/s, "
                      f"median {theirs['median']:.2f} s per submission (exit code {theirs['returncode']}); "
                      f"scores differing from the expected: {len(theirs['wrong'])}")
                if theirs["wrong"]:
                    sample = dict(list(theirs["wrong"].items())[:6])
                    print(f"  e.g. {sample}")
                for line in theirs["errors"]:
                    print(f"  nbgrader: {line.strip()[:200]}")
                print(f"throughput ratio (course-utils / nbgrader): {theirs['wall'] / ours['wall']:.1f}x; "
                      f"per-submission median ratio: {theirs['median'] / ours['median']:.0f}x")
        return 1 if ours["wrong"] else 0
    finally:
        if args.keep:
            print(f"work folder kept: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
