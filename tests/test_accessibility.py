"""Accessibility of what the course shows inside JupyterLab, in its light and dark themes.

A scratch notebook calls ``check`` with a right and a wrong answer, ``hint``,
``solution``, ``progress`` and an explorer; JupyterLab runs it in headless Chromium (no
network). In each theme the test
- runs axe-core on the notebook's outputs (our boxes and the explorer; JupyterLab's own
  chrome is not ours to audit) and requires zero serious or critical violations;
- measures the WCAG contrast ratio of every piece of text in the boxes and the explorer
  (colour composited over the backgrounds actually behind it) and requires >= 4.5:1;
- checks that each verdict says PASSED / NOT YET with a symbol, not by colour alone,
  and that the explorer's picture has alt text;
and saves screenshots of the check boxes and the explorer (paths printed).
Then it audits a static HTML page with ``audit_html_file`` (what the instructor reports
use) to keep that helper honest: a page with a low-contrast text fails it.
"""

from __future__ import annotations

import os

import nbformat
import pytest
from browser_support import (
    audit_html_file,
    axe_audit,
    blocking_violations,
    close_notebook,
    launch_browser,
    open_lab_page,
    open_notebook,
    run_all_from_menu,
    say,
    skip_without_browser,
    start_lab,
    violation_counts,
    wait_until_run,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

skip_without_browser()

NOTEBOOK = "a11y/boxes.ipynb"
MIN_CONTRAST = 4.5

CELLS = [
    "import numpy as np\n"
    "from course_utils import check, hint, solution, progress\n"
    "from course_utils.checking import registry\n"
    "from course_utils.explorer import explore\n"
    "reference = registry.get('03.grad_w').reference\n"
    "def right(x, y, w):  # a learner's own function (check() refuses the course's)\n"
    "    return reference(x, y, w)",
    "check('03.grad_w', right)",
    "check('03.grad_w', lambda x, y, w: -right(x, y, w))",
    "hint('03.grad_w')",
    "solution('03.gd_step')",
    "progress()",
    "import matplotlib.pyplot as plt\n"
    "def draw(w=1.0):\n"
    "    u = np.linspace(-6, 6, 200)\n"
    "    fig, ax = plt.subplots(figsize=(4, 2.5))\n"
    "    ax.plot(u, 1 / (1 + np.exp(-w * u)), label='sigmoid(w u)')\n"
    "    ax.set_title(f'w = {w:.1f}'); ax.set_xlabel('u'); ax.legend()\n"
    "    return fig\n"
    "explore(draw, w=(0.1, 5.0, 0.1, 1.0))",
]

# Contrast of every text node inside `root`: its colour composited over the opaque
# background stack behind it (WCAG 2 relative luminance). Returns the lowest ones.
CONTRAST_JS = r"""(selector) => {
  const parse = c => { const m = c.match(/rgba?\(([^)]+)\)/); if (!m) return null;
    const p = m[1].split(/[ ,\/]+/).filter(Boolean).map(Number); return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1]; };
  const over = (top, bottom) => { const a = top[3];
    return [0, 1, 2].map(i => top[i] * a + bottom[i] * (1 - a)).concat([1]); };
  const background = el => { const stack = [];
    for (let e = el; e; e = e.parentElement) { const c = parse(getComputedStyle(e).backgroundColor);
      if (c && c[3] > 0) { stack.push(c); if (c[3] >= 1) break; } }
    let bg = [255, 255, 255, 1]; for (let i = stack.length - 1; i >= 0; i--) bg = over(stack[i], bg); return bg; };
  const lum = c => { const f = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(c[0]) + 0.7152 * f(c[1]) + 0.0722 * f(c[2]); };
  const results = [];
  for (const root of document.querySelectorAll(selector)) {
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const el = n.parentElement; if (!n.data.trim() || !el || el.offsetParent === null) continue;
      const style = getComputedStyle(el); if (style.visibility === 'hidden') continue;
      const bg = background(el); const fg = over(parse(style.color), bg);
      const [a, b] = [lum(fg), lum(bg)]; const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
      results.push({text: n.data.trim().slice(0, 40), ratio: Math.round(ratio * 100) / 100,
                    where: (el.closest('.course-box') || el.closest('.course-explorer') || root).className.split(' ')[1]
                           || 'explorer'});
    }
  }
  return results;
}"""

THEMES = {"light": "JupyterLab Light", "dark": "JupyterLab Dark"}


def _place(root):
    """Write the scratch notebook under ``root``."""
    nb = nbformat.v4.new_notebook()
    nb.metadata = {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}}
    nb.cells = [nbformat.v4.new_code_cell(src) for src in CELLS]
    os.makedirs(root / "a11y", exist_ok=True)
    nbformat.write(nb, str(root / NOTEBOOK))


@pytest.fixture(scope="module")
def scratch(tmp_path_factory):
    return tmp_path_factory.mktemp("a11y")


@pytest.fixture(scope="module")
def themed(scratch, shots_dir):
    """Run the notebook once, then look at it in each theme: {theme: facts}."""
    found = {}
    root = scratch / "course"
    _place(root)
    with start_lab(scratch, root) as lab, launch_browser(scratch / "profile") as browser:
        page = open_lab_page(lab, browser, [NOTEBOOK])
        open_notebook(page, NOTEBOOK)
        run_all_from_menu(page)
        state = wait_until_run(page, 90)
        errors = [o for c in state["cells"] for o in c["outputs"] if o["type"] == "error"]
        assert not errors, f"the notebook raised: {errors}"
        page.locator(".course-explorer img").first.wait_for(timeout=20_000)
        for theme, name in THEMES.items():
            page.evaluate("async (t) => { await window.jupyterapp.commands.execute('apputils:change-theme', "
                          "{theme: t}); }", name)
            page.wait_for_function("(light) => document.body.dataset.jpThemeLight === light",
                                   arg="true" if theme == "light" else "false", timeout=20_000)
            page.wait_for_timeout(500)  # the theme's style sheet applies
            boxes = page.locator(".course-box")
            first_check = page.locator(".jp-Cell").nth(1)
            first_check.scroll_into_view_if_needed()
            shots = {
                "checks": os.path.join(shots_dir, f"jupyterlab_check_boxes_{theme}.png"),
                "explorer": os.path.join(shots_dir, f"jupyterlab_explorer_{theme}.png"),
                "page": os.path.join(shots_dir, f"jupyterlab_page_{theme}.png"),
            }
            page.locator(".jp-Cell").nth(1).screenshot(path=shots["checks"].replace(".png", "_passed.png"))
            _union_screenshot(page, [page.locator(".jp-Cell").nth(i) for i in (1, 2, 3)], shots["checks"])
            page.locator(".course-explorer").first.screenshot(path=shots["explorer"])
            page.screenshot(path=shots["page"])
            found[theme] = {
                "boxes": boxes.evaluate_all("els => els.map(e => ({cls: e.className, text: e.textContent}))"),
                "contrast": page.evaluate(CONTRAST_JS, ".jp-Notebook .course-box, .jp-Notebook .course-explorer"),
                "explorer_alt": page.locator(".course-explorer img").first.get_attribute("alt"),
                "axe": axe_audit(page, {"include": [".jp-Notebook .jp-OutputArea-output"]}),
                "shots": shots,
            }
        close_notebook(page)
        found["blocked"] = list(browser.blocked)
    return found


def _union_screenshot(page, locators, path):
    """One screenshot covering all the given elements (the check and hint cells together)."""
    boxes = [loc.bounding_box() for loc in locators]
    x0, y0 = min(b["x"] for b in boxes), min(b["y"] for b in boxes)
    x1, y1 = max(b["x"] + b["width"] for b in boxes), max(b["y"] + b["height"] for b in boxes)
    page.screenshot(path=path, clip={"x": x0, "y": y0, "width": x1 - x0, "height": y1 - y0})


@pytest.mark.parametrize("theme", list(THEMES))
def test_verdicts_say_it_in_words_and_symbols(themed, theme):
    texts = [b["text"] for b in themed[theme]["boxes"] if "course-verdict" in b["cls"]]
    assert len(texts) == 2, texts
    assert "\u2714 PASSED" in texts[0] and "03.grad_w" in texts[0]
    assert "\u2718 NOT YET" in texts[1] and "sign" in texts[1]
    kinds = {b["cls"].split()[1] for b in themed[theme]["boxes"]}
    assert kinds == {"course-verdict", "course-hint", "course-solution", "course-progress"}, kinds


@pytest.mark.parametrize("theme", list(THEMES))
def test_text_contrast_is_at_least_4_5(themed, theme, capsys):
    measured = themed[theme]["contrast"]
    assert len(measured) >= 12, f"too little text measured: {measured}"
    by_kind = {}
    for m in measured:
        by_kind[m["where"]] = min(by_kind.get(m["where"], 99), m["ratio"])
    assert {"course-verdict", "course-hint", "course-solution", "course-progress"} <= set(by_kind), by_kind
    shots = themed[theme]["shots"]
    say(capsys, f"\nJupyterLab {theme} theme: lowest contrast per box {by_kind}; screenshots {shots['checks']} "
                f"{shots['explorer']} {shots['page']}")
    low = [m for m in measured if m["ratio"] < MIN_CONTRAST]
    assert not low, f"{theme}: text below {MIN_CONTRAST}:1: {low[:5]}"


@pytest.mark.parametrize("theme", list(THEMES))
def test_no_serious_or_critical_axe_violation_in_jupyterlab(themed, theme, capsys):
    result = themed[theme]["axe"]
    say(capsys, f"\naxe-core, JupyterLab outputs ({theme}): {violation_counts(result)} "
                f"{[v['id'] for v in result['violations']]}")
    assert not blocking_violations(result), "\n".join(blocking_violations(result))


def test_explorer_picture_has_alt_text(themed):
    for theme in THEMES:
        alt = themed[theme]["explorer_alt"] or ""
        assert "w = 1.0" in alt and "horizontal axis u" in alt and "sigmoid(w u)" in alt, alt
    assert themed["blocked"] == [], themed["blocked"]


def test_audit_html_file_finds_low_contrast_and_passes_a_good_page(scratch):
    good = scratch / "good.html"
    good.write_text("<!doctype html><html lang='en'><head><title>Report</title></head><body><main>"
                    "<h1>Class report</h1><p>Everyone passed.</p></main></body></html>")
    bad = scratch / "bad.html"
    bad.write_text("<!doctype html><html lang='en'><head><title>Report</title></head><body><main>"
                   "<h1>Class report</h1><p style='color:#bbb;background:#fff'>Hard to read.</p>"
                   "<img src='data:image/gif;base64,R0lGODlhAQABAAAAACw='></main></body></html>")
    assert audit_html_file(good, scratch)["blocking"] == []
    found = audit_html_file(bad, scratch)["blocking"]
    assert any(line.startswith("color-contrast") for line in found), found
    assert any(line.startswith("image-alt") for line in found), found
