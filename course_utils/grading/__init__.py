"""Instructor grading: ``course-utils grade SUBMISSIONS... --out gradebook.csv``
(design notes: docs/grading.md).

Modules, one job each:

- ``discovery``   which notebooks belong to which student; the student-id rule; regular
  files only (links, FIFOs, devices refused with a note);
- ``reading``     bounded, non-blocking reads of a submitted file;
- ``prepare``     a notebook's bytes as code cells (nbformat 4 and 3), IPython-only lines
  skipped with notes;
- ``matching``    which of a student's files is graded for which course notebook (by name);
- ``selection``   which exercises a run grades (the instructor's options, never submissions);
- ``limits``      every limit a submission can hit, and the --help text that lists them;
- ``notes``       a bounded list of notes for one submission;
- ``text``        untrusted text made printable and bounded;
- ``cgroups``     memory and process limits for a whole sandbox, and killing all of it;
- ``sandbox``     the grader's side of the sandbox: the run's fork server ("zygote") and
  one ``Worker`` per notebook;
- ``worker``      the sandboxed side (standard library + NumPy only): builds the
  sandbox's file system and namespaces, runs the cells, calls the functions
  (with ``portable.safecall`` and ``portable.plain``, copied next to it);
- ``portable.wire`` (copied into the sandbox too) the plain-data protocol between the two;
- ``judge``       the trust boundary: plans draws from the secret, judges the returned
  plain data with the check engine (the same ``judge_draw`` / ``conclude`` as ``check()``);
- ``scheduler``   runs submissions at once, giving cores only to those that compute;
- ``records``     the ``Row`` / ``Graded`` records every later stage reads;
- ``state``       the resume state; ``secret`` the instructor's secret; ``version`` the
  version of everything that can change a verdict;
- ``gradebook``   gradebook CSV, feedback files, summary table; ``output`` atomic writes;
- ``progressbar`` the progress bar; ``cli`` the command itself.
"""
