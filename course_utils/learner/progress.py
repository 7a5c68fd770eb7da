"""Progress of a self-paced learner: which exercises have passed, kept in a small JSON file.

The file lives at ``$COURSE_UTILS_PROGRESS`` when that is set, else in the user's data
folder as platformdirs names it (``~/.local/share/gradients-course/progress.json`` on
Linux, honouring ``$XDG_DATA_HOME``). It is written atomically (temporary file + rename);
a missing or corrupt file is started afresh (a corrupt one is kept aside as
``progress.json.corrupt``), never a crash. Updates from several kernels at once (two
notebooks open) are serialised with a lock file next to it (``progress.json.lock``, via
filelock), so no check's record is lost.
"""

import contextlib
import json
import os
import time

import filelock
import platformdirs

from ..checking import registry
from ..files import atomic

ENV_VAR = "COURSE_UTILS_PROGRESS"
_VERSION = 1


def progress_path():
    """Return the path of the progress file (a str)."""
    explicit = os.environ.get(ENV_VAR)
    if explicit:
        return os.path.abspath(os.path.expanduser(explicit))
    return os.path.join(platformdirs.user_data_dir("gradients-course", appauthor=False), "progress.json")


def load():
    """Return the recorded progress: {exercise_id: {"passed": bool, "diagnosis": str|None, "time": float}}."""
    path = progress_path()
    try:
        with open(path, encoding="utf-8") as fh:
            data = json.load(fh)
        records = data["exercises"]
        if not isinstance(records, dict):
            raise ValueError("exercises is not a mapping")
        return {k: v for k, v in records.items() if isinstance(v, dict)}
    except FileNotFoundError:
        return {}
    except IsADirectoryError:
        return {}  # not ours to move; writing will fail and record() says so
    except (ValueError, KeyError, TypeError, RecursionError):
        # unreadable content (bad JSON, bad UTF-8, wrong structure, absurd nesting)
        try:
            os.replace(path, path + ".corrupt")
        except OSError:
            pass
        return {}
    except OSError:
        return {}  # e.g. no permission to read: leave the file alone, start from nothing


@contextlib.contextmanager
def _locked():
    """Hold an exclusive lock on ``<progress file>.lock`` while the block runs."""
    path = progress_path()
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with filelock.FileLock(path + ".lock", timeout=30):
        yield


def _write(records):
    text = json.dumps({"version": _VERSION, "exercises": records}, indent=1, sort_keys=True)
    atomic.write_text(progress_path(), text, prefix=".progress-")


def record(result):
    """Record a ``CheckResult``; a pass is never overwritten by a later failure's
    ``passed`` flag being lost: the file keeps ``passed`` (latest) and ``ever_passed``.
    Returns True when written, False when the file could not be written."""
    try:
        with _locked():
            records = load()
            old = records.get(result.exercise_id, {})
            records[result.exercise_id] = {
                "passed": bool(result.passed),
                "ever_passed": bool(result.passed or old.get("ever_passed")),
                "diagnosis": None if result.diagnosis is None else str(result.diagnosis),
                "time": time.time(),
            }
            _write(records)
        return True
    except OSError:
        return False


def reset():
    """Forget all recorded progress."""
    with _locked():
        _write({})


def table():
    """Return rows (notebook, exercise_id, status) for every registered exercise, in order.

    status is "passed", "not yet (<diagnosis>)" or "not tried".
    """
    records = load()
    rows = []
    for ex in registry.all_exercises():
        rec = records.get(ex.id)
        if rec is None:
            status = "not tried"
        elif rec.get("passed"):
            status = "passed"
        else:
            status = f"not yet ({rec.get('diagnosis')})"
        rows.append((ex.notebook, ex.id, status))
    return rows


def summary_text():
    """A plain-text progress report: one line per exercise, a total per notebook."""
    rows = table()
    lines = [f"Progress file: {progress_path()}"]
    current = None
    for notebook, ex_id, status in rows:
        if notebook != current:
            current = notebook
            done = sum(1 for n, _, s in rows if n == notebook and s == "passed")
            total = sum(1 for n, _, _ in rows if n == notebook)
            lines.append(f"notebook {notebook}: {done}/{total} passed")
        mark = "[x]" if status == "passed" else "[ ]"
        lines.append(f"  {mark} {ex_id:28s} {status}")
    passed = sum(1 for *_, s in rows if s == "passed")
    lines.append(f"total: {passed}/{len(rows)} exercises passed")
    return "\n".join(lines)
