"""Shared by the browser tests: JupyterLab on a loopback port with a random token and
scratch config folders, and Debian's Chromium driven by Playwright with every
non-loopback request aborted. Nothing here downloads a browser.

- ``CHROMIUM`` the browser's path (None when absent: the tests skip);
- ``start_lab(scratch, root, sessions)`` a context manager yielding a running ``Lab``;
- ``launch_browser(profile)`` a context manager yielding a Playwright browser context
  whose ``blocked`` list holds the off-machine requests it refused;
- ``free_port``, ``children``, ``kill_group`` process and port helpers.
"""

import contextlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-default-apps", "--disable-extensions", "--disable-breakpad",
    "--disable-domain-reliability", "--disable-client-side-phishing-detection",
    "--no-default-browser-check", "--metrics-recording-only", "--mute-audio",
    "--disable-features=Translate,OptimizationHints,MediaRouter,AutofillServerCommunication",
]
SERVER_START_TIMEOUT = 60


def chromium_path():
    """Return the Chromium executable to use (``COURSE_CHROMIUM`` or Debian's), or None."""
    explicit = os.environ.get("COURSE_CHROMIUM")
    if explicit:
        return explicit if os.path.exists(explicit) else None
    for candidate in ("/usr/bin/chromium", shutil.which("chromium"), shutil.which("chromium-browser")):
        if candidate and os.path.exists(candidate):
            return candidate
    return None


CHROMIUM = chromium_path()


def skip_without_browser():
    """Skip the calling test module (one-line reason) when Chromium or Playwright is missing;
    return Playwright's ``sync_playwright``."""
    if CHROMIUM is None:
        pytest.skip("Chromium is not installed (apt-get install chromium); browser tests skipped",
                    allow_module_level=True)
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("Playwright is not installed (pip install playwright); browser tests skipped",
                    allow_module_level=True)
    return sync_playwright


def free_port():
    """Return a TCP port free on 127.0.0.1 right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def children(pid):
    """Pids of the direct children of ``pid`` (Linux /proc; empty elsewhere)."""
    kids = []
    try:
        names = os.listdir("/proc")
    except OSError:
        return kids
    for name in names:
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat") as fh:
                stat = fh.read()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[-1].split()
        if len(fields) > 1 and fields[1] == str(pid):
            kids.append(int(name))
    return kids


def kill_group(pid, sig):
    """Send ``sig`` to the process group ``pid`` (gone already: nothing happens)."""
    try:
        os.killpg(pid, sig)
    except (ProcessLookupError, PermissionError):
        pass


class Lab:
    """A running JupyterLab server: ``url(path)`` gives an address with the token."""

    def __init__(self, port, token, root, proc, log_path):
        self.port, self.token, self.root, self.proc, self.log_path = port, token, root, proc, log_path

    def url(self, path):
        sep = "&" if "?" in path else "?"
        return f"http://127.0.0.1:{self.port}/{path.lstrip('/')}{sep}token={self.token}"

    def api(self, path, method="GET", body=None):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.url(path), method=method, data=data,
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=10) as resp:
            body = resp.read()
        return json.loads(body) if body else None

    def wait_ready(self, sessions=()):
        """Wait for the server to answer, then start a kernel session for each notebook
        path in ``sessions`` (kernels boot while the page loads)."""
        deadline = time.monotonic() + SERVER_START_TIMEOUT
        while True:
            if self.proc.poll() is not None:
                pytest.fail(f"JupyterLab exited with {self.proc.returncode}:\n{self.log()}")
            try:
                self.api("api/status")
                break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail(f"JupyterLab did not answer within {SERVER_START_TIMEOUT} s:\n{self.log()}")
                time.sleep(0.2)
        for rel in sessions:
            self.api("api/sessions", method="POST", body={
                "path": rel, "name": os.path.basename(rel), "type": "notebook",
                "kernel": {"name": "python3"}})

    def log(self):
        try:
            with open(self.log_path, encoding="utf-8", errors="replace") as fh:
                return fh.read()[-4000:]
        except OSError:
            return ""


@contextlib.contextmanager
def start_lab(scratch, root, env_extra=None):
    """JupyterLab serving ``root`` on a free loopback port with a random token and scratch
    Jupyter/IPython folders and progress file under ``scratch``; yields a ``Lab`` (not yet
    waited for) and shuts kernels and server down afterwards."""
    env = dict(os.environ)
    for name in ("MPLBACKEND", "COURSE_UTILS_STRICT", "JUPYTER_PATH", "JUPYTER_CONFIG_PATH"):
        env.pop(name, None)  # the kernel must see what a learner's kernel sees
    dirs = {}
    for name in ("runtime", "config", "data", "settings", "workspaces", "ipython"):
        dirs[name] = scratch / "jupyter" / name
        dirs[name].mkdir(parents=True)
    env.update({
        "JUPYTER_RUNTIME_DIR": str(dirs["runtime"]),
        "JUPYTER_CONFIG_DIR": str(dirs["config"]),
        "JUPYTER_DATA_DIR": str(dirs["data"]),
        "JUPYTERLAB_SETTINGS_DIR": str(dirs["settings"]),
        "JUPYTERLAB_WORKSPACES_DIR": str(dirs["workspaces"]),
        "IPYTHONDIR": str(dirs["ipython"]),
        "JUPYTER_PLATFORM_DIRS": "1",
        "COURSE_UTILS_PROGRESS": str(scratch / "progress.json"),
        "PYTHONUNBUFFERED": "1",
    })
    env.update(env_extra or {})
    # Render every cell (no virtual scrolling), and never ask about news.
    tracker = dirs["settings"] / "@jupyterlab" / "notebook-extension"
    tracker.mkdir(parents=True)
    (tracker / "tracker.jupyterlab-settings").write_text(json.dumps({"windowingMode": "none"}))
    (dirs["config"] / "labconfig").mkdir()
    (dirs["config"] / "labconfig" / "page_config.json").write_text(json.dumps(
        {"disabledExtensions": {"@jupyterlab/apputils-extension:announcements": True}}))

    port, token = free_port(), secrets.token_hex(24)
    cmd = [
        sys.executable, "-m", "jupyter", "lab", "--no-browser",
        "--ip=127.0.0.1", f"--port={port}", "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}",
        "--ServerApp.terminals_enabled=False", "--expose-app-in-browser",
        "--LabApp.news_url=None", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.append("--allow-root")
    log_path = scratch / "jupyterlab.log"
    log = open(log_path, "w")
    proc = subprocess.Popen(cmd, cwd=str(root), env=env, stdout=log, stderr=subprocess.STDOUT,
                            stdin=subprocess.DEVNULL, start_new_session=True)
    server = Lab(port, token, root, proc, log_path)
    try:
        yield server
    finally:
        kernels = children(proc.pid)  # kernels run in their own sessions: find them first
        try:
            server.api("api/shutdown", method="POST")  # stops kernels, then the server
            proc.wait(15)
        except (OSError, subprocess.TimeoutExpired):
            pass
        kill_group(proc.pid, signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            kill_group(proc.pid, signal.SIGKILL)
            proc.wait(10)
        for pid in kernels:
            kill_group(pid, signal.SIGKILL)
        log.close()


@contextlib.contextmanager
def launch_browser(profile_dir, viewport=None):
    """Headless Chromium with a fresh profile in ``profile_dir``; only loopback requests
    allowed. Yields the Playwright browser context (``context.blocked``: refused URLs)."""
    from playwright.sync_api import sync_playwright

    blocked = []
    with sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            str(profile_dir), executable_path=CHROMIUM, headless=True, args=CHROMIUM_FLAGS,
            viewport=viewport or {"width": 1280, "height": 1000}, service_workers="block")

        def guard(route):
            url = route.request.url
            if url.startswith(("http://127.0.0.1:", "data:", "blob:", "about:")):
                route.continue_()
            else:
                blocked.append(url)
                route.abort()

        context.route("**/*", guard)
        context.blocked = blocked
        try:
            yield context
        finally:
            context.close()
