"""No graded answer is already on the page (marker ``slow``).

For every student notebook and every graded exercise: run the cells above the exercise's
stub in a kernel, then pass every function the learner has been shown so far (defined in
the notebook or importable from course_utils' public modules) to the exercise's check, and
for a derivation checkpoint every value the notebook holds, and require that none passes.
A machine can catch this part of "the learner must derive it"; a reader judges the rest.
"""

import glob
import json
import os
import re

import pytest
from notebook_runner import SharedKernel

from course_utils.files.cells import check_ids

pytestmark = pytest.mark.slow

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
STUDENT = sorted(glob.glob(os.path.join(ROOT, "notebooks", "*.ipynb")))
STUB = re.compile(r"raise NotImplementedError\(\)|= \.\.\.  # YOUR ANSWER HERE")

PROBE = r'''
def _course_leak_probe(ids):
    import importlib, types
    import course_utils
    from course_utils.checking import registry
    skip = {"check", "hint", "solution", "progress", "validate", "join", "leave", "explore", "show",
            "run_check", "exercise_ids", "print", "display"}
    seen = {}
    for name, value in list(globals().items()):
        if not name.startswith("_") and name not in skip:
            seen[name] = value
    for modname in ("course_utils", "course_utils.functions", "course_utils.gradcheck", "course_utils.autodiff",
                    "course_utils.netgraph"):
        try:
            module = importlib.import_module(modname)
        except Exception:
            continue
        for name in getattr(module, "__all__", dir(module)):
            if not name.startswith("_") and name not in skip:
                seen[f"{modname}.{name}"] = getattr(module, name)
    leaks = []
    for exercise_id in ids:
        ex = registry.get(exercise_id)
        for name, value in seen.items():
            if isinstance(value, (types.ModuleType, type)):
                continue
            module = getattr(value, "__module__", "") or ""
            if module.startswith(("matplotlib", "ipywidgets", "IPython", "numpy", "builtins")):
                continue
            if (ex.kind == "function") != callable(value):
                continue
            try:
                result = course_utils.run_check(exercise_id, value, time_limit=1.0)
            except BaseException:
                continue
            if result.passed:
                leaks.append(f"{exercise_id} passes with {name}")
    return leaks
'''


def _cells(path):
    with open(path, encoding="utf-8") as fh:
        return [c for c in json.load(fh)["cells"] if c["cell_type"] == "code"]


@pytest.fixture(scope="module")
def kernel(tmp_path_factory):
    env = dict(os.environ)
    env.pop("COURSE_UTILS_STRICT", None)
    env["MPLBACKEND"] = "Agg"
    env["COURSE_UTILS_PROGRESS"] = str(tmp_path_factory.mktemp("progress") / "progress.json")
    k = SharedKernel(tmp_path_factory.mktemp("leak-run"), env=env)
    yield k
    k.close()


@pytest.mark.parametrize("path", STUDENT, ids=os.path.basename)
def test_nothing_above_an_exercise_passes_its_check(kernel, path):
    cells = [("".join(c["source"])) for c in _cells(path)]
    kernel.run_code("%reset -f")
    kernel.run_code(PROBE)
    leaks = []
    probed = 0
    for i, source in enumerate(cells):
        if STUB.search(source):
            ids = next((check_ids(later) for later in cells[i:] if check_ids(later)), [])
            if ids:
                probed += 1
                out = kernel.run_code(f"print(repr(_course_leak_probe({ids!r})))")
                text = "".join(c.get("text", "") for kind, c in out if kind == "stream")
                errors = [c for kind, c in out if kind == "error"]
                assert not errors, errors
                leaks += eval(text.strip() or "[]")  # noqa: S307 - our own repr of a list of str
        kernel.run_code(source)
    assert probed or not any(STUB.search(s) for s in cells)
    assert not leaks, "answers already on the page:\n" + "\n".join(leaks)
