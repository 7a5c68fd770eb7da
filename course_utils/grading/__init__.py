"""Instructor grading: ``course-utils grade SUBMISSIONS... --out gradebook.csv``.

Modules, one job each:

- ``discovery``  which notebooks belong to which student (ids from file / folder names);
- ``prepare``    read a submission as plain JSON, skip IPython-only lines (with notes),
  guess which course notebook it answers;
- ``sandbox``    the grader's side of the sandbox: per-run runtime folder, isolation
  probe, the fork server ("zygote") and one ``Worker`` per submission;
- ``worker``     the sandboxed side (standard library + NumPy only): locks itself in,
  runs the notebook's cells, calls its functions on the inputs it is sent;
- ``portable.wire`` (outside this folder: it is copied into the sandbox) the plain-data
  protocol between the two (JSON + tagged arrays; never pickle);
- ``judge``      the trust boundary: draws inputs from a secret seed, computes reference
  answers, and judges the returned data with ``course_utils.engine`` (the same
  ``judge_draw`` / ``conclude`` as ``check()``);
- ``gradebook``  gradebook CSV, feedback files, resume state, summary table (atomic writes);
- ``progressbar`` the progress bar; ``cli`` the command itself.

After grading (``instructor_cli``: ``course-utils export``, ``report``, ``merge``):

- ``results``    a written gradebook (CSV + state) read back and checked;
- ``export``     Canvas, Moodle and wide-CSV files, with roster matching;
- ``report``     self-contained HTML: per-student feedback pages and the class report;
- ``shards``     ``--shard I/N``: which share a student is in; what a sharded run records;
- ``merge``      the gradebook parts of a sharded run into one gradebook;
- ``validate``   ``course-utils validate``: a student's files through this same grader.
"""
