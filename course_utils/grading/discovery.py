"""Find the submissions to grade and name each one's student.

Student ids (documented in ``course-utils grade --help``):

- a notebook file given on the command line, or found directly inside a class folder,
  belongs to the student named by the file name without ``.ipynb``
  (``submissions/alice.ipynb`` -> ``alice``);
- a sub-folder of a class folder belongs to the student named by the sub-folder, and
  holds all that student's notebooks, at any depth (``submissions/bob/01_sigmoid.ipynb``
  -> ``bob``; nbgrader's ``submitted/bob/ps1/...`` works too);
- a folder given on the command line that holds exactly one notebook and no
  sub-folders with notebooks is one student's folder, named by the folder.

Hidden files and folders (``.ipynb_checkpoints``) are ignored. When two submissions
would get the same id, the later one gets ``~2``, ``~3``... and a warning.
"""

import os
import re
from dataclasses import dataclass, field

_SAFE = re.compile(r"[^A-Za-z0-9._@+-]+")


@dataclass
class Submission:
    """One student's notebooks (absolute paths, sorted)."""

    student: str
    notebooks: list = field(default_factory=list)


def _is_notebook(name):
    return name.endswith(".ipynb") and not name.startswith(".")


def _notebooks_under(folder):
    found = []
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        found.extend(os.path.join(root, f) for f in sorted(files) if _is_notebook(f))
    return found


def safe_id(name):
    """The student id as used in file names: letters, digits and ._@+- only."""
    cleaned = _SAFE.sub("_", name).strip("._") or "student"
    return cleaned[:100]


def discover(paths):
    """Return (submissions, warnings) for the command-line ``paths``."""
    found, warnings = [], []
    for path in paths:
        path = os.path.abspath(path)
        if os.path.isfile(path):
            found.append(Submission(os.path.splitext(os.path.basename(path))[0], [path]))
        elif os.path.isdir(path):
            names = sorted(os.listdir(path))
            direct = [os.path.join(path, n) for n in names if _is_notebook(n) and os.path.isfile(os.path.join(path, n))]
            subdirs = [os.path.join(path, n) for n in names if not n.startswith(".") and os.path.isdir(os.path.join(path, n))]
            nested = [(d, _notebooks_under(d)) for d in subdirs]
            nested = [(d, nbs) for d, nbs in nested if nbs]
            if len(direct) == 1 and not nested:
                found.append(Submission(os.path.basename(path), direct))
                continue
            for nb in direct:
                found.append(Submission(os.path.splitext(os.path.basename(nb))[0], [nb]))
            for d, nbs in nested:
                found.append(Submission(os.path.basename(d), nbs))
            if not direct and not nested:
                warnings.append(f"{path}: no notebooks found")
        else:
            warnings.append(f"{path}: no such file or folder")
    seen = {}
    for sub in found:
        base = safe_id(sub.student)
        if base != sub.student:
            warnings.append(f"student id {sub.student!r} written as {base!r}")
        n = seen.get(base, 0) + 1
        seen[base] = n
        sub.student = base if n == 1 else f"{base}~{n}"
        if n > 1:
            warnings.append(f"two submissions are both named {base!r}; the second is {sub.student!r} "
                            f"({', '.join(sub.notebooks)})")
    return found, warnings
