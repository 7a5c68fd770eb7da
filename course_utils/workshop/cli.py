"""``course-utils workshop serve ...`` and ``course-utils doctor``."""

from __future__ import annotations

import argparse
import os
import sys

DEFAULT_PORT = 8765
DEFAULT_DB = "workshop.sqlite"


def workshop_main(argv: list[str]) -> int:
    """Run ``course-utils workshop ARGS``; return the exit code."""
    parser = argparse.ArgumentParser(
        prog="course-utils workshop",
        description="A live view of a workshop room: who is stuck, where, with which mistake.")
    sub = parser.add_subparsers(dest="action", required=True)
    serve = sub.add_parser("serve", help="run the workshop server (prints the instructor URL and the join code)")
    serve.add_argument("--host", default="127.0.0.1",
                       help="address to listen on (default 127.0.0.1: this machine only; 0.0.0.0 opens it to "
                            "the room's network)")
    serve.add_argument("--port", type=int, default=DEFAULT_PORT,
                       help=f"port (default {DEFAULT_PORT}; 0 picks a free one)")
    serve.add_argument("--db", default=DEFAULT_DB,
                       help=f"SQLite database file (default ./{DEFAULT_DB}); restarting on the same file keeps "
                            "the participants, their events, the join code and the instructor key")
    serve.add_argument("--new-codes", action="store_true",
                       help="make a new join code and instructor key (the old ones stop working)")
    serve.add_argument("--durable", action="store_true",
                       help="fsync every write (survives a power cut too, slower); the default survives the "
                            "server being killed")
    serve.add_argument("--max-participants", type=int, default=500, help="refuse joins past this many (default 500)")
    args = parser.parse_args(argv)
    if not 0 <= args.port < 65536:
        parser.error("--port must be between 0 and 65535 (0: any free port)")
    if args.max_participants < 1:
        parser.error("--max-participants must be at least 1")
    folder = os.path.dirname(os.path.abspath(args.db))
    if not os.path.isdir(folder):
        print(f"workshop: the folder of --db does not exist: {folder}", file=sys.stderr)
        return 2
    from .server import Limits
    from .server import serve as run_server

    try:
        return run_server(args.host, args.port, args.db, rotate=args.new_codes, durable=args.durable,
                          limits=Limits(max_participants=args.max_participants))
    except KeyboardInterrupt:
        return 0
    except SystemExit as err:
        if isinstance(err.code, str):
            print(f"workshop: {err.code}", file=sys.stderr)
            return 2
        raise
    except Exception as err:  # sqlite3.DatabaseError on a file that is not a database, ...
        print(f"workshop: cannot use {args.db}: {err}", file=sys.stderr)
        return 2


def doctor_main(argv: list[str]) -> int:
    """Run ``course-utils doctor``; return 0 when every item is fine, else 1."""
    parser = argparse.ArgumentParser(
        prog="course-utils doctor",
        description="Check this computer is ready for the course (and the workshop server, if one is set).")
    parser.add_argument("--server", help="a workshop join URL to test (default: the one joined, or "
                                         "$COURSE_UTILS_WORKSHOP)")
    args = parser.parse_args(argv)
    from .doctor import format_report, run_checks

    items = run_checks(server=args.server)
    print(format_report(items))
    return 1 if any(item.ok is False for item in items) else 0
