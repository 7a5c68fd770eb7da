"""``course-utils site --out DIR``: the course as a static website, built and read offline.

Sphinx + myst-nb + sphinx-book-theme, with nothing fetched from the network at build or
view time: notebooks are not executed (their stored outputs are used), MathJax 2.7 is
copied from the ``jupyter-server-mathjax`` package into the site, the theme's fonts and
icons are its own static files, and no widget JavaScript is loaded (explorers show their
static picture). One page per solution notebook, in file-name order (see ``pages``),
plus an index page with the table of contents; Sphinx's search index is built in.

The site is built in a scratch folder and moved into place only when the build
succeeded, so a failed build never leaves half a site in DIR.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
import tempfile
import time
from dataclasses import dataclass
from typing import Any

from ...files import nbjson
from . import pages as _pages

MARKER = ".course-site"
COURSE_TITLE = "Gradients for Neural Nets"
STUDENT_FOLDER = "student"
MATHJAX_FOLDER = "mathjax"
MATHJAX_CONFIG = "TeX-AMS-MML_HTMLorMML-full"

SITE_CSS = """
/* Course site: hint boxes and notebook outputs readable in the light and dark themes. */
.course-hints ol { margin-bottom: 0.5em; }
div.cell_output img { background: #fff; }  /* figures are drawn on white: keep them on white in dark mode */
/* MathJax 2 styles the hidden MathML it adds for screen readers with web fonts it does not
   ship (MathJax_AMS-WEB, ...): keep the page's font there, so nothing asks for a missing file. */
.MJX_Assistive_MathML, .MJX_Assistive_MathML * { font-family: inherit !important; }
"""


class SiteError(RuntimeError):
    """The site cannot be built; the message says why and what to do."""


@dataclass
class SiteSummary:
    """What a build produced: ``out`` the site folder, ``pages`` the page names in order,
    ``seconds`` the build time, ``bytes`` the site's size on disk, ``warnings`` Sphinx's
    warnings (text)."""

    out: str
    pages: list[str]
    seconds: float
    bytes: int
    warnings: str


def mathjax_source() -> str:
    """Return the folder of the MathJax 2.7 files shipped by ``jupyter-server-mathjax``.

    Raises ``SiteError`` when that package is missing.
    """
    try:
        import jupyter_server_mathjax
    except ImportError as err:
        raise SiteError("MathJax is missing: pip install jupyter-server-mathjax "
                        "(the site serves its own copy, never a CDN)") from err
    folder = os.path.join(os.path.dirname(jupyter_server_mathjax.__file__), "static")
    if not os.path.isfile(os.path.join(folder, "MathJax.js")):
        raise SiteError(f"no MathJax.js in {folder}: reinstall jupyter-server-mathjax")
    return folder


def _copy_mathjax(dest: str) -> None:
    # All of it (about 7 MB): the accessibility extensions and the menu's translations
    # are loaded on demand, and a missing file would be a failed request in the reader's
    # browser.
    shutil.copytree(mathjax_source(), dest)


def mathjax2_config() -> dict[str, Any]:
    """Return the MathJax 2 configuration of the site (TeX in Sphinx's math spans, no menu fetches)."""
    return {
        "tex2jax": {"inlineMath": [["\\(", "\\)"]], "displayMath": [["\\[", "\\]"]], "processEscapes": True,
                    "processEnvironments": True, "ignoreClass": "tex2jax_ignore|mathjax_ignore|document",
                    "processClass": "tex2jax_process|mathjax_process|math|output_area"},
        "TeX": {"noErrors": {"disabled": True}},  # a TeX error shows as an error node the tests can find
        "HTML-CSS": {"availableFonts": [], "preferredFont": None, "webFont": "STIX-Web", "imageFont": None},
        "menuSettings": {"assistiveMML": True, "CHTMLpreview": False},
        "fast-preview": {"disabled": True},  # its quick preview would ask for the TeX fonts, not shipped
        "messageStyle": "none",
    }


def sphinx_settings(title: str, static_dir: str, alts: dict[str, str]) -> dict[str, Any]:
    """Return the Sphinx configuration of the site (passed as overrides, no conf.py)."""
    return {
        "project": title,
        "html_title": title,
        "author": "the course authors",
        "copyright": "the course authors",
        "language": "en",
        "extensions": ["myst_nb", "course_utils.authoring.site.sphinx_ext"],
        "exclude_patterns": [f"{STUDENT_FOLDER}/**", "_build", "**.ipynb_checkpoints"],
        "master_doc": "index",
        "nb_execution_mode": "off",
        "nb_ipywidgets_js": {},  # widgets would load require.js and the widget manager from a CDN
        "nb_mime_priority_overrides": [
            ("html", "application/vnd.jupyter.widget-view+json", None),
            ("html", "application/javascript", None),
            ("html", "image/svg+xml", 21), ("html", "image/png", 22), ("html", "image/jpeg", 23),
            ("html", "image/gif", 24),  # a picture (with its alt text) before an HTML version of it
        ],
        "nb_output_stderr": "remove",
        "myst_enable_extensions": ["dollarmath", "amsmath"],
        "myst_update_mathjax": False,
        "myst_dmath_double_inline": True,  # notebooks put $$...$$ inside paragraphs, as Jupyter allows
        "myst_heading_anchors": 3,
        "mathjax_path": f"{MATHJAX_FOLDER}/MathJax.js?config={MATHJAX_CONFIG}",
        "mathjax2_config": mathjax2_config(),
        "mathjax3_config": None,
        "html_theme": "sphinx_book_theme",
        "html_theme_options": {
            "home_page_in_toc": True,
            "use_download_button": False,
            "use_fullscreen_button": False,
            "show_navbar_depth": 1,
            "show_toc_level": 2,
            "navigation_with_keys": False,
            "search_bar_text": "Search the course...",
            "logo": {"text": title},
        },
        "html_static_path": [static_dir],
        "html_css_files": ["course-site.css"],
        "html_copy_source": False,
        "html_show_sourcelink": False,
        "html_show_sphinx": False,
        "html_last_updated_fmt": None,
        "html_use_opensearch": "",
        "smartquotes": False,  # hints and prose quote code (sigma'(z)): keep the characters as written
        "course_site_alts": alts,
        "suppress_warnings": ["myst.header", "mystnb.unknown_mime_type"],
    }


def _index_markdown(title: str, pages: list[_pages.Page]) -> str:
    lines = [
        f"# {title}",
        "",
        "A course that teaches you to derive, by hand and then in NumPy, the gradients that train "
        "sigmoid neural networks: from one scalar weight to a deep network trained on real data.",
        "",
        "Each page below is one notebook: the lesson with its derivations, worked examples with "
        "their output, and the exercises with their hints. The answers are not on this site: "
        "download the student notebook of a page, open it in JupyterLab, write each function and "
        "run its `check(...)` cell, which tests it on fresh random inputs and names the mistake "
        "when there is one.",
        "",
        "```{toctree}",
        ":maxdepth: 1",
        ":caption: Notebooks",
        "",
    ]
    lines += [f"{os.path.splitext(page.name)[0]}" for page in pages]
    lines += ["```", ""]
    return "\n".join(lines)


def _folder_size(folder: str) -> int:
    total = 0
    for here, _dirs, files in os.walk(folder):
        total += sum(os.path.getsize(os.path.join(here, f)) for f in files)
    return total


def _check_out_dir(out: str) -> None:
    if os.path.exists(out) and not os.path.isdir(out):
        raise SiteError(f"{out} exists and is not a folder")
    if os.path.isdir(out) and os.listdir(out) and not os.path.exists(os.path.join(out, MARKER)):
        raise SiteError(f"{out} is not empty and holds no earlier course site ({MARKER}): "
                        "choose an empty or new folder, so nothing of yours is overwritten")


def make_pages(solutions_dir: str) -> list[_pages.Page]:
    """Return the pages of the site, one per solution notebook in file-name order.

    Raises ``SiteError`` when there is no notebook or one cannot be made into a page.
    """
    names = sorted(f for f in os.listdir(solutions_dir) if f.endswith(".ipynb"))
    if not names:
        raise SiteError(f"no solution notebooks (*.ipynb) in {solutions_dir}")
    result = []
    for name in names:
        try:
            nb = nbjson.read(os.path.join(solutions_dir, name))
            result.append(_pages.make_page(nb, name, f"{STUDENT_FOLDER}/{name}"))
        except (ValueError, OSError) as err:  # PageError, ReleaseError, bad JSON are ValueErrors
            raise SiteError(f"{name}: {err}") from err
    numbers = {page.name[:2]: page.name for page in result}
    for page in result:
        _pages.append_hints(page, _pages.unplaced_hints(result, numbers).get(page.name, []))
    return result


def _write_sources(src: str, static: str, title: str, site_pages: list[_pages.Page]) -> None:
    os.makedirs(os.path.join(src, STUDENT_FOLDER))
    for page in site_pages:
        with open(os.path.join(src, page.name), "w", encoding="utf-8") as fh:
            fh.write(nbjson.dumps(page.notebook))
        with open(os.path.join(src, STUDENT_FOLDER, page.name), "w", encoding="utf-8") as fh:
            fh.write(nbjson.dumps(page.student))
    with open(os.path.join(src, "index.md"), "w", encoding="utf-8") as fh:
        fh.write(_index_markdown(title, site_pages))
    os.makedirs(static)
    _copy_mathjax(os.path.join(static, MATHJAX_FOLDER))
    with open(os.path.join(static, "course-site.css"), "w", encoding="utf-8") as fh:
        fh.write(SITE_CSS)


def _run_sphinx(src: str, html_dir: str, doctrees: str, settings: dict[str, Any]) -> str:
    from sphinx.application import Sphinx
    from sphinx.errors import SphinxError

    warnings = io.StringIO()
    status = io.StringIO()
    try:
        with contextlib.redirect_stdout(status):
            app = Sphinx(src, None, html_dir, doctrees, "html", confoverrides=settings,
                         status=status, warning=warnings, freshenv=True, parallel=1)
            app.build(force_all=True)
    except SphinxError as err:
        raise SiteError(f"Sphinx could not build the site: {err}\n{warnings.getvalue()[-2000:]}") from err
    if app.statuscode:
        raise SiteError(f"Sphinx failed:\n{warnings.getvalue()[-2000:]}")
    return warnings.getvalue()


def build_site(out: str, solutions_dir: str, title: str = COURSE_TITLE) -> SiteSummary:
    """Build the static course site from ``solutions_dir`` into ``out``; return a ``SiteSummary``.

    ``out`` must be new, empty, or an earlier site (it holds the ``.course-site`` marker);
    it is replaced only when the build succeeded. Raises ``SiteError`` with a message for
    a person on any problem.
    """
    started = time.monotonic()
    out = os.path.abspath(out)
    _check_out_dir(out)
    if not os.path.isdir(solutions_dir):
        raise SiteError(f"no solutions folder at {solutions_dir}")
    site_pages = make_pages(solutions_dir)
    parent = os.path.dirname(out)
    os.makedirs(parent, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="course-site-") as scratch:
        src, static = os.path.join(scratch, "src"), os.path.join(scratch, "static")
        _write_sources(src, static, title, site_pages)
        alts = {digest: alt for page in site_pages for digest, alt in page.alts.items()}
        html_dir = tempfile.mkdtemp(prefix=".course-site-new-", dir=parent)
        try:
            warnings = _run_sphinx(src, html_dir, os.path.join(scratch, "doctrees"),
                                   sphinx_settings(title, static, alts))
            with open(os.path.join(html_dir, MARKER), "w", encoding="utf-8") as fh:
                json.dump({"pages": [p.name for p in site_pages]}, fh)
            os.chmod(html_dir, 0o755)
            _replace_folder(html_dir, out)
        except BaseException:
            shutil.rmtree(html_dir, ignore_errors=True)
            raise
    return SiteSummary(out=out, pages=[p.name for p in site_pages], seconds=time.monotonic() - started,
                       bytes=_folder_size(out), warnings=warnings)


def _replace_folder(new: str, out: str) -> None:
    """Move ``new`` to ``out``; an earlier site at ``out`` is removed only after the move."""
    if not os.path.exists(out):
        os.replace(new, out)
        return
    old = out + f".old-{os.getpid()}"
    os.replace(out, old)
    try:
        os.replace(new, out)
    except BaseException:
        os.replace(old, out)
        raise
    shutil.rmtree(old, ignore_errors=True)
