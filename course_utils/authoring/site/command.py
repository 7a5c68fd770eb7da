"""``course-utils site``: build the course website, serve it on this machine, or list
pictures that still need alt text.

    course-utils site --out site            build the site into ./site (offline)
    course-utils site --serve site          serve ./site on http://127.0.0.1:8000 and open a browser
    course-utils site --missing-alt         list stored pictures of solutions/ without alt text
"""

from __future__ import annotations

import argparse
import functools
import http.server
import os
import sys
import webbrowser

from . import alttext
from .build import MARKER, SiteError, build_site


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare the ``site`` subcommand's options on ``parser``; returns None."""
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--out", metavar="DIR", help="build the site into DIR (new, empty, or an earlier site)")
    mode.add_argument("--serve", metavar="DIR", help="serve a built site on 127.0.0.1 and open it in a browser")
    mode.add_argument("--missing-alt", action="store_true",
                      help="list the pictures stored in the solution notebooks that have no alt text")
    parser.add_argument("--solutions", help="solution folder (default: ./solutions)")
    parser.add_argument("--port", type=int, default=8000, help="port for --serve (default 8000; 0: any free port)")
    parser.add_argument("--no-browser", action="store_true", help="with --serve: do not open a browser")


def _missing_alt(solutions: str, explicit: list[str]) -> int:
    paths = explicit or alttext.notebooks_in(solutions)
    try:
        lacking = alttext.missing(paths)
    except (ValueError, OSError) as err:
        print(f"cannot read a notebook: {err}", file=sys.stderr)
        return 2
    for image in lacking:
        print(image.where())
    if lacking:
        print(f"{len(lacking)} picture(s) without alt text: describe each in its cell's metadata under "
              f"{alttext.ALT_KEY!r} (a string, or a list with one string per picture).", file=sys.stderr)
        return 1
    print(f"every stored picture in {len(paths)} notebook(s) has alt text.")
    return 0


def _serve(folder: str, port: int, open_browser: bool) -> int:
    if not os.path.isfile(os.path.join(folder, "index.html")) or not os.path.exists(os.path.join(folder, MARKER)):
        print(f"{folder} holds no built course site: run `course-utils site --out {folder}` first.", file=sys.stderr)
        return 2
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=os.path.abspath(folder))
    try:
        server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    except OSError as err:
        print(f"cannot listen on 127.0.0.1:{port}: {err.strerror}; try --port 0", file=sys.stderr)
        return 2
    url = f"http://127.0.0.1:{server.server_address[1]}/index.html"
    print(f"serving {folder} at {url} (only this machine can reach it); Ctrl-C stops.", flush=True)
    if open_browser:
        webbrowser.open(url)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


def run(args: argparse.Namespace, root: str) -> int:
    """Carry out ``course-utils site`` with parsed ``args`` in the course folder ``root``;
    returns the process exit code (0 done, 1 pictures without alt text, 2 an error)."""
    solutions = args.solutions or os.path.join(root, "solutions")
    if args.missing_alt:
        return _missing_alt(solutions, [])
    if args.serve:
        return _serve(args.serve, args.port, not args.no_browser)
    try:
        summary = build_site(args.out, solutions)
    except SiteError as err:
        print(f"site failed: {err}", file=sys.stderr)
        return 2
    print(f"built {len(summary.pages)} pages into {summary.out} in {summary.seconds:.1f} s "
          f"({summary.bytes / 1e6:.1f} MB); open it with `course-utils site --serve {args.out}`.")
    return 0
