"""``validate()`` in a real JupyterLab, driven by headless Chromium (browser, slow).

A learner's notebook 01 (the solution with sigmoid_prime written wrong) ends with a cell
calling ``validate()`` with no argument. JupyterLab runs it from the Run menu; the cell
must find its own notebook from the Jupyter session (the kernel is told its notebook's
path by the server) and print what the grader will give: the wrong exercise named with
its diagnosis and the points.
"""

import json
import os

import browser_support
import pytest
from test_grading_class import variant

from course_utils.checking import registry

pytestmark = [pytest.mark.browser, pytest.mark.slow]

if browser_support.CHROMIUM is None:
    pytest.skip("Chromium is not installed (apt-get install chromium); browser tests skipped", allow_module_level=True)
pytest.importorskip("playwright.sync_api", reason="Playwright is not installed; browser tests skipped")

REL = "notebooks/01_sigmoid.ipynb"


def test_validate_finds_its_notebook_in_jupyterlab(tmp_path, capsys):
    root = tmp_path / "course"
    (root / "notebooks").mkdir(parents=True)
    nb = variant(replace={"sigmoid_prime": "def sigmoid_prime(u):\n    return u * (1 - u)\n"},
                 append=["from course_utils import validate\nvalidate()\n"])
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            cell["outputs"], cell["execution_count"] = [], None
    (root / REL).write_text(json.dumps(nb))
    with browser_support.start_lab(tmp_path, root) as lab, \
            browser_support.launch_browser(tmp_path / "profile") as context:
        page = browser_support.open_lab_page(lab, context, sessions=[REL])
        browser_support.open_notebook(page, REL)
        browser_support.run_all_from_menu(page)
        state = browser_support.wait_until_run(page, timeout=180)
        shot = os.path.join(os.environ.get("COURSE_SCREENSHOTS") or str(tmp_path), "validate_in_jupyterlab.png")
        page.locator(".jp-Cell").last.scroll_into_view_if_needed()
        page.screenshot(path=shot)
        assert context.blocked == []
    last = state["cells"][-1]
    text = "".join(o["text"] for o in last["outputs"])
    assert not any(o["type"] == "error" for o in last["outputs"]), text
    assert "Checking 01_sigmoid.ipynb" in text                      # found from the session, not asked for
    assert "01.sigmoid_prime" in text and "NOT YET (wrong_value)" in text
    ex01 = [e for e in registry.all_exercises() if e.notebook == "01"]
    best, lost = sum(e.points for e in ex01), registry.get("01.sigmoid_prime").points
    assert f"{len(ex01) - 1} of {len(ex01)} passed" in text and f"{best - lost:g} / {best:g}" in text
    assert not any(o["type"] == "execute_result" for o in last["outputs"])   # nothing but the report
    browser_support.say(capsys, f"\nvalidate() in JupyterLab screenshot: {shot}")
