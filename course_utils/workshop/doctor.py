"""``course-utils doctor``: is this computer ready for the course (and the workshop)?

One line per item, ``[ok]``, ``[FAIL]`` or ``[skip]``, and for a failure what to do:

- python        the interpreter's version against the course's ``Requires-Python``;
- packages      every line of requirements.txt (when found) installed at a version it allows;
- numpy         a small computation gives the known answer;
- matplotlib    a figure renders to PNG (Agg, no display needed);
- widgets       the ipywidgets JupyterLab extension is installed, enabled, and the
                version ipywidgets expects (sliders render in JupyterLab);
- kernel        the Python that JupyterLab's ``python3`` kernel runs imports this same
                ``course_utils`` (the kernel is the course's environment);
- progress      the progress file's folder can be written;
- workshop      the workshop server (``--server``, the one joined, or
                ``$COURSE_UTILS_WORKSHOP``) answers and accepts the join code.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from importlib import metadata

DIST = "gradients-course"
WIDGETS_EXTENSION = "@jupyter-widgets/jupyterlab-manager"
KERNEL_PROBE_TIMEOUT = 60
SERVER_TIMEOUT = 3.0


@dataclass
class Item:
    """One line of the report: ``ok`` is True, False, or None (skipped); ``fix`` says
    what to do when it failed."""

    name: str
    ok: bool | None
    detail: str
    fix: str = ""

    def line(self) -> str:
        """Return the item as one line of text."""
        mark = {True: "[ok]  ", False: "[FAIL]", None: "[skip]"}[self.ok]
        text = f"{mark} {self.name:<10} {self.detail}"
        if self.ok is False and self.fix:
            text += f" -> {self.fix}"
        return text


def format_report(items: list[Item]) -> str:
    """Return the report: one line per item and a closing verdict."""
    failed = [i.name for i in items if i.ok is False]
    lines = [i.line() for i in items]
    lines.append(f"{len(failed)} problem(s): {', '.join(failed)}." if failed else "All good: ready for the course.")
    return "\n".join(lines)


def _guard(name: str, fn: Callable[[], Item], fix: str) -> Item:
    try:
        return fn()
    except Exception as err:  # a check that breaks is itself a finding, never a traceback
        return Item(name, False, f"could not be checked: {type(err).__name__}: {str(err)[:160]}", fix)


# --------------------------------------------------------------------------- items


def check_python() -> Item:
    """The interpreter's version against the course package's ``Requires-Python``."""
    from packaging.specifiers import SpecifierSet

    version = ".".join(map(str, sys.version_info[:3]))
    try:
        needed = (metadata.metadata(DIST).get_all("Requires-Python") or [""])[0]
    except metadata.PackageNotFoundError:
        needed = ""
    if needed and version not in SpecifierSet(needed):
        return Item("python", False, f"Python {version} ({sys.executable}); the course needs {needed}",
                    f"install Python {needed} and make the virtual environment with it")
    return Item("python", True, f"Python {version} ({sys.executable})" + (f"; needs {needed}" if needed else ""))


def _requirements_file() -> str | None:
    from ..cli import find_root

    path = os.path.join(find_root(), "requirements.txt")
    return path if os.path.isfile(path) else None


def check_packages(requirements: str | None = None) -> list[Item]:
    """One item for all of requirements.txt when every line is met, else one per problem."""
    from packaging.requirements import InvalidRequirement, Requirement

    path = requirements or _requirements_file()
    fix = f"pip install -r {path}" if path else "pip install -r requirements.txt (in the course folder)"
    if path is None:
        names = ["numpy", "matplotlib", "ipywidgets", "jupyterlab", "ipykernel"]
        lines = names
    else:
        with open(path, encoding="utf-8") as fh:
            lines = [ln.split("#", 1)[0].strip() for ln in fh]
    problems, found = [], []
    for text in lines:
        if not text or text.startswith("-"):
            continue
        try:
            req = Requirement(text)
        except InvalidRequirement:
            continue
        try:
            version = metadata.version(req.name)
        except metadata.PackageNotFoundError:
            problems.append(Item("packages", False, f"{req.name} is not installed", fix))
            continue
        if req.specifier and not req.specifier.contains(version, prereleases=True):
            problems.append(Item("packages", False, f"{req.name} {version} is installed; the course needs "
                                                    f"{req.name}{req.specifier}", fix))
            continue
        found.append(f"{req.name} {version}")
    if problems:
        return problems
    where = f" from {os.path.basename(path)}" if path else ""
    shown = ", ".join(found[:5]) + (f" and {len(found) - 5} more" if len(found) > 5 else "")
    return [Item("packages", True, f"{len(found)} installed{where}: {shown}")]


def check_numpy() -> Item:
    """A product and a linear solve with known answers."""
    import numpy as np

    a = np.arange(6.0).reshape(2, 3)
    gram = a @ a.T                      # [[0,1,2],[3,4,5]] @ its transpose
    x = np.linalg.solve(np.array([[2.0, 1.0], [1.0, 3.0]]), np.array([3.0, 5.0]))  # solution (0.8, 1.4)
    if gram.tolist() != [[5.0, 14.0], [14.0, 50.0]] or not np.allclose(x, [0.8, 1.4]):
        return Item("numpy", False, f"NumPy {np.__version__} computes wrong answers",
                    "pip install --force-reinstall numpy")
    return Item("numpy", True, f"NumPy {np.__version__} computes correctly")


def check_matplotlib() -> Item:
    """Render a small figure to PNG without a display."""
    import matplotlib
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(2, 1.5))
    fig.add_subplot().plot([0, 1, 2], [0, 1, 4])
    buf = io.BytesIO()
    FigureCanvasAgg(fig).print_png(buf)
    if not buf.getvalue().startswith(b"\x89PNG\r\n\x1a\n"):
        return Item("matplotlib", False, "matplotlib did not produce a PNG", "pip install --force-reinstall matplotlib")
    return Item("matplotlib", True, f"matplotlib {matplotlib.__version__} renders figures "
                                    f"({len(buf.getvalue())} byte PNG)")


def _disabled_in_page_config(name: str) -> str | None:
    """Return the page_config.json that disables extension ``name``, or None."""
    from jupyter_core.paths import jupyter_config_path

    for folder in jupyter_config_path():
        path = os.path.join(folder, "labconfig", "page_config.json")
        try:
            with open(path, encoding="utf-8") as fh:
                data = json.load(fh)
        except (OSError, ValueError):
            continue
        disabled = data.get("disabledExtensions") if isinstance(data, dict) else None
        if isinstance(disabled, dict) and disabled.get(name):
            return path
        if isinstance(disabled, list) and name in disabled:
            return path
    return None


def check_widgets() -> Item:
    """The ipywidgets JupyterLab extension: installed, the version ipywidgets expects, enabled."""
    from jupyter_core.paths import jupyter_path
    from packaging.requirements import Requirement

    fix = "pip install --force-reinstall ipywidgets jupyterlab_widgets, then restart JupyterLab"
    try:
        widgets_version = metadata.version("ipywidgets")
    except metadata.PackageNotFoundError:
        return Item("widgets", False, "ipywidgets is not installed", "pip install -r requirements.txt")
    package = None
    for folder in jupyter_path("labextensions"):
        candidate = os.path.join(folder, *WIDGETS_EXTENSION.split("/"), "package.json")
        if os.path.isfile(candidate):
            package = candidate
            break
    if package is None:
        return Item("widgets", False, f"the JupyterLab extension {WIDGETS_EXTENSION} is not installed "
                                      "(sliders would show as text)", fix)
    needs = [Requirement(r) for r in metadata.requires("ipywidgets") or []
             if r.lower().replace("-", "_").startswith("jupyterlab_widgets")]
    try:
        lab_widgets = metadata.version("jupyterlab_widgets")
    except metadata.PackageNotFoundError:
        lab_widgets = None
    for req in needs:
        if req.marker is None and (lab_widgets is None or not req.specifier.contains(lab_widgets, prereleases=True)):
            return Item("widgets", False, f"ipywidgets {widgets_version} needs jupyterlab_widgets{req.specifier}, "
                                          f"found {lab_widgets or 'none'}", fix)
    disabled_by = _disabled_in_page_config(WIDGETS_EXTENSION)
    if disabled_by:
        return Item("widgets", False, f"the widget extension is disabled in {disabled_by}",
                    f"jupyter labextension enable {WIDGETS_EXTENSION}")
    return Item("widgets", True, f"ipywidgets {widgets_version}, JupyterLab extension enabled "
                                 f"(jupyterlab_widgets {lab_widgets})")


def _server_python() -> str | None:
    """The Python that runs the ``jupyter-lab`` found on PATH (from its #! line), or None."""
    lab = shutil.which("jupyter-lab")
    if lab is None:
        return None
    try:
        with open(lab, "rb") as fh:
            first = fh.readline(400).decode("utf-8", "replace").strip()
    except OSError:
        return None
    if first.startswith("#!"):
        parts = first[2:].split()
        if parts and os.path.basename(parts[0]) == "env" and len(parts) > 1:
            return shutil.which(parts[1])
        return parts[0] if parts else None
    return None


def check_kernel() -> Item:
    """The python3 kernel JupyterLab would start imports this same course_utils."""
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    import course_utils

    fix_env = ("start JupyterLab from the course's environment (activate it, then `jupyter lab`), or register "
               f"this one: {sys.executable} -m ipykernel install --user --name python3")
    try:
        spec = KernelSpecManager().get_kernel_spec("python3")
    except NoSuchKernel:
        return Item("kernel", False, "JupyterLab has no python3 kernel", fix_env)
    argv0 = spec.argv[0] if spec.argv else ""
    generic = {"python", f"python{sys.version_info[0]}", f"python{sys.version_info[0]}.{sys.version_info[1]}"}
    if argv0 in generic:  # jupyter_client runs such a kernel with the server's own Python
        python = _server_python()
        if python is None:
            return Item("kernel", False, "`jupyter-lab` is not on PATH", fix_env)
        where = f"the Python of {shutil.which('jupyter-lab')}"
    else:
        python, where = argv0, f"kernel spec {spec.resource_dir}"
    probe = "import course_utils, sys; print(course_utils.__file__); print(sys.prefix)"
    try:
        out = subprocess.run([python, "-c", probe], capture_output=True, text=True, timeout=KERNEL_PROBE_TIMEOUT,
                             env={k: v for k, v in os.environ.items() if k != "PYTHONPATH"})
    except (OSError, subprocess.TimeoutExpired) as err:
        return Item("kernel", False, f"the kernel's Python {python} ({where}) does not run: {err}", fix_env)
    lines = out.stdout.splitlines()
    ours = os.path.abspath(course_utils.__file__)
    if out.returncode != 0 or not lines:
        return Item("kernel", False, f"the kernel's Python {python} ({where}) cannot import course_utils", fix_env)
    if os.path.abspath(lines[0]) != ours:
        return Item("kernel", False, f"the kernel's Python {python} ({where}) imports another course_utils "
                                     f"({lines[0]})", fix_env)
    return Item("kernel", True, f"the python3 kernel runs {python}, the course's environment ({lines[1]})")


def check_progress() -> Item:
    """The folder of the progress file accepts a new file (written, then removed)."""
    from ..learner.progress import ENV_VAR, progress_path

    path = progress_path()
    folder = os.path.dirname(path)
    fix = f"set {ENV_VAR} to a file in a folder you can write, e.g. export {ENV_VAR}=$HOME/course-progress.json"
    try:
        os.makedirs(folder, exist_ok=True)
        fd, probe = tempfile.mkstemp(prefix=".doctor-", dir=folder)
        os.write(fd, b"ok")
        os.close(fd)
        os.unlink(probe)
    except OSError as err:
        return Item("progress", False, f"cannot write progress to {path}: {err.strerror or err}", fix)
    if os.path.isdir(path):
        return Item("progress", False, f"{path} is a folder, not a file", fix)
    return Item("progress", True, f"progress is saved in {path}")


def _workshop_url(explicit: str | None) -> tuple[str | None, str]:
    if explicit:
        return explicit, "--server"
    from .reporter import ENV_URL, reporter

    try:
        session = reporter().load_session()
    except Exception:
        session = None
    if session is not None:
        return f"{session.base}/{session.code}", "joined"
    if os.environ.get(ENV_URL):
        return os.environ[ENV_URL], f"${ENV_URL}"
    return None, ""


def check_workshop(server: str | None = None) -> Item:
    """The workshop server answers /api/ping and accepts the join code (skipped when none is set)."""
    from .reporter import json_object, parse_join_url

    url, source = _workshop_url(server)
    if url is None:
        return Item("workshop", None, "no workshop server set (join(url, name) in a notebook, or --server URL)")
    try:
        base, code = parse_join_url(url)
    except ValueError as err:
        return Item("workshop", False, f"{url} ({source}): {err}",
                    "copy the join URL exactly as the instructor shows it")
    fix = ("check the address with the instructor, that you are on the same network (Wi-Fi), "
           "and that the server is running")
    ping = f"{base}/api/ping?{urllib.parse.urlencode({'code': code})}"
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(ping, timeout=SERVER_TIMEOUT) as resp:
            body = json_object(resp.read())
    except urllib.error.HTTPError as err:
        body = json_object(err.read())
        if err.code == 403:
            return Item("workshop", False, f"{base} answered but refused the join code {code}",
                        "ask the instructor for the join URL again")
        return Item("workshop", False, f"{base} answered {err.code}: {body.get('error', err.reason)}", fix)
    except (OSError, ValueError) as err:
        reason = getattr(err, "reason", err)
        return Item("workshop", False, f"cannot reach {base} ({source}): {reason}", fix)
    if body.get("service") != "course-utils-workshop":
        return Item("workshop", False, f"{base} answered, but it is not a course-utils workshop server",
                    "check the address and port with the instructor")
    return Item("workshop", True, f"{base} answers and accepts the join code ({source})")


def run_checks(server: str | None = None, requirements: str | None = None) -> list[Item]:
    """Run every check; return the items in report order (never raises)."""
    items: list[Item] = []
    items.append(_guard("python", check_python, "reinstall the course environment"))
    try:
        items.extend(check_packages(requirements))
    except Exception as err:
        items.append(Item("packages", False, f"could not be checked: {err}", "pip install -r requirements.txt"))
    items.append(_guard("numpy", check_numpy, "pip install --force-reinstall numpy"))
    items.append(_guard("matplotlib", check_matplotlib, "pip install --force-reinstall matplotlib"))
    items.append(_guard("widgets", check_widgets, "pip install -r requirements.txt"))
    items.append(_guard("kernel", check_kernel, "start JupyterLab from the course's environment"))
    items.append(_guard("progress", check_progress, "set COURSE_UTILS_PROGRESS to a writable file"))
    items.append(_guard("workshop", lambda: check_workshop(server), "check the join URL with the instructor"))
    return items
