"""validate() in a notebook: finding the notebook's own file from the Jupyter session.

(The real kernel case, with JPY_SESSION_NAME set as jupyter_server sets it, is in
test_instructor_loop.py; validate's verdicts against grade's are tested there too.)
"""

import pytest


def test_validate_finds_the_notebook_from_the_session(tmp_path):
    from course_utils.learner.validate import NotebookNotFound, notebook_path

    nb = tmp_path / "notebooks" / "03_one_layer_vector.ipynb"
    nb.parent.mkdir()
    nb.write_text("{}")
    here = str(nb.parent)
    # JupyterLab: a path from the server's root; the kernel runs in the notebook's folder
    assert notebook_path({"__session__": "notebooks/03_one_layer_vector.ipynb"}, {}, here) == str(nb)
    assert notebook_path({}, {"JPY_SESSION_NAME": "course/notebooks/03_one_layer_vector.ipynb"}, here) == str(nb)
    assert notebook_path({"__vsc_ipynb_file__": str(nb)}, {}, "/") == str(nb)          # VS Code: absolute
    for ns, env in (({}, {}), ({"__session__": "gone.ipynb"}, {}), ({"__session__": "console-1"}, {})):
        with pytest.raises(NotebookNotFound, match=r"validate\('03_one_layer_vector.ipynb'\)"):
            notebook_path(ns, env, here)
