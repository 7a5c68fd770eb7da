"""The class report and a feedback page in headless Chromium (``pytest -m browser``).

The pages of the hand-written class (report_support.py) are served from a scratch
folder on a loopback port and opened in Debian's Chromium (off the network: any request
that is not loopback, data: or about: is aborted and counted). Checked in the rendered
page, not the source: every student and exercise is in the table, both plots decoded
(natural width > 0), nothing was requested from outside, and axe-core finds no serious
or critical accessibility violation. Screenshots are saved and their paths printed
(COURSE_SCREENSHOTS=<dir> picks the folder).
"""

import os

import browser_support
import pytest
from report_support import CLASS, EXERCISES, EXPECTED, write_class

from course_utils.cli import main as course_utils_main

pytestmark = pytest.mark.browser

if browser_support.CHROMIUM is None:
    pytest.skip("Chromium is not installed (apt-get install chromium); browser tests skipped", allow_module_level=True)
pytest.importorskip("playwright.sync_api", reason="Playwright is not installed; browser tests skipped")


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    folder = tmp_path_factory.mktemp("report_browser")
    gradebook = write_class(folder, {"course_version": "0.1.0+test"})
    site = folder / "site"
    assert course_utils_main(["report", gradebook, "--out", str(site / "report.html"),
                              "--feedback", str(site / "feedback")]) == 0
    return site


def test_report_and_feedback_render_offline(pages, tmp_path, capsys):
    shots = os.environ.get("COURSE_SCREENSHOTS") or str(tmp_path / "screenshots")
    os.makedirs(shots, exist_ok=True)
    failed = []
    with browser_support.serve_folder(pages) as base, browser_support.launch_browser(tmp_path / "profile",
                                                              {"width": 1100, "height": 900}) as context:
        page = context.new_page()
        try:
            page.on("requestfailed", lambda r: failed.append(r.url))
            page.goto(base + "report.html", wait_until="load")
            table = page.locator("table", has=page.locator("caption", has_text="Each student's result"))
            rows = table.locator("tbody tr").all_inner_texts()
            assert len(rows) == len(CLASS)
            names = [r.split("\t")[0].strip() for r in rows]
            assert sorted(names) == sorted(CLASS)                       # every student, hostile id as text
            header = table.locator("thead th").all_inner_texts()
            assert header[2:] == [e for e, _ in EXERCISES]              # every exercise
            assert page.get_by_text(EXPECTED["top"]).count() == 1
            widths = page.eval_on_selector_all("img", "imgs => imgs.map(i => i.naturalWidth)")
            assert len(widths) == 2 and all(w > 100 for w in widths)   # both plots decoded
            report_shot = os.path.join(shots, "class_report.png")
            page.screenshot(path=report_shot, full_page=True)
            problems = browser_support.blocking_violations(browser_support.axe_audit(page))
            assert not problems, "\n".join(problems)
            # follow the report's link to a feedback page, as an instructor would
            page.get_by_role("link", name="bob", exact=True).click()
            page.wait_for_load_state("load")
            assert page.url.endswith("feedback/bob.html")
            assert page.get_by_role("heading", level=1).inner_text() == "Feedback for bob"
            sections = page.get_by_role("heading", level=3).all_inner_texts()
            assert sections == ["01.sigmoid: passed", "01.sigmoid_prime: not yet", "03.grad_w: not yet"]
            feedback_shot = os.path.join(shots, "feedback_bob.png")
            page.screenshot(path=feedback_shot, full_page=True)
            problems = browser_support.blocking_violations(browser_support.axe_audit(page))
            assert not problems, "\n".join(problems)
        finally:
            page.close()
        assert context.blocked == [] and failed == [], (context.blocked, failed)
    browser_support.say(capsys, f"\nclass report screenshot: {report_shot}\nfeedback page screenshot: {feedback_shot}")
