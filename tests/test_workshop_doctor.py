"""``course-utils doctor``: every item passes on this (working) environment, and each
failure it is meant to catch is caught, on one line, with what to do."""

import json
import os
import subprocess
import sys

import pytest
from workshop_support import ThreadServer, free_port

from course_utils.cli import main
from course_utils.workshop import doctor
from course_utils.workshop import reporter as rep

ITEMS = ["python", "packages", "numpy", "matplotlib", "widgets", "kernel", "progress", "workshop"]


@pytest.fixture(autouse=True)
def no_session(tmp_path, monkeypatch):
    monkeypatch.setenv(rep.ENV_DIR, str(tmp_path / "learner"))
    monkeypatch.delenv(rep.ENV_URL, raising=False)


def by_name(items):
    out = {}
    for item in items:
        out.setdefault(item.name, []).append(item)
    return out


def test_a_ready_environment_passes_every_item(capsys):
    code = main(["doctor"])
    out = capsys.readouterr().out
    lines = out.strip().split("\n")
    assert code == 0, out
    assert [ln.split()[1] for ln in lines[:-1]] == ITEMS  # one line per item, in order
    assert all(ln.startswith("[ok]") for ln in lines[:-2]) and lines[-2].startswith("[skip] workshop")
    assert lines[-1] == "All good: ready for the course."


def test_a_reachable_server_with_the_right_code_passes(tmp_path):
    server = ThreadServer(str(tmp_path / "w.sqlite"))
    try:
        item = doctor.check_workshop(server.join_url)
        assert item.ok is True and "accepts the join code" in item.detail
        wrong = doctor.check_workshop(f"{server.base}/WRONG-CODE")
        assert wrong.ok is False and "refused the join code" in wrong.detail and wrong.fix
    finally:
        server.stop()


def test_an_unreachable_server_fails_with_advice(capsys):
    url = f"http://127.0.0.1:{free_port()}/ABCD-EFGH"
    assert main(["doctor", "--server", url]) == 1
    out = capsys.readouterr().out
    (line,) = [ln for ln in out.split("\n") if " workshop " in ln]
    assert line.startswith("[FAIL] workshop") and "cannot reach http://127.0.0.1" in line
    assert "-> check the address with the instructor" in line
    assert out.strip().endswith("1 problem(s): workshop.")


def test_the_joined_server_is_the_one_checked(tmp_path):
    r = rep.reporter()
    url = f"http://127.0.0.1:{free_port()}/ABCD-EFGH"
    r.join(url, "Ada")  # unreachable: the session is kept
    try:
        item = doctor.check_workshop()
        assert item.ok is False and "(joined)" in item.detail
    finally:
        r.stop()


@pytest.mark.parametrize("url", ["nonsense", "http://127.0.0.1:8765"])
def test_a_malformed_server_url_fails(url):
    item = doctor.check_workshop(url)
    assert item.ok is False and item.fix


def test_a_server_that_is_not_a_workshop_server_fails(tmp_path):
    import http.server
    import threading

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), http.server.SimpleHTTPRequestHandler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        item = doctor.check_workshop(f"http://127.0.0.1:{httpd.server_address[1]}/ABCD-EFGH")
        assert item.ok is False
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_an_unwritable_progress_path_fails(tmp_path, monkeypatch, capsys):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("COURSE_UTILS_PROGRESS", str(blocker / "progress.json"))  # a folder that cannot exist
    item = doctor.check_progress()
    assert item.ok is False and "cannot write progress" in item.detail and "COURSE_UTILS_PROGRESS" in item.fix
    assert main(["doctor"]) == 1
    assert "[FAIL] progress" in capsys.readouterr().out


def test_a_progress_path_that_is_a_folder_fails(tmp_path, monkeypatch):
    (tmp_path / "progress.json").mkdir()
    monkeypatch.setenv("COURSE_UTILS_PROGRESS", str(tmp_path / "progress.json"))
    assert doctor.check_progress().ok is False


def test_a_disabled_widget_extension_fails(tmp_path, monkeypatch):
    config = tmp_path / "jupyter-config"
    (config / "labconfig").mkdir(parents=True)
    (config / "labconfig" / "page_config.json").write_text(json.dumps(
        {"disabledExtensions": {"@jupyter-widgets/jupyterlab-manager": True}}))
    monkeypatch.setenv("JUPYTER_CONFIG_DIR", str(config))
    item = doctor.check_widgets()
    assert item.ok is False and "disabled" in item.detail
    assert item.fix == "jupyter labextension enable @jupyter-widgets/jupyterlab-manager"


def test_a_missing_widget_extension_fails(monkeypatch, tmp_path):
    monkeypatch.setattr("jupyter_core.paths.jupyter_path", lambda *parts: [str(tmp_path / "empty")])
    item = doctor.check_widgets()
    assert item.ok is False and "not installed" in item.detail


def test_a_kernel_from_another_environment_fails(tmp_path, monkeypatch):
    """A python3 kernel spec pointing at a Python without this course_utils (here: Python
    with -I -S, which sees no site-packages) is named as the wrong environment."""
    spec_dir = tmp_path / "data" / "kernels" / "python3"
    spec_dir.mkdir(parents=True)
    wrapper = tmp_path / "other-python"
    wrapper.write_text(f"#!/bin/sh\nexec {sys.executable} -I -S \"$@\"\n")
    wrapper.chmod(0o755)
    (spec_dir / "kernel.json").write_text(json.dumps({
        "argv": [str(wrapper), "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "Python 3 (elsewhere)", "language": "python"}))
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "data"))
    item = doctor.check_kernel()
    assert item.ok is False and "cannot import course_utils" in item.detail
    assert "ipykernel install" in item.fix


def test_unmet_requirements_fail_one_line_each(tmp_path):
    req = tmp_path / "requirements.txt"
    req.write_text("numpy>=999  # far future\nsurely-not-installed-package-xyz\n-e .\nmatplotlib\n")
    items = doctor.check_packages(str(req))
    assert [i.ok for i in items] == [False, False]
    assert "numpy" in items[0].detail and "numpy>=999" in items[0].detail
    assert "surely-not-installed-package-xyz is not installed" in items[1].detail
    assert all(f"pip install -r {req}" == i.fix for i in items)


def test_a_broken_check_is_a_failure_line_not_a_traceback(monkeypatch):
    def boom():
        raise RuntimeError("numpy exploded")

    monkeypatch.setattr(doctor, "check_numpy", boom)
    items = by_name(doctor.run_checks())
    (item,) = items["numpy"]
    assert item.ok is False and "numpy exploded" in item.detail


def test_doctor_runs_as_a_command():
    env = dict(os.environ)
    out = subprocess.run([sys.executable, "-m", "course_utils", "doctor", "--server",
                          f"http://127.0.0.1:{free_port()}/ABCD-EFGH"], capture_output=True, text=True, env=env,
                         timeout=120)
    assert out.returncode == 1 and "Traceback" not in out.stderr + out.stdout
    assert "[FAIL] workshop" in out.stdout
