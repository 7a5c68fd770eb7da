"""Run a solution notebook top to bottom in a fresh kernel and store its outputs.

Used by authors after editing solutions/ (``course-utils execute``): the stored outputs
of ``# NBVAL_CHECK_OUTPUT`` cells are what the nbval tests compare against.
"""

import os


def execute_in_place(path, timeout=600):
    """Execute the notebook at ``path`` and save it with outputs; return None or an error string."""
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    env_backup = dict(os.environ)
    os.environ.setdefault("MPLBACKEND", "Agg")
    os.environ["COURSE_UTILS_STRICT"] = "1"
    if "COURSE_UTILS_PROGRESS" not in os.environ:  # keep the author's own progress out of it
        import tempfile
        os.environ["COURSE_UTILS_PROGRESS"] = os.path.join(tempfile.mkdtemp(), "progress.json")
    try:
        nb = nbformat.read(path, as_version=4)
        client = NotebookClient(nb, timeout=timeout, kernel_name="python3",
                                resources={"metadata": {"path": os.path.dirname(os.path.abspath(path))}})
        try:
            client.execute()
        except CellExecutionError as err:
            return str(err).splitlines()[0] if str(err) else "cell failed"
        for cell in nb.cells:
            cell.get("metadata", {}).pop("execution", None)
        nbformat.write(nb, path)
        return None
    finally:
        os.environ.clear()
        os.environ.update(env_backup)
