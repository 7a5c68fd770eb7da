"""Shared by the browser tests: JupyterLab on a loopback port with a random token and
scratch config folders, and Debian's Chromium driven by Playwright with every
non-loopback request aborted. Nothing here downloads a browser.

- ``CHROMIUM`` the browser's path (None when absent: the tests skip);
- ``start_lab(scratch, root, sessions)`` a context manager yielding a running ``Lab``;
- ``launch_browser(profile)`` a context manager yielding a Playwright browser context
  whose ``blocked`` list holds the off-machine requests it refused;
- ``free_port``, ``children``, ``kill_group`` process and port helpers;
- ``serve_folder(folder)`` a static file server on loopback (the course site);
- ``open_lab_page``, ``open_notebook``, ``run_all_from_menu``, ``wait_until_run``,
  ``close_notebook``: driving a notebook in JupyterLab;
- ``axe_audit``, ``blocking_violations``, ``violation_counts``: axe-core (from
  axe-playwright-python, injected from the package, no network) on a page, and
  ``audit_html_file(path, scratch)``: the audit of one HTML file (instructor reports).
"""

import contextlib
import functools
import http.server
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

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
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LOCAL_PREFIXES = ("http://127.0.0.1:", "data:", "blob:", "about:")


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
def launch_browser(profile_dir, viewport=None, also_allow=()):
    """Headless Chromium with a fresh profile in ``profile_dir``; only loopback requests
    (and URLs starting with one of ``also_allow``, e.g. "file://") allowed. Yields the
    Playwright browser context (``context.blocked``: refused URLs)."""
    from playwright.sync_api import sync_playwright

    blocked = []
    with sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            str(profile_dir), executable_path=CHROMIUM, headless=True, args=CHROMIUM_FLAGS,
            viewport=viewport or {"width": 1280, "height": 1000}, service_workers="block")

        def guard(route):
            url = route.request.url
            if url.startswith(LOCAL_PREFIXES + tuple(also_allow)):
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


def say(capsys, text: str) -> None:
    """Print even when pytest captures output (screenshot paths and figures for the report)."""
    with capsys.disabled():
        print(text)


# --------------------------------------------------------------------------- static files


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 (the stdlib's name)
        pass


@contextlib.contextmanager
def serve_folder(folder: str | Path) -> Iterator[str]:
    """Serve ``folder`` over HTTP on 127.0.0.1 (a free port) while the block runs.

    Yields the base URL ending in "/"; the server thread is stopped on exit.
    """
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(10)



# --------------------------------------------------------------------------- JupyterLab pages


def open_lab_page(lab: Lab, browser, sessions=()):
    """Return a JupyterLab page loaded in ``browser`` once the server answers, with kernel
    sessions started for the notebook paths ``sessions`` (page errors in ``page.errors``)."""
    page = browser.new_page()
    page.errors = []
    page.on("pageerror", lambda exc: page.errors.append(str(exc)))
    lab.wait_ready(sessions)
    page.goto(lab.url("lab?reset"), wait_until="domcontentloaded")
    page.wait_for_function("() => window.jupyterapp && window.jupyterapp.shell && "
                           "document.querySelector('.jp-DirListing-content')",
                           timeout=SERVER_START_TIMEOUT * 1000)
    return page


def open_notebook(page, rel: str) -> None:
    """Open ``rel`` in the running JupyterLab (as a double-click in the file browser does)
    and wait for its kernel to be ready."""
    page.evaluate("async (p) => { await window.jupyterapp.commands.execute("
                  "'docmanager:open', {path: p, factory: 'Notebook'}); }", rel)
    page.wait_for_function(
        """(p) => { const w = window.jupyterapp.shell.currentWidget;
                   return w && w.context && w.context.path === p && w.sessionContext &&
                          w.sessionContext.session && w.sessionContext.session.kernel &&
                          w.sessionContext.session.kernel.status === 'idle'; }""",
        arg=rel, timeout=SERVER_START_TIMEOUT * 1000)


def close_notebook(page) -> None:
    """Shut the current notebook's kernel down and close it without saving."""
    page.evaluate("""async () => { const w = window.jupyterapp.shell.currentWidget;
        if (w && w.sessionContext) { await w.sessionContext.shutdown(); w.dispose(); } }""")


def run_all_from_menu(page) -> None:
    """Run > Run All Cells, as a learner does."""
    page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
    page.locator(".lm-Menu-itemLabel", has_text="Run All Cells").first.click()


# Runs in the page: the state of the open notebook, read from JupyterLab's own model.
STATE_JS = """() => {
  const app = window.jupyterapp;
  const panel = app && app.shell.currentWidget;
  if (!panel || !panel.content || !panel.sessionContext) return null;
  const session = panel.sessionContext.session;
  const kernel = session && session.kernel;
  const cells = [];
  const model = panel.content.model;
  for (let i = 0; i < model.cells.length; i++) {
    const c = model.cells.get(i);
    if (c.type !== 'code') continue;
    const outs = [];
    for (let j = 0; j < c.outputs.length; j++) {
      const o = c.outputs.get(j).toJSON();
      outs.push({type: o.output_type, name: o.name || null, ename: o.ename || null,
                 evalue: o.evalue || null,
                 text: [o.text, o.data && o.data['text/plain']]
                         .map(t => Array.isArray(t) ? t.join('') : (t || '')).join('')});
    }
    cells.push({index: i, source: c.sharedModel.getSource(), count: c.executionCount, outputs: outs});
  }
  return {kernel: kernel ? kernel.status : 'none', busy: panel.sessionContext.kernelDisplayStatus,
          cells: cells};
}"""


def notebook_state(page) -> dict:
    """Return the open notebook's kernel status and code cells (source, count, outputs)."""
    return page.evaluate(STATE_JS)


def wait_until_run(page, timeout: float) -> dict:
    """Wait until every non-empty code cell has run (or one raised) and the kernel is idle;
    returns the notebook state (see ``notebook_state``)."""
    deadline = time.monotonic() + timeout
    while True:
        state = notebook_state(page)
        code = [c for c in state["cells"] if c["source"].strip()]
        errors = [c for c in code if any(o["type"] == "error" for o in c["outputs"])]
        done = all(c["count"] is not None for c in code)
        if (done or errors) and state["kernel"] == "idle":
            time.sleep(0.5)  # let the last display messages land
            state2 = notebook_state(page)
            if state2["kernel"] == "idle":
                return state2
        if time.monotonic() > deadline:
            pending = [c["index"] for c in code if c["count"] is None]
            pytest.fail(f"cells still not run after {timeout} s (kernel {state['kernel']}): {pending}")
        time.sleep(0.25)


# --------------------------------------------------------------------------- axe-core

BLOCKING_IMPACTS = ("serious", "critical")


def axe_audit(page, context: object = None) -> dict:
    """Run axe-core (from axe-playwright-python, injected from the package: no network)
    on ``page``, limited to ``context`` (a CSS selector, or axe's {include, exclude}) when
    given. Returns axe's result dict (``violations``, ``passes``, ...)."""
    from axe_playwright_python.sync_playwright import Axe

    result = Axe().run(page, context=context)
    return result.response


def blocking_violations(result: dict) -> list[str]:
    """Return one line per serious or critical violation of an axe result: rule, impact,
    how many elements, and the first element's selector and summary."""
    lines = []
    for v in result.get("violations", []):
        if v.get("impact") in BLOCKING_IMPACTS:
            first = v["nodes"][0] if v.get("nodes") else {}
            lines.append(f"{v['id']} ({v['impact']}, {len(v.get('nodes', []))} element(s)): {v['help']}; "
                         f"e.g. {first.get('target')} {first.get('failureSummary', '')[:200]}")
    return lines


def violation_counts(result: dict) -> dict[str, int]:
    """Return {impact: number of violated rules} of an axe result (minor..critical)."""
    counts = {"minor": 0, "moderate": 0, "serious": 0, "critical": 0}
    for v in result.get("violations", []):
        counts[v.get("impact") or "minor"] = counts.get(v.get("impact") or "minor", 0) + 1
    return counts


def audit_html_file(path: str | Path, scratch: str | Path, dark: bool = False, screenshot: str | None = None) -> dict:
    """Audit one HTML file (e.g. a per-student feedback page or the class report) with axe-core.

    Serves the file's folder on 127.0.0.1, opens the file in headless Chromium (fresh
    profile under ``scratch``, every other request aborted), waits for it to load, and
    runs axe on the whole page; with ``dark`` the page is shown with
    ``prefers-color-scheme: dark`` first. Saves a screenshot to ``screenshot`` when given.
    Returns axe's result dict with two more keys: ``failed_requests`` (URLs that failed
    or were blocked) and ``blocking`` (``blocking_violations`` of the result, one line
    each). A test asserts ``result["blocking"] == []`` and ``result["failed_requests"] == []``.
    """
    path = Path(path).resolve()
    failed: list[str] = []
    with serve_folder(path.parent) as base, launch_browser(Path(scratch) / f"axe-profile-{os.getpid()}") as browser:
        page = browser.new_page()
        page.emulate_media(color_scheme="dark" if dark else "light")
        page.on("requestfailed", lambda r: r.url.startswith("about:") or failed.append(r.url))
        page.on("response", lambda r: r.status >= 400 and failed.append(f"{r.url} (HTTP {r.status})"))
        page.goto(base + urllib.request.pathname2url(path.name), wait_until="load")
        page.wait_for_timeout(300)
        if screenshot:
            page.screenshot(path=screenshot, full_page=True)
        result = axe_audit(page)
        failed += browser.blocked
    result["failed_requests"] = failed
    result["blocking"] = blocking_violations(result)
    return result
