"""Workshop mode: the instructor sees, live, where the room is stuck.

Modules, one job each:

- ``protocol``  what a request may contain; every check a request passes before storage;
- ``storage``   SQLite (WAL) tables of participants and events; the join code and key;
- ``dashboard`` the instructor page's state computed from the stored events;
- ``export``    CSV exports (formula-safe);
- ``ratelimit`` token buckets per participant / per client address;
- ``server``    the tornado server (``course-utils workshop serve``);
- ``assets/``   the instructor page (HTML, CSS, JavaScript; nothing from a CDN);
- ``reporter``  the learner's side: ``join(url, name)``, ``leave()``, and the background
  sender that ``check()``, ``hint()`` and ``solution()`` hand their events to;
- ``doctor``    ``course-utils doctor``: is this computer ready for the course?
- ``cli``       the two commands' argument parsing.

The server's modules import tornado; the reporter uses only the standard library.
"""
