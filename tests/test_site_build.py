"""The site's parts without a browser: alt text of the notebooks' pictures, the page
made from a solution notebook (no answers, hints but not the last), and the builder's
and the command's answers to bad input. (The built site is read in Chromium by
``test_site.py``.)"""

from __future__ import annotations

import base64
import copy
import json
import os
import re
import shutil
import subprocess
import sys

import pytest

from course_utils.authoring.release import student_notebook
from course_utils.authoring.site import SiteError, alttext, build_site, pages
from course_utils.checking import registry
from course_utils.files import nbjson

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SOLUTIONS = os.path.join(ROOT, "solutions")

# A 1x1 PNG.
PNG = base64.b64encode(bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360606060000000050001a5f645400000000049454e44ae426082")).decode()


def _solution_notebooks():
    return sorted(os.path.join(SOLUTIONS, f) for f in os.listdir(SOLUTIONS) if f.endswith(".ipynb"))


def _pictures_by_plain_scan(nb):
    """Count picture outputs with a scan of the JSON independent of ``alttext``."""
    return sum(1 for cell in nb["cells"] for out in cell.get("outputs", [])
               if any(k.startswith("image/") for k in (out.get("data") or {})))


# --------------------------------------------------------------------------- alt text


def test_every_picture_stored_in_every_solution_notebook_has_alt_text():
    """Later notebook edits must keep this: describe each new figure in its cell's
    metadata under "alt" (`course-utils site --missing-alt` lists what is missing)."""
    total = 0
    for path in _solution_notebooks():
        nb = nbjson.read(path)
        images = alttext.stored_images(nb, os.path.basename(path))
        assert len(images) == _pictures_by_plain_scan(nb), path
        for image in images:
            assert len(image.alt) >= 20, f"{image.where()}: alt text missing or too short to say what it shows"
            assert not image.alt.lower().startswith(("image", "picture of", "figure.png")), image.where()
        total += len(images)
    assert total >= 10, "the solution notebooks store fewer pictures than the course has"


def _notebook_with_pictures(alt):
    cell = {"cell_type": "code", "id": "pic", "metadata": {}, "execution_count": 1, "source": "show(fig)",
            "outputs": [{"output_type": "display_data", "metadata": {}, "data": {"image/png": PNG}},
                        {"output_type": "display_data", "metadata": {}, "data": {"image/png": PNG, "text/plain": "x"}}]}
    if alt is not None:
        cell["metadata"]["alt"] = alt
    return {"cells": [cell], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}


def test_alt_text_string_list_and_missing():
    assert [i.alt for i in alttext.stored_images(_notebook_with_pictures("two dots"))] == ["two dots", "two dots"]
    assert [i.alt for i in alttext.stored_images(_notebook_with_pictures(["first", " second "]))] == ["first", "second"]
    assert [i.alt for i in alttext.stored_images(_notebook_with_pictures(["only one"]))] == ["only one", ""]
    assert [i.alt for i in alttext.stored_images(_notebook_with_pictures(None))] == ["", ""]
    assert [i.alt for i in alttext.stored_images(_notebook_with_pictures(42))] == ["", ""]
    nb = alttext.apply_to_outputs(_notebook_with_pictures(["first", "second"]))
    assert [o["metadata"]["image/png"]["alt"] for o in nb["cells"][0]["outputs"]] == ["first", "second"]


def test_missing_alt_command_lists_pictures_and_exits_1(tmp_path):
    folder = tmp_path / "solutions"
    folder.mkdir()
    (folder / "01_x.ipynb").write_text(nbjson.dumps(_notebook_with_pictures(["described"])))
    run = subprocess.run([sys.executable, "-m", "course_utils", "site", "--missing-alt", "--solutions", str(folder)],
                         capture_output=True, text=True, cwd=tmp_path, timeout=60)
    assert run.returncode == 1, run.stderr
    assert run.stdout.strip() == "01_x.ipynb cell 0 picture 2 (image/png)"
    assert "Traceback" not in run.stderr
    (folder / "01_x.ipynb").write_text(nbjson.dumps(_notebook_with_pictures(["a", "b"])))
    run = subprocess.run([sys.executable, "-m", "course_utils", "site", "--missing-alt", "--solutions", str(folder)],
                         capture_output=True, text=True, cwd=tmp_path, timeout=60)
    assert run.returncode == 0 and "every stored picture" in run.stdout
    (folder / "02_bad.ipynb").write_text("{ not json")
    run = subprocess.run([sys.executable, "-m", "course_utils", "site", "--missing-alt", "--solutions", str(folder)],
                         capture_output=True, text=True, cwd=tmp_path, timeout=60)
    assert run.returncode == 2 and "02_bad.ipynb" in run.stderr and "Traceback" not in run.stderr


def test_release_keeps_the_alt_text_in_student_notebooks():
    for path in _solution_notebooks():
        nb = nbjson.read(path)
        student = student_notebook(nb, os.path.basename(path))
        alts = {c.get("id"): c["metadata"]["alt"] for c in nb["cells"] if "alt" in c.get("metadata", {})}
        kept = {c.get("id"): c["metadata"].get("alt") for c in student["cells"] if c.get("id") in alts}
        assert kept == alts, path


def test_html_export_carries_the_alt_text():
    """nbconvert's classic HTML template writes the cell's alt text on each picture."""
    nbconvert = pytest.importorskip("nbconvert")
    import nbformat

    path = next(p for p in _solution_notebooks() if alttext.stored_images(nbjson.read(p))
                and "widget-view" not in json.dumps(nbjson.read(p)["cells"]))  # a widget shows no picture
    nb = nbjson.read(path)
    body, _ = nbconvert.HTMLExporter(template_name="classic").from_notebook_node(
        nbformat.reads(json.dumps(alttext.apply_to_outputs(nb)), as_version=4))
    imgs = re.findall(r"<img\b[^>]*>", body)
    wanted = [i.alt for i in alttext.stored_images(nb)]
    assert len(imgs) == len(wanted)
    for tag, alt in zip(imgs, wanted, strict=True):
        assert f'alt="{alt[:30]}' in tag.replace("&#39;", "'").replace("&quot;", '"'), tag[:200]


# --------------------------------------------------------------------------- pages


def _cell(kind, source, **extra):
    cell = {"cell_type": kind, "id": extra.pop("id", None) or f"c{abs(hash(source)) % 10**8}", "metadata": {},
            "source": source}
    if kind == "code":
        cell.update({"execution_count": 1, "outputs": extra.pop("outputs", [])})
    cell["metadata"].update(extra.pop("metadata", {}))
    return cell


def _stream(text):
    return [{"output_type": "stream", "name": "stdout", "text": text}]


def _toy_solution():
    ex = registry.get("03.grad_w")
    return {"nbformat": 4, "nbformat_minor": 5, "metadata": {"widgets": {"state": {}}}, "cells": [
        _cell("markdown", "# 03 · A toy page\n\nSome text with $x$."),
        _cell("code", "print('worked example')", outputs=_stream("worked output 12345\n")),
        _cell("code", "def grad_w(x, y, w):\n    ### BEGIN SOLUTION\n    return SECRET_ANSWER_LINE * x\n"
                      "    ### END SOLUTION", outputs=_stream("leaky output\n")),
        _cell("code", "check('03.grad_w', grad_w)", outputs=[{"output_type": "display_data", "metadata": {},
                                                             "data": {"text/plain": "PASSED 03.grad_w"}}]),
        _cell("code", "solution('03.grad_w')", outputs=_stream(ex.solution_text())),
        _cell("code", "explore(draw)", metadata={"alt": "a described picture"}, outputs=[
            {"output_type": "execute_result", "execution_count": 1, "metadata": {},
             "data": {"application/vnd.jupyter.widget-view+json": {"model_id": "x"}, "image/png": PNG,
                      "text/plain": "Interactive figure"}}]),
        _cell("code", "secret = 1\n### BEGIN HIDDEN TESTS\nassert HIDDEN_CHECK\n### END HIDDEN TESTS"),
        _cell("markdown", "only for authors", metadata={"tags": ["hidden"]}),
    ]}


def test_page_shows_student_code_worked_outputs_and_hints_but_no_answer():
    solution = _toy_solution()
    before = copy.deepcopy(solution)
    page = pages.make_page(solution, "03_toy.ipynb", "student/03_toy.ipynb")
    assert solution == before, "make_page changed its input"
    text = json.dumps(page.notebook)
    assert "SECRET_ANSWER_LINE" not in text and "HIDDEN_CHECK" not in text and "only for authors" not in text
    assert "leaky output" not in text and "PASSED 03.grad_w" not in text
    assert registry.get("03.grad_w").solution_text().splitlines()[-1].strip() not in text
    assert "worked output 12345" in text
    sources = [nbjson.source_of(c) for c in page.notebook["cells"]]
    assert sources[0].startswith("# 03") and "{download}" in sources[1] and "student/03_toy.ipynb" in sources[1]
    hint_at = next(i for i, s in enumerate(sources) if s.startswith("```{admonition} Hints for `03.grad_w`"))
    assert "check('03.grad_w'" in sources[hint_at - 1]
    hints = registry.get("03.grad_w").hints
    assert pages.escape_markdown(" ".join(hints[0].split())) in sources[hint_at]
    assert pages.escape_markdown(" ".join(hints[-1].split())) not in sources[hint_at]
    assert f'hint("03.grad_w", {len(hints)})' in sources[hint_at]
    picture = next(c for c in page.notebook["cells"] if nbjson.source_of(c) == "explore(draw)")
    assert list(picture["outputs"][0]["data"]) == ["image/png", "text/plain"]  # no widget to load
    assert "widgets" not in page.notebook["metadata"]
    assert list(page.alts.values()) == ["a described picture"]
    assert page.student == student_notebook(solution, "03_toy.ipynb")
    assert all(c.get("id") for c in page.notebook["cells"])


def test_page_refuses_a_picture_without_alt_text():
    solution = _toy_solution()
    del solution["cells"][5]["metadata"]["alt"]
    with pytest.raises(pages.PageError, match=r"cell 5 picture 1"):
        pages.make_page(solution, "03_toy.ipynb", "student/03_toy.ipynb")


def test_markdown_in_hints_is_shown_literally():
    assert pages.escape_markdown("a*b_c `d` $x$ <b>") == r"a\*b\_c \`d\` \$x\$ \<b\>"


# --------------------------------------------------------------------------- bad input


def test_build_refuses_a_folder_that_is_not_an_earlier_site(tmp_path):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "thesis.tex").write_text("precious")
    with pytest.raises(SiteError, match="not empty"):
        build_site(str(out), SOLUTIONS)
    assert (out / "thesis.tex").read_text() == "precious"
    (tmp_path / "afile").write_text("x")
    with pytest.raises(SiteError, match="not a folder"):
        build_site(str(tmp_path / "afile"), SOLUTIONS)


@pytest.mark.parametrize("content, expected", [
    ("{ not json", "01_a.ipynb"),
    (json.dumps({"nbformat": 3, "worksheets": []}), "01_a.ipynb"),
    (json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [
        {"cell_type": "code", "metadata": {}, "outputs": [], "source": "### BEGIN SOLUTION\nx = 1"}]}), "never closed"),
])
def test_build_explains_a_broken_notebook(tmp_path, content, expected):
    folder = tmp_path / "solutions"
    folder.mkdir()
    (folder / "01_a.ipynb").write_text(content)
    with pytest.raises(SiteError, match=expected):
        build_site(str(tmp_path / "site"), str(folder))
    assert not (tmp_path / "site").exists()


def test_site_command_reports_errors_without_traceback(tmp_path):
    def run(*args):
        return subprocess.run([sys.executable, "-m", "course_utils", "site", *args], capture_output=True,
                              text=True, cwd=tmp_path, timeout=120)

    empty = tmp_path / "empty"
    empty.mkdir()
    res = run("--out", str(tmp_path / "site"), "--solutions", str(empty))
    assert res.returncode == 2 and "no solution notebooks" in res.stderr and "Traceback" not in res.stderr
    res = run("--out", str(tmp_path / "site"), "--solutions", str(tmp_path / "nowhere"))
    assert res.returncode == 2 and "no solutions folder" in res.stderr
    res = run("--serve", str(empty))
    assert res.returncode == 2 and "no built course site" in res.stderr
    res = run()
    assert res.returncode == 2 and "one of the arguments" in res.stderr


@pytest.mark.slow
def test_a_rebuild_replaces_the_earlier_site(tmp_path):
    folder = tmp_path / "solutions"
    folder.mkdir()
    first = next(p for p in _solution_notebooks() if os.path.basename(p).startswith("01"))
    shutil.copy(first, folder)
    out = tmp_path / "site"
    summary = build_site(str(out), str(folder))
    assert summary.pages == [os.path.basename(first)] and (out / "index.html").exists()
    (out / "stale.html").write_text("old")
    build_site(str(out), str(folder))
    assert (out / "index.html").exists() and not (out / "stale.html").exists()
    assert not [p for p in os.listdir(tmp_path) if p.startswith((".course-site", "site.old"))]
    assert (out / os.path.basename(first).replace(".ipynb", ".html")).read_text(encoding="utf-8").count("<img") >= 1
