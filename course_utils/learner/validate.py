"""``validate()`` in a notebook: check the notebook itself, as saved, the way the grader will.

It runs ``course-utils validate`` on the notebook's file in a separate process (so the
grader's sandbox never shares this kernel, and the kernel's own state, which may differ
from the file, plays no part) and prints what the grader will give. The notebook's own
path is found from the kernel's session: JupyterLab and Jupyter Notebook 7 tell the
kernel its notebook (``__session__``, from ``JPY_SESSION_NAME``), VS Code sets
``__vsc_ipynb_file__``. When neither is there, ``validate()`` asks for the path.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time


class NotebookNotFound(Exception):
    """validate() could not tell which notebook it runs in."""


def _user_namespace() -> dict[str, object]:
    try:
        from IPython import get_ipython
    except ImportError:
        return {}
    shell = get_ipython()
    return dict(shell.user_ns) if shell is not None else {}


def notebook_path(namespace: dict[str, object] | None = None, environ: dict[str, str] | None = None,
                  cwd: str | None = None) -> str:
    """The absolute path of the notebook this kernel runs (str); NotebookNotFound when the
    session does not say. Candidates, in order: VS Code's ``__vsc_ipynb_file__``, then
    Jupyter's ``__session__`` or ``JPY_SESSION_NAME`` (a path relative to the server's root,
    which is the kernel's folder ``cwd`` or one above it; last, its file name in ``cwd``)."""
    ns = _user_namespace() if namespace is None else namespace
    env = os.environ if environ is None else environ
    here = os.getcwd() if cwd is None else cwd
    candidates: list[str] = []
    for value in (ns.get("__vsc_ipynb_file__"), ns.get("__session__"), env.get("JPY_SESSION_NAME")):
        if isinstance(value, str) and value.endswith(".ipynb"):
            candidates.append(value)
    for value in candidates:
        if os.path.isabs(value):
            tries = [value]
        else:  # relative to the server's root, which is the kernel's folder or one above it
            tries, folder = [], os.path.abspath(here)
            while True:
                tries.append(os.path.join(folder, value))
                if os.path.dirname(folder) == folder:
                    break
                folder = os.path.dirname(folder)
            tries.append(os.path.join(here, os.path.basename(value)))
        for path in tries:
            if os.path.isfile(path):
                return os.path.abspath(path)
    raise NotebookNotFound("validate() could not tell which notebook this is (the Jupyter session does not say); "
                           "give its file name, e.g. validate('03_one_layer_vector.ipynb')")


def validate(path: str | None = None, *extra: str, timeout: float = 600.0) -> None:
    """Check the saved notebook ``path`` (default: this notebook) as ``course-utils grade``
    will, printing the grader's verdict, diagnosis and points per exercise and anything it
    would refuse. ``extra`` are ``course-utils validate`` options (e.g. "--exercises", "01").
    Prints everything (a notebook shows no return value); returns None."""
    if path is None:
        try:
            path = notebook_path()
        except NotebookNotFound as exc:
            print(exc)
            return
    if not os.path.exists(path):
        print(f"validate(): no file {path!r} (from the folder {os.getcwd()})")
        return
    age = time.time() - os.path.getmtime(path)
    print(f"Checking {os.path.basename(path)} as saved {_ago(age)} (save first, Ctrl+S, to check your latest "
          f"changes)...\n", flush=True)
    try:
        done = subprocess.run([sys.executable, "-m", "course_utils", "validate", path, *extra],
                              stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        print(f"validate(): no answer after {timeout:g} s; run `course-utils validate {path}` in a terminal")
        return
    print(done.stdout.rstrip())
    if done.stderr.strip():
        print(done.stderr.rstrip())


def _ago(seconds: float) -> str:
    if seconds < 90:
        return f"{max(0, int(seconds))} s ago"
    if seconds < 5400:
        return f"{int(seconds // 60)} min ago"
    return time.strftime("on %Y-%m-%d at %H:%M", time.localtime(time.time() - seconds))
