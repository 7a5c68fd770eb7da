"""The notebooks as a learner meets them, and the release tool that makes them.

- notebooks/ is exactly what `course-utils release` makes from solutions/;
- every student notebook runs top to bottom unedited: each check reports
  not_implemented, and nothing raises (no traceback reaches the learner);
- a solution notebook with a wrong answer FAILS under nbval (a failed check raises in
  the test run), so a passing nbval run means the solutions are right.
"""

import glob
import json
import os
import re
import subprocess
import sys

import pytest
from notebook_runner import SharedKernel

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
STUDENT = sorted(glob.glob(os.path.join(ROOT, "notebooks", "*.ipynb")))
SOLUTIONS = sorted(glob.glob(os.path.join(ROOT, "solutions", "*.ipynb")))


def test_release_check_passes():
    """notebooks/ is what the release tool makes of solutions/ (the README's own command)."""
    out = subprocess.run([sys.executable, "-m", "course_utils", "release", "--check"], cwd=ROOT,
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, "run `course-utils release`: " + out.stdout + out.stderr


def test_every_solution_has_a_student_notebook():
    assert [os.path.basename(p) for p in SOLUTIONS] == [os.path.basename(p) for p in STUDENT]
    assert SOLUTIONS, "no notebooks found"


@pytest.fixture(scope="module")
def kernel(tmp_path_factory):
    env = dict(os.environ)
    env.pop("COURSE_UTILS_STRICT", None)  # a learner's kernel: checks report, never raise
    env["MPLBACKEND"] = "Agg"
    k = SharedKernel(tmp_path_factory.mktemp("student-run"), env=env)
    yield k
    k.close()


@pytest.mark.parametrize("path", STUDENT, ids=os.path.basename)
def test_student_notebook_runs_clean(kernel, path):
    results = kernel.run_notebook(path)
    checks = 0
    for source, outputs in results:
        errors = [c for kind, c in outputs if kind == "error"]
        assert not errors, f"cell raised {errors[0]['ename']}: {errors[0]['evalue']}\n--- cell ---\n{source}"
        text = "".join(
            c.get("text", "") if kind == "stream" else c.get("data", {}).get("text/plain", "")
            for kind, c in outputs)
        assert "Traceback" not in text, f"a traceback was printed by:\n{source}"
        if re.search(r"^check\(", source, re.M):
            checks += 1
            assert "[not_implemented]" in text, f"expected a clean not_implemented verdict from:\n{source}\ngot: {text}"
    solution_cells = 0
    with open(path, encoding="utf-8") as fh:
        for cell in json.load(fh)["cells"]:
            if cell["cell_type"] == "code":
                solution_cells += "raise NotImplementedError()" in "".join(cell["source"])
    assert checks >= solution_cells > 0


def test_wrong_solution_fails_under_nbval(tmp_path):
    """Break the 01 sigmoid solution; nbval must report the notebook as failing."""
    with open(os.path.join(ROOT, "solutions", "01_sigmoid.ipynb"), encoding="utf-8") as fh:
        nb = json.load(fh)
    for cell in nb["cells"]:
        src = "".join(cell["source"])
        if "def sigmoid(u)" in src:
            src = re.sub(r"### BEGIN SOLUTION.*?### END SOLUTION",
                         "return 1 / (1 + np.exp(np.clip(u, -500, 500)))  # wrong sign", src, flags=re.S)
            cell["source"] = src.splitlines(keepends=True)
    broken = tmp_path / "broken_01.ipynb"
    broken.write_text(json.dumps(nb), encoding="utf-8")
    env = dict(os.environ, COURSE_UTILS_STRICT="1", MPLBACKEND="Agg")
    out = subprocess.run(
        [sys.executable, "-m", "pytest", "--nbval-lax", "--nbval-current-env", "-p", "no:cacheprovider",
         "-q", "-c", os.devnull, "--rootdir", str(tmp_path), str(broken)],
        cwd=tmp_path, capture_output=True, text=True, timeout=300, env=env)
    assert out.returncode != 0, out.stdout[-2000:]
    assert "CheckFailed" in out.stdout and "01.sigmoid" in out.stdout
