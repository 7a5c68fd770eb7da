"""The instructor's page in headless Chromium (``pytest -m browser``).

- ``test_instructor_page_*`` (short): refused without the key; with it, the page loads
  from the workshop server alone (no request leaves the machine), updates live as events
  arrive, renders hostile names as text, passes axe-core with no serious or critical
  violation in normal and large type, and offers the CSV exports. Screenshots are printed.
- ``test_end_to_end_in_jupyterlab`` (slow): a real JupyterLab kernel runs ``join()`` and a
  failing then a passing ``check()``; the instructor page, open in the same browser,
  shows the participant trying (with the diagnosis), then passed, within 2 s of each
  check finishing. Screenshots and the measured delays are printed.
"""

import os
import time

import nbformat
import pytest
from browser_support import launch_browser, say, skip_without_browser, start_lab
from workshop_support import OBSERVER_JS, ProcessServer, ThreadServer, http, wait_for_flip

import course_utils
from course_utils.workshop.storage import token_hash

pytestmark = pytest.mark.browser
skip_without_browser()

IDS = course_utils.exercise_ids()
HOSTILE = ['<img src=x onerror="window.__pwned=1">', "<script>window.__pwned=2</script>", "Robert'); DROP TABLE--"]
UPDATE_BOUND_S = 2.0  # the bound: the page shows a check within 2 s

def serious(results):
    return [v for v in results.response["violations"] if v.get("impact") in ("serious", "critical")]


def post(server_base, token, event):
    status, body, _ = http("POST", server_base + "/api/events", {"events": [event]},
                           headers={"Authorization": f"Bearer {token}"})
    assert status == 200, body


def check_event(i, exercise, passed, diagnosis=None, attempt=1):
    return {"id": f"page{i:08d}", "kind": "check", "exercise": exercise, "passed": passed,
            "diagnosis": None if passed else diagnosis, "attempt": attempt, "age": 0}


def test_instructor_page_live_escaped_accessible(tmp_path, shots_dir, capsys):
    from axe_playwright_python.sync_playwright import Axe

    server = ThreadServer(str(tmp_path / "w.sqlite"))
    report = []
    try:
        ada = server.join("Ada Lovelace")
        grace = server.join("Grace Hopper")
        # Names with markup cannot get in through the API; plant them in the database
        # directly (an older or tampered file) to prove the page shows them as text.
        for i, name in enumerate(HOSTILE):
            server.store._db.execute(
                "INSERT INTO participants (name, name_key, token_hash, joined_at, last_seen) VALUES (?, ?, ?, 0, 0)",
                (name, f"hostile{i}", token_hash(f"hostile-token-{i:020d}")))
        for i in range(len(HOSTILE)):  # they are stuck and pass, so their names are in every list
            token = f"hostile-token-{i:020d}"
            post(server.base, token, check_event(100 + i, IDS[3], False, "wrong_value"))
            post(server.base, token, check_event(200 + i, IDS[4], True))
        post(server.base, ada, check_event(1, IDS[1], False, "sign"))
        post(server.base, ada, {"id": "page-hint-1", "kind": "hint", "exercise": IDS[1], "level": 2, "age": 0})

        with launch_browser(tmp_path / "profile", viewport={"width": 1400, "height": 900}) as browser:
            page = browser.new_page()
            errors = []
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            for wrong in ("/instructor", "/instructor?key=wrong", f"/instructor?key={server.secrets.join_code}"):
                response = page.goto(server.url(wrong))
                assert response.status == 403 and "instructor" in page.content()
            page.goto(server.url(f"/instructor?key={server.key}"))
            assert page.url == server.url("/instructor")          # the key left the address bar
            page.wait_for_selector("#connection.live")
            page.wait_for_selector(f'tr[data-participant="1"] td[data-exercise="{IDS[1]}"][data-status="trying"]')
            page.evaluate(OBSERVER_JS)

            # Hostile names are text: same characters, no element made, no script run.
            names = page.locator("#grid tbody th").all_text_contents()
            assert names == ["Ada Lovelace", "Grace Hopper", *HOSTILE]
            assert page.evaluate("() => window.__pwned") is None
            assert page.locator("img, main script, b").count() == 0  # no element made from a name
            for name in HOSTILE:
                assert name in page.locator("#longest").inner_text()
                assert name + " passed " + IDS[4] in page.locator("#passes").inner_text()

            trying = page.locator(f'tr[data-participant="1"] td[data-exercise="{IDS[1]}"]')
            assert "sign" in trying.inner_text() and "H2" in trying.inner_text()
            assert "1 learner stuck on " + IDS[1] + ": 1 sign" in page.locator("#stuck").inner_text()

            # Live: a pass pushed by the server appears without reloading.
            sent = time.time()
            post(server.base, ada, check_event(2, IDS[1], True, attempt=2))
            flipped = wait_for_flip(page, 1, IDS[1], "passed", 10)
            assert "Ada Lovelace passed " + IDS[1] in page.locator("#passes").inner_text()
            post(server.base, grace, check_event(3, IDS[6], False, "transpose", attempt=3))
            wait_for_flip(page, 2, IDS[6], "trying", 10)
            assert "Grace Hopper on " + IDS[6] in page.locator("#longest").inner_text()
            report.append(f"grid update after a pass was stored: {(flipped - sent) * 1000:.0f} ms")

            shot = os.path.join(shots_dir, "workshop_instructor_page.png")
            page.screenshot(path=shot, full_page=True)
            normal = Axe().run(page)
            assert not serious(normal), normal.generate_report()

            page.get_by_role("button", name="Large type").click()
            assert page.evaluate("() => document.documentElement.classList.contains('large')")
            assert page.get_by_role("button", name="Large type").get_attribute("aria-pressed") == "true"
            size = page.evaluate("() => parseFloat(getComputedStyle(document.documentElement).fontSize)")
            assert size >= 24
            shot_large = os.path.join(shots_dir, "workshop_instructor_page_large.png")
            page.screenshot(path=shot_large)
            large = Axe().run(page)
            assert not serious(large), large.generate_report()
            page.reload()  # the choice is remembered
            assert page.evaluate("() => document.documentElement.classList.contains('large')")

            hrefs = page.locator("a[download]").evaluate_all("els => els.map(e => e.getAttribute('href'))")
            assert hrefs == ["/instructor/export.csv", "/instructor/events.csv"]
            assert browser.blocked == [] and errors == []
            others = sorted({f"{v['id']} ({v['impact']})" for res in (normal, large)
                             for v in res.response["violations"]})
            report.append("axe-core: 0 serious/critical violations (normal and large type); "
                          f"less severe ones: {others or 'none'}")
            report.append(f"screenshots: {shot} {shot_large}")
    finally:
        server.stop()
    say(capsys, "\n[workshop page] " + "\n[workshop page] ".join(report))


# --------------------------------------------------------------------------- end to end

def wrong_source():
    return ("from course_utils.functions import sigmoid\n"
            "def grad_w(x, y, w):\n"
            "    yhat = sigmoid(w * x)\n"
            "    return float((yhat - y) * x)\n")


def right_source():
    return ("from course_utils.functions import sigmoid\n"
            "def grad_w(x, y, w):\n"
            "    yhat = sigmoid(w * x)\n"
            "    return float((yhat - y) * yhat * (1 - yhat) * x)\n")


CELL_STATE_JS = """(i) => {
  const panel = window.jupyterapp.shell.currentWidget;
  const c = panel.content.model.cells.get(i);
  const outs = [];
  for (let j = 0; j < c.outputs.length; j++) {
    const o = c.outputs.get(j).toJSON();
    const parts = [o.text, o.data && o.data['text/plain'], o.evalue];
    outs.push(parts.map(t => Array.isArray(t) ? t.join('') : (t || '')).join(''));
  }
  return {count: c.executionCount, text: outs.join('\\n'),
          kernel: panel.sessionContext.session.kernel.status};
}"""


def run_cell(page, index, timeout_s=60):
    """Run one cell as a learner does (select it, Run Selected Cell); return its output text."""
    page.evaluate("""(i) => { const p = window.jupyterapp.shell.currentWidget;
                              p.content.activeCellIndex = i;
                              window.jupyterapp.commands.execute('notebook:run-cell'); }""", index)
    deadline = time.monotonic() + timeout_s
    while True:
        state = page.evaluate(CELL_STATE_JS, index)
        if state["count"] is not None and state["kernel"] == "idle" and state["text"]:
            return state["text"]
        if time.monotonic() > deadline:
            pytest.fail(f"cell {index} did not finish in {timeout_s} s: {state}")
        time.sleep(0.05)


@pytest.mark.slow
def test_end_to_end_in_jupyterlab(tmp_path, shots_dir, capsys):
    expected = course_utils.run_check("02.grad_w", _compile(wrong_source())).diagnosis
    assert expected not in (None, "wrong_value")
    workshop = ProcessServer(str(tmp_path / "workshop.sqlite"))
    root = tmp_path / "course"
    root.mkdir()
    nb = nbformat.v4.new_notebook()
    nb.metadata = {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}}
    nb.cells = [
        nbformat.v4.new_code_cell(f"from course_utils import join, check\njoin({workshop.join_url!r}, 'Ada Lovelace')"),
        nbformat.v4.new_code_cell(wrong_source() + "import time\ncheck('02.grad_w', grad_w)\n"
                                  "print('CHECKED_AT', time.time())"),
        nbformat.v4.new_code_cell(right_source() + "import time\ncheck('02.grad_w', grad_w)\n"
                                  "print('CHECKED_AT', time.time())"),
    ]
    nbformat.write(nb, str(root / "workshop_demo.ipynb"))
    report = []
    try:
        with start_lab(tmp_path, root) as lab, launch_browser(tmp_path / "profile") as browser:
            instructor = browser.new_page()
            instructor.goto(workshop.instructor_url)
            instructor.wait_for_selector("#connection.live")
            instructor.evaluate(OBSERVER_JS)
            lab.wait_ready(["workshop_demo.ipynb"])
            page = browser.new_page()
            page.goto(lab.url("lab?reset"), wait_until="domcontentloaded")
            page.wait_for_function("() => window.jupyterapp && window.jupyterapp.shell && "
                                   "document.querySelector('.jp-DirListing-content')", timeout=60_000)
            page.evaluate("async (p) => { await window.jupyterapp.commands.execute('docmanager:open', "
                          "{path: p, factory: 'Notebook'}); }", "workshop_demo.ipynb")
            page.wait_for_function("""() => { const w = window.jupyterapp.shell.currentWidget;
                return w && w.sessionContext && w.sessionContext.session && w.sessionContext.session.kernel &&
                       w.sessionContext.session.kernel.status === 'idle'; }""", timeout=60_000)

            out = run_cell(page, 0)
            assert "Joined the workshop" in out, out
            instructor.wait_for_selector('tr[data-participant="1"] th:text("Ada Lovelace")', timeout=5000)

            out = run_cell(page, 1)
            assert f"NOT YET 02.grad_w [{expected}]" in out, out
            checked = float(out.split("CHECKED_AT")[1].split()[0])
            shown = wait_for_flip(instructor, 1, "02.grad_w", "trying", UPDATE_BOUND_S)
            cell = instructor.locator('tr[data-participant="1"] td[data-exercise="02.grad_w"]')
            assert expected in cell.inner_text() and "1\u00d7" in cell.inner_text()
            assert f"1 learner stuck on 02.grad_w: 1 {expected}" in instructor.locator("#stuck").inner_text()
            shot_trying = os.path.join(shots_dir, "workshop_e2e_trying.png")
            instructor.screenshot(path=shot_trying)
            report.append(f"trying ({expected}) shown {(shown - checked) * 1000:.0f} ms after the failing check")

            out = run_cell(page, 2)
            assert "PASSED 02.grad_w" in out, out
            checked = float(out.split("CHECKED_AT")[1].split()[0])
            shown = wait_for_flip(instructor, 1, "02.grad_w", "passed", UPDATE_BOUND_S)
            assert "Ada Lovelace passed 02.grad_w" in instructor.locator("#passes").inner_text()
            shot_passed = os.path.join(shots_dir, "workshop_e2e_passed.png")
            instructor.screenshot(path=shot_passed)
            shot_lab = os.path.join(shots_dir, "workshop_e2e_jupyterlab.png")
            page.screenshot(path=shot_lab)
            report.append(f"passed shown {(shown - checked) * 1000:.0f} ms after the passing check")
            report.append(f"screenshots: {shot_trying} {shot_passed} {shot_lab}")
            assert browser.blocked == [], browser.blocked
        status, csv_text, _ = workshop.instructor("/instructor/events.csv")
        rows = csv_text.strip().split("\n")[1:]
        assert [r.split(",")[2:7] for r in rows] == [["check", "02.grad_w", "0", expected, "1"],
                                                    ["check", "02.grad_w", "1", "", "2"]]
    finally:
        workshop.kill()
    say(capsys, "\n[workshop e2e] " + "\n[workshop e2e] ".join(report))


def _compile(source):
    scope = {}
    exec(compile(source, "<learner>", "exec"), scope)
    return scope["grad_w"]
